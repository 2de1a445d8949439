# Sourced by the tools/vm scripts: paths and helpers for one target.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tools/kernels/targets.sh"

vm_die() { echo "vm: $*" >&2; exit 2; }

# vm_target NAME: loads the target's kernel env (fetching it on first use)
# and sets VMCACHE, the per-target cache of guest images.
vm_target() {
	fl_target_vars "$1" || vm_die "$(fl_target_why "$1")"
	local envfile
	envfile=$("$top/tools/kernels/fetch" "$1") || vm_die "cannot fetch the $1 kernel"
	. "$envfile"
	VMCACHE="$top/.cache/vm/$1"
	mkdir -p "$VMCACHE"
}

# vm_debs_download DIST DIR PKG...: apt-get download from Debian release
# DIST (bookworm, trixie: tools/kernels/apt) into DIR (as root, apt warns
# that its _apt user cannot write there; that is harmless).
vm_debs_download() {
	local dist=$1 dir=$2; shift 2
	mkdir -p "$dir"
	(cd "$dir" && "$top/tools/kernels/apt" "$dist" apt-get download -q "$@" >/dev/null 2>"$dir/.apt.log") ||
		{ cat "$dir/.apt.log" >&2; vm_die "apt-get download from $dist failed: $* (is the Debian archive reachable?)"; }
}
