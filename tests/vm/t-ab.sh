#!/bin/sh
# forklab ab end to end, short configurations: each benchmark through the
# driver, every result file there and parsing, every variant in them, the
# module's per-fork figures as each mode must give them, the user's mode
# and scope put back; where it ran in every report; the unit under
# --clock icount; a command of the user's (-- CMD) in its cgroup scope;
# 'ab compare' of two folders and its refusals; under icount (a guest
# booted with tools/vm/run --icount) two runs of one variant agreeing
# within 1 %; bpftrace's counts attached per variant; on arm64 the contpte
# policies as variants.  Without THP (Debian's PREEMPT_RT kernels) the
# second layout is file instead of thp-pte, and the benchmark must refuse
# thp-pte clearly.
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

# L: the layout of large folios, where the kernel has THP
if has_thp; then
	L=thp-pte
else
	L=file
	t_exit "no THP: forklab-bench refuses thp-pte: exit 1" 1 forklab-bench latency --layout thp-pte --size 4M
	t_grep "  ... and says why" "layout thp-pte needs THP, and this kernel has none" /tmp/t.out
fi
A=/tmp/ab-latency
t "ab latency: every mode, order0 and $L, 3 rounds" \
	forklab ab --rounds 3 --warmup 1 --out $A --vary layout=order0,$L latency --size 16M --forks 2
if grep -q forklab.clock=icount /proc/cmdline; then unit=k-instr/fork; else unit=ms/fork; fi
t_grep "  ... prints a table per layout" "latency ($L): $unit, lower is better, against stock" /tmp/t.out
t_grep "  ... and a summary line" "summary: " /tmp/t.out
t_grep "  ... and where the report is" "report: $A/report.md" /tmp/t.out
t "  ... results.json is valid JSON" fl-json-check $A/results.json
[ "$(grep -o '"variant":' $A/results.json | wc -l)" = $((2 * nmodes)) ]
t_cond "  ... results.json holds every variant of both layouts ($((2 * nmodes)))"
[ "$(wc -l < $A/results.csv)" = $((2 * nmodes + 1)) ] && [ "$(wc -l < $A/samples.csv)" = $((6 * nmodes + 1)) ]
t_cond "  ... results.csv: a row per variant; samples.csv: 3 per variant"
t_grep "  ... report.md has the $L table" "### latency $L ($unit" $A/report.md
t_grep "  ... report.md says where it ran" "- ran on: TCG" $A/report.md
t_grep "  ... with the kernel's command line" 'command line `console=' $A/report.md
t_grep "  ... and forklab's version" '"forklab_git":"' $A/results.json
t_grep "  ... plot.gp has a forest plot per layout" 'forest1 << EOD' $A/plot.gp
[ "$(forklab mode)" = passthrough ] && forklab scope | grep -q 'comm keep-me'
t_cond "  ... the user's mode and scope are back ($(forklab mode), $(forklab scope))"
# 16 MiB is 4096 PTEs; the benchmark's own small mappings come on top
for l in order0 $L; do
	p=$(col $A/results.csv $l perpte ptes_per_fork)
	awk -v p="$p" 'BEGIN { exit !(p >= 4096 && p < 4096 + 2048) }'
	t_cond "  ... $l, perpte: every PTE copied per fork ($p)"
	[ "$(col $A/results.csv $l perpte ptes_per_run)" = 1.00 ]
	t_cond "  ... $l, perpte: one PTE per run"
	[ "$(col $A/results.csv $l passthrough calls_per_fork)" != "" ] &&
		[ "$(col $A/results.csv $l stock calls_per_fork)" = "" ]
	t_cond "  ... $l: the module counts passthrough's calls, not stock's"
done
h=$(col $A/results.csv $L perpte run_hist_per_fork)
case "$h" in "1:"*) true ;; *) false ;; esac
t_cond "  ... $L, perpte: the run-length histogram has only runs of 1 ($h)"
r=$(col $A/results.csv $L batched ptes_per_run)
if [ $L = thp-pte ]; then
	awk -v r="$r" 'BEGIN { exit !(r >= 100) }'
	t_cond "  ... thp-pte, batched: runs of a 2 MiB folio ($r PTEs per run)"
else
	ok "  ... batched runs of a 2 MiB folio # SKIP no THP in this kernel ($L: $r PTEs per run)"
fi
r=$(col $A/results.csv order0 batched ptes_per_run)
[ "$r" = 1.00 ]
t_cond "  ... order0, batched: small folios give runs of 1 ($r)"
t_exit "ab into a folder that holds results: exit 2" 2 forklab ab --rounds 2 --out $A latency --size 2M
t_grep "  ... says so" "already holds results" /tmp/t.out

# the unit follows the clock, and --clock overrides what /proc/cmdline says
if [ "$unit" = k-instr/fork ]; then oclock=time ounit=ms/fork; else oclock=icount ounit=k-instr/fork; fi
t "ab --clock $oclock: stock vs batched" \
	forklab ab --clock $oclock --rounds 2 --warmup 0 --modes stock,batched --out /tmp/ab-oc latency --size 4M --forks 1
t_grep "  ... $ounit in the table" "latency: $ounit, lower is better" /tmp/t.out
t_grep "  ... results.json: clock and unit" "\"clock\":\"$oclock\",\"unit\":\"$ounit\"" /tmp/ab-oc/results.json
[ "$(grep -c ",$ounit," /tmp/ab-oc/results.csv)" = 2 ] && ! grep -q ",$unit," /tmp/ab-oc/results.csv
t_cond "  ... results.csv: $ounit only"
if [ $oclock = icount ]; then
	t_grep "  ... report.md: instructions are not cycles" "not cycles" /tmp/ab-oc/report.md
else
	! grep -q "not cycles" /tmp/ab-oc/report.md
	t_cond "  ... report.md: no word of instructions"
fi

# compare: two folders of one experiment side by side, refusals otherwise
t "ab again: order0 only, for compare" \
	forklab ab --rounds 3 --warmup 1 --out /tmp/ab-b --vary layout=order0 latency --size 16M --forks 2
t "ab compare A B" forklab ab compare --out /tmp/ab-cmp $A /tmp/ab-b
t_grep "  ... a table of order0" "latency (order0): median $unit" /tmp/t.out
t_grep "  ... $L is named as left out" "left out: $L stock" /tmp/t.out
[ "$(grep -c '^order0,' /tmp/ab-cmp/compare.csv)" = $((2 * nmodes)) ]
t_cond "  ... compare.csv: every order0 variant of both folders"
t_grep "  ... report.md has both environments" "## B: /tmp/ab-b" /tmp/ab-cmp/report.md
t_exit "ab compare $unit with $ounit: exit 2" 2 forklab ab compare --out /tmp/ab-cmp2 $A /tmp/ab-oc
t_grep "  ... says the units differ" "units differ" /tmp/t.out
t_exit "ab compare into a folder with a report: exit 2" 2 forklab ab compare --out /tmp/ab-cmp $A /tmp/ab-b

# -- CMD: any command is the benchmark; its forks, after exec too, are in scope (its cgroup)
t "ab -- forklab-bench latency (a command of the user's): stock vs batched" \
	forklab ab --rounds 2 --warmup 0 --modes stock,batched --out /tmp/ab-cmd -- \
	forklab-bench latency --size 8M --forks 2
if grep -q forklab.clock=icount /proc/cmdline; then cunit=M-instr; else cunit=ms; fi
t_grep "  ... timed as a whole, in $cunit" "command: $cunit, lower is better" /tmp/t.out
p=$(col /tmp/ab-cmd/results.csv - batched ptes_per_fork)
awk -v p="$p" 'BEGIN { exit !(p >= 4096) }'
t_cond "  ... batched redirected the exec'd command's forks: $p PTEs per run (2 forks of 8 MiB: 4096)"
[ "$(col /tmp/ab-cmd/results.csv - stock calls_per_fork)" = "" ]
t_cond "  ... stock: the module not involved"
t_grep "  ... its output in command.log" "fork latency" /tmp/ab-cmd/command.log
[ "$(forklab mode)" = passthrough ] && forklab scope | grep -q 'comm keep-me' && ! ls -d /sys/fs/cgroup/forklab-ab-* 2>/dev/null
t_cond "  ... mode and scope back, its cgroup gone"
t_exit "ab -- false: exit 1" 1 forklab ab --rounds 2 --out /tmp/ab-cmdf -- false
t_grep "  ... names the failure" "the command failed" /tmp/t.out

# icount: the same variant twice in one guest agrees within 1 % (the harness's determinism)
if grep -q forklab.clock=icount /proc/cmdline; then
	t "icount: order0 latency of 128 MiB, stock, twice" \
		forklab ab --rounds 2 --warmup 1 --modes stock --out /tmp/ab-det latency --size 128M --forks 2
	s=$(col /tmp/ab-det/results.csv - stock min) S=$(col /tmp/ab-det/results.csv - stock max)
	awk -v s="$s" -v S="$S" 'BEGIN { exit !(S > 0 && (S - s) / S < 0.01) }'
	t_cond "  ... the two runs agree within 1 % ($s and $S k-instr/fork)"
else
	ok "icount determinism # SKIP the guest is not under icount (tools/vm/run --icount)"
fi

t "ab fork-exit: stock vs batched, 2 rounds" \
	forklab ab --rounds 2 --warmup 0 --modes stock,batched --out /tmp/ab-fe fork-exit --size 8M --seconds 1
if grep -q forklab.clock=icount /proc/cmdline; then
	t_grep "  ... in k-instr per fork, lower is better" "k-instr/fork, lower is better" /tmp/t.out
else
	t_grep "  ... in forks per second, higher is better" "forks/s, higher is better" /tmp/t.out
fi
[ "$(wc -l < /tmp/ab-fe/results.csv)" = 3 ]
t_cond "  ... both variants in results.csv"
t "ab mprotect, 2 threads: stock vs perpte" \
	forklab ab --rounds 2 --warmup 0 --modes stock,perpte --out /tmp/ab-mp mprotect --threads 2 --iterations 2000
t_grep "  ... in ns per call" "call, lower is better" /tmp/t.out
t_exit "ab with a failing benchmark: exit 1" 1 forklab ab --rounds 2 --out /tmp/ab-bad latency --size 3M
t_grep "  ... names the failure" "benchmark failed" /tmp/t.out
[ "$(forklab mode)" = passthrough ]
t_cond "  ... and puts the mode back"

if [ "$(uname -m)" = aarch64 ] && ! has_contpte; then
	# what ab-tlb.bt counts on arm64 is contpte conversions (contpte_convert)
	ok "# SKIP ab with bpftrace: on arm64 ab-tlb.bt counts contpte conversions, and this kernel has no CONFIG_ARM64_CONTPTE"
elif command -v bpftrace >/dev/null; then
	B=/tmp/ab-bt
	if has_contpte; then
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
