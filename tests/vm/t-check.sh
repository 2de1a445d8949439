#!/bin/sh
# forklab check in the guest, each line against what the guest really has:
# its release and arch, no kernel config and no headers in the initramfs,
# securityfs not mounted and then mounted, no EFI; with and without the
# module, with forklab and with another user holding copy_page_range, as
# root and as nobody; the exit status and the JSON.
. /forklab/tests/lib.sh
R=$(uname -r)
M=$(uname -m)
UKO=/forklab/fl_ipmodify_user.ko

# t_line DESC STATUS NAME TEXT...: the line of check NAME in /tmp/t.out has
# STATUS and every TEXT (fixed strings)
t_line() {
	desc=$1 st=$2 name=$3
	shift 3
	l=$(grep -E "^(ok|missing|warn) +$name: " /tmp/t.out)
	good=1
	case "$l" in "$st "*) ;; *) good=0 ;; esac
	for s in "$@"; do
		case "$l" in *"$s"*) ;; *) good=0 ;; esac
	done
	if [ $good = 1 ]; then ok "$desc"; else nok "$desc (wanted $st: $*)"; echo "#   | ${l:-no $name line}"; fi
}
# t_has DESC TEXT FILE: FILE holds TEXT (a fixed string)
t_has() {
	if grep -qF -- "$2" "$3"; then ok "$1"; else nok "$1 (no '$2')"; sed 's/^/#   | /' "$3" | head -30; fi
}
show() { sed 's/^/#   | /' /tmp/t.out; }
# the contpte policies the module offers here, as the verdict lists them
policy_list() { policies | tr '\n' ' ' | sed 's/ $//; s/ /, /g'; }

# --- without the module, securityfs not mounted
[ -e /sys/kernel/security/lockdown ] && umount /sys/kernel/security 2>/dev/null
t_exit "forklab check, no module loaded: exit 0" 0 forklab check
show
cp /tmp/t.out /tmp/check.txt
mm=$(echo "$R" | cut -d. -f1,2)
t_line "kernel: the release, the arch, the walk for $mm.y" ok kernel "$R $M:" "walk follows $mm.y" \
	"modes stock, passthrough, perpte, batched"
if [ -e "/boot/config-$R" ] || [ -e /proc/config.gz ]; then
	t_line "config: read" ok config
else
	t_line "config: the guest has none, and check says so and where it looked" warn config \
		"cannot read the kernel config (no /boot/config-$R, no /proc/config.gz, no /lib/modules/$R/build/.config)" \
		"linux-image-$R"
fi
case "$R" in
7.3.*) t_line "ftrace_enabled: 1, and 7.3 cannot set it to 0" ok ftrace_enabled "kernel.ftrace_enabled = 1" \
	"7.3 no longer lets it be set to 0" ;;
*) t_line "ftrace_enabled: $(cat /proc/sys/kernel/ftrace_enabled)" ok ftrace_enabled \
	"kernel.ftrace_enabled = $(cat /proc/sys/kernel/ftrace_enabled)" ;;
esac
t_line "lockdown: securityfs is not mounted, says to mount it" warn lockdown \
	"cannot read /sys/kernel/security/lockdown" "mount -t securityfs"
t_line "signature: unknown without lockdown's answer" warn signature "could not be read"
if [ -d /sys/firmware/efi ]; then
	t_line "secure_boot: EFI" ok secure_boot "EFI"
else
	t_line "secure_boot: not EFI" ok secure_boot "not EFI (no /sys/firmware/efi)"
fi
if [ -e "/lib/modules/$R/build/Makefile" ]; then
	t_line "headers: there" ok headers "/lib/modules/$R/build"
else
	t_line "headers: none in the guest, and the package to install" warn headers \
		"no /lib/modules/$R/build/Makefile: needed only to build the module again" \
		"apt-get install linux-headers-$R"
fi
t_line "module: not loaded, the file forklab load takes, built for this kernel" ok module \
	"not loaded; 'forklab load' loads /forklab/bin/../forklab.ko" "built for $R)"
t_line "ftrace_users: nobody holds copy_page_range" ok ftrace_users "no other ftrace user modifies copy_page_range"
t_line "root: every check done" ok root "running as root"
t_has "  ... the verdict: forklab can run, every mode" \
	"forklab can load and redirect here: modes stock, passthrough, perpte, batched; contpte policies kernel" \
	/tmp/check.txt

t_exit "forklab --json check: exit 0" 0 forklab --json check
cp /tmp/t.out /tmp/check.json
t "  ... one valid JSON value" fl-json-check /tmp/check.json
t_has "  ... release, machine, root" "{\"release\":\"$R\",\"machine\":\"$M\",\"root\":true,\"checks\":[" /tmp/check.json
n_json=$(grep -o '"name":' /tmp/check.json | wc -l)
n_text=$(grep -cE '^(ok|missing|warn) ' /tmp/check.txt)
t "  ... the same $n_text checks as the text ($n_json)" [ "$n_json" = "$n_text" ]
t_has "  ... the kernel check" "{\"name\":\"kernel\",\"status\":\"ok\",\"found\":\"$R $M: forklab's walk follows" /tmp/check.json
t_has "  ... the same verdict" "\"verdict\":\"$(tail -1 /tmp/check.txt)\"" /tmp/check.json
t_has "  ... ready, exit_code 0" '"ready":true,"verdict":' /tmp/check.json
t_has "  ... the modes" '"modes":["stock","passthrough","perpte","batched"]' /tmp/check.json
t_has "  ... exit_code 0, no error" '"exit_code":0}' /tmp/check.json

# --- securityfs mounted: lockdown and signature answered
if mount -t securityfs securityfs /sys/kernel/security; then
	ld=$(sed 's/.*\[\([a-z]*\)\].*/\1/' /sys/kernel/security/lockdown)
	enforce=$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)
	t_exit "securityfs mounted: forklab check exit 0" 0 forklab check
	t_line "lockdown: $ld, as securityfs says" ok lockdown "$ld"
	if [ "$ld" = none ] && [ "$enforce" != Y ]; then
		t_line "signature: not required (lockdown none, sig_enforce $enforce)" ok signature "not required"
	fi
	umount /sys/kernel/security
else
	nok "mount -t securityfs"
fi

# --- the module loaded: the handshake, forklab's own redirect
t "insmod forklab" insmod "$KO"
t_exit "forklab check, module loaded (stock): exit 0" 0 forklab check
t_line "module: the handshake" ok module "loaded: forklab " ", API 1, on $R $M; mode stock (no redirect)"
t_line "signature: the kernel took it" ok signature "the module is loaded"
t_line "ftrace_users: stock registers nothing" ok ftrace_users "no other ftrace user modifies copy_page_range"
t_has "  ... the verdict: the module's modes and contpte policies" \
	"modes stock, passthrough, perpte, batched; contpte policies $(policy_list)" /tmp/t.out
t "forklab mode passthrough" forklab mode passthrough
t_exit "forklab check, passthrough: exit 0" 0 forklab check
t_line "module: the live mode" ok module "mode passthrough (redirect live)"
t_line "ftrace_users: forklab holds copy_page_range" ok ftrace_users "copy_page_range: held by forklab"
if policies | grep -qx block; then
	t "forklab contpte block" forklab contpte block
	t_exit "forklab check, contpte block: exit 0" 0 forklab check
	t_line "ftrace_users: forklab holds the contpte helpers too" ok ftrace_users \
		"copy_page_range: held by forklab" "contpte_wrprotect_ptes: held by forklab" \
		"contpte_get_and_clear_full_ptes: held by forklab" "contpte_clear_full_ptes: held by forklab"
	t "forklab contpte kernel" forklab contpte kernel
fi
t_exit "forklab --json check, module loaded: exit 0" 0 forklab --json check
cp /tmp/t.out /tmp/check.json
t "  ... valid JSON" fl-json-check /tmp/check.json
t_has "  ... the module check" '{"name":"module","status":"ok","found":"loaded: forklab ' /tmp/check.json
t_has "  ... ready" '"ready":true' /tmp/check.json

# as nobody: what needs root is named, nothing fails for it
t_exit "as nobody: forklab check exit 0" 0 su -s /bin/sh -c 'forklab check' nobody
show
t_line "  ... root: names what it could not check, and sudo" warn root "not root (uid 65534): not checked: " \
	"the ftrace users (tracefs is root only)" "'sudo forklab check' sees all"
t_line "  ... module: loaded, the handshake done without root" ok module "loaded: forklab "
t_line "  ... ftrace_users: not checked" warn ftrace_users "not checked: tracefs is root only"
t_exit "as nobody: forklab --json check exit 0" 0 su -s /bin/sh -c 'forklab --json check' nobody
t_has "  ... root false, not_checked named" '"root":false' /tmp/t.out
t "forklab mode stock" forklab mode stock
t "rmmod forklab" rmmod forklab

# --- another IPMODIFY user on copy_page_range: missing, named, exit 7
if insmod $UKO kind=ftrace >/tmp/t.out 2>&1; then
	ok "insmod fl_ipmodify_user kind=ftrace"
	t_exit "forklab check with another user on copy_page_range: exit 7" 7 forklab check
	show
	t_line "ftrace_users: missing, names the holder and what to do" missing ftrace_users \
		"copy_page_range: held by another ftrace user that modifies the ip (" "[fl_ipmodify_user])" \
		"every mode but stock fails (exit 6)" "remove it: a livepatch"
	t_has "  ... the verdict names it" "forklab cannot load and redirect here yet: 1 missing (ftrace_users)" /tmp/t.out
	t_exit "forklab --json check: exit 7" 7 forklab --json check
	cp /tmp/t.out /tmp/check.json
	t "  ... valid JSON" fl-json-check /tmp/check.json
	t_has "  ... ready false, error, exit_code 7" \
		'"ready":false,"verdict":"forklab cannot load and redirect here yet: 1 missing (ftrace_users)","error":' \
		/tmp/check.json
	t_has "  ... exit_code 7" '"exit_code":7}' /tmp/check.json
	t "rmmod fl_ipmodify_user" rmmod fl_ipmodify_user
else
	nok "insmod fl_ipmodify_user kind=ftrace"
	show
fi
t_exit "forklab check -h: its help, exit 0" 0 forklab check -h
t_grep "  ... the usage and exit status" "7 when something it needs is missing" /tmp/t.out
t_done
