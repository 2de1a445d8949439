#!/bin/sh
# forklab's correctness suites on the machine itself ('sudo make selftest'),
# against the module for the running kernel, in kselftest's KTAP: the plan
# first, one result per test ("# SKIP" for a skip), what each program said as
# "# " lines, "# Totals:" at the end.  Exit 0 when every test that ran
# passed, 1 when one failed, 4 (kselftest's skip) when none could run.
# Leaves the machine as it found it: a module it loaded is unloaded, a
# loaded one gets its mode, contpte policy and scope back.
# usage: tests/vm/selftest.sh [--bin DIR] [--ko FILE] [--kmod DIR] [--cow FILE] [--seconds N]
#                             [--only "TEST..."]
#   --bin      the test programs and the forklab CLI (default: PATH)
#   --ko       forklab.ko to insmod when none is loaded and modprobe finds none
#   --kmod     where fl_pinner.ko is (the GUP-fast pinner of the race test)
#   --cow      the kernel's mm/cow selftest binary, run in every mode
#   --seconds  length of the storm (3 at least) and of each race (default 5)
#   --only     run only these of: ioctl walk diff storm race cow
ALL="ioctl walk diff storm race cow"
bin="" ko="" kmod="" cow="" secs=5 only=$ALL
while [ $# -gt 0 ]; do
	case "$1" in
	--bin|--ko|--kmod|--cow|--seconds|--only)
		[ $# -ge 2 ] || { echo "selftest: $1 needs a value" >&2; exit 2; }
		case "$1" in
		--bin) bin=$2 ;; --ko) ko=$2 ;; --kmod) kmod=$2 ;; --cow) cow=$2 ;; --seconds) secs=$2 ;; --only) only=$2 ;;
		esac
		shift 2 ;;
	-h|--help) sed -n '2,/^bin=/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "selftest: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$secs" in ''|*[!0-9]*) echo "selftest: --seconds takes whole seconds" >&2; exit 2 ;; esac
for t in $only; do
	case " $ALL " in *" $t "*) ;; *) echo "selftest: no test '$t' (the tests: $ALL)" >&2; exit 2 ;; esac
done
[ -n "$only" ] || { echo "selftest: --only needs at least one of: $ALL" >&2; exit 2; }
[ -n "$bin" ] && PATH="$bin:$PATH"
# the guest suites' helpers, for modes(): it lives beside this script there
# and in the source tree
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/forklab-selftest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

TESTS=""	# the tests to run, in their order
for t in $ALL; do case " $only " in *" $t "*) TESTS="$TESTS $t" ;; esac; done
name() {	# name TEST: its result line's name, the same when it skips
	case "$1" in
	ioctl) echo "ioctl: the /dev/forklab contract (fl-ioctl-test)" ;;
	walk)  echo "walk: what perpte and batched copy, and how (fl-walk-test)" ;;
	diff)  echo "diff: every kind of mapping forked in every mode, against stock (fl-diff-test)" ;;
	storm) echo "storm: forks while the mode switches, every child sees the right memory (fl-forker, fl-switcher)" ;;
	race)  echo "race: forks against GUP-fast pins of exclusive THP pages, in every mode (fl-pinrace)" ;;
	cow)   echo "cow: the kernel's mm/cow selftest has no failure in any mode" ;;
	esac
}
n=0 pass=0 fail=0 skip=0
echo "TAP version 13"
echo "1..$(echo $TESTS | wc -w)"
result() {	# result ok|fail|skip DESC [REASON]
	n=$((n + 1))
	case "$1" in
	ok)   pass=$((pass + 1)); echo "ok $n $2" ;;
	fail) fail=$((fail + 1)); echo "not ok $n $2" ;;
	skip) skip=$((skip + 1)); echo "ok $n $2 # SKIP $3" ;;
	esac
}
totals() {
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ $fail = 0 ] || exit 1
	[ $pass = 0 ] && exit 4
	exit 0
}
skip_all() {	# skip_all REASON: every test skips for it
	for t in $TESTS; do result skip "$(name $t)" "$1"; done
	totals
}
# run DESC CMD...: one test; its output as "# " lines
run() {
	desc=$1; shift
	"$@" > "$tmp/out" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/out"
	if [ $rc = 0 ]; then result ok "$desc"; else echo "# $desc: exit $rc"; result fail "$desc"; fi
}

[ "$(id -u)" = 0 ] || skip_all "needs root (loads modules, switches forklab's mode)"
for p in forklab fl-ioctl-test fl-walk-test fl-diff-test fl-forker fl-switcher fl-pinrace; do
	command -v $p >/dev/null || skip_all "no $p (build them: make selftest, or pass --bin)"
done

# The module: the loaded one, the installed one, or --ko.
loaded_here=0
if [ -d /sys/module/forklab ]; then
	saved_mode=$(forklab mode) saved_policy=$(forklab contpte) saved_scope=$(forklab scope | sed 's/^scope: //')
elif modprobe -q forklab 2>/dev/null; then
	loaded_here=1
elif [ -n "$ko" ] && insmod "$ko"; then
	loaded_here=1
else
	skip_all "forklab is not loaded and cannot be: install it (make install, DKMS) or pass --ko FILE"
fi
forklab mode stock >/dev/null && forklab contpte kernel >/dev/null && forklab scope all >/dev/null ||
	skip_all "cannot set forklab to mode stock, contpte policy kernel, scope all"
modes=$(modes | tr '\n' ' ')
echo "# forklab on $(uname -r): modes $modes"

wanted() { case " $TESTS " in *" $1 "*) return 0 ;; esac; return 1; }

! wanted ioctl || run "$(name ioctl)" fl-ioctl-test
! wanted walk || run "$(name walk)" fl-walk-test
! wanted diff || run "$(name diff)" fl-diff-test

# a fork storm whose children check their memory, while the configuration
# switches every few milliseconds (3 s at least: fl-switcher wants forks
# that went through the module)
test_storm() {
	storm_secs=$((secs < 3 ? 3 : secs))
	fl-forker "$storm_secs" 4 2 8 > "$tmp/storm" 2>&1 &
	storm=$!
	fl-switcher "$storm_secs" 2000 $storm > "$tmp/switch" 2>&1
	switch_rc=$?
	wait $storm
	storm_rc=$?
	sed 's/^/# /' "$tmp/switch" "$tmp/storm"
	if [ $switch_rc = 0 ] && [ $storm_rc = 0 ]; then result ok "$(name storm)"; else result fail "$(name storm)"; fi
}

# GUP-fast pins against the copy, in every mode
test_race() {
	pinner_here=0
	if [ ! -e /dev/fl_pinner ] && [ -n "$kmod" ] && [ -f "$kmod/fl_pinner.ko" ]; then
		insmod "$kmod/fl_pinner.ko" && pinner_here=1
	fi
	if [ ! -e /dev/fl_pinner ]; then
		result skip "$(name race)" "no fl_pinner module (tests/kmod; make selftest builds it)"
		return
	fi
	bad=0
	for m in $modes; do
		forklab mode "$m" >/dev/null && fl-pinrace "$secs" > "$tmp/out" 2>&1 || bad=1
		sed "s/^/# $m: /" "$tmp/out"
	done
	forklab mode stock >/dev/null
	if [ $bad = 0 ]; then result ok "$(name race)"; else result fail "$(name race)"; fi
	[ $pinner_here = 0 ] || rmmod fl_pinner
}

# the kernel's own mm/cow selftest in every mode: no failure in any
test_cow() {
	if [ -z "$cow" ]; then
		result skip "$(name cow)" "no --cow (build tools/testing/selftests/mm/cow from the kernel's source)"
		return
	fi
	if [ ! -x "$cow" ]; then
		result skip "$(name cow)" "$cow is not an executable"
		return
	fi
	bad=0
	for m in $modes; do
		forklab mode "$m" >/dev/null || bad=1
		"$cow" > "$tmp/out" 2>&1
		rc=$?
		totals_line=$(grep '^# Totals:' "$tmp/out")
		echo "# $m: exit $rc, ${totals_line#\# }"
		case "$totals_line" in *" fail:0 "*) ;; *) bad=1; grep '^not ok' "$tmp/out" | sed "s/^/# $m: /" ;; esac
	done
	forklab mode stock >/dev/null
	if [ $bad = 0 ]; then result ok "$(name cow)"; else result fail "$(name cow)"; fi
}

! wanted storm || test_storm
! wanted race || test_race
! wanted cow || test_cow

if [ $loaded_here = 1 ]; then
	rmmod forklab || echo "# could not unload forklab: rmmod forklab"
else
	forklab contpte "$saved_policy" >/dev/null || echo "# could not put contpte policy $saved_policy back"
	forklab mode "$saved_mode" >/dev/null || echo "# could not put mode $saved_mode back"
	# what 'forklab scope' printed is its arguments ("all", "comm NAME", ...)
	# shellcheck disable=SC2086
	forklab scope $saved_scope >/dev/null || echo "# could not put scope '$saved_scope' back"
fi
totals
