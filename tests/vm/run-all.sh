#!/bin/sh
# Runs every guest test suite (tools/check boots the guest with this).
# usage: run-all.sh [SUITE...]   default: all of t-*.sh and fl-ioctl-test
cd /forklab/tests || exit 1
suites=${*:-"t-module.sh t-nowalk.sh t-conflict.sh fl-ioctl-test fl-ioctl-fuzz fl-walk-test t-diff.sh t-cli.sh t-check.sh t-forks.sh t-storm.sh t-pressure.sh t-race.sh t-contpte.sh t-contpte-prot.sh t-config-fail.sh t-cow.sh t-selftest.sh t-bpftrace.sh t-ab.sh"}
failed=0
for s in $suites; do
	echo "# suite: $s ($(cat /forklab/target))"
	case "$s" in
	fl-*)
		insmod /forklab/forklab.ko && "$s"; r=$?
		rmmod forklab 2>/dev/null ;;
	*) sh "./$s"; r=$? ;;
	esac
	[ "$r" = 0 ] || failed=$((failed + 1))
	[ -d /sys/module/forklab ] && { echo "not ok - $s left the module loaded"; rmmod forklab; }
done
exit $failed
