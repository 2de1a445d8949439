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

# The module's own tracepoints agree with its counters: only fl-forker's
# forks are redirected (scope comm), so both see exactly the same runs.
field() { forklab --json stats --mode batched | sed "s/.*\"$1\":\([0-9]*\).*/\1/"; }
forklab mode batched >/dev/null && forklab scope comm fl-forker >/dev/null
runs0=$(field runs) ptes0=$(field ptes_present)
bpftrace -e 'tracepoint:forklab:copy_run /comm == "fl-forker"/ { @runs = count(); @ptes = sum(args->nr); }
	tracepoint:forklab:copy_page_range /comm == "fl-forker"/ { @calls = count(); }' \
	-c '/forklab/bin/fl-forker 2 4' >/tmp/bt2.out 2>&1
rc=$?
runs1=$(field runs) ptes1=$(field ptes_present)
bt_runs=$(sed -n 's/^@runs: \([0-9]*\)/\1/p' /tmp/bt2.out)
bt_ptes=$(sed -n 's/^@ptes: \([0-9]*\)/\1/p' /tmp/bt2.out)
t "bpftrace on forklab:copy_run ran (exit $rc)" [ "$rc" = 0 ]
t "  ... counted the module's runs ($bt_runs vs $((runs1 - runs0)))" [ -n "$bt_runs" ] && [ "$bt_runs" = "$((runs1 - runs0))" ]
t "  ... and its PTEs ($bt_ptes vs $((ptes1 - ptes0)))" [ -n "$bt_ptes" ] && [ "$bt_ptes" = "$((ptes1 - ptes0))" ]
t_grep "  ... and saw forklab:copy_page_range" "^@calls: [1-9]" /tmp/bt2.out
[ "$rc" = 0 ] || sed 's/^/#   /' /tmp/bt2.out | head -20
forklab scope all >/dev/null
forklab mode stock >/dev/null
rmmod forklab
t_done
