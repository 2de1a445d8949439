#!/bin/sh
# The kernel's own mm/cow selftest (built from linux-source-6.12 for the 6.x
# targets, from linux-source-7.3 for the 7.3 ones) in every mode, and on
# arm64 under every contpte policy too: each must exit 0 and give, case by
# case, a result stock gave for that case (pass, xfail or skip).  passthrough
# runs under the kernel policy only: its copy is the kernel's own, so under
# the other policies it takes stock's path through the same helpers (covered
# by stock/POLICY) and the redirect (covered by passthrough/kernel).  Runs
# with hugetlb pages reserved and zram swap, so those cases run too.
#
# Case by case, not by totals: on arm64-7.3 stock itself gives some cases
# xfail in one run and pass in the next (its totals moved between 10, 11 and
# 12 xfails; the vmsplice cases on 64 kB hugetlb, which forklab's walk hands
# to the kernel's copy_hugetlb_page_range()), and a case whose setup could
# not swap a THP out is a skip.  So a mode's result for a case counts when
# stock gave it, and also when it is
#   - skip: the case did not run (its setup, before the fork, skipped it);
#   - pass where stock gave xfail: the kernel's known failure did not happen;
# both are named.  Otherwise stock runs again (twice at most) and the
# result counts if stock gives it then.  What fails: a fail, or an xfail
# (a known failure) where stock passed every time.
. /forklab/tests/lib.sh

# cow_results OUT: "N RESULT" per case of the TAP output OUT, RESULT one of
# pass, xfail, skip, fail (cow numbers its cases the same in every run of
# one guest: the plan depends on the THP and hugetlb sizes only)
cow_results() {
	sed -nE 's/^(not ok|ok) ([0-9]+)(.*)$/\2 \1\3/p' "$1" | awk '{
		if ($2 == "not") r = "fail"; else if ($0 ~ /# XFAIL/) r = "xfail";
		else if ($0 ~ /# SKIP/) r = "skip"; else r = "pass";
		print $1, r }'
}
# cow_unseen: the cases of /tmp/cow.res whose result is not among stock's
# (/tmp/cow.seen: every "N RESULT" stock has given), as "N (RESULT)" words;
# cow_lenient: those of them that count anyway (skip; pass where stock
# gave xfail)
cow_sort_out() {	# cow_sort_out unseen|lenient
	awk -v want="$1" 'NR == FNR { seen[$0] = 1; if ($2 == "xfail") xf[$1] = 1; next }
	     !($0 in seen) { lenient = $2 == "skip" || ($2 == "pass" && ($1 in xf))
	                     if (lenient == (want == "lenient")) printf "%s (%s) ", $1, $2 }' /tmp/cow.seen /tmp/cow.res
}
cow_unseen() { cow_sort_out unseen; }
cow_lenient() { cow_sort_out lenient; }
# cow_name N: case N's description in /tmp/cow.out
cow_name() { sed -nE "s/^(not ok|ok) $1 (.*)$/\2/p" /tmp/cow.out | head -1; }
# cow_stock: one more stock run, its results added to what stock has given
cow_stock() {
	forklab mode stock >/dev/null && forklab contpte kernel >/dev/null
	cow > /tmp/cow.stock 2>&1
	cow_results /tmp/cow.stock | sort -u - /tmp/cow.seen -o /tmp/cow.seen
	stock_runs=$((stock_runs + 1))
}

t "zram swap on" setup_swap_and_hugetlb
t "600 hugetlb pages reserved ($(cat /proc/sys/vm/nr_hugepages))" [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 600 ]
insmod $KO || { nok "insmod"; t_done; exit 1; }

: > /tmp/cow.seen
stock_runs=0
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
		cow_results /tmp/cow.out > /tmp/cow.res
		if [ "$name" = stock ]; then
			sort -u /tmp/cow.res -o /tmp/cow.seen
			stock_runs=1
			[ -s /tmp/cow.seen ]
			t_cond "  ... stock's cases read back ($(wc -l < /tmp/cow.res) of them)"
			continue
		fi
		unseen=$(cow_unseen)
		for c in $unseen; do
			case $c in [0-9]*) echo "#   case $c: $(cow_name "$c")" ;; esac
		done
		for again in 1 2; do
			[ -n "$unseen" ] || break
			cow_stock
			unseen=$(cow_unseen)
			[ -n "$unseen" ] || echo "#   stock gave these results in its run $stock_runs: the kernel's own variation"
		done
		lenient=$(cow_lenient)
		for c in $lenient; do
			case $c in [0-9]*) echo "#   counted, not stock's: case $c: $(cow_name "$c")" ;; esac
		done
		[ -z "$unseen" ]
		t_cond "  ... case by case a result stock gave, a skip, or a pass for its xfail ($stock_runs stock run(s)${unseen:+; not so: $unseen})"
	done
done
# the cases stock itself varied on in this guest, for the log
awk '{ n[$1]++ } END { for (c in n) if (n[c] > 1) printf "%s ", c }' /tmp/cow.seen > /tmp/cow.varied
[ -s /tmp/cow.varied ] && echo "# cow: stock's own result varied for case(s) $(cat /tmp/cow.varied)over $stock_runs runs"
forklab contpte kernel >/dev/null
forklab mode stock >/dev/null
rmmod forklab
t_done
