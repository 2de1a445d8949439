#!/usr/bin/env bash
# The VM harness's own checks, on the host with a fake QEMU first in PATH:
# under TCG tools/vm/run refuses a QEMU older than 10 (7.2's TCG runs stale
# guest code after text patching, see tools/vm/run) and says what to
# install; with --kvm, or a QEMU 10, the version is no reason to refuse.
# --numa N reaches QEMU as N memory backends and nodes with the vCPUs
# spread over them, and nonsense counts are refused.
# usage: tests/host/t-harness.sh TARGET     (TAP on stdout)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/host/lib.sh

target=${1:?usage: $0 TARGET}
. tools/kernels/targets.sh
fl_target_vars "$target" || { echo "not ok 1 - $(fl_target_why "$target")"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/forklab-harness.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fake_qemu VERSION: a $T_QEMU that reports VERSION and, if started, writes
# its arguments to $work/qemu.args, one a line, and dies
fake_qemu() {
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "QEMU emulator version %s (fake)"; exit 0; }\n' \
		"$1" > "$work/$T_QEMU"
	printf 'printf "%%s\\n" "$@" > %q\nexit 1\n' "$work/qemu.args" >> "$work/$T_QEMU"
	chmod +x "$work/$T_QEMU"
}

fake_qemu 7.2.22
PATH="$work:$PATH" timeout 120 tools/vm/run "$target" --timeout 30 -- true > "$work/out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q 'needs QEMU 10 or later' "$work/out" && grep -q 'host-deps.sh' "$work/out"; then
	ok "tools/vm/run refuses QEMU 7.2 under TCG and says what to install"
else
	nok "tools/vm/run refuses QEMU 7.2 under TCG and says what to install (exit $rc)"
	sed 's/^/#   /' "$work/out" | tail -5
fi

for how in "7.2.22 --kvm" "10.0.2 "; do
	set -- $how
	fake_qemu "$1"
	PATH="$work:$PATH" timeout 300 tools/vm/run "$target" ${2:-} --timeout 30 -- true > "$work/out" 2>&1
	rc=$?
	if grep -q 'needs QEMU 10' "$work/out"; then
		nok "QEMU $1${2:+ with $2}: the version is no reason to refuse (exit $rc)"
		sed 's/^/#   /' "$work/out" | tail -5
	else
		ok "QEMU $1${2:+ with $2}: the version is no reason to refuse (the fake then died: exit $rc)"
	fi
done

# --numa: the guest is started only with the target built (the check builds it)
[ -f "build/$target/forklab.ko" ] || tools/build/target "$target" > "$work/build.log" 2>&1 ||
	{ nok "$target builds for the --numa checks"; tail -5 "$work/build.log" | sed 's/^/#   /'; }
fake_qemu 10.0.2
for numa in "" 2; do
	rm -f "$work/qemu.args"
	PATH="$work:$PATH" timeout 300 tools/vm/run "$target" ${numa:+--numa $numa} --mem 3072 --timeout 30 \
		-- true > "$work/out" 2>&1
	rc=$?
	how="--numa $numa --mem 3072"
	[ -n "$numa" ] || how="without --numa"
	# the values of -smp, -object and -numa, in order
	got=$(awk 'p { printf "%s ", $0; p = 0 } /^-(smp|object|numa)$/ { p = 1 }' "$work/qemu.args" 2>/dev/null)
	want="2 "
	[ -z "$numa" ] || want="2,sockets=2 memory-backend-ram,id=m0,size=1536M node,nodeid=0,memdev=m0 \
memory-backend-ram,id=m1,size=1536M node,nodeid=1,memdev=m1 cpu,node-id=0,socket-id=0 cpu,node-id=1,socket-id=1 "
	if [ "$got" = "$want" ]; then
		ok "tools/vm/run $how: QEMU's -smp, -object, -numa: ${got% }"
	else
		nok "tools/vm/run $how: QEMU's -smp, -object, -numa: '${got% }', not '${want% }' (exit $rc)"
		sed 's/^/#   /' "$work/out" | tail -5
	fi
done
for bad in "--numa 0" "--numa two" "--numa 3" "--numa 2 --smp 1" "--numa 4 --smp 4 --mem 400"; do
	# shellcheck disable=SC2086 # the words are the options
	PATH="$work:$PATH" timeout 120 tools/vm/run "$target" $bad --timeout 30 -- true > "$work/out" 2>&1
	rc=$?
	if [ $rc = 2 ] && grep -q -e '--numa' "$work/out"; then
		ok "tools/vm/run refuses $bad: $(head -1 "$work/out")"
	else
		nok "tools/vm/run refuses $bad (exit $rc)"
		sed 's/^/#   /' "$work/out" | tail -5
	fi
done
echo "1..$T_N"
[ $T_FAIL = 0 ]
