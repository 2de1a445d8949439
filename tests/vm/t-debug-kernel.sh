#!/bin/sh
# make check-debug's first suite: the kernel under test really is the debug
# kernel (tools/kernels/build-debug checked its .config; this checks that
# what the config asked for is live), so a clean run means something.
. /forklab/tests/lib.sh
dmesg >/tmp/boot.log
t_grep "KASAN is live" "KernelAddressSanitizer initialized" /tmp/boot.log
t_grep "lockdep is live" "Lock dependency validator" /tmp/boot.log
t "a warning panics the kernel (panic_on_warn)" [ "$(cat /proc/sys/kernel/panic_on_warn)" = 1 ]
t "an oops panics the kernel (panic_on_oops)" [ "$(cat /proc/sys/kernel/panic_on_oops)" = 1 ]
t "the release is the debug build's" sh -c 'uname -r | grep -q forklab-debug'
t_done
