#!/bin/sh
# contpte policies.  arm64: the hooks on the kernel's three contpte helpers
# come and go with the policy (module parameter and CLI), and fl-contpte-test
# checks the exact folds, unfolds and blocks of every mode and policy.
# Elsewhere (x86_64, arm64 without CONFIG_ARM64_CONTPTE: PREEMPT_RT): every
# way of asking for a policy is refused, saying why.
. /forklab/tests/lib.sh
hooks() { grep -c '^contpte_' /sys/kernel/tracing/enabled_functions; }

if has_contpte; then
	insmod $KO contpte=unfold || nok "insmod contpte=unfold"
	t "contpte=unfold at load: the CLI shows unfold" [ "$(forklab contpte)" = unfold ]
	t "  ... the three contpte helpers are hooked ($(hooks))" [ "$(hooks)" = 3 ]
	t "forklab contpte block" forklab contpte block
	t "  ... still three hooks ($(hooks))" [ "$(hooks)" = 3 ]
	t_exit "forklab contpte bogus: exit 2" 2 forklab contpte bogus
	t_grep "  ... names the choices" "kernel, unfold, block" /tmp/t.out
	t "forklab contpte kernel" forklab contpte kernel
	t "  ... no hook left ($(hooks))" [ "$(hooks)" = 0 ]
	forklab contpte unfold >/dev/null
	rmmod forklab
	t "rmmod with a policy live leaves no hook ($(hooks))" [ "$(hooks)" = 0 ]
	insmod $KO || nok "insmod"
	/forklab/bin/fl-contpte-test 4 >/tmp/ct.out 2>&1
	rc=$?
	grep '^# .*N=' /tmp/ct.out
	t "fl-contpte-test: every mode under every policy ($(tail -1 /tmp/ct.out))" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || grep '^not ok' /tmp/ct.out | sed 's/^/#   /'
	rmmod forklab
else
	dmesg -c >/dev/null
	t "insmod contpte=unfold on $(uname -m): refused" sh -c "! insmod $KO contpte=unfold"
	dmesg > /tmp/t.out
	t_grep "  ... the kernel log says why" "contpte policies are not supported on this $(contpte_missing)" /tmp/t.out
	t "  ... nothing stays loaded" [ ! -d /sys/module/forklab ]
	t_exit "forklab load --contpte block: exit 5" 5 forklab load --contpte block $KO
	t_grep "  ... says why" "not supported on this kernel" /tmp/t.out
	insmod $KO || nok "insmod"
	t "forklab contpte: kernel" [ "$(forklab contpte)" = kernel ]
	t_exit "forklab contpte unfold: exit 5" 5 forklab contpte unfold
	t_grep "  ... says why" "contpte policies need arm64 with CONFIG_ARM64_CONTPTE" /tmp/t.out
	t "forklab contpte kernel: accepted" forklab contpte kernel
	forklab status >/tmp/st.out
	t_grep "status names the missing support" "other policies not supported on this kernel" /tmp/st.out
	rmmod forklab
fi
t_done
