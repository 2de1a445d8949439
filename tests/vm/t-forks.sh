#!/bin/sh
# Fork and exec in every mode with memory checks (unloading during a storm
# is t-storm.sh's).
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
t_done
