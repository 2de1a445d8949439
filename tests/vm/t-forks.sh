#!/bin/sh
# Fork and exec in every mode with memory checks, and unloading in the middle
# of a fork storm: nobody may be inside module text when it goes.
. /forklab/tests/lib.sh
insmod $KO || { nok "insmod"; t_done; exit 1; }

calls() { forklab --json stats --mode "$1" | sed 's/.*"mode":"'"$1"'","calls":\([0-9]*\).*/\1/'; }
for m in $(modes); do
	t "mode $m" forklab mode "$m"
	before=$(calls "$m")
	t "  $m: fork storm with memory checks (3 s, 16 MiB)" fl-forker 3 16
	t "  $m: fork storm with 2 faulting threads and 200 VMAs (3 s)" fl-forker 3 8 2 200
	t "  $m: 50 fork+exec of /bin/true" sh -c 'i=0; while [ $i -lt 50 ]; do /bin/true || exit 1; i=$((i+1)); done'
	after=$(calls "$m")
	if [ "$m" = stock ]; then
		t "  $m: the module's copy path never ran" [ "$after" = "$before" ]
	else
		t "  $m: the module's copy path ran ($before -> $after calls)" [ "$after" -gt "$before" ]
	fi
done
forklab mode stock >/dev/null
rmmod forklab

fl-forker 15 8 >/tmp/storm1 2>&1 &
s1=$!
fl-forker 15 8 >/tmp/storm2 2>&1 &
s2=$!
cycles=0 failed=0
while [ $cycles -lt 12 ]; do
	# the redirected modes in turn: unloading must be safe from inside the walk too
	case $((cycles % 3)) in 0) m=passthrough ;; 1) m=perpte ;; 2) m=batched ;; esac
	insmod $KO mode=$m || failed=$((failed + 1))
	usleep 200000
	rmmod forklab || failed=$((failed + 1))
	cycles=$((cycles + 1))
done
t "12 insmod/rmmod cycles (passthrough, perpte, batched) during a fork storm ($failed failures)" [ "$failed" = 0 ]
wait $s1; r1=$?
wait $s2; r2=$?
t "  ... the storm saw correct memory in every child: $(cat /tmp/storm1)" [ "$r1" = 0 ]
t "  ... and in the second storm: $(cat /tmp/storm2)" [ "$r2" = 0 ]
t "  ... and the module is gone" sh -c '! [ -d /sys/module/forklab ]'
t_done
