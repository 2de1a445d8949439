#!/bin/sh
# bpftrace from the guest sysroot (Debian's, for the guest's architecture)
# attaches and counts right: one sched_process_fork per fork of a workload.
. /forklab/tests/lib.sh
if ! command -v bpftrace >/dev/null; then
	nok "bpftrace is available (boot with --sysroot)"
	t_done; exit 1
fi
echo "# $(bpftrace --version 2>&1) on $(uname -r)"
insmod $KO mode=passthrough || nok "insmod"
bpftrace -e 'tracepoint:sched:sched_process_fork /args->parent_pid == cpid/ { @forks = count(); }' \
	-c '/forklab/bin/fl-forker 2 1' >/tmp/bt.out 2>&1
rc=$?
t "bpftrace ran a workload under a fork tracepoint (exit $rc)" [ "$rc" = 0 ]
forks=$(sed -n 's/^fl-forker: \([0-9]*\) forks.*/\1/p' /tmp/bt.out)
counted=$(sed -n 's/^@forks: \([0-9]*\)/\1/p' /tmp/bt.out)
[ -n "$forks" ] && [ "$forks" -gt 0 ] && [ "$forks" = "$counted" ]
t_cond "bpftrace counted every fork of the workload (forks=$forks, counted=$counted)"
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
[ -n "$bt_runs" ] && [ "$bt_runs" = "$((runs1 - runs0))" ]
t_cond "  ... counted the module's runs ($bt_runs vs $((runs1 - runs0)))"
[ -n "$bt_ptes" ] && [ "$bt_ptes" = "$((ptes1 - ptes0))" ]
t_cond "  ... and its PTEs ($bt_ptes vs $((ptes1 - ptes0)))"
t_grep "  ... and saw forklab:copy_page_range" "^@calls: [1-9]" /tmp/bt2.out
[ "$rc" = 0 ] || sed 's/^/#   /' /tmp/bt2.out | head -20
# The scripts of tools/bpftrace, each checked on its numbers.
B=/forklab/bpftrace
num() { sed -n "s/^$1 *\([0-9]*\).*/\1/p" "$2" | head -1; }

# forklab-runs.bt: its runs are the module's runs (scope comm fl-forker)
runs0=$(field runs)
bpftrace $B/forklab-runs.bt -c '/forklab/bin/fl-forker 2 4' >/tmp/bt3.out 2>&1
rc=$?
runs1=$(field runs)
bt_runs=$(sed -n 's/^@run_order\[3, [0-9]*\]: \([0-9]*\)/\1/p' /tmp/bt3.out | awk '{s += $1} END {print s + 0}')
t "forklab-runs.bt ran (exit $rc)" [ "$rc" = 0 ]
[ "$bt_runs" -gt 0 ] && [ "$bt_runs" = "$((runs1 - runs0))" ]
t_cond "  ... its runs by folio order add up to the module's ($bt_runs vs $((runs1 - runs0)))"
t_grep "  ... and it shows the per-call latency" "^@copy_us\[3\]" /tmp/bt3.out
forklab scope all >/dev/null
forklab mode stock >/dev/null

if [ "$(uname -m)" = x86_64 ]; then
	# tlb-x86.bt: every fork ends with one full-mm flush of the parent
	bpftrace $B/tlb-x86.bt -c '/forklab/bin/fl-forker 3 1' >/tmp/bt4.out 2>&1
	rc=$?
	forks=$(sed -n 's/^fl-forker: \([0-9]*\) forks.*/\1/p' /tmp/bt4.out)
	full=$(sed -n 's/^@mm_range\[full-mm, fl-forker\]: \([0-9]*\)/\1/p' /tmp/bt4.out)
	t "tlb-x86.bt ran (exit $rc)" [ "$rc" = 0 ]
	[ -n "$forks" ] && [ "$forks" -gt 0 ] && [ "${full:-0}" -ge "$forks" ]
	t_cond "  ... $forks forks gave at least as many full-mm flushes ($full)"
	t_grep "  ... and counted tlb:tlb_flush by reason" "^@flush\[[0-4], " /tmp/bt4.out
	[ "$rc" = 0 ] || sed 's/^/#   /' /tmp/bt4.out | head -20

	# fork-totals.bt: at least one invalidation (the full-mm flush) per fork
	bpftrace $B/fork-totals.bt -c '/forklab/bin/fl-forker 3 1' >/tmp/bt5.out 2>&1
	rc=$?
	forks=$(num forks /tmp/bt5.out)
	inv=$(num 'fork: *invalidations' /tmp/bt5.out)
	t "fork-totals.bt ran (exit $rc): $(grep '^fork:' /tmp/bt5.out)" [ "$rc" = 0 ]
	[ "${forks:-0}" -gt 0 ] && [ "${inv:-0}" -ge "$forks" ]
	t_cond "  ... $forks forks, at least one invalidation each ($inv)"
	# its teardown probe (unmap_page_range or 7.3's __zap_vma_range) fired
	! grep -q 'call seen' /tmp/bt5.out
	t_cond "  ... and its probes all attached: $(grep 'call seen' /tmp/bt5.out || echo 'no note of a missing one')"
	[ "$rc" = 0 ] || sed 's/^/#   /' /tmp/bt5.out | head -20
else
	# contpte-arm64.bt counts exactly the conversions the module issues
	for p in unfold block; do
		bpftrace $B/contpte-arm64.bt -c "/forklab/bin/fl-contpte-test 2 batched $p" \
			>/tmp/bt6.$p 2>&1
		rc=$?
		# conversions in fl-contpte-test's tasks (others may have 64 KiB folios meanwhile)
		bt=$(sed -n 's/^@by_comm\[fl-contpte-test, [a-z]*\]: \([0-9]*\)/\1/p' /tmp/bt6.$p |
			awk '{s += $1} END {print s + 0}')
		mod=$(sed -n 's/.*module invalidations: fork \([0-9]*\) teardown \([0-9]*\).*/\1 \2/p' /tmp/bt6.$p |
			awk '{print $1 + $2}')
		[ "$rc" = 0 ] && [ -n "$mod" ] && [ "${bt:-0}" = "$mod" ]
		t_cond "contpte-arm64.bt, batched/$p (exit $rc): the module's invalidations ($mod) are bpftrace's (${bt:-0})"
		eval "unfolds_$p=\$(sed -n 's/^@convert\[[a-z]*, unfold\]: \([0-9]*\)/\1/p' /tmp/bt6.$p | awk '{s += \$1} END {print s + 0}')"
		[ "$rc" = 0 ] || sed 's/^/#   /' /tmp/bt6.$p | head -20
	done
	[ "$unfolds_unfold" -gt "$unfolds_block" ]
	t_cond "contpte unfolds: policy unfold ($unfolds_unfold) > policy block ($unfolds_block)"
	t_grep "  ... by caller: fork and teardown" "^@convert\[teardown, unfold\]" /tmp/bt6.unfold

	# fork-totals.bt agrees with the module on fork and teardown
	bpftrace $B/fork-totals.bt -c "/forklab/bin/fl-contpte-test 2 perpte unfold" >/tmp/bt7.out 2>&1
	rc=$?
	set -- $(sed -n 's/.*module invalidations: fork \([0-9]*\) teardown \([0-9]*\).*/\1 \2/p' /tmp/bt7.out)
	inv=$(num 'fork: *invalidations' /tmp/bt7.out)
	td=$(num 'teardown: *invalidations' /tmp/bt7.out)
	# teardown: other processes' munmaps of 64 KiB folios may add to bpftrace's side
	[ "$rc" = 0 ] && [ -n "$1" ] && [ "$inv" = "$1" ] && [ "${td:-0}" -ge "$2" ] && [ "$2" -gt 0 ]
	t_cond "fork-totals.bt, perpte/unfold (exit $rc): fork $inv vs module ${1:-?}, teardown $td vs ${2:-?}"
	[ "$rc" = 0 ] || sed 's/^/#   /' /tmp/bt7.out | head -20
fi
# bpftrace on the module's tracepoint, on copy_page_range itself (a kprobe,
# which shares the function with the redirect) and on a callee of every
# mode's copy (__pte_alloc), while fl-switcher changes the configuration
# every few milliseconds under a fork storm: nothing fails, the counters
# keep rising, and the tracepoint saw every redirected call.
forklab mode stock >/dev/null && forklab scope all >/dev/null
bpftrace -e 'tracepoint:forklab:copy_page_range { @tp = count(); }
	kprobe:copy_page_range { @entry = count(); } kprobe:__pte_alloc { @pte_alloc = count(); }
	interval:s:2 { printf("tick\n"); print(@tp); print(@entry); print(@pte_alloc); }' >/tmp/bt8.out 2>&1 &
bt=$!
# Attached: its output loop runs (after attaching everything; BEGIN's
# output comes before) and both kprobes are in the kernel's list.  Starting
# takes bpftrace 0.17 up to a minute under TCG: 5 minutes at most.
attached() {
	grep -qs '^tick' /tmp/bt8.out && grep -q 'copy_page_range' /sys/kernel/debug/kprobes/list &&
		grep -q '__pte_alloc' /sys/kernel/debug/kprobes/list
}
i=0
while ! attached && [ $i -lt 600 ]; do usleep 500000; i=$((i + 1)); done
t "bpftrace on a tracepoint, copy_page_range and __pte_alloc attached" attached
fl-forker 8 8 2 50 >/tmp/bt8.storm 2>&1 &
storm=$!
t_tap "bpftrace attached, switching: " fl-switcher 8 2000 $storm
wait $storm
src=$?
t "bpftrace attached, switching: the storm's children saw the right memory: $(cat /tmp/bt8.storm)" [ "$src" = 0 ]
sleep 3	# one more interval after the last fork
redirected=$(forklab --json stats | sed 's/.*"redirected":\([0-9]*\).*/\1/')
# SIGINT: bpftrace prints its maps and exits; a minute at most, or it hung
kill -INT $bt
i=0
while [ "$(cut -d' ' -f3 /proc/$bt/stat 2>/dev/null)" != Z ] && [ -e /proc/$bt ] && [ $i -lt 120 ]; do
	usleep 500000; i=$((i + 1))
done
[ $i -lt 120 ] || { kill -KILL $bt; echo "bpftrace did not exit within 60 s of SIGINT" >>/tmp/bt8.out; }
wait $bt
rc=$?
series() { sed -n "s/^@$1: \([0-9]*\)/\1/p" /tmp/bt8.out | tr '\n' ' '; }
rising() {	# rising N...: never falls and ends above where it began
	first=$1 prev=$1
	for v; do [ "$v" -ge "$prev" ] || return 1; prev=$v; done
	[ "$prev" -gt "$first" ]
}
t "  ... bpftrace ran through it and stopped cleanly (exit $rc)" [ "$rc" = 0 ]
t "  ... @pte_alloc kept rising: $(series pte_alloc)" rising $(series pte_alloc)
t "  ... @entry kept rising: $(series entry)" rising $(series entry)
tp=$(series tp | awk '{print $NF}')
[ "${tp:-0}" = "$redirected" ] && [ "$redirected" -gt 0 ]
t_cond "  ... the module's tracepoint saw every redirected call ($tp vs the module's $redirected)"
[ "$rc" = 0 ] || sed 's/^/#   /' /tmp/bt8.out | head -20
rmmod forklab
t_done
