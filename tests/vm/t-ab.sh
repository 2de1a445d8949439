#!/bin/sh
# forklab ab end to end, short configurations: each benchmark through the
# driver, every result file there and parsing, every variant in them, the
# module's per-fork figures as each mode must give them, the user's mode
# and scope put back; bpftrace's counts attached per variant; on arm64 the
# contpte policies as variants.
. /forklab/tests/lib.sh
insmod $KO || { nok "insmod"; t_done; exit 1; }
forklab scope comm keep-me >/dev/null
forklab mode passthrough >/dev/null
nmodes=$(modes | wc -l)

# col FILE CASE VARIANT COLUMN: a field of results.csv by its header name
col() {
	awk -F, -v c="$2" -v v="$3" -v name="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) k = i; next }
		$1 == c && $2 == v { print $k }' "$1"
}

A=/tmp/ab-latency
t "ab latency: every mode, order0 and thp-pte, 3 rounds" \
	forklab ab --rounds 3 --warmup 1 --out $A --vary layout=order0,thp-pte latency --size 16M --forks 2
t_grep "  ... prints a table per layout" "latency (thp-pte): us/fork, lower is better, against stock" /tmp/t.out
t_grep "  ... and where the report is" "report: $A/report.md" /tmp/t.out
t "  ... results.json is valid JSON" fl-json-check $A/results.json
[ "$(grep -o '"variant":' $A/results.json | wc -l)" = $((2 * nmodes)) ]
t_cond "  ... results.json holds every variant of both layouts ($((2 * nmodes)))"
[ "$(wc -l < $A/results.csv)" = $((2 * nmodes + 1)) ] && [ "$(wc -l < $A/samples.csv)" = $((6 * nmodes + 1)) ]
t_cond "  ... results.csv: a row per variant; samples.csv: 3 per variant"
t_grep "  ... report.md has the thp-pte table" "### latency thp-pte" $A/report.md
t_grep "  ... plot.gp has the samples" 'pts1 << EOD' $A/plot.gp
[ "$(forklab mode)" = passthrough ] && forklab scope | grep -q 'comm keep-me'
t_cond "  ... the user's mode and scope are back ($(forklab mode), $(forklab scope))"
# 16 MiB is 4096 PTEs; the benchmark's own small mappings come on top
for l in order0 thp-pte; do
	p=$(col $A/results.csv $l perpte ptes_per_fork)
	awk -v p="$p" 'BEGIN { exit !(p >= 4096 && p < 4096 + 2048) }'
	t_cond "  ... $l, perpte: every PTE copied per fork ($p)"
	[ "$(col $A/results.csv $l perpte ptes_per_run)" = 1.00 ]
	t_cond "  ... $l, perpte: one PTE per run"
	[ "$(col $A/results.csv $l passthrough calls_per_fork)" != "" ] &&
		[ "$(col $A/results.csv $l stock calls_per_fork)" = "" ]
	t_cond "  ... $l: the module counts passthrough's calls, not stock's"
done
r=$(col $A/results.csv thp-pte batched ptes_per_run)
awk -v r="$r" 'BEGIN { exit !(r >= 100) }'
t_cond "  ... thp-pte, batched: runs of a 2 MiB folio ($r PTEs per run)"
r=$(col $A/results.csv order0 batched ptes_per_run)
[ "$r" = 1.00 ]
t_cond "  ... order0, batched: small folios give runs of 1 ($r)"
t_exit "ab into a folder that holds results: exit 2" 2 forklab ab --rounds 2 --out $A latency --size 2M
t_grep "  ... says so" "already holds results" /tmp/t.out

t "ab fork-exit: stock vs batched, 2 rounds" \
	forklab ab --rounds 2 --warmup 0 --modes stock,batched --out /tmp/ab-fe fork-exit --size 8M --seconds 1
t_grep "  ... in forks per second, higher is better" "forks/s, higher is better" /tmp/t.out
[ "$(wc -l < /tmp/ab-fe/results.csv)" = 3 ]
t_cond "  ... both variants in results.csv"
t "ab mprotect, 2 threads: stock vs perpte" \
	forklab ab --rounds 2 --warmup 0 --modes stock,perpte --out /tmp/ab-mp mprotect --threads 2 --iterations 2000
t_grep "  ... in ns per call" "ns/call, lower is better" /tmp/t.out
t_exit "ab with a failing benchmark: exit 1" 1 forklab ab --rounds 2 --out /tmp/ab-bad latency --size 3M
t_grep "  ... names the failure" "benchmark failed" /tmp/t.out
[ "$(forklab mode)" = passthrough ]
t_cond "  ... and puts the mode back"

if command -v bpftrace >/dev/null; then
	B=/tmp/ab-bt
	if [ "$(uname -m)" = aarch64 ]; then
		# contpte policies as variants; bpftrace's conversions = the module's invalidations
		t "ab with bpftrace, arm64: batched under kernel, unfold, block on 64 KiB mTHP" \
			forklab ab --rounds 2 --warmup 0 --modes batched --contpte all --bpftrace \
			/forklab/bpftrace/ab-tlb.bt --out $B latency --layout mthp-64k --size 4M --forks 1
		u=$(col $B/results.csv - batched/unfold inval_per_fork)
		b=$(col $B/results.csv - batched/block inval_per_fork)
		awk -v u="$u" -v b="$b" 'BEGIN { exit !(u >= 128 && b == 0) }'
		t_cond "  ... 4 MiB = 64 blocks: unfold >= 128 invalidations per fork ($u), block none ($b)"
		[ "$(col $B/results.csv - batched/unfold bt_tlb_fork_per_fork)" = "$u" ]
		t_cond "  ... bpftrace counts the module's fork invalidations exactly ($u)"
		[ "$(col $B/results.csv - batched/unfold bt_tlb_exit_per_fork)" = \
		  "$(col $B/results.csv - batched/unfold inval_per_exit)" ]
		t_cond "  ... and the exit ones ($(col $B/results.csv - batched/unfold inval_per_exit))"
	else
		t "ab with bpftrace: stock vs batched" \
			forklab ab --rounds 2 --warmup 0 --modes stock,batched --bpftrace \
			/forklab/bpftrace/ab-tlb.bt --out $B latency --size 8M --forks 2
		f=$(col $B/results.csv - batched bt_tlb_fork_per_fork)
		awk -v f="$f" 'BEGIN { exit !(f >= 1) }'
		t_cond "  ... at least one TLB flush per fork ($f)"
	fi
	for v in $(awk -F, 'NR > 1 { print $2 }' $B/results.csv); do
		[ "$(col $B/results.csv - $v bt_forks_per_fork)" = 1.00 ]
		t_cond "  ... $v: bpftrace saw every fork of its runs, no other"
	done
	t_grep "  ... report.md shows bpftrace's maps" "bpftrace @tlb_fork" $B/report.md
else
	nok "bpftrace is available (boot with --sysroot)"
fi
forklab scope all >/dev/null
rmmod forklab
t_done
