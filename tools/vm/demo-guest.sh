#!/bin/sh
# The demo's guest side: load forklab, toggle modes under a fork workload,
# show what the module saw.  Run by tools/demo through tools/vm/run.
set -e
say() { printf '\n== %s\n' "$*"; }
say "insmod forklab.ko (mode stock: no redirect registered)"
insmod /forklab/forklab.ko
forklab status
say "forklab mode --list"
forklab mode --list
for m in $(forklab mode --list | sed 's/^[* ] //' | grep -v 'not supported' | awk '{print $1}'); do
	say "forklab mode $m; fork storm of a 16 MiB process for 3 s"
	forklab mode "$m"
	fl-forker 3 16
done
forklab mode stock
say "forklab stats (per mode: copy_page_range calls and their latency histogram)"
forklab stats
say "forklab --json status"
forklab --json status
rmmod forklab
say "rmmod forklab: done"
