#!/bin/sh
# Module lifetime in the guest: load parameters, the redirect's ftrace
# registration, ftrace_enabled protection, and that unloading leaves nothing.
. /forklab/tests/lib.sh
EF=/sys/kernel/tracing/enabled_functions
redirect_live() { grep -q '^copy_page_range' $EF; }

t "insmod with mode=bogus is refused" sh -c "! insmod $KO mode=bogus"
dmesg | tail -5 > /tmp/dmesg.tail
t_grep "  ... and dmesg names the bad mode" "unknown mode 'bogus'" /tmp/dmesg.tail
t "  ... and nothing is left loaded" sh -c '! [ -d /sys/module/forklab ]'

t "insmod with defaults" insmod $KO
t "/dev/forklab exists" test -c /dev/forklab
t_exit "starts in mode stock" 0 sh -c '[ "$(forklab mode)" = stock ]'
t "stock registers no ftrace user on copy_page_range" sh -c "! grep -q '^copy_page_range' $EF"
t "forklab mode passthrough" forklab mode passthrough
t "passthrough registers an IPMODIFY ftrace user on copy_page_range" sh -c "grep '^copy_page_range' $EF | grep -q ' I '"
t_exit "kernel.ftrace_enabled=0 is refused while the redirect is live" 1 \
	sh -c 'echo 0 > /proc/sys/kernel/ftrace_enabled'
t "  ... and ftrace stays enabled" sh -c '[ "$(cat /proc/sys/kernel/ftrace_enabled)" = 1 ]'
t "forklab mode stock" forklab mode stock
t "stock unregisters the redirect" sh -c "! grep -q '^copy_page_range' $EF"
if echo 0 > /proc/sys/kernel/ftrace_enabled 2>/dev/null; then
	t_exit "with ftrace disabled, a mode switch fails with exit 6" 6 forklab mode passthrough
	t_grep "  ... and says why and what to do" "kernel.ftrace_enabled is 0.*sysctl kernel.ftrace_enabled=1" /tmp/t.out
	t "  ... and the mode stays stock" sh -c '[ "$(forklab mode)" = stock ]'
	echo 1 > /proc/sys/kernel/ftrace_enabled
elif dmesg | grep -q 'The ftrace_enabled file is deprecated and no longer disables ftrace'; then
	# 7.3 refuses every write of 0 (EOPNOTSUPP), redirect or not
	ok "kernel.ftrace_enabled can no longer disable ftrace on this kernel (deprecated: the kernel refuses 0 itself)"
else
	nok "kernel.ftrace_enabled=0 could be set with forklab in stock"
fi

# The parameters show the live configuration and change it through the
# ioctl's path: a bad write fails, says why in dmesg and changes nothing.
P=/sys/module/forklab/parameters
t "forklab mode batched" forklab mode batched
t "  ... $P/mode shows it ($(cat $P/mode))" [ "$(cat $P/mode)" = batched ]
t "echo perpte > $P/mode" sh -c "echo perpte > $P/mode"
t "  ... forklab mode says perpte" [ "$(forklab mode)" = perpte ]
mark=$(dmesg | wc -l)
t "echo bogus > $P/mode fails" sh -c "! echo bogus > $P/mode"
dmesg | tail -n +$((mark + 1)) > /tmp/dmesg.out
t_grep "  ... dmesg names the bad mode" "unknown mode 'bogus' for the mode parameter" /tmp/dmesg.out
t "  ... the mode stays perpte" [ "$(forklab mode)" = perpte ]
t "  ... and forks still work" fl-forker 1 4
if has_contpte; then
	t "echo block > $P/contpte" sh -c "echo block > $P/contpte"
	t "  ... forklab contpte says block" [ "$(forklab contpte)" = block ]
	t "echo kernel > $P/contpte" sh -c "echo kernel > $P/contpte"
else
	mark=$(dmesg | wc -l)
	t "echo unfold > $P/contpte fails on $(uname -m)" sh -c "! echo unfold > $P/contpte"
	dmesg | tail -n +$((mark + 1)) > /tmp/dmesg.out
	t_grep "  ... dmesg says the policies need arm64" "contpte=unfold: contpte policies are not supported on this $(contpte_missing)" /tmp/dmesg.out
fi
t "  ... $P/contpte shows kernel" [ "$(cat $P/contpte)" = kernel ]
t "echo passthrough > $P/mode" sh -c "echo passthrough > $P/mode"
t "  ... registers the redirect" redirect_live
t "rmmod while the redirect is live" rmmod forklab
t "  ... removes /dev/forklab" sh -c '! [ -e /dev/forklab ]'
t "  ... removes /sys/module/forklab" sh -c '! [ -d /sys/module/forklab ]'
t "  ... unregisters the redirect" sh -c "! grep -q '^copy_page_range' $EF"
t "  ... and forks still work" fl-forker 1 4

t "insmod mode=passthrough" insmod $KO mode=passthrough
t "  ... starts in passthrough" sh -c '[ "$(forklab mode)" = passthrough ] && grep -q "^copy_page_range" '$EF
t "rmmod" rmmod forklab
t_exit "forklab status without the module: exit 3" 3 forklab status
t_grep "  ... and says how to load it" "forklab load" /tmp/t.out
t "forklab load --mode passthrough finds ../forklab.ko" forklab load --mode passthrough
t "  ... and the module runs in passthrough" sh -c '[ "$(forklab mode)" = passthrough ]'
t_exit "forklab load again: exit 1 (already loaded)" 1 forklab load
exec 3</dev/forklab
t_exit "forklab unload while /dev/forklab is open: exit 1" 1 forklab unload
t_grep "  ... and says it is in use" "in use" /tmp/t.out
exec 3<&-
t "forklab unload" forklab unload
t_exit "forklab unload again: exit 3" 3 forklab unload
t_done
