#!/bin/sh
# The fork-latency benchmark's guest side (run by tools/bench): forkbench
# for each folio layout the kernel has, every mode interleaved.
# Settings come from /forklab/bench.env (MIB, ROUNDS, WARMUP).
. /forklab/bench.env
insmod /forklab/forklab.ko || exit 1
layouts="order0 thp-pte"
[ -e /sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled ] && layouts="$layouts mthp-64k"
first=1
for l in $layouts; do
	echo "# layout $l: $MIB MiB, $ROUNDS rounds" >&2
	forkbench --mib "$MIB" --layout "$l" --rounds "$ROUNDS" --warmup "$WARMUP" --csv > /tmp/bench.csv || exit 1
	if [ $first = 1 ]; then cat /tmp/bench.csv; first=0; else tail -n +2 /tmp/bench.csv; fi
done
forklab stats --mode batched | grep -E 'run lengths|walk:' | sed 's/^/# batched /'
rmmod forklab
