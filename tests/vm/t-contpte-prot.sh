#!/bin/sh
# No PTE_CONT without PTE_VALID in a child (fl-contpte-prot): 64 KiB mTHP
# memory, half of it PROT_NONE, forked in every mode under every contpte
# policy; the child's PTEs are read from its page table through
# tests/kmod/fl_pinner.  arm64 only (elsewhere fl-contpte-prot skips).
. /forklab/tests/lib.sh
PKO=/forklab/fl_pinner.ko

[ -f $PKO ] || { nok "no $PKO (tools/build/target builds it)"; t_done; exit 1; }
t "insmod forklab and fl_pinner" sh -c "insmod $KO && insmod $PKO"
t_tap "" fl-contpte-prot
t "forklab mode stock, contpte kernel" sh -c 'forklab mode stock >/dev/null && forklab contpte kernel >/dev/null'
rmmod fl_pinner
rmmod forklab
t_done
