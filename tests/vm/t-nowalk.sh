#!/bin/sh
# forklab built as on a release it has no copy walk for (Kbuild's FL_WALK=none,
# tools/build/target builds it as forklab-nowalk.ko): it loads, stock and
# passthrough work (the redirect, its counters and the handshake do not
# depend on mm/memory.c), and perpte, batched and the contpte policies are
# refused everywhere with the reason: at load, by the CLI, by the ioctl.
. /forklab/tests/lib.sh
NKO=/forklab/forklab-nowalk.ko
[ -f $NKO ] || { nok "no $NKO (tools/build/target builds it)"; t_done; exit 1; }

mark=$(dmesg | wc -l)
t_exit "insmod mode=perpte is refused: exit 95 (EOPNOTSUPP)" 95 insmod $NKO mode=perpte
dmesg | tail -n +$((mark + 1)) > /tmp/dmesg.out
t_grep "  ... and dmesg says the module has no walk, and which modes it has" \
	"mode=perpte: this module was built without forklab's copy walk.*only the modes stock and passthrough" /tmp/dmesg.out
t "  ... nothing stays loaded" [ ! -d /sys/module/forklab ]
if has_contpte; then
	t_exit "insmod contpte=unfold is refused: exit 95 (EOPNOTSUPP)" 95 insmod $NKO contpte=unfold
	dmesg | tail -5 > /tmp/dmesg.out
	t_grep "  ... dmesg says why" "contpte=unfold: this module was built without forklab's copy walk" \
		/tmp/dmesg.out
fi

t "insmod (stock)" insmod $NKO
t_exit "forklab mode --list" 0 forklab mode --list
cp /tmp/t.out /tmp/list.out
sed 's/^/#   /' /tmp/list.out
[ "$(modes | tr '\n' ' ')" = "stock passthrough " ]
t_cond "  ... offers stock and passthrough only ($(modes | tr '\n' ' '))"
t_grep "  ... and says why perpte is missing" "perpte .*\[not supported here\]" /tmp/list.out
t_grep "  ... the reason names the walk and the releases that have it" \
	"built without forklab's copy walk, which exists for Linux 6.1.y, 6.12.y and 7.3.y only" /tmp/list.out
t_exit "forklab mode batched: exit 5 (FL_EXIT_UNSUPPORTED)" 5 forklab mode batched
t_grep "  ... the reason" "built without forklab's copy walk" /tmp/t.out
t "  ... the mode stays stock" sh -c '[ "$(forklab mode)" = stock ]'
t "forklab --json status" sh -c 'forklab --json status > /tmp/st.json'
t_grep "  ... modes_supported is stock and passthrough" '"modes_supported":\["stock","passthrough"\]' /tmp/st.json
[ "$(policies | tr '\n' ' ')" = "kernel " ]
t_cond "  ... contpte: kernel only ($(policies | tr '\n' ' '))"
mark=$(dmesg | wc -l)
t "echo batched > /sys/module/forklab/parameters/mode fails" sh -c '! echo batched > /sys/module/forklab/parameters/mode'
dmesg | tail -n +$((mark + 1)) > /tmp/dmesg.out
t_grep "  ... dmesg says why" "mode=batched: this module was built without forklab's copy walk" /tmp/dmesg.out
t "  ... the mode stays stock" [ "$(cat /sys/module/forklab/parameters/mode)" = stock ]
t "forklab mode passthrough" forklab mode passthrough
before=$(forklab --json stats --mode passthrough | sed 's/.*"mode":"passthrough","calls":\([0-9]*\).*/\1/')
t "  ... forks work (fl-forker 2 4)" fl-forker 2 4
after=$(forklab --json stats --mode passthrough | sed 's/.*"mode":"passthrough","calls":\([0-9]*\).*/\1/')
[ "$after" -gt "$before" ]
t_cond "  ... through the redirect (calls $before -> $after)"
t "forklab mode stock, rmmod" sh -c 'forklab mode stock >/dev/null && rmmod forklab'
t_done
