#!/bin/sh
# bpftrace from the guest sysroot (Debian's, for the guest's architecture)
# attaches and counts right: one sched_process_fork per fork of a workload.
. /forklab/tests/lib.sh
if ! command -v bpftrace >/dev/null; then
	nok "bpftrace is available (boot with --sysroot)"
	t_done; exit 1
fi
insmod $KO mode=passthrough || nok "insmod"
bpftrace -e 'tracepoint:sched:sched_process_fork /args->parent_pid == cpid/ { @forks = count(); }' \
	-c '/forklab/bin/fl-forker 2 1' >/tmp/bt.out 2>&1
rc=$?
t "bpftrace ran a workload under a fork tracepoint (exit $rc)" [ "$rc" = 0 ]
forks=$(sed -n 's/^fl-forker: \([0-9]*\) forks.*/\1/p' /tmp/bt.out)
counted=$(sed -n 's/^@forks: \([0-9]*\)/\1/p' /tmp/bt.out)
t "bpftrace counted every fork of the workload (forks=$forks, counted=$counted)" \
	[ -n "$forks" ] && [ "$forks" -gt 0 ] && [ "$forks" = "$counted" ]
[ "$rc" = 0 ] && [ "$forks" = "$counted" ] || sed 's/^/#   /' /tmp/bt.out | head -20
rmmod forklab
t_done
