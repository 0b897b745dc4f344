#!/usr/bin/env bash
# selftest.sh — prove the oracle comparer works before our tool exists.
#   1. unit tests of the comparison rules (test_oracle_common.py);
#   2. compare_dump.py with selftest_dump.py (pydicom's own model) as "ours" over
#      the corpus: every file must be `ok`, exit 0, "N passed, 0 failed";
#   3. the same with --mutate / --mutate-nested: exit non-zero, every file whose
#      model was actually changed must be a `mismatch`, the others `ok`;
#   4. the dcm2json path (known-differences list) on a few files: passes for the
#      unchanged model, fails for the mutated one;
#   5. roundtrip_check.py with selftest_cli.py (dcmconv as the transcoder): passes,
#      and fails when the stand-in corrupts a value.
# Needs Scripts/install-test-deps.sh and Scripts/fetch-test-data.sh to have run.
# Usage: Tests/Oracles/selftest.sh [DATA_DIR...]   (default TestData/pydicom)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv-test/bin/python"
O="Tests/Oracles"
DATA=("$@")
[ "${#DATA[@]}" -gt 0 ] || DATA=(TestData/pydicom)
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

pass=0 fail=0
check() { # name, condition-exit-status
    if [ "$2" -eq 0 ]; then echo "selftest: PASS $1"; pass=$((pass + 1)); else echo "selftest: FAIL $1"; fail=$((fail + 1)); fi
}

[ -x "$PY" ] || { echo "selftest: $PY missing; run Scripts/install-test-deps.sh"; exit 2; }

"$PY" "$O/test_oracle_common.py" >"$TMP/unit.txt" 2>&1
check "comparer unit tests" $? || true
[ $fail -eq 0 ] || cat "$TMP/unit.txt"

# 2. identical model: all ok
"$PY" "$O/compare_dump.py" --ours "$PY $O/selftest_dump.py" --files "${DATA[@]}" >"$TMP/same.txt"
rc=$?
total=$(grep -c '\.dcm: ' "$TMP/same.txt")
[ "$rc" -eq 0 ] && [ "$total" -gt 0 ] && grep -qx "$total passed, 0 failed" "$TMP/same.txt" \
    && ! grep '\.dcm: ' "$TMP/same.txt" | grep -vq ': ok'
check "unchanged model: $total files ok (exit $rc)" $?
grep '\.dcm: ' "$TMP/same.txt" | grep -v ': ok' | head -5

# 3. mutated models: mismatch exactly where something was mutated
for mode in --mutate --mutate-nested; do
    : >"$TMP/log.txt"
    "$PY" "$O/compare_dump.py" --ours "$PY $O/selftest_dump.py $mode --log $TMP/log.txt" --files "${DATA[@]}" >"$TMP/mut.txt"
    rc=$?
    bad=0 mutated=0
    while IFS= read -r line; do
        f="${line%%: *}"; verdict="${line#*: }"
        if grep -qF "$(printf '%s\t' "$f")" "$TMP/log.txt"; then
            mutated=$((mutated + 1))
            case "$verdict" in mismatch:*) ;; *) echo "  expected mismatch: $line"; bad=1 ;; esac
        else
            case "$verdict" in ok*) ;; *) echo "  expected ok (nothing mutated): $line"; bad=1 ;; esac
        fi
    done < <(grep '\.dcm: ' "$TMP/mut.txt")
    [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && [ "$mutated" -gt 0 ] && grep -qx "$((total - mutated)) passed, $mutated failed" "$TMP/mut.txt"
    check "$mode: $mutated mutated files all mismatch, exit $rc" $?
done

# 4. known-differences path: dcm2json as the oracle
first=$(find "${DATA[@]}" -name CT_small.dcm -o -name chrX1.dcm -o -name rtdose.dcm -o -name nested_priv_SQ.dcm | sort)
if [ -n "$first" ]; then
    mkdir -p "$TMP/k"
    for f in $first; do cp "$f" "$TMP/k/"; printf '%s\tselftest\n' "$(basename "$f")" >>"$TMP/known.txt"; done
    n=$(ls "$TMP/k" | wc -l)
    "$PY" "$O/compare_dump.py" --known "$TMP/known.txt" --ours "$PY $O/selftest_dump.py" --files "$TMP/k" >"$TMP/k1.txt"
    rc=$?
    [ "$rc" -eq 0 ] && grep -qx "$n passed, 0 failed" "$TMP/k1.txt" && [ "$(grep -c 'vs dcm2json' "$TMP/k1.txt")" -eq "$n" ]
    check "dcm2json oracle: $n listed files ok (exit $rc)" $?
    [ $rc -eq 0 ] || cat "$TMP/k1.txt"
    "$PY" "$O/compare_dump.py" --known "$TMP/known.txt" --ours "$PY $O/selftest_dump.py --mutate" --files "$TMP/k" >"$TMP/k2.txt"
    rc=$?
    [ "$rc" -ne 0 ] && grep -q 'mismatch: .*vs dcm2json' "$TMP/k2.txt"
    check "dcm2json oracle: mutated model fails (exit $rc)" $?
fi

# 5. roundtrip_check.py with a DCMTK-based stand-in CLI: passes; a corrupting one fails
mkdir -p "$TMP/rt"
for f in $(find "${DATA[@]}" -name CT_small.dcm -o -name MR_small_bigendian.dcm -o -name rtplan.dcm -o -name image_dfl.dcm); do cp "$f" "$TMP/rt/"; done
if [ -n "$(ls "$TMP/rt")" ]; then
    n=$(ls "$TMP/rt" | wc -l)
    "$PY" "$O/roundtrip_check.py" --ours "$PY $O/selftest_cli.py" --files "$TMP/rt" >"$TMP/rt1.txt"
    rc=$?
    [ "$rc" -eq 0 ] && grep -qx "$n passed, 0 failed" "$TMP/rt1.txt"
    check "roundtrip_check: dcmconv transcodes of $n files pass (exit $rc)" $?
    [ $rc -eq 0 ] || cat "$TMP/rt1.txt"
    "$PY" "$O/roundtrip_check.py" --ours "$PY $O/selftest_cli.py --broken" --files "$TMP/rt" --syntaxes explicit-le >"$TMP/rt2.txt"
    rc=$?
    [ "$rc" -ne 0 ] && grep -qx "0 passed, $n failed" "$TMP/rt2.txt"
    check "roundtrip_check: corrupted transcodes fail (exit $rc)" $?
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
