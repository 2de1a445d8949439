#!/usr/bin/env bash
# Builds (once, cached) the trixie build root .cache/buildroot/trixie, where
# the 7.3 targets' modules are built: Debian's 7.3 (trixie-backports) was
# built with gcc-14, which bookworm lacks (gcc-12 rejects the kernel's
# -fmin-function-alignment=), and the headers' host programs (objtool,
# modpost, fixdep from linux-kbuild-7.3) need trixie's glibc 2.38.
# debootstrap --variant=buildd, then the kernel's compilers (native and
# arm64 cross) and what the headers' scripts run, from trixie-backports
# where it carries a newer one.  Rebuilt only when the recipe below (suite,
# mirror, packages) changes.  tools/build/in-root runs commands in it.
# usage: tools/setup/buildroot-trixie.sh     (root) prints the root's path
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "buildroot: $*" >&2; exit 1; }

root="$top/.cache/buildroot/trixie"
mirror=http://deb.debian.org/debian
# The recipe: what the root is made of.  Editing it rebuilds the root.
pkgs=(gcc-14 make bc flex bison libelf-dev libssl-dev pahole kmod
      gcc-14-aarch64-linux-gnu libc6-dev-arm64-cross
      xz-utils zstd rsync cpio
      # tests/host/t-install.sh runs DKMS here for the 7.3 targets: a 7.3
      # machine's DKMS builds with that release's compiler
      dkms openssl mount)
want=$(printf '%s\n' trixie trixie-backports "$mirror" "${pkgs[@]}" | sha1sum | cut -c1-12)
stamp=.forklab-recipe
if [ "$(cat "$root/$stamp" 2>/dev/null)" = "$want" ]; then
	echo "$root"; exit 0
fi

[ "$(id -u)" = 0 ] || die "the trixie build root is missing or outdated; building it needs root (debootstrap, chroot): sudo $0"
# bookworm's own debootstrap 1.0.128+nmu2+deb12u2 has a trixie script too;
# host-deps.sh installs 1.0.141 from bookworm-backports, trixie's own.
[ -e /usr/share/debootstrap/scripts/trixie ] ||
	die "debootstrap missing or too old to know trixie; run tools/setup/host-deps.sh"
mkdir -p "$top/.cache/buildroot"
# One builder at a time; a second caller waits and then finds it built.
exec 9>"$top/.cache/buildroot/.lock"
flock 9
if [ "$(cat "$root/$stamp" 2>/dev/null)" = "$want" ]; then
	echo "$root"; exit 0
fi

tmp="$root.tmp" log="$top/.cache/buildroot/trixie.log"
# Never rm -rf through a mount (a /proc or a bind of the checkout left by a
# killed run): refuse instead.
for d in "$tmp" "$root"; do
	! findmnt -rno TARGET | grep -q "^$d\(/\|$\)" ||
		die "something is still mounted under $d (findmnt | grep $d); unmount it first"
done
rm -rf "$tmp"
echo "buildroot: debootstrap trixie into $tmp (log: $log)" >&2
start=$(date +%s)
# In a private mount namespace, so the /proc and /sys debootstrap mounts
# inside the root vanish with it even if it is killed.
unshare --mount --propagation private \
	debootstrap --variant=buildd trixie "$tmp" "$mirror" >"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "debootstrap trixie failed (is $mirror reachable?), log: $log"; }

cat > "$tmp/etc/apt/sources.list" <<SRC
deb $mirror trixie main
deb $mirror trixie-backports main
SRC
cp /etc/resolv.conf "$tmp/etc/resolv.conf"
echo "buildroot: installing ${pkgs[*]}" >&2
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck disable=SC2016 # the inner shell expands them
unshare --mount --propagation private sh -ec '
	root=$1; shift
	mount -t proc proc "$root/proc"
	chroot "$root" apt-get update -qq
	chroot "$root" apt-get install -y -qq --no-install-recommends -t trixie-backports "$@"
	chroot "$root" apt-get clean' sh "$tmp" "${pkgs[@]}" >>"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "installing the build packages in the trixie root failed, log: $log"; }

# The two compilers, on a trivial program, before anyone relies on them.
echo 'int main(void) { return 0; }' > "$tmp/tmp/t.c"
for cc in gcc-14 aarch64-linux-gnu-gcc-14; do
	chroot "$tmp" "$cc" -o /tmp/t /tmp/t.c >>"$log" 2>&1 || die "$cc in the trixie root cannot compile, log: $log"
done
rm -f "$tmp/tmp/t" "$tmp/tmp/t.c"
echo "$want" > "$tmp/$stamp"
rm -rf "$root" && mv "$tmp" "$root"
echo "buildroot: $root ready in $(( $(date +%s) - start )) s, $(du -sh "$root" | cut -f1)" >&2
echo "$root"
