#!/bin/sh
# Fork under memory pressure in every mode (fl-pressure): with the area mostly
# in swap (forks copy swap entries and must succeed), and with no swap and
# memory.max just above what the parent uses, so that the charge for the
# child's page tables fails in the middle of the copy: the fork must fail with
# ENOMEM and leave nothing behind.  Each refusal prints a memcg OOM report
# ("no killable processes"), which tools/vm/run does not count as a failure.
. /forklab/tests/lib.sh

# The OOM reports (about 5 KiB each, 3 or 4 a mode) may push older lines out
# of the 128 KiB kernel log before tools/vm/run reads it: look at those now,
# with tools/vm/run's pattern but for "Call Trace:" (an OOM report of an
# earlier run has one; the other stack dumps that matter come after a line
# of their own: WARNING:, BUG:, Oops...).
bad='WARNING:|BUG:|Oops|Bad rss-counter|Bad page state|Kernel panic|general protection fault|watchdog: .*soft lockup|rcu_.*stall'
dmesg | grep -E "$bad" >/tmp/p.dmesg
t "the kernel log is clean before the OOM reports" [ ! -s /tmp/p.dmesg ]
sed 's/^/#   /' /tmp/p.dmesg | head -20

t "zram swap on" setup_swap_and_hugetlb
insmod $KO || { nok "insmod"; t_done; exit 1; }

# stat MODE FIELD: one of the module's counters for MODE
stat() { forklab --json stats --mode "$1" | sed 's/.*"mode":"'"$1"'",//; s/.*"'"$2"'":\([0-9]*\).*/\1/'; }
# figure NAME: a value from the last fl-pressure's "# figures:" line
figure() { sed -n 's/^# figures:.* '"$1"'=\([^ ]*\).*/\1/p' /tmp/p.out; }
# pressure DESC ARGS...: runs fl-pressure; its TAP lines are shown as comments
pressure() {
	desc=$1; shift
	fl-pressure "$@" >/tmp/p.out 2>&1
	r=$?
	sed 's/^/#   /' /tmp/p.out
	if [ "$r" = 0 ]; then ok "$desc"; else nok "$desc (exit $r)"; fi
}

for m in $(modes); do
	t "mode $m" forklab mode "$m"
	e0=$(stat "$m" errors) a0=$(stat "$m" alloc_failures) r0=$(stat "$m" alloc_retries)
	pressure "$m: forks with the area mostly in swap" swap 32
	e1=$(stat "$m" errors)
	t "  $m: no copy_page_range call failed ($e0 -> $e1 errors)" [ "$e1" = "$e0" ]

	pressure "$m: forks at memory.max without swap: refused with ENOMEM, cleanly" nomem 128
	e2=$(stat "$m" errors) a2=$(stat "$m" alloc_failures) r2=$(stat "$m" alloc_retries)
	refused=$(figure refused)
	if [ "$m" = stock ]; then
		t "  $m: the module saw none of it" [ "$e2" = "$e0" ]
	else
		# a refused fork fails in copy_page_range (counted in errors) or in
		# another allocation of fork, before or after it (not counted)
		[ "$((e2 - e1))" -ge 1 ] && [ "$((e2 - e1))" -le "${refused:-0}" ]
		t_cond "  $m: copy_page_range failed in $((e2 - e1)) of ${refused:-?} refused forks (module errors)"
	fi
	# alloc_retries/alloc_failures count only the allocations forklab's
	# walk makes after dropping its locks (a copy of a pinned page, a swap
	# count continuation): a page table that cannot be charged is not one
	[ "$a2" = "$a0" ] && [ "$r2" = "$r0" ]
	t_cond "  $m: alloc_retries $r0 -> $r2, alloc_failures $a0 -> $a2 (page tables are not counted there)"
done
forklab mode stock >/dev/null
rmmod forklab
t_done
