#!/usr/bin/env bash
# Installs what forklab needs on a Debian 12 build host: compilers (native and
# arm64 cross), QEMU, kernel build tools and the test runner.  Idempotent.
set -euo pipefail

die() { echo "host-deps: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (it calls apt-get); try: sudo $0"
grep -q 'bookworm' /etc/os-release || die "expects Debian 12 (bookworm); this host is $(. /etc/os-release; echo "$PRETTY_NAME")"

export DEBIAN_FRONTEND=noninteractive
changed=0

# bookworm-backports carries the 6.12 kernels, their linux-kbuild and pahole.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	cat > /etc/apt/sources.list.d/forklab-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	changed=1
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	changed=1
fi

pkgs=(build-essential gcc-12 gcc-12-aarch64-linux-gnu gcc-aarch64-linux-gnu
      libc6-dev-arm64-cross bc bison flex libelf-dev libssl-dev cpio xz-utils
      zstd kmod busybox-static gnuplot-nox
      rsync file linux-source-6.12 dkms openssl
      # the A/B driver reads result folders with jansson, linked statically
      # into the guests' binaries: the .a of each guest architecture
      libjansson-dev:amd64 libjansson-dev:arm64)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
stamp=/var/lib/apt/lists/.forklab-updated
if [ "$changed" = 1 ] || [ ${#missing[@]} -gt 0 ] || [ ! -e "$stamp" ]; then
	apt-get update -qq || die "apt-get update failed: is the Debian archive reachable?"
	touch "$stamp"
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "host-deps: installing ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed for: ${missing[*]}"
fi
# linux-kbuild-6.12 (backports) needs the backports pahole; the 7.3 targets'
# trixie build root (tools/setup/buildroot-trixie.sh, made on first use) is
# made by trixie's own debootstrap, 1.0.141 in bookworm-backports.  QEMU
# 10.0 from there too: bookworm's 7.2 runs stale guest code after x86 text
# patching under TCG (see tools/vm/run, qemu_tcg_ok).
for p in pahole debootstrap qemu-system-x86 qemu-system-arm; do
	dpkg-query -W -f='${Version}' "$p" 2>/dev/null | grep -q bpo && continue
	apt-get install -y -qq --no-install-recommends -t bookworm-backports "$p" >/dev/null ||
		die "could not install $p from bookworm-backports"
done
echo "host-deps: ok"
