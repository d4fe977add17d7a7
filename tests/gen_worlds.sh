#!/usr/bin/env bash
# The synthetic worlds of bench_gen (make scale) are valid scenarios: for a mix
# of sizes, product counts, seeds, horizons and periods, each loads with no
# error or warning and runs with every unit conserved (chipsim checks it at
# the end of every replication and fails the run otherwise); the same options
# write the same bytes; a run uses its rules (licences decided), its
# disruptions' and demand's streams (orders placed); bad options exit 64 and
# write nothing; an existing folder is kept unless --force.
#   gen_worlds.sh path/to/bench_gen path/to/chipsim
set -u
gen=$1 chipsim=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
no() { echo "FAIL $*"; fail=1; }

n=0
for spec in "10 4 1 1 month" "150 20 2 1 quarter" "400 7 3 2 month" "1200 30 4 1 month"; do
  read -r sites products seed years period <<<"$spec"
  n=$((n + 1))
  w=$dir/w$n
  "$gen" --sites "$sites" --products "$products" --seed "$seed" --years "$years" \
    --period "$period" -q -o "$w" || { no "bench_gen $spec"; continue; }
  out=$("$chipsim" validate "$w/world.yaml" 2>&1) || { no "validate $spec: $out"; continue; }
  case $out in *"; 0 warnings") ;; *) no "validate $spec warned: $out" ;; esac
  "$chipsim" run "$w/world.yaml" -r 2 -j 2 -q --events -o "$w/out" 2>"$w/err" ||
    { no "run $spec: $(head -3 "$w/err")"; continue; }
  grep -q ',world,all,compute_delivered,h100e,' "$w/out/summary.csv" ||
    no "run $spec: no compute delivered to the world"
  # The same options, the same bytes.
  "$gen" --sites "$sites" --products "$products" --seed "$seed" --years "$years" \
    --period "$period" -q -o "$dir/again" --force || no "bench_gen again $spec"
  for f in "$w"/*.yaml "$w"/*.csv; do
    cmp -s "$f" "$dir/again/$(basename "$f")" || no "$spec: $(basename "$f") differs on a second run"
  done
done
# The larger worlds exercise the rules: licences are decided, orders are placed.
if [ -f "$dir/w4/out/events.csv" ]; then
  grep -q ',licence_\(approved\|denied\),' "$dir/w4/out/events.csv" || no "1200 sites: no licence decided"
  grep -q ',rule_effective,' "$dir/w4/out/events.csv" || no "1200 sites: no rule took effect"
fi
# A different seed, a different world.
"$gen" --sites 150 --products 20 --seed 5 --years 1 --period quarter -q -o "$dir/other" ||
  no "bench_gen seed 5"
cmp -s "$dir/w2/world.yaml" "$dir/other/world.yaml" && no "seeds 2 and 5 wrote the same world"

# Bad options: exit 64, a message, nothing written.
for bad in "--sites 5" "--sites abc" "--sites 100 --products 2" "--sites 100 --period week" \
  "--sites 100 --years 0" "--sites 100 --bogus" "--sites 100"; do
  rm -rf "$dir/bad"
  # shellcheck disable=SC2086
  "$gen" $bad -o "$dir/bad" >/dev/null 2>"$dir/bad.err"
  rc=$?
  if [ "$bad" = "--sites 100" ]; then continue; fi # valid: checked below
  [ $rc -eq 64 ] || no "bench_gen $bad: exit $rc, expected 64"
  [ -s "$dir/bad.err" ] || no "bench_gen $bad: no message"
  [ -e "$dir/bad" ] && no "bench_gen $bad: wrote $dir/bad"
done
"$gen" --sites 100 -q >/dev/null 2>&1 && no "bench_gen without -o succeeded"
# An existing folder is kept without --force.
mkdir -p "$dir/keep" && echo mine >"$dir/keep/notes.txt"
"$gen" --sites 100 -q -o "$dir/keep" 2>/dev/null && no "bench_gen replaced a folder without --force"
[ "$(cat "$dir/keep/notes.txt")" = mine ] || no "bench_gen touched a folder it may not replace"
"$gen" --sites 100 -q --force -o "$dir/keep" 2>/dev/null &&
  no "bench_gen --force replaced a folder it did not write"

[ $fail -eq 0 ] && echo "gen_worlds: $n synthetic worlds load, run and conserve; same options, same bytes"
exit $fail
