#!/bin/sh
# The CLI against the real module: JSON fields, privileges, scopes by cgroup.
. /forklab/tests/lib.sh
insmod $KO || { nok "insmod"; t_done; exit 1; }

t "forklab status" forklab status
t_grep "  ... names the running kernel" "$(uname -r)" /tmp/t.out
t "forklab --json status" forklab --json status
t_grep "  ... has the release" "\"release\":\"$(uname -r)\"" /tmp/t.out
t_grep "  ... has the supported modes" '"modes_supported":\["stock","passthrough"' /tmp/t.out
t_exit "forklab mode bogus: exit 2" 2 forklab mode bogus
ls -l /dev/forklab >/tmp/t.out 2>&1
t_grep "the node is 0644" "^crw-r--r--" /tmp/t.out
t "as nobody, status works" su -s /bin/sh -c 'forklab status' nobody
t "  ... and stats" su -s /bin/sh -c 'forklab stats' nobody
t_exit "  ... but mode passthrough: exit 4" 4 su -s /bin/sh -c 'forklab mode passthrough' nobody
t_grep "  ... which says it needs CAP_SYS_ADMIN" "CAP_SYS_ADMIN" /tmp/t.out
t_exit "  ... and stats --reset: exit 4" 4 su -s /bin/sh -c 'forklab stats --reset' nobody
t "  ... and the mode did not change" sh -c '[ "$(forklab mode)" = stock ]'
chmod 0600 /dev/forklab
t_exit "as nobody, status on a node narrowed to 0600: exit 4" 4 su -s /bin/sh -c 'forklab status' nobody
t_grep "  ... and says to run as root" "run as root" /tmp/t.out
chmod 0644 /dev/forklab

# A cgroup scope: forks inside the cgroup are redirected, outside are not.
redirected() { forklab --json stats | sed 's/.*"redirected":\([0-9]*\).*/\1/'; }
mkdir -p /sys/fs/cgroup/fl-test
t "forklab scope cgroup /sys/fs/cgroup/fl-test" forklab scope cgroup /sys/fs/cgroup/fl-test
t_grep "  ... reported root-relative" "scope: cgroup /fl-test" /tmp/t.out
t "forklab mode passthrough" forklab mode passthrough
before=$(redirected)
fl-forker 1 1 >/dev/null
mid=$(redirected)
sh -c 'echo $$ > /sys/fs/cgroup/fl-test/cgroup.procs && exec fl-forker 1 1' >/dev/null
after=$(redirected)
t "forks outside the cgroup are not redirected ($before -> $mid)" [ "$mid" = "$before" ]
t "forks inside the cgroup are redirected ($mid -> $after)" [ "$after" -gt "$mid" ]
t "forklab scope all" forklab scope all
# in stock, the shell's own forks (to run forklab) do not count
t "forklab mode stock" forklab mode stock
t "forklab stats --reset" forklab stats --reset
t "  ... zeroes the counters" [ "$(redirected)" = 0 ]
t "forklab --json stats" forklab --json stats
t_grep "  ... lists every mode with a histogram" '"mode":"passthrough","calls":0,"errors":0,"time_ns":0,"time_hist_log2_ns":\[' /tmp/t.out
rmdir /sys/fs/cgroup/fl-test
t "rmmod" rmmod forklab
t_done
