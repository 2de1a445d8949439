#!/bin/sh
# The seed-000 experiment's guest side (run by tools/contpte-experiment):
# arm64, 64 KiB anonymous mTHP, fork of a freshly populated area, per copy
# mode and contpte policy: fork latency (forkbench, variants interleaved,
# module-counted invalidations) and the invalidations bpftrace counts
# (fork-totals.bt, one variant at a time).  Settings: /forklab/exp.env.
. /forklab/exp.env
insmod /forklab/forklab.ko || exit 1
modes=stock,perpte,batched policies=kernel,unfold,block
echo "# latency: $MIB MiB, $ROUNDS rounds, fresh area per fork" >&2
forkbench --layout mthp-64k --mib "$MIB" --fresh --rounds "$ROUNDS" --warmup 1 \
	--modes $modes --contpte $policies --csv > /tmp/lat.csv || exit 1
sed 's/^/lat,/' /tmp/lat.csv
for m in $(echo $modes | tr , ' '); do
	for p in $(echo $policies | tr , ' '); do
		echo "# bpftrace: $m/$p" >&2
		bench="/forklab/bin/forkbench --layout mthp-64k --mib $MIB --fresh"
		bench="$bench --rounds $BT_ROUNDS --warmup 0 --modes $m --contpte $p --csv"
		bpftrace /forklab/bpftrace/fork-totals.bt -c "$bench" > /tmp/bt.out 2>/tmp/bt.err
		grep -q "^mthp-64k,$MIB," /tmp/bt.out || { cat /tmp/bt.out /tmp/bt.err >&2; exit 1; }
		fork=$(sed -n 's/^fork: *invalidations \([0-9]*\).*/\1/p' /tmp/bt.out)
		td=$(sed -n 's/^teardown: *invalidations \([0-9]*\).*/\1/p' /tmp/bt.out)
		mod=$(grep "^mthp-64k,$MIB," /tmp/bt.out | cut -d, -f11,12)
		echo "bt,$m/$p,$BT_ROUNDS,$fork,$td,$mod"
	done
done
rmmod forklab
