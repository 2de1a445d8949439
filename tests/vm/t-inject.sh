#!/bin/sh
# 6.1's batched copy against a GUP-fast pin that lands after the copy has
# decided that a large folio may be shared and before its pages' rmap is
# duplicated.  The test build forklab-inject.ko (module/inject.h) makes
# that certain: it pins the folio of every batched anonymous run there, as
# GUP-fast pins, and drops the pin after the run, as GUP-fast does when it
# sees that a fork ran meanwhile.  The run must go through (a copy that
# asked again page by page got -EBUSY there, under a BUG_ON that kills the
# guest), the memory must be right in parent and child and the books
# balance (fl-pinrace), and every pin must be released.
. /forklab/tests/lib.sh
IKO=/forklab/forklab-inject.ko
PKO=/forklab/fl_pinner.ko
SECS=${FL_RACE_SECONDS:-4}

case "$TARGET" in
*-6.1) ;;
*)	ok "# SKIP the injection point is in 6.1's walk only: from 6.12 on, whether a folio may be shared is decided and acted on in one kernel call"
	t_done; exit ;;
esac
[ -f $IKO ] || { nok "no $IKO (tools/build/target builds it for 6.1)"; t_done; exit 1; }
hugetlb=$(cat /proc/sys/vm/nr_hugepages)
echo 0 > /proc/sys/vm/nr_hugepages	# every iteration wants a fresh THP
pins() { awk -v k="nr_foll_pin_$1" '$1 == k { print $2 }' /proc/vmstat; }
acquired0=$(pins acquired) released0=$(pins released)

t "insmod forklab-inject.ko mode=batched inject_pin_every=1" \
	insmod $IKO mode=batched inject_pin_every=1
t "insmod fl_pinner" insmod $PKO
t_tap "pinrace: " fl-pinrace "$SECS"
grep '^# pinrace' /tmp/t.tap
injected=$(cat /sys/module/forklab/parameters/inject_pins 2>/dev/null || echo 0)
[ "$injected" -gt 0 ]
t_cond "pins taken mid-run by the injection point: $injected"
rmmod fl_pinner
rmmod forklab
echo "$hugetlb" > /proc/sys/vm/nr_hugepages
acquired=$(($(pins acquired) - acquired0)) released=$(($(pins released) - released0))
[ "$acquired" = "$released" ] && [ "$acquired" -ge "$injected" ]
t_cond "every pin released: $acquired acquired, $released released (/proc/vmstat)"
t_done
