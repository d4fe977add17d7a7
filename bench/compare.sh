#!/usr/bin/env bash
# bench/compare.sh — every benchmark figure in one invocation, on one machine,
# against the issue's targets; run by `make bench`.
#
#   bash bench/compare.sh [BUILD_DIR] [--simpy-customers N] [--reps N] [--output FILE]
#
#   BUILD_DIR            a Release build of chipsim (default: build)
#   --simpy-customers N  customers for the SimPy M/M/1 (default 10000000, as the C
#                        benchmarks; SimPy runs about 0.1 M customers/s, so this
#                        part takes about 90 s: pass fewer for a quick look)
#   --reps N             replications of the default scenario at -j 1 and -j 2
#                        (default 200); the largest scenario gets about the same
#                        number of model events; the 1000-replication run is fixed
#   --repeat N           runs of each scenario configuration, the fastest kept
#                        (default 3; every run's time is in the report)
#   --output FILE        where the report goes (default: bench/results.md)
#
# It measures, in this order:
#   1. M/M/1 (arrival 0.9, service 1.0): bench_mm1 (kernel API, 10 M customers),
#      bench_model_mm1 (the scenario tests/validation/mm1.yaml through the model,
#      clock scaled by 100) and bench/mm1_simpy.py (SimPy 2.3.1, Debian's
#      python3-simpy, run by /usr/bin/python3). Each times its simulation loop
#      alone by wall clock; customers/s = customers / that time.
#   2. bench_hold: ns per hold at 10^3, 10^5, 10^6 pending events.
#   3. chipsim run of the default scenario and of the largest shipped one (the
#      scenarios/*.yaml with the most model events per replication, found by a
#      2-replication run of each), at -j 1 and -j 2, under /usr/bin/time -v;
#      then the default at -r 1000 -j 2.
# The report (machine, tables, targets with pass/fail, the raw benchmark lines)
# goes to stdout and to FILE, replaced whole: written to a temporary file in
# the same folder and renamed into place only when complete.
#
# Exit 0 when every figure was measured (a missed target is a FAIL row, not an
# error), 64 on a bad option, 66 when the build or a tool is missing, 70 when a
# benchmark fails.
set -euo pipefail

die() {
  local code=$1
  shift
  echo "compare.sh: $*" >&2
  exit "$code"
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=build
simpy_customers=10000000
reps_default=200
output=$repo/bench/results.md
default_scenario=scenarios/middle-east-2023-08.yaml
reps_1000=1000
repeat=3

build_set=0
while [ $# -gt 0 ]; do
  case $1 in
    --simpy-customers) [ $# -ge 2 ] || die 64 "$1 needs a value"; simpy_customers=$2; shift 2 ;;
    --reps) [ $# -ge 2 ] || die 64 "$1 needs a value"; reps_default=$2; shift 2 ;;
    --repeat) [ $# -ge 2 ] || die 64 "$1 needs a value"; repeat=$2; shift 2 ;;
    --output) [ $# -ge 2 ] || die 64 "$1 needs a value"; output=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die 64 "unknown option '$1' (see --help)" ;;
    *)
      [ "$build_set" -eq 0 ] || die 64 "one build folder only (got '$build' and '$1')"
      build=$1
      build_set=1
      shift
      ;;
  esac
done
if ! [[ $simpy_customers =~ ^[0-9]+$ ]] || [ "$simpy_customers" -lt 100 ]; then
  die 64 "--simpy-customers must be an integer >= 100 (got '$simpy_customers')"
fi
if ! [[ $reps_default =~ ^[0-9]+$ ]] || [ "$reps_default" -lt 2 ]; then
  die 64 "--reps must be an integer >= 2 (got '$reps_default')"
fi
if ! [[ $repeat =~ ^[0-9]+$ ]] || [ "$repeat" -lt 1 ] || [ "$repeat" -gt 20 ]; then
  die 64 "--repeat must be an integer from 1 to 20 (got '$repeat')"
fi

# The build folder, relative to where we were called from; then work from the
# repository root so scenario paths are the ones `make run` uses.
[ -d "$build" ] || die 66 "build folder '$build' not found; build it first: cmake -S . -B $build -DCMAKE_BUILD_TYPE=Release && cmake --build $build (or make bench)"
build=$(cd "$build" && pwd)
case $output in /*) ;; *) output=$PWD/$output ;; esac
cd "$repo"

chipsim=$build/cli/chipsim
for b in "$build/bench/bench_mm1" "$build/bench/bench_model_mm1" "$build/bench/bench_hold" "$chipsim"; do
  [ -x "$b" ] || die 66 "'$b' is missing or not executable; build it: cmake --build $build"
done
[ -x /usr/bin/time ] || die 66 "/usr/bin/time not found (apt-get install time)"
[ -f "$default_scenario" ] || die 66 "default scenario '$default_scenario' not found"
[ -d "$(dirname "$output")" ] || die 66 "folder of '$output' does not exist"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chipsim-compare.XXXXXX")
report_tmp=
cleanup() {
  rm -rf "$tmp"
  [ -z "$report_tmp" ] || rm -f "$report_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { echo "compare.sh: $*" >&2; }

# awk does the arithmetic and the number formats (no bc needed).
calc() { awk "BEGIN { printf \"%s\", $1 }" </dev/null; }
fmt() { awk -v x="$2" "BEGIN { printf \"$1\", x }" </dev/null; }
# pass_if COND: PASS when the awk condition holds.
pass_if() { if awk "BEGIN { exit !($1) }" </dev/null; then echo PASS; else echo FAIL; fi; }

# --- the machine, at the start ------------------------------------------------
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# How busy the CPUs are with other work right now, over 2 s before anything of
# ours runs (the load average also counts the build make bench just did).
cpu_busy() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  sleep 2
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
    busy = y[1] - x[1]; idle = y[2] - x[2]
    printf "%.0f", (busy + idle > 0 ? 100 * busy / (busy + idle) : 0) }'
}
busy_start=$(cpu_busy)
date_start=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
cpu_model=$(lscpu 2>/dev/null | awk -F: '/^Model name/ { sub(/^[ \t]+/, "", $2); print $2; exit }')
cpu_model=${cpu_model:-unknown}
cores=$(nproc)
mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
kernel="$(uname -sr) $(uname -m)"
gcc_version=$(gcc --version 2>/dev/null | head -n 1 || true)
gcc_version=${gcc_version:-unknown}
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
# Read-only status (no index refresh): the code may be changing under us.
dirty=$(GIT_OPTIONAL_LOCKS=0 git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | wc -l || true)
[ "${dirty:-0}" -eq 0 ] || commit="$commit (plus uncommitted changes in $dirty tracked files)"
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build/CMakeCache.txt" 2>/dev/null || true)
build_type=${build_type:-unknown}
[ "$build_type" = Release ] || say "warning: '$build' is a '$build_type' build, not Release; figures will not match the targets' conditions"

# --- 1. M/M/1 -----------------------------------------------------------------
raw=$tmp/raw.txt
: >"$raw"
run_bench() { # NAME CMD...: runs, keeps its stdout in $tmp/NAME.out and in the raw log
  local name=$1
  shift
  say "running $name"
  if ! "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
    cat "$tmp/$name.err" >&2
    die 70 "$name failed: $*"
  fi
  cat "$tmp/$name.out" >>"$raw"
}
# field FILE REGEX: the first number after the regex on the first matching line
field() {
  local v
  v=$(sed -nE "s/.*$2 *([-+0-9.eE]+).*/\1/p" "$1" | head -n 1)
  [ -n "$v" ] || die 70 "cannot read '$2' from $(basename "$1"): $(head -c 300 "$1")"
  echo "$v"
}

run_bench bench_mm1 "$build/bench/bench_mm1" 10000000
k_cust=$(field "$tmp/bench_mm1.out" 'kernel:')
k_rate=$(field "$tmp/bench_mm1.out" ' s =')
k_wq=$(field "$tmp/bench_mm1.out" 'mean wait in queue')
k_ci=$(sed -nE 's/.*(95% CI \[[^]]*\]).*/\1/p' "$tmp/bench_mm1.out")

run_bench bench_model_mm1 "$build/bench/bench_model_mm1"
m_cust=$(field "$tmp/bench_model_mm1.out" 'model:')
m_rate=$(field "$tmp/bench_model_mm1.out" ' s =')
m_wq=$(field "$tmp/bench_model_mm1.out" 'mean order wait')

# SimPy 2.x is Debian's python3-simpy, importable by the system python (not a
# pyenv or venv python3 that may come first on PATH).
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
simpy_ok=0
if [ -n "$py" ] && "$py" -c 'import SimPy.Simulation' >/dev/null 2>&1; then
  simpy_ok=1
  run_bench mm1_simpy "$py" "$repo/bench/mm1_simpy.py" "$simpy_customers"
  s_cust=$(field "$tmp/mm1_simpy.out" 'simpy:')
  s_rate=$(field "$tmp/mm1_simpy.out" ' s =')
  s_wq=$(field "$tmp/mm1_simpy.out" 'mean wait in queue')
  s_ci=$(sed -nE 's/.*(95% CI \[[^]]*\]).*/\1/p' "$tmp/mm1_simpy.out")
  s_ver=$(sed -nE 's/.*\((SimPy [^,]*), .*/\1/p' "$tmp/mm1_simpy.out")
else
  say "SimPy 2.x not importable by ${py:-python3}: skipping (apt-get install python3-simpy)"
  echo "mm1 simpy: not installed (apt-get install python3-simpy)" >>"$raw"
fi

# --- 2. hold ------------------------------------------------------------------
run_bench bench_hold "$build/bench/bench_hold"
hold_ns() { sed -nE "s/^hold: +$1 pending +([0-9.]+) ns.*/\1/p" "$tmp/bench_hold.out"; }
h3=$(hold_ns 1000)
h5=$(hold_ns 100000)
h6=$(hold_ns 1000000)
if [ -z "$h3" ] || [ -z "$h5" ] || [ -z "$h6" ]; then
  die 70 "cannot read bench_hold's output: $(cat "$tmp/bench_hold.out")"
fi

# --- 3. scenarios ---------------------------------------------------------------
# run_scenario TAG SCENARIO REPS THREADS: chipsim run under /usr/bin/time -v;
# sets R_WALL (manifest wall_seconds: replications and writing, after loading),
# R_ELAPSED (the whole command), R_EVENTS (model_events), R_RSS_MB (peak RSS).
run_scenario() {
  local tag=$1 scen=$2 reps=$3 threads=$4 dir=$tmp/run-$1 t
  say "running chipsim run $scen -r $reps -j $threads"
  if ! /usr/bin/time -v -o "$tmp/$tag.time" "$chipsim" run "$scen" -r "$reps" -j "$threads" -q \
    --force -o "$dir" >"$tmp/$tag.out" 2>"$tmp/$tag.err"; then
    cat "$tmp/$tag.err" >&2
    return 1
  fi
  R_WALL=$(awk '/^wall_seconds:/ { print $2 }' "$dir/manifest.yaml")
  R_EVENTS=$(awk '/^model_events:/ { print $2 }' "$dir/manifest.yaml")
  t=$(awk '/^threads:/ { print $2 }' "$dir/manifest.yaml")
  if [ -z "$R_WALL" ] || [ -z "$R_EVENTS" ]; then
    die 70 "$dir/manifest.yaml lacks wall_seconds or model_events"
  fi
  [ "$t" = "$threads" ] || die 70 "asked for -j $threads, manifest says threads: $t"
  R_RSS_MB=$(awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tmp/$tag.time")
  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:06.81"
  R_ELAPSED=$(awk '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0
                 for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$tmp/$tag.time")
  rm -rf "$dir"
}

# The largest shipped scenario: most model events per replication, 2 replications each.
scan=$tmp/scan.tsv
: >"$scan"
scan_failed=()
say "finding the largest scenario: chipsim run -r 2 -j 1 on each of scenarios/*.yaml"
for s in scenarios/*.yaml; do
  if run_scenario scan "$s" 2 1 2>/dev/null; then
    printf '%s\t%s\t%s\n' "$s" "$(calc "$R_EVENTS / 2")" "$R_WALL" >>"$scan"
  else
    scan_failed+=("$s")
  fi
done
[ -s "$scan" ] || die 70 "no scenario in scenarios/*.yaml ran"
sort -t "$(printf '\t')" -k2,2gr -k1,1 "$scan" -o "$scan"
largest=$(head -n 1 "$scan" | cut -f1)
largest_epr=$(head -n 1 "$scan" | cut -f2)
default_epr=$(awk -F'\t' -v s="$default_scenario" '$1 == s { print $2 }' "$scan")
[ -n "$default_epr" ] || die 70 "the default scenario $default_scenario failed its 2-replication run"
# About as many model events as the default's run, at least 10 replications.
reps_largest=$(awk -v r="$reps_default" -v d="$default_epr" -v l="$largest_epr" \
  'BEGIN { n = int(r * d / l / 10 + 0.5) * 10; if (n < 10) n = 10; print n }')

declare -A WALL ELAPSED EVENTS RSS REPS ALL_WALL
# Each configuration runs --repeat times and keeps its fastest run: on a shared
# machine other work only ever slows a run down, so the minimum is the figure
# least disturbed by it. Every run's wall time is listed in the report.
measure() { # KEY SCENARIO REPS THREADS
  local i
  ALL_WALL[$1]=
  for ((i = 0; i < repeat; i++)); do
    run_scenario "$1" "$2" "$3" "$4" || die 70 "chipsim run $2 -r $3 -j $4 failed"
    ALL_WALL[$1]+="${ALL_WALL[$1]:+, }$(fmt %.2f "$R_WALL")"
    if [ "$i" -eq 0 ] || awk -v a="$R_WALL" -v b="${WALL[$1]}" 'BEGIN { exit !(a < b) }'; then
      WALL[$1]=$R_WALL ELAPSED[$1]=$R_ELAPSED EVENTS[$1]=$R_EVENTS RSS[$1]=$R_RSS_MB REPS[$1]=$3
    fi
  done
}
measure def1 "$default_scenario" "$reps_default" 1
measure def2 "$default_scenario" "$reps_default" 2
if [ "$largest" != "$default_scenario" ]; then
  measure big1 "$largest" "$reps_largest" 1
  measure big2 "$largest" "$reps_largest" 2
fi
measure def1000 "$default_scenario" "$reps_1000" 2
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report -------------------------------------------------------------------
report_tmp=$(mktemp "$output.XXXXXX")
npass=0
ntargets=0
tally() { ntargets=$((ntargets + 1)); [ "$1" != PASS ] || npass=$((npass + 1)); }

scen_row() { # KEY NAME THREADS RATIO TARGET RESULT
  local k=$1
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" "${REPS[$k]}" "$3" \
    "$(fmt %.2f "${WALL[$k]}")" "${ELAPSED[$k]}" \
    "$(fmt %.1f "$(calc "${REPS[$k]} / ${WALL[$k]}")")" \
    "$(fmt %.2f "$(calc "${EVENTS[$k]} / ${WALL[$k]} / 1e6")")" "${RSS[$k]}" "$4" "$5" "$6"
}
speedup() { fmt %.2f "$(calc "${WALL[$1]} / ${WALL[$2]}")"; }

{
  echo "# chipsim benchmarks (bench/compare.sh)"
  echo
  echo "Written by \`bench/compare.sh\` (\`make bench\`), replaced on every run; all figures"
  echo "below come from one invocation on this machine."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| date | $date_start |"
  echo "| CPU | $cpu_model |"
  echo "| cores | $cores |"
  echo "| memory | $mem_total |"
  echo "| kernel | $kernel |"
  echo "| compiler | $gcc_version |"
  echo "| commit | $commit |"
  echo "| build | \`$build\` ($build_type) |"
  echo "| load average at start | $load_start |"
  echo "| load average at end | $load_end |"
  echo "| CPU busy with other work at the start (2 s sample) | ${busy_start}% |"
  echo "| runs of each scenario configuration (fastest kept) | $repeat |"
  echo
  if [ "$busy_start" -ge 10 ]; then
    echo "**The machine was not idle** (${busy_start}% of the CPUs busy with other work at the"
    echo "start, on $cores cores): other processes shared the CPU, so the times are pessimistic,"
    echo "the 2-thread figures most of all. Run again on an idle machine before reading a FAIL"
    echo "as a regression."
    echo
  fi

  echo "## 1. M/M/1 queue (arrival 0.9, service 1.0)"
  echo
  echo "Customers/s = customers served / wall time of the simulation loop alone (C:"
  echo "\`CLOCK_MONOTONIC\` around the run; SimPy: \`time.perf_counter()\` around \`simulate()\`)."
  echo "Theory Wq = λ/(μ(μ−λ)) = 9.0 days; the scenario's clock is scaled by 100, so 0.1 day."
  echo
  echo "| implementation | customers | customers/s | mean wait in queue | theory | vs SimPy | target | result |"
  echo "|---|---|---|---|---|---|---|---|"
  r_k=$(pass_if "$k_rate >= 15")
  tally "$r_k"
  r_m=$(pass_if "$m_rate >= 5")
  tally "$r_m"
  if [ "$simpy_ok" -eq 1 ]; then
    vs_k="$(fmt %.0f "$(calc "$k_rate / $s_rate")")x"
    vs_m="$(fmt %.0f "$(calc "$m_rate / $s_rate")")x"
  else
    vs_k="n/a"
    vs_m="n/a"
  fi
  echo "| chipsim kernel API (\`bench_mm1\`) | $k_cust | **$k_rate M** | $k_wq, $k_ci | 9.000 | $vs_k | ≥ 15 M/s | $r_k |"
  echo "| chipsim scenario file (\`bench_model_mm1\`) | $m_cust | **$m_rate M** | $m_wq day | 0.1 | $vs_m | ≥ 5 M/s | $r_m |"
  if [ "$simpy_ok" -eq 1 ]; then
    echo "| $s_ver (\`bench/mm1_simpy.py\`) | $s_cust | **$s_rate M** | $s_wq, $s_ci | 9.000 | 1x | | |"
  else
    echo "| SimPy 2.3.1 (\`bench/mm1_simpy.py\`) | not installed (apt-get install python3-simpy) | | | 9.000 | | | |"
  fi
  echo

  echo "## 2. Hold model (\`bench_hold\`, 10^7 holds per size)"
  echo
  echo "| pending events | ns per hold | target | result |"
  echo "|---|---|---|---|"
  r_h=$(pass_if "$h5 <= 100")
  tally "$r_h"
  echo "| 10^3 | $h3 | | |"
  echo "| 10^5 | **$h5** | ≤ 100 ns | $r_h |"
  echo "| 10^6 | $h6 | | |"
  echo

  echo "## 3. Scenarios (\`chipsim run SCEN -r R -j J -q --force -o TMP\`)"
  echo
  echo "wall s = \`wall_seconds\` in manifest.yaml (the replications and writing the files,"
  echo "after loading); elapsed s = the whole command (\`/usr/bin/time -v\`, loading included);"
  echo "replications/s and events/s are over wall s; events = \`model_events\` (dispatched,"
  echo "summed over replications); peak RSS = \"Maximum resident set size\". Speed-up ="
  echo "wall at -j 1 / wall at -j 2 (the same replications, so the same events). Each row is"
  echo "the fastest of $repeat runs (\`--repeat\`); the wall times of all of them are listed"
  echo "under the table."
  echo
  echo "| scenario | R | threads | wall s | elapsed s | replications/s | M events/s | peak RSS MB | speed-up 2/1 | target | result |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  def_name=$(basename "$default_scenario" .yaml)
  sp_def=$(speedup def1 def2)
  r_sd=$(pass_if "$sp_def >= 1.85")
  tally "$r_sd"
  scen_row def1 "$def_name (default)" 1 "" "" ""
  scen_row def2 "$def_name (default)" 2 "**${sp_def}x**" "≥ 1.85x" "$r_sd"
  if [ "$largest" != "$default_scenario" ]; then
    big_name=$(basename "$largest" .yaml)
    sp_big=$(speedup big1 big2)
    r_sb=$(pass_if "$sp_big >= 1.85")
    tally "$r_sb"
    scen_row big1 "$big_name (largest)" 1 "" "" ""
    scen_row big2 "$big_name (largest)" 2 "**${sp_big}x**" "≥ 1.85x" "$r_sb"
  fi
  r_1000=$(pass_if "${ELAPSED[def1000]} < 10")
  tally "$r_1000"
  scen_row def1000 "$def_name (default)" 2 "" "elapsed < 10 s" "**$r_1000**"
  echo
  echo "Wall s of every run: default -j 1: ${ALL_WALL[def1]}; -j 2: ${ALL_WALL[def2]};"
  if [ "$largest" != "$default_scenario" ]; then
    echo "largest -j 1: ${ALL_WALL[big1]}; -j 2: ${ALL_WALL[big2]};"
  fi
  echo "default, 1000 replications, -j 2: ${ALL_WALL[def1000]}."
  echo

  echo "### Largest scenario: \`$largest\`"
  echo
  echo "\"Largest\" = the most model events per replication: each \`scenarios/*.yaml\` was run"
  echo "once with \`-r 2 -j 1\` and its \`model_events\` halved. \`$largest\` has the most,"
  echo "$(fmt %.0f "$largest_epr") events per replication (default: $(fmt %.0f "$default_epr")), so it was run with"
  echo "R = $reps_largest, about as many events as the default's R = $reps_default."
  echo
  echo "| scenario | model events per replication | wall s for 2 replications |"
  echo "|---|---|---|"
  while IFS=$'\t' read -r s e w; do
    echo "| $(basename "$s" .yaml) | $(fmt %.0f "$e") | $w |"
  done <"$scan"
  if [ ${#scan_failed[@]} -gt 0 ]; then
    echo
    echo "Did not run (left out): ${scan_failed[*]}"
  fi
  echo

  echo "## Targets"
  echo
  echo "| target | measured | result |"
  echo "|---|---|---|"
  echo "| M/M/1 on the kernel ≥ 15 M customers/s | $k_rate M/s | $r_k |"
  echo "| M/M/1 as a scenario ≥ 5 M customers/s | $m_rate M/s | $r_m |"
  echo "| hold at 10^5 pending ≤ 100 ns | $h5 ns | $r_h |"
  echo "| default scenario, 1000 replications < 10 s on 2 cores | ${ELAPSED[def1000]} s elapsed (wall ${WALL[def1000]} s) | $r_1000 |"
  echo "| 2 threads ≥ 1.85x one thread ($def_name, R = $reps_default) | ${sp_def}x | $r_sd |"
  if [ "$largest" != "$default_scenario" ]; then
    echo "| 2 threads ≥ 1.85x one thread ($big_name, R = $reps_largest) | ${sp_big}x | $r_sb |"
  fi
  echo
  echo "$npass of $ntargets targets met. compare.sh took $SECONDS s."
  echo
  echo "## Raw benchmark output"
  echo
  echo '```text'
  cat "$raw"
  echo '```'
} >"$report_tmp"

chmod 0644 "$report_tmp"
mv -f "$report_tmp" "$output"
report_tmp=
cat "$output"
say "report written to $output"
