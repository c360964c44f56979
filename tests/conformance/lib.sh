# shellcheck shell=bash
# RUN is set here for the suite scripts.
# shellcheck disable=SC2034
# lib.sh: shared by the conformance suite scripts (sourced).
#
# The caller (run.sh) exports:
#   KDUNE    the kdune binary
#   RES      results directory: rows.tsv, diffs.tsv, logs/
#   QUICK    1 for the CI subset, empty for the full run
#   KVM_SKIP non-empty reason when kdune cannot run anything here
#
# rows.tsv:  suite  module  area  native-result  kdune-result  verdict  native-s  kdune-s
#            verdict: same, differs or skip
# diffs.tsv: suite  module  key  description       (one line per difference in a row)

export LC_ALL=C.UTF-8 TZ=UTC
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LOGS=$RES/logs
mkdir -p "$LOGS"

# clean TEXT: one line, no tabs, for a TSV cell.
clean() { printf '%s' "$1" | tr '\t\n' '  ' | cut -c 1-300; }

# row SUITE MODULE AREA NATIVE KDUNE VERDICT [NATIVE_S KDUNE_S]
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(clean "$4")" "$(clean "$5")" "$6" \
		"${7:-}" "${8:-}" >>"$RES/rows.tsv"
	printf '%-8s %-28s %s\n' "$6" "$1/$2" "$(clean "native: $4 | kdune: $5 | ${7:-?} s / ${8:-?} s")" |
		cut -c 1-200
}

# difference SUITE MODULE KEY DESCRIPTION
difference() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$(clean "$3")" "$(clean "$4")" >>"$RES/diffs.tsv"
}

# timed SECONDS_VAR CMD...: runs CMD, stores its wall time (s, one decimal) in SECONDS_VAR,
# returns CMD's status.
timed() {
	local var=$1 t0 t1 st
	shift
	t0=${EPOCHREALTIME/./}
	"$@" && st=0 || st=$?
	t1=${EPOCHREALTIME/./}
	printf -v "$var" '%d.%d' $(((t1 - t0) / 1000000)) $(((t1 - t0) / 100000 % 10))
	return $st
}

# runner SIDE: sets RUN to what runs a command on that side: nothing natively (SIDE native),
# "KDUNE run --" under kdune (SIDE kdune).
runner() {
	RUN=()
	[ "$1" = kdune ] && RUN=("$KDUNE" run --)
	return 0
}

# status_text STATUS: what an exit status means, for the table.
status_text() {
	case $1 in
	0) echo "exit 0" ;;
	124) echo "timed out" ;;
	12[5-7]) echo "exit $1 (kdune or exec failure)" ;;
	*) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit $1"; fi ;;
	esac
}
