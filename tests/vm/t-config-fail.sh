#!/bin/sh
# A SET_CONFIG that fails leaves the configuration as it was, even when
# putting the old contpte policy back would have needed its hooks again
# (fl-config-fail).  tests/kmod/fl_ipmodify_user holds copy_page_range
# (kind=ftrace: every mode with a redirect fails with EBUSY) and, with
# lurk=, takes contpte_wrprotect_ptes the moment forklab lets go of it.
# arm64 with CONFIG_ARM64_CONTPTE only (contpte policies); elsewhere
# fl-config-fail skips.
. /forklab/tests/lib.sh
UKO=/forklab/fl_ipmodify_user.ko
U=fl_ipmodify_user

[ -f $UKO ] || { nok "no $UKO (tools/build/target builds it)"; t_done; exit 1; }
if ! has_contpte; then
	t_tap "" fl-config-fail lurk
	t_done
	exit
fi
# forklab takes the contpte helpers first (policy unfold), then the lurker waits
t "insmod forklab, contpte unfold, then $U kind=ftrace lurk=contpte_wrprotect_ptes" \
	sh -c "insmod $KO && forklab contpte unfold && insmod $UKO kind=ftrace lurk=contpte_wrprotect_ptes"
t_tap "lurk: " fl-config-fail lurk
t "rmmod $U" rmmod $U
t "insmod $U kind=ftrace (no lurker)" insmod $UKO kind=ftrace
t_tap "undo: " fl-config-fail undo
t "rmmod $U" rmmod $U
t "forks work afterwards in passthrough" sh -c 'forklab mode passthrough >/dev/null && fl-forker 1 4 && forklab mode stock >/dev/null'
t "rmmod forklab" rmmod forklab
[ -d /sys/module/$U ] && rmmod $U
t_done
