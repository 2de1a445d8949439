# Sourced by the guest test suites: TAP output and small helpers.
# Each suite prints "ok N - ..." / "not ok N - ..." lines and a plan.
T_N=0
T_FAIL=0
KO=/forklab/forklab.ko
TARGET=$(cat /forklab/target 2>/dev/null)

ok()  { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
nok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }

# t DESC CMD...: passes when CMD exits 0; shows its output when it does not.
t() {
	desc=$1; shift
	if "$@" >/tmp/t.out 2>&1; then ok "$desc"; else nok "$desc (exit $?)"; sed 's/^/#   /' /tmp/t.out | head -30; fi
}

# cond...; t_cond DESC: passes when the command list just before it did
# (for conditions joined by && or ||, which 't' cannot take as one command).
t_cond() {
	if [ $? = 0 ]; then ok "$1"; else nok "$1"; fi
}

# t_exit DESC RC CMD...: passes when CMD exits with RC.
t_exit() {
	desc=$1 want=$2; shift 2
	"$@" >/tmp/t.out 2>&1
	got=$?
	if [ "$got" = "$want" ]; then ok "$desc"; else nok "$desc (exit $got, wanted $want)"; sed 's/^/#   /' /tmp/t.out | head -30; fi
}

# t_grep DESC PATTERN FILE: passes when FILE (e.g. /tmp/t.out) matches.
t_grep() {
	if grep -q -- "$2" "$3"; then ok "$1"; else nok "$1 (no '$2')"; sed 's/^/#   /' "$3" | head -30; fi
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAIL" = 0 ]
}

# Every mode this module supports, from the handshake.
modes() { forklab mode --list | sed 's/^[* ] //' | grep -v 'not supported' | awk '{print $1}'; }

# Every contpte policy this module supports here (only kernel off arm64).
policies() { forklab contpte --list | grep '^[* ] ' | grep -v 'not supported' | sed 's/^[* ] //' | awk '{print $1}'; }

loaded() { [ -d /sys/module/forklab ]; }

# The kernel maps user memory with contiguous PTEs, which the contpte
# policies need: arm64 with CONFIG_ARM64_CONTPTE, which needs THP, so not
# on PREEMPT_RT kernels (TRANSPARENT_HUGEPAGE depends on !PREEMPT_RT).
has_contpte() { grep -q ' contpte_set_ptes$' /proc/kallsyms; }

# Whether the kernel has THP (not Debian's PREEMPT_RT kernels).
has_thp() { [ -d /sys/kernel/mm/transparent_hugepage ]; }

# What the module's refusal of a contpte policy names as missing there:
# the architecture off arm64, CONFIG_ARM64_CONTPTE (this kernel) on it.
contpte_missing() { if [ "$(uname -m)" = aarch64 ]; then echo kernel; else echo architecture; fi; }

# Swap on zram and reserved hugetlb pages, so that the swap and hugetlb
# cases of the tests run; idempotent within one boot.
setup_swap_and_hugetlb() {
	echo 600 > /proc/sys/vm/nr_hugepages
	grep -q '^/dev/zram0' /proc/swaps && return 0
	# zram is a module in Debian's kernels, built in in the debug kernel
	{ [ -e /sys/block/zram0 ] || modprobe zram; } && echo 1G > /sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null &&
		swapon /dev/zram0
}

# t_tap PREFIX CMD...: runs a program that speaks TAP and counts its
# results as this suite's own, each prefixed; its other lines are shown as
# comments.  A program that fails without saying so (dies, ends short of
# its plan) is one more failure.
t_tap() {
	prefix=$1; shift
	"$@" >/tmp/t.tap 2>&1
	rc=$?
	seen=0 failed=0 plan=""
	while IFS= read -r line; do
		case "$line" in
		"ok "*)     ok "$prefix${line#ok * - }"; seen=$((seen + 1)) ;;
		"not ok "*) nok "$prefix${line#not ok * - }"; seen=$((seen + 1)) failed=1 ;;
		1..*)       plan=${line#1..} ;;
		*)          echo "#   $line" ;;
		esac
	done </tmp/t.tap
	if [ "$plan" != "$seen" ] || { [ "$rc" != 0 ] && [ "$failed" = 0 ]; }; then
		nok "${prefix}$1 ended with exit $rc after $seen of ${plan:-?} results"
	fi
}
