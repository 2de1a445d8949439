#!/bin/sh
# Runs every guest test suite (tools/check boots the guest with this).
# usage: run-all.sh [SUITE...]   default: all of t-*.sh and fl-ioctl-test
cd /forklab/tests || exit 1
suites=${*:-"t-module.sh t-nowalk.sh t-conflict.sh fl-ioctl-test fl-ioctl-fuzz fl-walk-test t-diff.sh t-cli.sh t-check.sh t-forks.sh t-storm.sh t-pressure.sh t-race.sh t-inject.sh t-contpte.sh t-contpte-prot.sh t-config-fail.sh t-cow.sh t-selftest.sh t-bpftrace.sh t-ab.sh"}
failed=0
# one suite, its output as it comes (and in /tmp/suite.out, to count)
suite() {
	case "$1" in
	fl-*)
		insmod /forklab/forklab.ko && "$1"; r=$?
		rmmod forklab 2>/dev/null ;;
	*) sh "./$1"; r=$? ;;
	esac
	[ -d /sys/module/forklab ] && { echo "not ok - $1 left the module loaded"; rmmod forklab; r=1; }
	echo $r > /tmp/suite.rc
}
for s in $suites; do
	echo "# suite: $s ($(cat /forklab/target))"
	start=$(date +%s)
	suite "$s" 2>&1 | tee /tmp/suite.out
	[ "$(cat /tmp/suite.rc)" = 0 ] || failed=$((failed + 1))
	# what tools/check shows as each suite ends
	echo "# suite-end: $s: $(grep -c '^ok ' /tmp/suite.out) passed, $(grep -c '^not ok' /tmp/suite.out) failed," \
	     "$(( $(date +%s) - start )) s"
done
exit $failed
