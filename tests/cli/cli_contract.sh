#!/usr/bin/env bash
# The chipsim command's contract: exit codes (sysexits), where text goes
# (results on stdout, diagnostics on stderr), and help for every command.
#   cli_contract.sh PATH/TO/chipsim EXAMPLES-FOLDER
set -u
chipsim=$1
failures=0
passes=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# matches REGEX FILE; the regex EMPTY means the file must be empty.
matches() {
  if [ "$1" = EMPTY ]; then [ ! -s "$2" ]; else grep -Eq -- "$1" "$2"; fi
}

# expect CODE STDOUT-REGEX STDERR-REGEX -- ARGS...
expect() {
  local code=$1 want_out=$2 want_err=$3
  shift 4
  "$chipsim" "$@" >"$out" 2>"$err"
  local got=$?
  local ok=1
  [ "$got" -eq "$code" ] || { echo "FAIL chipsim $*: exit $got, expected $code"; ok=0; }
  matches "$want_out" "$out" || { echo "FAIL chipsim $*: stdout lacks /$want_out/"; ok=0; }
  matches "$want_err" "$err" || { echo "FAIL chipsim $*: stderr lacks /$want_err/"; ok=0; }
  if [ $ok = 1 ]; then passes=$((passes + 1)); else
    failures=$((failures + 1)); sed 's/^/  stdout: /' "$out"; sed 's/^/  stderr: /' "$err"; fi
}
# expect_quiet_stdout CODE ARGS...: usage errors print nothing on stdout.
expect_quiet_stdout() {
  local code=$1; shift
  "$chipsim" "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" -eq "$code" ] && [ ! -s "$out" ] && [ -s "$err" ]; then passes=$((passes + 1));
  else echo "FAIL chipsim $*: exit $got (expected $code), stdout $(wc -c <"$out") bytes (expected 0)";
    failures=$((failures + 1)); fi
}

expect 0 '^usage: chipsim COMMAND' EMPTY -- --help
expect 0 '^usage: chipsim COMMAND' EMPTY -- -h
expect 0 '^chipsim [0-9]+\.[0-9]+\.[0-9]+$' EMPTY -- --version
expect 64 EMPTY 'usage: chipsim COMMAND' --
expect 64 EMPTY "chipsim: unknown command 'frobnicate'" -- frobnicate
expect 0 'demo +run the kernel' EMPTY -- help
expect 0 '^usage: chipsim demo' EMPTY -- help demo
expect 0 '^usage: chipsim help' EMPTY -- help help
expect 64 EMPTY "chipsim help: unknown command 'nope'" -- help nope
expect 0 '^usage: chipsim demo' EMPTY -- demo --help
expect 0 'example:' EMPTY -- demo --help
expect 64 EMPTY "chipsim demo: unknown option '--bogus'" -- demo --bogus
expect 64 EMPTY "see 'chipsim demo --help'" -- demo --bogus
expect 64 EMPTY "--customers needs a whole number >= 100 \(got 'abc'\)" -- demo --customers abc
expect 64 EMPTY "--customers needs a whole number >= 100 \(got '-5'\)" -- demo --customers=-5
expect 64 EMPTY "--customers needs a whole number >= 100 \(got '99'\)" -- demo --customers 99
expect 64 EMPTY "--customers needs a value" -- demo --customers
expect 64 EMPTY "--arrival-rate needs a number" -- demo --arrival-rate nan
expect 64 EMPTY "must be below --service-rate" -- demo --arrival-rate 2 --service-rate 1
expect_quiet_stdout 64 demo --seed x
expect_quiet_stdout 64 nonsense

# A short demo run: results on stdout, theory inside the interval for this seed.
expect 0 'theory rho/\(mu-lambda\) 1\.0000 days: inside the interval' EMPTY -- \
  demo --customers 200000 --arrival-rate 0.5 --seed 3
# Same seed, same numbers (the speed line aside).
"$chipsim" demo --customers 5000 --seed 9 | grep -v speed >"$out"
"$chipsim" demo --customers 5000 --seed 9 | grep -v speed >"$err"
if cmp -s "$out" "$err"; then passes=$((passes + 1)); else
  echo "FAIL demo is not reproducible for one seed"; failures=$((failures + 1)); fi

# validate and explain: usage errors, results on stdout, the round trip.
examples=$2
expect 64 EMPTY 'needs at least one scenario file' -- validate
expect 64 EMPTY "unknown option '--bogus'" -- validate --bogus "$examples/handsets-2023.yaml"
expect 64 EMPTY 'takes one scenario file' -- explain "$examples/handsets-2023.yaml" x.yaml
expect 64 EMPTY '--set needs a value' -- explain "$examples/handsets-2023.yaml" --set
expect 66 EMPTY 'cannot open scenario' -- validate /nonexistent/x.yaml
expect 66 EMPTY 'cannot open scenario' -- explain /nonexistent/x.yaml
expect 0 'handsets-2023.yaml: ok: 4 products, 5 sites' EMPTY -- validate "$examples/handsets-2023.yaml"
expect 0 EMPTY EMPTY -- validate -q "$examples/handsets-2023.yaml" "$examples/middle-east-2023.yaml"
# One bad file among good ones: 65, the good ones still reported.
printf 'schema_version: 2\n' >"$out.bad.yaml"
expect 65 'handsets-2023.yaml: ok' 'schema_version: got 2; expected 1' -- \
  validate "$examples/handsets-2023.yaml" "$out.bad.yaml"
rm -f "$out.bad.yaml"
expect 0 '^  - id: us_2023_08_middle_east' EMPTY -- explain "$examples/middle-east-2023.yaml"
expect 0 'replications: 7' EMPTY -- explain "$examples/middle-east-2023-no-rule.yaml" \
  --set run.replications=7
# explain's output is a scenario that explains to the same bytes.
"$chipsim" explain "$examples/middle-east-2023-no-rule.yaml" >"$out.1.yaml" 2>/dev/null
"$chipsim" explain "$out.1.yaml" >"$out.2.yaml" 2>/dev/null
if [ -s "$out.1.yaml" ] && cmp -s "$out.1.yaml" "$out.2.yaml"; then passes=$((passes + 1)); else
  echo "FAIL explain does not round-trip"; failures=$((failures + 1)); fi
rm -f "$out.1.yaml" "$out.2.yaml"
# explain to a closed stdout: an I/O error, not a crash or a silent 0.
if [ -e /dev/full ]; then
  "$chipsim" explain "$examples/middle-east-2023.yaml" >/dev/full 2>"$err"
  if [ $? -eq 74 ]; then passes=$((passes + 1)); else
    echo "FAIL explain >/dev/full should exit 74"; failures=$((failures + 1)); fi
fi

# run: outputs, refusals, and nothing written on failure.
rundir=$(mktemp -d)
expect 0 '^US +h100_sxm' EMPTY -- run "$examples/middle-east-2023.yaml" -r 2 \
  --set run.end=2023-06-30 -o "$rundir/a"
if head -1 "$rundir/a/timeseries.csv" 2>/dev/null |
  grep -qx 'scenario,period_start,period_end,scope,product,metric,unit,mean,sd,ci95_low,ci95_high,replications' &&
  head -1 "$rundir/a/summary.csv" |
  grep -qx 'scenario,scope,product,metric,unit,mean,sd,ci95_low,ci95_high,min,max,replications' &&
  grep -q '^middle-east-2023,SA,ai_compute,demand,h100e,' "$rundir/a/summary.csv"; then
  passes=$((passes + 1)); else echo "FAIL run: output headers or rows"; failures=$((failures + 1)); fi
expect 73 EMPTY "output folder '.*/a' exists; use --force" -- run "$examples/middle-east-2023.yaml" \
  -r 1 -o "$rundir/a"
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 1 -q --force \
  --set run.end=2023-03-31 -o "$rundir/a"
expect 64 EMPTY "unknown option '--bogus'" -- run "$examples/middle-east-2023.yaml" --bogus
expect 64 EMPTY "needs a whole number >= 1 \(got '0'\)" -- run "$examples/middle-east-2023.yaml" -r 0
expect 64 EMPTY 'takes one scenario' -- run "$examples/middle-east-2023.yaml" x.yaml
expect 66 EMPTY 'cannot open scenario' -- run /nonexistent/x.yaml -o "$rundir/b"
printf 'schema_version: 2\n' >"$rundir/bad.yaml"
expect 65 EMPTY 'schema_version: got 2' -- run "$rundir/bad.yaml" -o "$rundir/b"
expect 73 EMPTY 'cannot create output folder' -- run "$examples/middle-east-2023.yaml" -r 1 \
  --set run.end=2023-01-31 -o "$rundir/bad.yaml/sub"
if [ ! -e "$rundir/b" ]; then passes=$((passes + 1)); else
  echo "FAIL run: a failed run left $rundir/b"; failures=$((failures + 1)); fi
rm -rf "$rundir"

# classify: rules in force on a date, a table for people and CSV for machines.
expect 0 'h800_sxm +us_2023_10 +license +CN, HK, MO, SA, AE' EMPTY -- \
  classify "$examples/middle-east-2023.yaml" --date 2023-10-23
expect 0 '^2023-09-01,h800_sxm,us_entity_list,deny,all,huawei$' EMPTY -- \
  classify "$examples/middle-east-2023.yaml" --date 2023-09-01 --csv
expect 0 '^2023-09-01,kirin_9000s,,,,$' EMPTY -- \
  classify "$examples/middle-east-2023.yaml" --date 2023-09-01 --csv
expect 64 EMPTY "--date needs a date YYYY-MM-DD \(got '2023-13-01'\)" -- \
  classify "$examples/middle-east-2023.yaml" --date 2023-13-01
expect 66 EMPTY 'cannot open scenario' -- classify /nonexistent/x.yaml

# run --events: events.csv beside the others, and the same results as without.
evdir=$(mktemp -d)
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 2 -q --events \
  --set run.end=2023-12-31 -o "$evdir/a"
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 2 -q \
  --set run.end=2023-12-31 -o "$evdir/b"
if head -1 "$evdir/a/events.csv" 2>/dev/null |
  grep -qx 'replication,date,event,rule,site,product,quantity,detail' &&
  grep -q '^1,2023-08-31,rule_effective,us_2023_08_middle_east,,,,' "$evdir/a/events.csv" &&
  cmp -s "$evdir/a/summary.csv" "$evdir/b/summary.csv" && [ ! -e "$evdir/b/events.csv" ]; then
  passes=$((passes + 1)); else echo "FAIL run --events"; failures=$((failures + 1)); fi
rm -rf "$evdir"

# run -j: the same bytes whatever the number of threads.
jdir=$(mktemp -d)
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 4 -j 1 -q --events \
  --set run.end=2023-12-31 -o "$jdir/one"
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 4 -j 2 -q --events \
  --set run.end=2023-12-31 -o "$jdir/three"
if cmp -s "$jdir/one/timeseries.csv" "$jdir/three/timeseries.csv" &&
  cmp -s "$jdir/one/summary.csv" "$jdir/three/summary.csv" &&
  cmp -s "$jdir/one/events.csv" "$jdir/three/events.csv"; then
  passes=$((passes + 1)); else echo "FAIL run -j 1 and -j 2 differ"; failures=$((failures + 1)); fi
rm -rf "$jdir"
expect 64 EMPTY "-j needs a whole number >= 1 \(got '0'\)" -- run "$examples/middle-east-2023.yaml" -j 0

# run --per-replication: every replication's rows, the same for any -j.
pdir=$(mktemp -d)
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 3 -j 1 -q --per-replication \
  --set run.end=2023-04-30 -o "$pdir/one"
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 3 -j 2 -q --per-replication \
  --set run.end=2023-04-30 -o "$pdir/two"
if head -1 "$pdir/one/timeseries.csv" 2>/dev/null |
  grep -qx 'scenario,replication,period_start,period_end,scope,product,metric,unit,value' &&
  grep -q '^middle-east-2023,2,2023-04-01,2023-04-30,SA,ai_compute,demand,h100e,' "$pdir/one/timeseries.csv" &&
  cmp -s "$pdir/one/timeseries.csv" "$pdir/two/timeseries.csv"; then
  passes=$((passes + 1)); else echo "FAIL run --per-replication"; failures=$((failures + 1)); fi
rm -rf "$pdir"

# compare: a scenario against itself differs by exactly zero; outputs and refusals.
cdir=$(mktemp -d)
expect 0 'middle-east-2023 vs middle-east-2023' EMPTY -- compare "$examples/middle-east-2023.yaml" \
  "$examples/middle-east-2023.yaml" -r 3 --set run.end=2023-12-31 -o "$cdir/self"
if head -1 "$cdir/self/compare.csv" 2>/dev/null |
  grep -qx 'baseline,variant,scope,product,metric,unit,baseline_mean,variant_mean,diff_mean,diff_ci95_low,diff_ci95_high,rel_change,replications' &&
  [ "$(tail -n +2 "$cdir/self/compare.csv" | wc -l)" -gt 100 ] &&
  tail -n +2 "$cdir/self/compare.csv" | awk -F, '$9 != "0" || $10 != "0" || $11 != "0" { bad = 1 } END { exit bad }' &&
  grep -q '^middle-east-2023,SA,ai_compute,demand,' "$cdir/self/summary.csv"; then
  passes=$((passes + 1)); else echo "FAIL compare with itself is not exactly zero"; failures=$((failures + 1)); fi
expect 0 EMPTY EMPTY -- compare "$examples/middle-east-2023-no-rule.yaml" \
  "$examples/middle-east-2023.yaml" -r 3 -q --set run.end=2023-12-31 -o "$cdir/pair"
if grep -q '^middle-east-2023-no-rule,middle-east-2023,SA,all,compute_delivered,h100e,' "$cdir/pair/compare.csv"; then
  passes=$((passes + 1)); else echo "FAIL compare row for SA"; failures=$((failures + 1)); fi
expect 64 EMPTY 'needs a baseline and at least one variant' -- compare "$examples/middle-east-2023.yaml"
expect 73 EMPTY "output folder '.*/self' exists" -- compare "$examples/middle-east-2023.yaml" \
  "$examples/middle-east-2023.yaml" -o "$cdir/self"
expect 66 EMPTY 'cannot open scenario' -- compare "$examples/middle-east-2023.yaml" /nonexistent.yaml

# compare, patents: the Huawei-Xiaomi deal against no deal (the shipped scenarios). Without
# the licence Xiaomi loses handsets to the injunction: the 95% interval of the paired
# difference in lost units lies below zero, and of delivered units above it. The table
# falls back to units per product (this world has no compute) and shows the firms' money.
scenarios=$(cd "$(dirname "$0")/../../scenarios" && pwd)
expect 0 'xiaomi royalty_exposure' EMPTY -- compare "$scenarios/handsets-2023-no-deal.yaml" \
  "$scenarios/handsets-2023.yaml" -r 20 -o "$cdir/deal"
if grep -q '^CN xiaomi_13 ' "$out" &&
  awk -F, '$3 == "CN" && $4 == "xiaomi_13" && $5 == "lost" && $11 < 0 { l = 1 }
    $3 == "CN" && $4 == "xiaomi_13" && $5 == "delivered" && $10 > 0 { d = 1 }
    $3 == "xiaomi" && $4 == "all" && $5 == "royalties_paid" && $7 == 0 && $8 > 0 { p = 1 }
    END { exit !(l && d && p) }' "$cdir/deal/compare.csv"; then
  passes=$((passes + 1)); else echo "FAIL handsets deal vs no deal: lost, delivered, royalties"; failures=$((failures + 1)); fi
# --events: the dispute is filed on its date; the deal's licence takes effect on 2023-09-13.
expect 0 EMPTY EMPTY -- run "$scenarios/handsets-2023.yaml" -r 2 -q --events -o "$cdir/ev"
if grep -q '^0,2023-01-17,dispute_filed,.*huawei_v_xiaomi' "$cdir/ev/events.csv" &&
  grep -q '^0,2023-09-13,patent_licence_effective,' "$cdir/ev/events.csv"; then
  passes=$((passes + 1)); else echo "FAIL handsets events"; failures=$((failures + 1)); fi
rm -rf "$cdir"

# sweep: a grid of two swept parameters, their values as leading columns.
sdir=$(mktemp -d)
expect 0 EMPTY EMPTY -- sweep "$examples/middle-east-2023.yaml" -r 3 -q --set run.end=2023-06-30 \
  --set demand.3.orders.per_month=3,12 --set demand.3.patience_days=30:60:30 -o "$sdir/g"
if head -1 "$sdir/g/sweep.csv" 2>/dev/null |
  grep -qx 'demand.3.orders.per_month,demand.3.patience_days,scope,product,metric,unit,mean,sd,ci95_low,ci95_high,replications' &&
  [ "$(grep -c ',SA,ai_compute,demand,' "$sdir/g/sweep.csv")" -eq 4 ] &&
  grep -q '^12,60,SA,ai_compute,demand,h100e,' "$sdir/g/sweep.csv"; then
  passes=$((passes + 1)); else echo "FAIL sweep grid"; failures=$((failures + 1)); fi
rm -rf "$sdir"
expect 64 EMPTY 'needs a swept --set' -- sweep "$examples/middle-east-2023.yaml" --set run.replications=3
expect 64 EMPTY 'expected FROM:TO:STEP' -- sweep "$examples/middle-east-2023.yaml" --set x=1:0:1

# manifest.yaml: every file read, with its SHA-256, and the resolved seed.
mdir=$(mktemp -d)
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023-no-rule.yaml" -r 2 -q \
  --set run.end=2023-03-31 -o "$mdir/m"
base_hash=$(sha256sum "$examples/middle-east-2023.yaml" | cut -d' ' -f1)
table_hash=$(sha256sum "$examples/data/products.csv" | cut -d' ' -f1)
if grep -q "sha256: $base_hash}" "$mdir/m/manifest.yaml" 2>/dev/null &&
  grep -q "data/products.csv', sha256: $table_hash}" "$mdir/m/manifest.yaml" &&
  grep -qx 'seed: 20230831' "$mdir/m/manifest.yaml" && grep -qx 'replications: 2' "$mdir/m/manifest.yaml"; then
  passes=$((passes + 1)); else echo "FAIL run manifest.yaml"; failures=$((failures + 1)); fi
rm -rf "$mdir"

# run --scopes: only the scopes asked for, and their rows are the full run's rows.
odir=$(mktemp -d)
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 3 -q --scopes country,world \
  --set run.end=2023-06-30 -o "$odir/cw"
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 3 -q \
  --set run.end=2023-06-30 -o "$odir/all"
if grep -q "^scopes: 'world,country'$" "$odir/cw/manifest.yaml" &&
  grep -q "^scopes: 'world,country,firm,site'$" "$odir/all/manifest.yaml" &&
  grep -q '^model_events: [1-9][0-9]*$' "$odir/cw/manifest.yaml" &&
  [ "$(tail -n +2 "$odir/cw/summary.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')" = "CN SA SG TW US world " ] &&
  diff <(grep -E '^[^,]*,(world|CN|SA|SG|TW|US),' "$odir/all/summary.csv") \
    <(tail -n +2 "$odir/cw/summary.csv") >/dev/null; then
  passes=$((passes + 1)); else echo "FAIL run --scopes"; failures=$((failures + 1)); fi
rm -rf "$odir"
expect 64 EMPTY "--scopes needs a comma-separated list of world, country, firm, site, each at most once \(got 'world,plant'\)" -- \
  run "$examples/middle-east-2023.yaml" --scopes world,plant
expect 64 EMPTY "each at most once \(got 'firm,firm'\)" -- compare "$examples/middle-east-2023.yaml" \
  "$examples/middle-east-2023.yaml" --scopes firm,firm
expect 64 EMPTY "--scopes needs a value" -- sweep "$examples/middle-east-2023.yaml" --scopes

# --shard K/N and merge: the same bytes as one run of every replication.
hdir=$(mktemp -d)
for k in 1 2 3; do
  "$chipsim" run "$examples/middle-east-2023.yaml" -r 5 --shard $k/3 -q --events \
    --set run.end=2023-04-30 -o "$hdir/s$k" >/dev/null 2>&1
done
"$chipsim" run "$examples/middle-east-2023.yaml" -r 5 -q --events --set run.end=2023-04-30 \
  -o "$hdir/all" >/dev/null 2>&1
expect 0 'merge: 3 shards, 5 replications' EMPTY -- merge "$hdir/s2" "$hdir/s3" "$hdir/s1" -o "$hdir/m"
if cmp -s "$hdir/all/timeseries.csv" "$hdir/m/timeseries.csv" &&
  cmp -s "$hdir/all/summary.csv" "$hdir/m/summary.csv" &&
  cmp -s "$hdir/all/events.csv" "$hdir/m/events.csv"; then
  passes=$((passes + 1)); else echo "FAIL merge differs from one run"; failures=$((failures + 1)); fi
expect 65 EMPTY 'expected each of the 3 shards exactly once' -- merge "$hdir/s1" "$hdir/s2" -o "$hdir/m2"
expect 65 EMPTY 'shards of different runs' -- merge "$hdir/s1" "$hdir/all" "$hdir/s3" -o "$hdir/m3"
expect 64 EMPTY 'needs -o OUT' -- merge "$hdir/s1"
expect 64 EMPTY "--shard needs K/N with 1 <= K <= N \(got '4/3'\)" -- \
  run "$examples/middle-east-2023.yaml" --shard 4/3
rm -rf "$hdir"

# A sweep of one point gives the run's whole-run values.
odir=$(mktemp -d)
expect 0 EMPTY EMPTY -- sweep "$examples/middle-east-2023.yaml" -r 3 -q --set run.end=2023-03-31 \
  --set demand.3.orders.per_month=6:6:1 -o "$odir/sweep"
expect 0 EMPTY EMPTY -- run "$examples/middle-east-2023.yaml" -r 3 -q --set run.end=2023-03-31 \
  --set demand.3.orders.per_month=6 -o "$odir/run"
# sweep: value,scope,...,ci95_high,replications; summary: scenario,scope,...,ci95_high,min,max,replications
cut -d, -f2-9 "$odir/sweep/sweep.csv" | tail -n +2 >"$odir/a"
cut -d, -f2-9 "$odir/run/summary.csv" | tail -n +2 >"$odir/b"
if [ -s "$odir/a" ] && cmp -s "$odir/a" "$odir/b"; then passes=$((passes + 1)); else
  echo "FAIL a one-point sweep differs from the run"; failures=$((failures + 1)); fi
# Ctrl-C: exit 130, and nothing left behind.
"$chipsim" run "$examples/middle-east-2023.yaml" -r 500 -j 1 -q -o "$odir/int" 2>"$odir/int.err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
code=$?
if [ $code -eq 130 ] && [ ! -e "$odir/int" ] && grep -q 'interrupted; nothing written' "$odir/int.err"; then
  passes=$((passes + 1)); else echo "FAIL interrupted run: exit $code"; ls -la "$odir/int" 2>&1 | head -3;
  failures=$((failures + 1)); fi
rm -rf "$odir"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
