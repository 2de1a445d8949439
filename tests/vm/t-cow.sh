#!/bin/sh
# The kernel's own mm/cow selftest (built from linux-source-6.12) in every
# mode, and on arm64 under every contpte policy too: each must pass with the
# same totals as stock on this kernel.  passthrough runs under the kernel
# policy only: its copy is the kernel's own, so under the other policies it
# takes stock's path through the same helpers (covered by stock/POLICY) and
# the redirect (covered by passthrough/kernel).  Runs with hugetlb pages reserved and
# zram swap, so those cases run too.
. /forklab/tests/lib.sh

t "zram swap on" setup_swap_and_hugetlb
t "600 hugetlb pages reserved ($(cat /proc/sys/vm/nr_hugepages))" [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 600 ]
insmod $KO || { nok "insmod"; t_done; exit 1; }

for m in $(modes); do
	for p in $(policies); do
		[ "$m" = passthrough ] && [ "$p" != kernel ] && continue
		forklab mode "$m" >/dev/null && forklab contpte "$p" >/dev/null
		name=$m
		[ "$p" = kernel ] || name="$m/contpte $p"
		start=$(date +%s)
		cow > /tmp/cow.out 2>&1
		rc=$?
		totals=$(grep '^# Totals' /tmp/cow.out)
		t "cow selftest in mode $name: exit 0 ($totals, $(( $(date +%s) - start )) s)" [ "$rc" = 0 ]
		[ "$rc" = 0 ] || grep '^not ok' /tmp/cow.out | head -20 | sed 's/^/#   /'
		if [ "$name" = stock ]; then
			stock_totals=$totals
		else
			t "  ... the same totals as stock" [ "$totals" = "$stock_totals" ]
		fi
	done
done
forklab contpte kernel >/dev/null
forklab mode stock >/dev/null
rmmod forklab
t_done
