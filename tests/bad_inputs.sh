#!/bin/sh
# The bad-input corpus: every tests/bad/*.yaml holds one mistake and, on its
# first line, what `chipsim validate` must answer:
#
#   # expect: EXIT_CODE FIRST-LINE-OF-STDERR
#
# The file is validated from inside tests/bad (so paths in the expected line
# are relative to it). For each file this checks the exit code, the first line
# of stderr exactly, that stderr is not empty and that chipsim did not crash
# (exit code below 128). Then it checks inputs that are not YAML files of the
# corpus (a missing file, a directory, an empty, binary, huge, deeply nested
# or unreadable file, an alias bomb) and `--set` mistakes, made at run time.
#
# Files under tests/bad/base/ (a valid scenario the others extend), data/
# (their CSV tables) and pending/ (mistakes chipsim does not yet report well;
# see pending/README.md) are not run.
#
# usage: bad_inputs.sh CHIPSIM TESTS_BAD_DIR
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 CHIPSIM TESTS_BAD_DIR" >&2
    exit 2
fi
chipsim=$1
bad=$(cd "$2" && pwd) || exit 2
case $chipsim in /*) ;; *) chipsim=$(pwd)/$chipsim ;; esac
if [ ! -x "$chipsim" ]; then
    echo "$0: $chipsim is not an executable" >&2
    exit 2
fi
cd "$bad" || exit 2
# strerror texts and sorting must not depend on the user's locale.
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bad_inputs.XXXXXX") || exit 2
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

checked=0
failed=0

fail() { # name, what, expected, actual
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n  - expected: %s\n  + actual:   %s\n' "$1" "$2" "$3" "$4"
}

# check NAME WANT_CODE WANT_LINE MATCH [chipsim arguments...]
# Runs `chipsim validate ARGS` in the current folder. MATCH is "exact" or
# "glob" (WANT_LINE is a shell pattern).
check() {
    name=$1 want_code=$2 want_line=$3 match=$4
    shift 4
    checked=$((checked + 1))
    "$chipsim" validate "$@" >/dev/null 2>"$tmp/stderr"
    code=$?
    first=$(head -n 1 "$tmp/stderr")
    if [ "$code" -ge 128 ]; then
        fail "$name" "chipsim crashed (exit code $code, signal $((code - 128)))" \
            "exit $want_code" "exit $code: $first"
        sed 's/^/    | /' "$tmp/stderr" | head -n 20
        return
    fi
    if [ ! -s "$tmp/stderr" ]; then
        fail "$name" "nothing on stderr" "$want_line" "(empty), exit $code"
        return
    fi
    if [ "$code" != "$want_code" ]; then
        fail "$name" "exit code" "$want_code" "$code"
    fi
    ok=1
    if [ "$match" = glob ]; then
        # shellcheck disable=SC2254
        case $first in $want_line) ;; *) ok=0 ;; esac
    elif [ "$first" != "$want_line" ]; then
        ok=0
    fi
    if [ $ok = 0 ]; then
        fail "$name" "first line of stderr" "$want_line" "$first"
    fi
}

# ---- the base every corpus file extends must itself be valid ----

checked=$((checked + 1))
if ! out=$("$chipsim" validate base/ok.yaml 2>&1) ||
    [ "$out" != "base/ok.yaml: ok: 4 products, 4 sites, 3 lanes, 1 demand streams, 2 rules; 0 warnings" ]; then
    fail base/ok.yaml "the base scenario must load with no errors or warnings" \
        "base/ok.yaml: ok: ...; 0 warnings" "$(printf '%s' "$out" | head -n 1)"
fi

# ---- the corpus ----

for f in *.yaml; do
    [ -e "$f" ] || continue
    expect=$(head -n 1 "$f")
    case $expect in
    "# expect: "*) ;;
    *)
        checked=$((checked + 1))
        fail "$f" "first line is not '# expect: CODE LINE'" "# expect: ..." "$expect"
        continue
        ;;
    esac
    expect=${expect#"# expect: "}
    want_code=${expect%% *}
    want_line=${expect#* }
    check "$f" "$want_code" "$want_line" exact "$f"
done

# ---- inputs made at run time ----

cd "$tmp" || exit 2

check missing-file 66 "no_such_file.yaml: error: cannot open scenario: No such file or directory" \
    exact no_such_file.yaml

# A directory is not an input chipsim can read: 66 (EX_NOINPUT, "cannot open
# input"), as for a missing or unreadable file, not 65 (bad data), since there
# is no data to be bad.
mkdir dir.yaml
check directory 66 "dir.yaml: error: cannot open scenario: it is a directory" exact dir.yaml

: >empty.yaml
check empty-file 65 "empty.yaml: error: scenario file is empty" exact empty.yaml

printf 'schema_version: 1\n\000\001\002\377\376\177ELF\n' >binary.yaml
check binary-file 65 "binary.yaml: error: not a text file (it holds a NUL byte)" exact binary.yaml

# 20 MiB of comment lines (1024 bytes each): refused by size before it is parsed.
awk 'BEGIN { s = "#"; for (i = 0; i < 1022; i++) s = s "x"; for (i = 0; i < 20480; i++) print s }' >big.yaml
check 20MB-file 65 "big.yaml: error: scenario file is too large (20971520 bytes; the limit is 16 MiB); put bulk data in CSV tables" \
    exact big.yaml
rm -f big.yaml

# 100 000 nested flow lists: refused at the nesting limit, without recursion.
awk 'BEGIN { s = ""; for (i = 0; i < 100000; i++) s = s "["; printf "schema_version: 1\nrun: %s\n", s }' >deep.yaml
check deep-nesting 65 "deep.yaml:2:69: error: nesting is deeper than 64 levels" exact deep.yaml

# Billion laughs: nine levels of ten aliases each. Aliases are refused, so this
# never expands. (The column of the first anchor is left open: see
# pending/yaml_anchor_alias.yaml.)
{
    echo 'schema_version: 1'
    echo 'l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'
    i=1
    while [ $i -le 9 ]; do
        p=$((i - 1))
        echo "l$i: &l$i [*l$p, *l$p, *l$p, *l$p, *l$p, *l$p, *l$p, *l$p, *l$p, *l$p]"
        i=$((i + 1))
    done
} >bomb.yaml
check alias-bomb 65 "bomb.yaml:2:*: error: anchors are not supported in scenario files; use 'extends' or a table to reuse values" \
    glob bomb.yaml

if [ "$(id -u)" != 0 ]; then
    printf 'schema_version: 1\nrun: {start: 2023-01-01, end: 2023-12-31}\n' >noperm.yaml
    chmod 000 noperm.yaml
    check unreadable-file 66 "noperm.yaml: error: cannot open scenario: Permission denied" exact noperm.yaml
else
    echo "skipped unreadable-file: running as root, which reads any file"
fi

# ---- --set mistakes, on the valid base ----

cd "$bad" || exit 2

check set-bad-item 65 "<--set>:1:1: error: --set sites.nope: no item 'nope' in this list (an item's id, or its position from 0 to 3)" \
    exact base/ok.yaml --set sites.nope.firm=tsmc
check set-wrong-type 65 "<--set>:1:18: error: run.replications: got 'many'; expected a whole number >= 1" \
    exact base/ok.yaml --set run.replications=many
check set-empty-value 65 "<--set>:1:18: error: --set run.replications= needs a value after '='" \
    exact base/ok.yaml --set run.replications=
check set-unknown-run-key 65 "<--set>:1:1: error: run: unknown key 'replicatoins' in the run settings; did you mean 'replications'?" \
    exact base/ok.yaml --set run.replicatoins=5
check set-into-a-value 65 "<--set>:1:1: error: --set run.seed.x: 'run.seed' holds a single value, not keys or items" \
    exact base/ok.yaml --set run.seed.x=1
check set-no-equals 65 "<--set>:1:1: error: --set takes PATH=VALUE (e.g. run.replications=20); got 'run.replications'" \
    exact base/ok.yaml --set run.replications
check set-second-bad 65 "<--set>:2:44: error: export_controls.us_2022_10.action.approval: got 1.5; expected a probability from 0 to 1" \
    exact base/ok.yaml --set run.replications=5 --set export_controls.us_2022_10.action.approval=1.5

if [ $failed -gt 0 ]; then
    echo "$failed of $checked bad inputs failed"
    exit 1
fi
echo "$checked bad inputs checked"
