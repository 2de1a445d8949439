#!/bin/sh
# The differential suite (fl-diff-test) with swap and hugetlb pages, so that
# every kind of mapping it knows is exercised.
. /forklab/tests/lib.sh
t "zram swap and hugetlb pages" setup_swap_and_hugetlb
insmod $KO || { nok "insmod"; t_done; exit 1; }
fl-diff-test
rc=$?
rmmod forklab
exit $rc
