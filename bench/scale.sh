#!/bin/sh
# bench/scale.sh BUILD_DIR — how chipsim's cost grows with the size of the world.
#
# For N = 10^2 .. 10^5 sites, bench_gen (bench/gen.c) writes a synthetic world
# (seed 1, 20 products, one simulated year, monthly periods), and this script
# measures, on one thread and one replication:
#   load      wall time and peak RSS of `chipsim validate -q world.yaml`
#   run       `chipsim run world.yaml -r 1 -j 1 -q --scopes ...`: wall_seconds and
#             model_events (events dispatched) from the run's manifest.yaml,
#             events per second, and the process's peak RSS ("Maximum resident
#             set size" of /usr/bin/time -v; this includes loading)
# then runs the 10^4-site world (SCALE_HORIZON_SITES) for 1, 2, 4 and 8 years,
# to see whether memory follows what is in flight or the horizon, fits log-log
# slopes, profiles the 10^4-site run with perf (when perf is there), and writes
#   bench/scale.md            the figures, the machine, the commit, the slopes
#   bench/img/scale_sites.png    run time and peak memory against sites
#   bench/img/scale_events.png   run time and peak memory against events
#   bench/img/scale_horizon.png  peak memory and run time against the horizon
#
# Site rows are left out of the report (--scopes world,country,firm) when
# `chipsim run --help` offers --scopes; otherwise every scope is written.
# A run is stopped after SCALE_TIMEOUT seconds (default 600) or when its RSS
# passes SCALE_MAX_RSS_KB (default 16 GiB); the table then says so.
#
# Environment: SCALE_SITES (default "100 1000 10000 100000"),
# SCALE_HORIZON_SITES (10000), SCALE_YEARS ("1 2 4 8"), SCALE_WORK (scratch
# folder, default $TMPDIR/chipsim-scale; the worlds of 10^5 sites take ~25 MB),
# SCALE_OUT (where scale.md and img/ go, default the bench/ folder).
set -eu

if [ $# -ne 1 ] || [ ! -x "$1/cli/chipsim" ] || [ ! -x "$1/bench/bench_gen" ]; then
    echo "usage: bench/scale.sh BUILD_DIR   (BUILD_DIR holds cli/chipsim and bench/bench_gen)" >&2
    exit 64
fi
BUILD=$(cd "$1" && pwd)
CHIPSIM=$BUILD/cli/chipsim
GEN=$BUILD/bench/bench_gen
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${SCALE_OUT:-$HERE}
WORK=${SCALE_WORK:-${TMPDIR:-/tmp}/chipsim-scale}
SITES=${SCALE_SITES:-"100 1000 10000 100000"}
HSITES=${SCALE_HORIZON_SITES:-10000}
YEARS=${SCALE_YEARS:-"1 2 4 8"}
TIMEOUT=${SCALE_TIMEOUT:-600}
MAX_RSS_KB=${SCALE_MAX_RSS_KB:-16777216}

# GNU time (Debian package `time`) for the peak RSS; gnuplot for the plots.
need() { # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    else
        echo "scale.sh: $1 is missing: sudo apt-get install $2" >&2
        exit 1
    fi
}
[ -x /usr/bin/time ] || need /usr/bin/time time
need gnuplot gnuplot-nox

if "$CHIPSIM" run --help 2>&1 | grep -q -- '--scopes'; then
    SCOPES="--scopes world,country,firm"
else
    SCOPES=""
fi

mkdir -p "$WORK" "$OUT/img"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# The code measured: read before this script writes its own outputs (scale.md
# and the plots are tracked files), tracked files only.
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -c . || true)
DATA=$WORK/sites.tsv
HDATA=$WORK/horizon.tsv
HWDATA=$WORK/horizon-world.tsv
LOG=$WORK/scale.log
: >"$LOG"

# measure CMD... : runs it under /usr/bin/time -v with the time and memory
# limits; sets ELAPSED, RSS_KB (peak) and STATUS (exit status, or "timeout" /
# "rss>limit" when this script stopped it).
measure() {
    tv=$WORK/time.txt
    /usr/bin/time -v -o "$tv" "$@" >>"$LOG" 2>&1 &
    tpid=$!
    start=$(date +%s)
    stopped=""
    while kill -0 "$tpid" 2>/dev/null; do
        sleep 0.2
        cpid=$(pgrep -P "$tpid" 2>/dev/null | head -n 1 || true)
        [ -n "$cpid" ] || continue
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$cpid/status" 2>/dev/null || echo 0)
        if [ "${rss:-0}" -gt "$MAX_RSS_KB" ]; then
            stopped="rss>limit"
            kill "$cpid" 2>/dev/null || true
        elif [ $(($(date +%s) - start)) -ge "$TIMEOUT" ]; then
            stopped="timeout"
            kill "$cpid" 2>/dev/null || true
        fi
    done
    set +e
    wait "$tpid"
    STATUS=$?
    set -e
    [ -z "$stopped" ] || STATUS=$stopped
    ELAPSED=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$tv")
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
}

manifest() { # manifest DIR KEY
    awk -v k="$2" '$1 == k":" {print $2}' "$1/manifest.yaml" 2>/dev/null || true
}

# one SITES YEARS LABEL: generate, validate, run; appends a row to the data file.
one() {
    n=$1
    y=$2
    w=$WORK/world-$n-$y
    o=$WORK/out-$n-$y
    echo "== $n sites, $y year(s)" | tee -a "$LOG"
    "$GEN" --sites "$n" --years "$y" --seed 1 -o "$w" --force -q
    measure "$CHIPSIM" validate -q "$w/world.yaml"
    load_s=$ELAPSED
    load_kb=$RSS_KB
    [ "$STATUS" = 0 ] || echo "   validate failed: $STATUS (see $LOG)" | tee -a "$LOG"
    rm -rf "$o"
    # shellcheck disable=SC2086
    measure "$CHIPSIM" run "$w/world.yaml" -r 1 -j 1 -q $SCOPES -o "$o" --force
    run_status=$STATUS
    total_s=$ELAPSED
    run_kb=$RSS_KB
    wall=$(manifest "$o" wall_seconds)
    events=$(manifest "$o" model_events)
    if [ "$run_status" != 0 ] || [ -z "$wall" ]; then
        wall=NaN
        events=NaN
        eps=NaN
        echo "   run failed: $run_status (last lines of $LOG:)" | tee -a "$LOG"
        tail -n 3 "$LOG"
    else
        eps=$(awk -v e="$events" -v s="$wall" 'BEGIN {printf "%.0f", (s > 0 ? e / s : 0)}')
    fi
    lanes=$(($(wc -l <"$w/lanes.csv") - 1))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$y" "$lanes" "$load_s" \
        "$load_kb" "$wall" "$events" "$eps" "$run_kb" "$total_s" "$run_status" >>"$3"
    echo "   load ${load_s}s ${load_kb}KB; run ${wall}s, $events events, $eps ev/s, peak ${run_kb}KB, status $run_status" |
        tee -a "$LOG"
}

HEAD='sites\tyears\tlanes\tload_s\tload_kb\trun_s\tevents\tevents_per_s\tpeak_kb\ttotal_s\tstatus\n'
printf "%b" "$HEAD" >"$DATA"
for n in $SITES; do one "$n" 1 "$DATA"; done
printf "%b" "$HEAD" >"$HDATA"
for y in $YEARS; do one "$HSITES" "$y" "$HDATA"; done
# The same runs with world rows only: the report keeps a tally per period,
# group and metric (the output's size), so with many firm groups it grows
# with the horizon; without them what is left is the model's own memory.
printf 'years\tpeak_kb\n' >"$HWDATA"
for y in $YEARS; do
    measure "$CHIPSIM" run "$WORK/world-$HSITES-$y/world.yaml" -r 1 -j 1 -q --scopes world \
        -o "$WORK/out-$HSITES-$y-world" --force
    printf '%s\t%s\n' "$y" "$RSS_KB" >>"$HWDATA"
    echo "   $y year(s), --scopes world: peak ${RSS_KB}KB, status $STATUS" | tee -a "$LOG"
done

# Least-squares slope of log(y) on log(x) over the rows with both positive.
slope() { # slope FILE XCOL YCOL
    awk -F'\t' -v x="$2" -v y="$3" 'NR > 1 && $x + 0 > 0 && $y + 0 > 0 {
        u = log($x); v = log($y); n++; su += u; sv += v; suu += u * u; suv += u * v }
        END { d = n * suu - su * su; if (n < 2 || d == 0) print "n/a";
              else printf "%.3f", (n * suv - su * sv) / d }' "$1"
}
S_EV_N=$(slope "$DATA" 1 7)
S_RUN_N=$(slope "$DATA" 1 6)
S_RUN_EV=$(slope "$DATA" 7 6)
S_MEM_N=$(slope "$DATA" 1 9)
S_LOAD_N=$(slope "$DATA" 1 4)
S_MEM_Y=$(slope "$HDATA" 2 9)
S_EV_Y=$(slope "$HDATA" 2 7)
S_MEM_YW=$(slope "$HWDATA" 1 2)
echo "log-log slopes: events~N $S_EV_N, run time~N $S_RUN_N, run time~events $S_RUN_EV," \
    "peak memory~N $S_MEM_N, load time~N $S_LOAD_N; horizon: peak memory~years $S_MEM_Y," \
    "events~years $S_EV_Y"

# perf profile of the run of HSITES sites, one year
PERF_TOP=""
if command -v perf >/dev/null 2>&1; then
    pw=$WORK/world-$HSITES-1
    rm -rf "$WORK/out-perf"
    # shellcheck disable=SC2086
    if perf record -q -o "$WORK/perf.data" -- "$CHIPSIM" run "$pw/world.yaml" -r 1 -j 1 -q \
        $SCOPES -o "$WORK/out-perf" >>"$LOG" 2>&1; then
        PERF_TOP=$(perf report -i "$WORK/perf.data" --no-children -g none --stdio 2>/dev/null |
            grep -v '^#' | grep -v '^$' | head -n 15)
    fi
fi

# ---- plots
TERM_PNG="pngcairo size 800,520 font 'sans,10'"
gnuplot -e "set terminal $TERM_PNG" >/dev/null 2>&1 || TERM_PNG="png size 800,520"
gnuplot <<EOF
set terminal $TERM_PNG
set termoption noenhanced
set datafile separator "\t"
set datafile missing "NaN"
set logscale xy
set grid
set key top left
set ytics nomirror
set y2tics
set logscale y2
set output "$OUT/img/scale_sites.png"
set title "chipsim run, one replication, one thread, one simulated year"
set xlabel "sites"
set ylabel "run time (s)"
set y2label "peak memory (MB)"
plot "$DATA" skip 1 using 1:6 axes x1y1 with linespoints lw 2 pt 7 title "run time (wall_seconds)", \
     "$DATA" skip 1 using 1:(\$9/1024) axes x1y2 with linespoints lw 2 pt 5 title "peak RSS (MB)", \
     "$DATA" skip 1 using 1:4 axes x1y1 with linespoints lw 1 pt 6 dt 2 title "load time (validate, s)"
set output "$OUT/img/scale_events.png"
set xlabel "events dispatched"
plot "$DATA" skip 1 using 7:6 axes x1y1 with linespoints lw 2 pt 7 title "run time (wall_seconds)", \
     "$DATA" skip 1 using 7:(\$9/1024) axes x1y2 with linespoints lw 2 pt 5 title "peak RSS (MB)"
set output "$OUT/img/scale_horizon.png"
set title "the same $HSITES-site world over longer horizons"
unset logscale
set logscale x 2
set xtics (1, 2, 4, 8, 16, 32)
set yrange [0:*]
set y2range [0:*]
set xlabel "simulated years"
set ylabel "peak memory (MB)"
set y2label "run time (s)"
set xrange [0.9:*]
plot "$HDATA" skip 1 using 2:(\$9/1024) axes x1y1 with linespoints lw 2 pt 5 title "peak RSS (MB)", \
     "$HWDATA" skip 1 using 1:(\$2/1024) axes x1y1 with linespoints lw 2 pt 4 dt 2 title "peak RSS, world rows only (MB)", \
     "$HDATA" skip 1 using 2:6 axes x1y2 with linespoints lw 2 pt 7 title "run time (s, right)"
EOF

# ---- scale.md
CPU=$(lscpu | awk -F': *' '/^Model name/ {print $2; exit}')
CORES=$(nproc)
MEM=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
table() { # table FILE
    echo "| sites | years | lanes | load (validate) | load peak RSS | run (wall_seconds) | events | events/s | run peak RSS | status |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    awk -F'\t' 'NR > 1 {
        printf "| %s | %s | %s | %s | %.0f MB | %s | %s | %s | %.0f MB | %s |\n",
            $1, $2, $3, ($4 + 0 > 0 ? sprintf("%.2f s", $4) : "< 0.01 s"), $5 / 1024,
            ($6 == "NaN" ? "n/a" : sprintf("%.2f s", $6)),
            ($7 == "NaN" ? "n/a" : $7), ($8 == "NaN" ? "n/a" : sprintf("%.2f M", $8 / 1e6)),
            $9 / 1024, ($11 == "0" ? "ok" : $11) }' "$1"
}
BIG=$(awk -F'\t' 'NR > 1 && $1 == 100000 {print}' "$DATA")
VERDICT="no 10^5-site row was measured"
if [ -n "$BIG" ]; then
    VERDICT=$(echo "$BIG" | awk -F'\t' '{
        ok_t = $6 != "NaN" && $6 < 60; ok_m = $9 < 4 * 1048576;
        printf "run %s in %s s (target < 60 s: %s), peak RSS %.2f GiB (target < 4 GiB: %s)",
            ($11 == "0" ? "finished" : "stopped: " $11), $6, (ok_t ? "met" : "missed"),
            $9 / 1048576, (ok_m ? "met" : "missed") }')
fi
{
    echo "# Scaling with the size of the world"
    echo
    echo "Written by \`bench/scale.sh\` (\`make scale\`) on $(date -u +%Y-%m-%d): $CPU, $CORES cores,"
    echo "$MEM; commit $COMMIT$([ "$DIRTY" -gt 0 ] && echo " with $DIRTY uncommitted changes");"
    echo "load average $LOAD_START at the start, $LOAD_END at the end (other work on the machine"
    echo "slows the figures down)."
    echo "Worlds from \`bench_gen --sites N --seed 1\` (bench/gen.c: 2% fabs, 3% packaging, 25%"
    echo "distributors, the rest buyers; 20 products; six export-control rules; disruptions), one"
    echo "replication on one thread (\`chipsim run -r 1 -j 1 -q ${SCOPES:-(all scopes)}\`)."
    echo "Load is the wall time of \`chipsim validate -q\`; run time is the manifest's"
    echo "\`wall_seconds\` (replications and report, after loading); events are \`model_events\`;"
    echo "peak RSS is GNU time's maximum resident set size of the whole run, loading included."
    echo
    echo "## Sites (one simulated year)"
    echo
    table "$DATA"
    echo
    echo "Target for 10^5 sites: a simulated year in under a minute, peak memory under 4 GiB:"
    echo "$VERDICT."
    echo
    echo "Log-log slopes (least squares): events against sites **$S_EV_N**, run time against"
    echo "sites **$S_RUN_N**, run time against events **$S_RUN_EV**, peak memory against sites"
    echo "**$S_MEM_N**, load time against sites **$S_LOAD_N** (1 is linear, 2 quadratic)."
    echo
    echo "![run time and peak memory against sites](img/scale_sites.png)"
    echo "![run time and peak memory against events](img/scale_events.png)"
    echo
    echo "## Horizon ($HSITES sites)"
    echo
    table "$HDATA"
    echo
    echo "Log-log slopes against the years: peak memory **$S_MEM_Y**, events **$S_EV_Y**."
    echo
    echo "The same runs with \`--scopes world\` (world rows only), peak RSS: $(awk -F'\t' 'NR > 1 {
        printf "%s%s year(s) %.0f MB", (NR > 2 ? ", " : ""), $1, $2 / 1024 }' "$HWDATA")"
    echo "(log-log slope **$S_MEM_YW**). Replications hold one period of metric cells at a time,"
    echo "so the model's memory follows what is in flight (orders, batches, shipments, pending"
    echo "events); what grows with the horizon is the report, a tally per period, group and"
    echo "metric: the size of timeseries.csv."
    echo
    echo "![peak memory against the horizon](img/scale_horizon.png)"
    if [ -n "$PERF_TOP" ]; then
        echo
        echo "## Profile ($HSITES sites, one year)"
        echo
        echo "\`perf record\` of the run, \`perf report --no-children -g none\`, top 15 lines:"
        echo
        echo '```'
        echo "$PERF_TOP"
        echo '```'
    fi
} >"$OUT/scale.md"
echo "scale.sh: wrote $OUT/scale.md and $OUT/img/scale_{sites,events,horizon}.png (log: $LOG)"
