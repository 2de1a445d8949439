#!/bin/sh
# Fork racing the rest of mm from outside the parent's mmap_lock, in every
# mode: GUP-fast pins of fresh PTE-mapped THPs while they are
# copied (fl-pinrace), and a parent whose memory is pinned, reclaimed to
# zram, compacted, collapsed by khugepaged, merged by KSM and, in a guest
# with two NUMA nodes ('make soak', tools/check --numa 2; with one that
# part is skipped), moved between them by another process's move_pages(2)
# while it forks (fl-race).  Children check their memory, a page pinned
# across a fork must stay the parent's and be copied for the child, the
# books must balance; tools/vm/run checks the kernel log.  FL_RACE_SECONDS
# per program and mode (short in 'make check', long in 'make soak').  Each
# mode's counts are printed as '# pinrace ...' and '# race ...' lines.
. /forklab/tests/lib.sh
SECS=${FL_RACE_SECONDS:-6}
PKO=/forklab/fl_pinner.ko
KSM=/sys/kernel/mm/ksm
KHP=/sys/kernel/mm/transparent_hugepage/khugepaged

[ -f $PKO ] || { nok "no $PKO (tools/build/target builds it)"; t_done; exit 1; }
t "zram swap on" setup_swap_and_hugetlb
# no hugetlb reservation meanwhile: every iteration wants a fresh 2 MiB THP
hugetlb=$(cat /proc/sys/vm/nr_hugepages)
echo 0 > /proc/sys/vm/nr_hugepages
t "insmod forklab and fl_pinner" sh -c "insmod $KO && insmod $PKO"
# Debian's kernels have KSM (fl-race then requires merges); a kernel built
# without it (the debug lane's defconfig) skips that part
if [ -d $KSM ]; then
	ok "KSM is there"
elif uname -v | grep -q Debian; then
	nok "no $KSM in a Debian kernel (CONFIG_KSM=y expected)"
else
	ok "# SKIP no KSM in this kernel: fl-race runs without ksmd"
fi
# Debian's PREEMPT_RT kernels have no THP (it depends on !PREEMPT_RT):
# fl-pinrace, which forks THPs, is skipped there, fl-race runs on small pages
thp=0
if has_thp; then
	thp=1
	t "THP enabled (always or madvise)" grep -q '\[always\]\|\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled
else
	ok "# SKIP no THP in this kernel: no fl-pinrace, fl-race without THPs and khugepaged"
fi

# task_line DIR: one task (/proc/PID/task/TID) as a TAP comment: command,
# state, wait channel, syscall, faults and CPU ticks so far, kernel stack.
task_line() {
	set -- "$1" $(cut -d')' -f2 "$1/stat" 2>/dev/null)
	echo "# $(cat "$1/comm" 2>/dev/null) ${1#/proc/}: state $2, wchan $(cat "$1/wchan" 2>/dev/null)," \
	     "syscall $(cut -d' ' -f1 "$1/syscall" 2>/dev/null), minflt ${9:-?} majflt ${11:-?}" \
	     "utime ${13:-?} stime ${14:-?}"
	sed 's/^/#   /' "$1/stack" 2>/dev/null
}
# tasks_named NAME: the /proc/PID/task/TID directories of every thread of
# the processes called NAME (the guest's busybox has no pgrep).
tasks_named() {
	for d in /proc/[0-9]*/task/*; do
		[ "$(cat $d/comm 2>/dev/null)" = "$1" ] && echo "$d"
	done
}
# fault_trace NAME: for 1 s, every fault of the threads of the processes
# called NAME (address, flags), what handle_mm_fault and the handlers
# below it returned, migration-entry waits and the pinner's GUP loop, by
# count (kprobe events in tracefs: they attach at once, where bpftrace
# under TCG on a loaded host took over a minute to start); then the call
# graph of a few of those faults.  On arm64, where a fault meets a
# contiguous block, also the entry asked for and the 16 PTEs from the
# faulting one on (the block's, for an aligned address).  A probe the
# kernel lacks (a static function inlined: do_numa_page; arm64's on x86)
# is left out.
fault_trace() {
	local tr=/sys/kernel/tracing d p tid
	[ -w $tr/kprobe_events ] || { echo "# watchdog: no tracefs at $tr"; return; }
	echo "# watchdog: $1's faults for 1 s (kprobe events): count, thread, event, fields"
	echo 0 > $tr/tracing_on; : > $tr/trace; : > $tr/set_event_pid
	for d in $(tasks_named "$1"); do echo "${d##*/}" >> $tr/set_event_pid; done
	for p in 'p:flhang/fault handle_mm_fault addr=$arg2:x64 flags=$arg3:x32' \
		 'r:flhang/fault_ret handle_mm_fault ret=$retval:x32' \
		 'r:flhang/swap_ret do_swap_page ret=$retval:x32' \
		 'p:flhang/migration_wait migration_entry_wait' \
		 'r:flhang/numa_ret do_numa_page ret=$retval:x32' \
		 'r:flhang/wp_ret do_wp_page ret=$retval:x32' \
		 'r:flhang/gup_ret __get_user_pages ret=$retval:s64' \
		 'r:flhang/isolate_lru_ret folio_isolate_lru ret=$retval:u8' \
		 'p:flhang/lru_add_drain_all lru_add_drain_all' \
		 'r:flhang/migrate_pages_ret migrate_pages ret=$retval:s32' \
		 'p:flhang/contpte_set_access contpte_ptep_set_access_flags addr=$arg2:x64 entry=$arg4:x64 p0=+0($arg3):x64 p1=+8($arg3):x64 p2=+16($arg3):x64 p3=+24($arg3):x64 p4=+32($arg3):x64 p5=+40($arg3):x64 p6=+48($arg3):x64 p7=+56($arg3):x64 p8=+64($arg3):x64 p9=+72($arg3):x64 p10=+80($arg3):x64 p11=+88($arg3):x64 p12=+96($arg3):x64 p13=+104($arg3):x64 p14=+112($arg3):x64 p15=+120($arg3):x64' \
		 'r:flhang/contpte_set_access_ret contpte_ptep_set_access_flags ret=$retval:s32'; do
		echo "$p" >> $tr/kprobe_events 2>/dev/null
	done
	echo 1 > $tr/events/flhang/enable
	echo 1 > $tr/tracing_on; sleep 1; echo 0 > $tr/tracing_on
	echo 0 > $tr/events/flhang/enable
	# "  comm-TID  [cpu] flags  time: event: (func+off/len <- caller) fields"
	# as "TID event fields", counted
	sed -n 's/^ *.*-\([0-9]*\) *\[.*: \([a-z_]*\): ([^)]*) *\(.*\)$/\1 \2 \3/p' $tr/trace |
		sort | uniq -c | sort -rn > /tmp/fault_trace.counts
	head -25 /tmp/fault_trace.counts | sed 's/^/#   /'
	# the thread that faults most, for the call graph below
	tid=$(awk '$3 == "fault" { n[$2] += $1 } END { for (t in n) print n[t], t }' /tmp/fault_trace.counts |
		sort -rn | head -1 | cut -d' ' -f2)
	# (removing an event empties the trace buffer)
	for d in $tr/events/flhang/*/; do
		d=${d%/}; [ -d "$d" ] && echo "-:flhang/${d##*/}" >> $tr/kprobe_events
	done
	: > $tr/trace; : > $tr/set_event_pid
	if [ -n "$tid" ] && grep -qw function_graph $tr/available_tracers; then
		echo "# watchdog: call graph of thread $tid's faults (function_graph, depth 8)"
		echo "$tid" > $tr/set_ftrace_pid; echo handle_mm_fault > $tr/set_graph_function
		echo 8 > $tr/max_graph_depth
		echo function_graph > $tr/current_tracer
		echo 1 > $tr/tracing_on; sleep 0.2; echo 0 > $tr/tracing_on
		# (before the tracer changes: that empties the buffer too)
		grep -v '^#' $tr/trace | head -120 | sed 's/^/#   /'
		echo nop > $tr/current_tracer
		: > $tr/set_ftrace_pid; : > $tr/set_graph_function; echo 0 > $tr/max_graph_depth
		: > $tr/trace
	fi
	echo 1 > $tr/tracing_on
}

# hang_report NAME: what a hang or livelock needs, into the TAP stream:
# every thread of the processes called NAME, twice 5 s apart (whether
# they still fault and run: a livelock, or sleep: a hang), and every other
# task running or in D state (a kworker that a flush waits for); the
# running CPUs' and the blocked tasks' stacks go to the kernel log (sysrq
# l, w).  The guest's busybox has no pgrep or pkill: here and in
# watched(), /proc/*/comm names the processes.
hang_report() {
	for round in 1 2; do
		echo "# watchdog: $1, round $round:"
		for d in $(tasks_named "$1"); do task_line $d; done
		[ $round = 1 ] && sleep 5
	done
	echo "# watchdog: other tasks running or in D state:"
	for d in /proc/[0-9]*/task/*; do
		[ "$(cat $d/comm 2>/dev/null)" = "$1" ] && continue
		case "$(cut -d')' -f2 $d/stat 2>/dev/null)" in
		" R "*|" D "*) task_line $d ;;
		esac
	done
	# a thread that faults without end (minflt climbing between the rounds):
	# where, and what the handlers returned
	fault_trace "$1"
	echo "# watchdog: CPU and blocked-task stacks in the kernel log (sysrq l, w)"
	echo l > /proc/sysrq-trigger; echo w > /proc/sysrq-trigger
}

# watched CMD...: CMD, but if it still runs long after its time (a hang in
# the kernel, a livelock), hang_report says what its processes and the
# kernel are doing, and every process of that name is killed: the suite
# fails then, with the evidence, instead of the guest at the harness's
# timeout.
watched() {
	"$@" & pid=$!
	( sleep $((SECS * 6 + 60)); kill -0 $pid 2>/dev/null || exit 0
	  echo "# watchdog: $1 still runs after $((SECS * 6 + 60)) s"
	  hang_report "${1##*/}"
	  for d in /proc/[0-9]*; do
		[ "$(cat $d/comm 2>/dev/null)" = "${1##*/}" ] && kill -9 "${d#/proc/}"
	  done ) &
	wd=$!
	wait $pid; rc=$?
	kill $wd 2>/dev/null
	return $rc
}

# ksmd and khugepaged scanning fast, put back at the end
saved=""
for f in $KSM/run $KSM/sleep_millisecs $KSM/pages_to_scan \
	 $KHP/scan_sleep_millisecs $KHP/alloc_sleep_millisecs $KHP/pages_to_scan; do
	[ -f $f ] && saved="$saved $f=$(cat $f)"
done
[ -d $KSM ] && { echo 20 > $KSM/sleep_millisecs; echo 1000 > $KSM/pages_to_scan; echo 1 > $KSM/run; }
[ $thp = 1 ] && { echo 10 > $KHP/scan_sleep_millisecs; echo 10 > $KHP/alloc_sleep_millisecs; echo 4096 > $KHP/pages_to_scan; }

# NUMA balancing off (put back with the rest) where fork would hang on it:
# with two nodes it turns PTEs of the parent's large folios into
# NUMA-hinting (PROT_NONE) entries, and the contpte_set_ptes() of arm64
# 6.12.y before 6.12.117 (Debian's 6.12.95: no pte_valid() test, fixed by
# "arm64: mm: restrict transparent contpte mappings to valid PTEs") makes
# fork's copy of them valid,
# contiguous and closed to user space; the child's read of one then faults
# for ever (a read fault on a present, young PTE is spurious to the kernel).
# That was the two-node hang: fault_trace caught it in stock, passthrough
# and batched.  fl-contpte-prot.c has that kernel's case with PROT_NONE.
case "$(uname -r)" in
6.12.*)
	sub=$(uname -r | sed 's/^6\.12\.\([0-9]*\).*/\1/')
	if has_contpte && [ "$sub" -lt 117 ] && [ -d /sys/devices/system/node/node1 ] &&
	   [ -f /proc/sys/kernel/numa_balancing ]; then
		saved="$saved /proc/sys/kernel/numa_balancing=$(cat /proc/sys/kernel/numa_balancing)"
		echo 0 > /proc/sys/kernel/numa_balancing
		echo "# NUMA balancing off: this kernel's contpte_set_ptes() (6.12.$sub < 6.12.117) makes a child's NUMA-hinting entries valid for the kernel only, and the child faults on them for ever"
	fi ;;
esac

: > /tmp/race.counts
for m in $(modes); do
	t "mode $m" forklab mode "$m"
	if [ $thp = 1 ]; then
		t_tap "pinrace: " watched fl-pinrace "$SECS"
		grep '^# pinrace' /tmp/t.tap >> /tmp/race.counts
	fi
	t_tap "race: " watched fl-race "$SECS"
	grep '^# race' /tmp/t.tap >> /tmp/race.counts
	rmdir /sys/fs/cgroup/fl-race 2>/dev/null
done
forklab mode stock >/dev/null
for s in $saved; do echo "${s#*=}" > "${s%%=*}"; done
echo "$hugetlb" > /proc/sys/vm/nr_hugepages
t "the race cgroup is gone" [ ! -d /sys/fs/cgroup/fl-race ]
echo "# race counts per mode ($TARGET, $SECS s per program and mode):"
cat /tmp/race.counts
rmmod fl_pinner
rmmod forklab
t_done
