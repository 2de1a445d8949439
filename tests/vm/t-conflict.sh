#!/bin/sh
# Another IPMODIFY ftrace user on copy_page_range (tests/kmod/fl_ipmodify_user:
# a kprobe with a post_handler, or a livepatch-like ftrace_ops): ftrace allows
# one per function, so forklab's redirect and the other user must refuse each
# other cleanly in both orders, saying why, with forks working throughout.
. /forklab/tests/lib.sh
EF=/sys/kernel/tracing/enabled_functions
UKO=/forklab/fl_ipmodify_user.ko
U=fl_ipmodify_user

[ -f $UKO ] || { nok "no $UKO (tools/build/target builds it)"; t_done; exit 1; }

hits() { cat /sys/module/$U/parameters/hits; }
calls() { forklab --json stats --mode passthrough | sed 's/.*"mode":"passthrough","calls":\([0-9]*\).*/\1/'; }
# forks_seen COUNTER DESC: forks work (fl-forker 1 4), and COUNTER (hits or
# calls) rose with them
forks_seen() {
	before=$($1)
	t "  ... forks work (fl-forker 1 4)" fl-forker 1 4
	after=$($1)
	t "  ... $2 ($1 $before -> $after)" [ "$after" -gt "$before" ]
}
ipmodify_user() { grep '^copy_page_range' $EF | grep -q ' I '; }
# show FILE's lines (or the kernel log's new ones) in the TAP output
show() { sed 's/^/#   | /' "$@"; }
# The kernel log since the last mark (not cleared: tools/vm/run checks all of it).
mark() { marked=$(dmesg | wc -l); }
new_dmesg() { dmesg | tail -n +$((marked + 1)) > /tmp/dmesg.out; show /tmp/dmesg.out; mark; }

# The other user first, forklab's redirect refused; then the other way round.
other_first() {
	k=$1
	echo "# --- kind=$k first, then forklab's redirect"
	mark
	t "insmod $U kind=$k" insmod $UKO kind=$k
	t "  ... an IPMODIFY user now holds copy_page_range" ipmodify_user
	grep '^copy_page_range' $EF | show
	t_exit "forklab load --mode passthrough: exit 6 (FL_EXIT_BUSY)" 6 forklab load --mode passthrough
	show /tmp/t.out
	t_grep "  ... the CLI names the holder from enabled_functions" "load: another ftrace user .*(enabled_functions: 'copy_page_range" /tmp/t.out
	new_dmesg
	t_grep "  ... dmesg names the conflict" \
		"cannot redirect copy_page_range: another ftrace user already modifies its instruction pointer" /tmp/dmesg.out
	t "  ... nothing of forklab stays loaded" [ ! -d /sys/module/forklab ]
	t "insmod forklab (stock)" insmod $KO
	mark
	t_exit "forklab mode passthrough: exit 6 (FL_EXIT_BUSY)" 6 forklab mode passthrough
	show /tmp/t.out
	t_grep "  ... the CLI names the holder from enabled_functions" "set mode: another ftrace user .*(enabled_functions: 'copy_page_range" /tmp/t.out
	t_grep "  ... and what to do" "remove it .*then retry" /tmp/t.out
	new_dmesg
	t_grep "  ... dmesg names the conflict" \
		"cannot redirect copy_page_range: another ftrace user already modifies its instruction pointer" /tmp/dmesg.out
	t_grep "  ... and what to do" "remove the other user, then retry" /tmp/dmesg.out
	t "  ... the mode stays stock" sh -c '[ "$(forklab mode)" = stock ]'
	t "  ... the other user still holds copy_page_range" ipmodify_user
	forks_seen hits "and the other user saw them"
	t "rmmod $U" rmmod $U
	t "  ... copy_page_range is free" sh -c "! grep -q '^copy_page_range' $EF"
	t "forklab mode passthrough now succeeds" forklab mode passthrough
	forks_seen calls "through forklab's copy path"
	t "forklab mode stock and rmmod forklab" sh -c 'forklab mode stock >/dev/null && rmmod forklab'
	new_dmesg
}

forklab_first() {
	k=$1
	echo "# --- forklab's redirect first, then kind=$k"
	mark
	t "insmod forklab, forklab mode passthrough" sh -c "insmod $KO && forklab mode passthrough"
	t "  ... forklab's IPMODIFY user holds copy_page_range" ipmodify_user
	grep '^copy_page_range' $EF | show
	mark
	if [ $k = kprobe ] && insmod $UKO kind=$k >/tmp/t.out 2>&1; then
		# 7.3's __register_kprobe() drops arm_kprobe()'s error (its
		# guard() rework returns 0 after taking the probe back out), so
		# the kprobe "registers" without ever being armed.  What matters
		# here is that it did not get copy_page_range.
		new_dmesg
		t "  ... the kernel registered the kprobe without arming it (its register_kprobe() lost the EBUSY): forklab's handler alone on copy_page_range" \
			sh -c "grep '^copy_page_range' $EF | grep -q fl_ftrace_handler && ! grep '^copy_page_range' $EF | grep -q kprobe_ftrace_handler"
		grep '^copy_page_range' $EF | show
		t "  ... rmmod the unarmed $U" rmmod $U
	else
		# busybox insmod exits with the errno, and retries with
		# init_module() when finit_module() fails: the module's message
		# shows up twice.
		t_exit "insmod $U kind=$k is refused: exit 16 (EBUSY)" 16 insmod $UKO kind=$k
		show /tmp/t.out
		t_grep "  ... insmod says the function is busy" "Device or resource busy" /tmp/t.out
		new_dmesg
		t_grep "  ... its message names the conflict (EBUSY)" \
			"$U: .* on copy_page_range failed: error -16 (another ftrace user already modifies its instruction pointer" \
			/tmp/dmesg.out
		t "  ... nothing of it stays loaded" [ ! -d /sys/module/$U ]
	fi
	t "  ... forklab still holds copy_page_range" ipmodify_user
	t "  ... and stays in passthrough" sh -c '[ "$(forklab mode)" = passthrough ]'
	forks_seen calls "through forklab's copy path"
	t "rmmod forklab" rmmod forklab
	t "insmod $U kind=$k now succeeds" insmod $UKO kind=$k
	t "  ... it holds copy_page_range" ipmodify_user
	forks_seen hits "and it saw them"
	t "rmmod $U" rmmod $U
	t "  ... copy_page_range is free" sh -c "! grep -q '^copy_page_range' $EF"
	t "  ... forks work" fl-forker 1 4
	new_dmesg
}

# Which kinds conflict here.  kind=kprobe needs KPROBES_ON_FTRACE (x86_64);
# where the kprobe is a breakpoint (arm64) the module refuses to load.
kinds=ftrace
mark
if insmod $UKO kind=kprobe >/tmp/t.out 2>&1; then
	ok "kind=kprobe loads: this kernel arms a post_handler kprobe through ftrace"
	t "  ... as an IPMODIFY user of copy_page_range" ipmodify_user
	grep '^copy_page_range' $EF | show
	t "rmmod $U" rmmod $U
	kinds="kprobe ftrace"
else
	show /tmp/t.out
	new_dmesg
	if [ "$(uname -m)" = x86_64 ]; then
		nok "kind=kprobe refused on x86_64, where KPROBES_ON_FTRACE should arm it through ftrace"
	else
		ok "kind=kprobe refused on $(uname -m): the kprobe is not ftrace-based here"
		t_grep "  ... and the module says why" "by breakpoint, not through ftrace" /tmp/dmesg.out
		t "  ... nothing stays loaded" [ ! -d /sys/module/$U ]
	fi
fi
for k in $kinds; do
	other_first $k
	forklab_first $k
done

# arm64 with contpte: the contpte hooks are on other functions, so the other
# user on copy_page_range must not get in their way.
if has_contpte; then
	echo "# --- contpte policy with another IPMODIFY user on copy_page_range"
	mark
	t "insmod $U kind=ftrace, insmod forklab" sh -c "insmod $UKO kind=ftrace && insmod $KO"
	t "forklab contpte unfold" forklab contpte unfold
	t "  ... the three contpte helpers are hooked" [ "$(grep -c '^contpte_' $EF)" = 3 ]
	grep -E '^(contpte_|copy_page_range)' $EF | show
	t "  ... the other user still holds copy_page_range" ipmodify_user
	forks_seen hits "and the other user saw them"
	t "forklab contpte kernel" forklab contpte kernel
	t "  ... no contpte hook left" [ "$(grep -c '^contpte_' $EF)" = 0 ]
	t "rmmod forklab and $U" sh -c "rmmod forklab && rmmod $U"
	new_dmesg
fi

t "nothing left loaded, copy_page_range free" \
	sh -c "[ ! -d /sys/module/forklab ] && [ ! -d /sys/module/$U ] && ! grep -q '^copy_page_range' $EF"
# after a failure, do not leave the other user to the next suites
[ -d /sys/module/$U ] && rmmod $U
t_done
