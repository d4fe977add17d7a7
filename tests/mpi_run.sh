#!/usr/bin/env bash
# Replications across 2 MPI ranks write the same bytes as one process.
#   mpi_run.sh MPIEXEC path/to/chipsim EXAMPLES-FOLDER
set -u
mpiexec=$1 chipsim=$2 examples=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
flags=(--oversubscribe)
[ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
args=(run "$examples/middle-east-2023.yaml" -r 5 -q --events --set run.end=2023-06-30)
if ! timeout 300 "$mpiexec" "${flags[@]}" -np 2 "$chipsim" "${args[@]}" -o "$dir/mpi"; then
  echo "FAIL mpirun -np 2 chipsim run"; exit 1
fi
"$chipsim" "${args[@]}" -o "$dir/one" || { echo "FAIL chipsim run"; exit 1; }
for f in timeseries.csv summary.csv events.csv; do
  cmp "$dir/mpi/$f" "$dir/one/$f" || { echo "FAIL $f differs between 2 ranks and 1 process"; exit 1; }
done
# Per-replication rows too, with 3 ranks for 4 replications (uneven slices).
args=(run "$examples/middle-east-2023.yaml" -r 4 -q --per-replication --set run.end=2023-04-30)
timeout 300 "$mpiexec" "${flags[@]}" -np 3 "$chipsim" "${args[@]}" -o "$dir/mpi3" || {
  echo "FAIL mpirun -np 3"; exit 1; }
"$chipsim" "${args[@]}" -o "$dir/one3" || exit 1
cmp "$dir/mpi3/timeseries.csv" "$dir/one3/timeseries.csv" || { echo "FAIL per-replication rows differ"; exit 1; }
echo "mpi: 2 and 3 ranks write the same bytes as one process"
