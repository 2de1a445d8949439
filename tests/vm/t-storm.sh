#!/bin/sh
# Load: forklab's configuration changes every few milliseconds while
# processes fork, exec and exit and threads fault their memory; then the
# module is unloaded and loaded again many times during a fork storm, and
# unload/load cycles must not leak kernel memory.  Every child checks its
# memory against the parent's (fl-forker).
# Seconds and cycles: FL_STORM_SECONDS, FL_STORM_CYCLES, FL_QUIET_CYCLES
# (short in 'make check', long in 'make soak').
. /forklab/tests/lib.sh
STORM=${FL_STORM_SECONDS:-6}
CYCLES=${FL_STORM_CYCLES:-12}
QUIET=${FL_QUIET_CYCLES:-24}

# forkers SECONDS: two fork storms (one with 2 faulting threads and 100
# small VMAs) and a fork+exec loop, in the background, for SECONDS or until
# SIGTERM; pids in $storm.
forkers() {
	fl-forker "$1" 16 2 100 >/tmp/storm1 2>&1 &
	storm="$!"
	fl-forker "$1" 8 >/tmp/storm2 2>&1 &
	storm="$storm $!"
	sh -c 'trap "end=0" TERM; end=$(($(date +%s) + '"$1"')); n=0
		while [ $(date +%s) -lt $end ]; do /bin/true || exit 1; n=$((n + 1)); done
		echo "$n fork+exec"' >/tmp/storm3 2>&1 &
	storm="$storm $!"
}
# forkers_done DESC: waits for them; one result line each.
forkers_done() {
	n=1
	for p in $storm; do
		wait "$p"
		r=$?
		case $n in
		3) what="the fork+exec loop ran through" ;;
		*) what="storm $n saw the parent's memory in every child" ;;
		esac
		t "$1: $what: $(cat /tmp/storm$n)" [ "$r" = 0 ]
		n=$((n + 1))
	done
}
forks() {	# forks of the two fl-forker storms
	cat /tmp/storm1 /tmp/storm2 | sed -n 's/^fl-forker: \([0-9]*\) forks.*/\1/p' | awk '{n += $1} END {print n + 0}'
}

# 1. Switches during a storm.
insmod $KO || { nok "insmod"; t_done; exit 1; }
forkers "$STORM"
t_tap "switches: " fl-switcher "$STORM" 2000 $storm
forkers_done "switches"
n=$(forks)
t "switches: load held: 3 processes, $n forks with memory checks in $STORM s ($((n / STORM))/s), plus $(cat /tmp/storm3)" \
	[ "$n" -gt 0 ]
rmmod forklab

# Kernel memory the module could leak: slab, per-CPU and vmalloc (module
# text, per-CPU counters, scopes, ftrace records), in KiB, with per-CPU
# vmstat deltas folded and caches dropped first.
kmem() {
	sync; echo 3 >/proc/sys/vm/drop_caches; echo 1 >/proc/sys/vm/stat_refresh
	awk '/^(SUnreclaim|Percpu|VmallocUsed):/ {s += $2} END {print s}' /proc/meminfo
}
# Free memory in KiB, counting the pages parked on the per-CPU free lists
# (MemFree leaves them out, and they move by megabytes between two reads).
memfree() {
	awk '/^ *count:/ {pcp += $2} END {print pcp * 4}' /proc/zoneinfo >/tmp/pcp
	awk -v pcp="$(cat /tmp/pcp)" '/^MemFree:/ {print $2 + pcp}' /proc/meminfo
}
# cycle MODE: one load, a few forks in MODE, one unload
cycle() { insmod $KO mode="$1" && fl-forker 1 1 >/dev/null && rmmod forklab; }

# 2. Unload and load again during a storm, in every redirected mode.
cycle batched
kmem_before=$(kmem)
forkers 100000	# until the cycles are done
i=0 failed=0
while [ $i -lt "$CYCLES" ]; do
	case $((i % 3)) in 0) m=passthrough ;; 1) m=perpte ;; 2) m=batched ;; esac
	insmod $KO mode=$m || failed=$((failed + 1))
	usleep 100000
	rmmod forklab || failed=$((failed + 1))
	i=$((i + 1))
done
kill -TERM $storm
t "cycles: $CYCLES insmod/rmmod (passthrough, perpte, batched) during a fork storm ($failed failed)" [ "$failed" = 0 ]
forkers_done "cycles"
t "cycles: the module is gone" sh -c '! [ -d /sys/module/forklab ]'
kmem_after=$(kmem)
# The storm's own slab churn (task structs, page tables, anon_vmas) settles
# to within a few hundred KiB; 2 MiB bounds it.
t "cycles: slab+percpu+vmalloc after the storm within 2048 KiB of before ($kmem_before -> $kmem_after KiB)" \
	[ $((kmem_after - kmem_before)) -le 2048 ]

# 3. Quiet cycles: what one load/unload leaves behind, without the storm's noise.
kmem_before=$(kmem) free_before=$(memfree)
i=0 failed=0
while [ $i -lt "$QUIET" ]; do
	case $((i % 3)) in 0) m=passthrough ;; 1) m=perpte ;; 2) m=batched ;; esac
	cycle $m || failed=$((failed + 1))
	i=$((i + 1))
done
kmem_after=$(kmem) free_after=$(memfree)
t "quiet cycles: $QUIET load/fork/unload cycles ($failed failed)" [ "$failed" = 0 ]
# 256 KiB over 24 cycles: a leak of 12 KiB or more per load shows.
t "quiet cycles: slab+percpu+vmalloc within 256 KiB ($kmem_before -> $kmem_after KiB)" \
	[ $((kmem_after - kmem_before)) -le 256 ]
t "quiet cycles: free memory (MemFree + per-CPU free lists) within 4096 KiB ($free_before -> $free_after KiB)" \
	[ $((free_before - free_after)) -le 4096 ]
t_done
