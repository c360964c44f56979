#!/usr/bin/env bash
# Independent test suites, natively and under kdune, compared, and a markdown report.
#
#   tests/conformance/run.sh [--quick] BUILD_DIR REPORT.md
#
# Suites: CPython's regression tests (cpython.sh), stress-ng stressors with --verify
# (stressng.sh) and busybox applets driven by our own script (busybox.sh). --quick runs the
# CI subset. Results and logs go to BUILD_DIR/conformance[-quick]/. The report lists every
# difference with its reason from known.tsv. Exits 1 if a difference has no entry there.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QUICK=""
if [ "${1:-}" = --quick ]; then QUICK=1 && shift; fi
[ $# = 2 ] || { echo "usage: $0 [--quick] BUILD_DIR REPORT.md" >&2; exit 2; }
B=$(cd "$1" && pwd)
REPORT=$2
KDUNE=$B/kdune
RES=$B/conformance${QUICK:+-quick}
rm -rf "$RES" && mkdir -p "$RES"
: >"$RES/rows.tsv"
: >"$RES/diffs.tsv"
ulimit -c 0

KVM_SKIP=""
if ! [ -x "$KDUNE" ]; then
	KVM_SKIP="kdune is not built ($KDUNE)"
elif ! out=$(timeout -k 2 30 "$KDUNE" run -- /bin/true 2>&1); then
	KVM_SKIP="kdune cannot run /bin/true here: $(echo "$out" | head -1)"
fi
export KDUNE RES QUICK KVM_SKIP

t0=$SECONDS
for suite in cpython stressng busybox; do
	echo "== $suite"
	"$HERE/$suite.sh" || echo "$suite.sh failed with status $?" | tee -a "$RES/errors"
done
elapsed=$((SECONDS - t0))

st=0
"$HERE/report.py" --mode "$([ -n "$QUICK" ] && echo quick || echo full)" --seconds "$elapsed" \
	--kdune-commit "$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	"$RES" "$HERE/known.tsv" >"$REPORT.tmp" || st=1
mv "$REPORT.tmp" "$REPORT"
echo "report: $REPORT (${elapsed} s)"
read -r same env open new skip <"$RES/counts" || { echo "conformance: no counts from report.py" >&2; exit 1; }
echo "conformance: $same rows the same as native, $((env + open)) differ for a reason given in" \
	"the report ($env environment or flaky, $open open kdune items), $new differ unexplained"
# The closing line CI reads: a row passes when it matches native or its difference is explained.
echo "conformance: $((same + env + open)) passed, $new failed, $skip skipped"
[ -s "$RES/errors" ] && st=1
exit $st
