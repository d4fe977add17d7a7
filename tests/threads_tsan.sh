#!/usr/bin/env bash
# Under ThreadSanitizer (the build-tsan folder of make test): every threaded
# path — replications on several threads, the ring of replications finished
# out of turn, report rows formatted on every thread, --per-replication rows,
# events, compare, sweep, shards and merge — runs with no data race reported
# (TSAN_OPTIONS halt_on_error: a race ends the command with exit 66), and
# writes the same bytes on several threads as on one.
#   threads_tsan.sh path/to/chipsim SCENARIOS-FOLDER
set -u
chipsim=$1 scenarios=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
fail=0
# Some kernels randomise the address space more than this gcc's TSan expects
# ("unexpected memory mapping"); it then runs without randomisation.
launch=()
if ! "$chipsim" --version >/dev/null 2>"$dir/probe.err"; then
  if grep -q 'unexpected memory mapping' "$dir/probe.err" && command -v setarch >/dev/null; then
    launch=(setarch "$(uname -m)" -R)
    "${launch[@]}" "$chipsim" --version >/dev/null || { echo "FAIL chipsim under TSan does not start"; exit 1; }
  else
    echo "FAIL chipsim under TSan does not start:"; cat "$dir/probe.err"; exit 1
  fi
fi
run() { # NAME ARGS...: a command that must exit 0
  local name=$1
  shift
  if ! "${launch[@]}" "$chipsim" "$@" >"$dir/$name.out" 2>"$dir/$name.err"; then
    echo "FAIL $name: chipsim $*"
    head -30 "$dir/$name.err"
    fail=1
  fi
}
same() { # A B: files with the same bytes
  cmp -s "$1" "$2" || { echo "FAIL $1 and $2 differ"; fail=1; }
}
deal=$scenarios/handsets-2023.yaml
nodeal=$scenarios/handsets-2023-no-deal.yaml
run j1 run "$deal" -r 6 -j 1 -q --events --per-replication -o "$dir/j1"
run j3 run "$deal" -r 6 -j 3 -q --events --per-replication -o "$dir/j3"
for f in timeseries.csv summary.csv events.csv; do same "$dir/j1/$f" "$dir/j3/$f"; done
run sum1 run "$deal" -r 5 -j 1 -q -o "$dir/sum1"
run sum2 run "$deal" -r 5 -j 2 -q -o "$dir/sum2"
for f in timeseries.csv summary.csv; do same "$dir/sum1/$f" "$dir/sum2/$f"; done
run cmp2 compare "$nodeal" "$deal" -r 4 -j 2 -q -o "$dir/cmp2"
run cmp1 compare "$nodeal" "$deal" -r 4 -j 1 -q -o "$dir/cmp1"
same "$dir/cmp1/compare.csv" "$dir/cmp2/compare.csv"
run sweep sweep "$deal" -r 2 -j 2 -q --set run.end=2023-06-30 \
  --set 'demand.0.patience_days=20,40' -o "$dir/sweep"
for k in 1 2; do run "s$k" run "$deal" -r 5 -j 2 -q --shard $k/2 -o "$dir/s$k"; done
run merge merge "$dir/s1" "$dir/s2" -o "$dir/m"
same "$dir/sum1/timeseries.csv" "$dir/m/timeseries.csv"
[ $fail -eq 0 ] && echo "threads_tsan: run, compare, sweep, shards and merge race-free, same bytes on 1, 2 and 3 threads"
exit $fail
