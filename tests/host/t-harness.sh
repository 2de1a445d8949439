#!/usr/bin/env bash
# The VM harness's own checks, on the host with a fake QEMU first in PATH:
# under TCG tools/vm/run refuses a QEMU older than 10 (7.2's TCG runs stale
# guest code after text patching, see tools/vm/run) and says what to
# install; with --kvm, or a QEMU 10, the version is no reason to refuse.
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

# fake_qemu VERSION: a $T_QEMU that reports VERSION and dies if started
fake_qemu() {
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "QEMU emulator version %s (fake)"; exit 0; }\nexit 1\n' \
		"$1" > "$work/$T_QEMU"
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
echo "1..$T_N"
[ $T_FAIL = 0 ]
