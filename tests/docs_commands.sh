#!/usr/bin/env bash
# Every command the README and docs show in a ```sh block runs, in a scratch copy of the
# source tree with the built chipsim, so the docs cannot rot. ```python blocks run too,
# when python3 has pandas and matplotlib (Debian's python3-pandas, python3-matplotlib);
# otherwise they are counted as skipped. Blocks run in document order.
#   docs_commands.sh PATH/TO/chipsim SOURCE-DIR
# Not run: `make ...` lines (make test runs this very script) and blocks fenced as
# ```text (a Slurm script and a merge of its 16 shards: there is no scheduler here).
set -u
chipsim=$(readlink -f "$1") src=$(readlink -f "$2")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar -C "$src" --exclude='./build' --exclude='./build-*' \
  --exclude=./out --exclude=./.git -cf - . | tar -C "$scratch" -xf -
mkdir -p "$scratch/build/cli"
ln -sf "$chipsim" "$scratch/build/cli/chipsim"
export PATH="$scratch/build/cli:$PATH"
failures=0 blocks=0 skipped=0
python=""
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import pandas, matplotlib' >/dev/null 2>&1; then python=$p; break; fi
done
for doc in README.md $(cd "$src" && ls docs/*.md); do
  # Each ```sh block becomes a script; "make ..." lines are left out.
  n=0
  while IFS= read -r -d $'\0' block; do
    n=$((n + 1))
    kind=${block%%$'\n'*}
    block=${block#*$'\n'}
    if [ "$kind" = python ]; then
      if [ -z "$python" ]; then skipped=$((skipped + 1)); continue; fi
      blocks=$((blocks + 1))
      if ! (cd "$scratch" && printf '%s\n' "$block" | "$python" -) >"$scratch/.out" 2>&1; then
        echo "FAIL $doc, python block $n:"; sed 's/^/  | /' "$scratch/.out" | tail -20
        failures=$((failures + 1))
      fi
      continue
    fi
    body=$(printf '%s\n' "$block" | sed '/^make /d')
    if [ -z "$(printf '%s' "$body" | tr -d '[:space:]')" ]; then skipped=$((skipped + 1)); continue; fi
    blocks=$((blocks + 1))
    if ! (cd "$scratch" && bash -e -o pipefail -c "$body") >"$scratch/.out" 2>&1; then
      echo "FAIL $doc, sh block $n:"; printf '%s\n' "$body" | sed 's/^/    /'
      sed 's/^/  | /' "$scratch/.out" | tail -20
      failures=$((failures + 1))
    fi
  done < <(awk '/^[ \t]*```(sh|python)[ \t]*$/ {
                 on = 1; match($0, /^[ \t]*/); indent = RLENGTH
                 kind = substr($0, indent + 4); sub(/[ \t]+$/, "", kind); buf = kind "\n"; next }
               /^[ \t]*```/ && on { on = 0; printf "%s%c", buf, 0; next }
               on { buf = buf substr($0, indent + 1) "\n" }' "$src/$doc")
done
echo "$blocks blocks run ($skipped skipped: only make, or python without pandas), $failures failed"
[ "$failures" -eq 0 ] && [ "$blocks" -gt 5 ]
