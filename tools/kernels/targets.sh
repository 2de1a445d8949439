# Sourced: the supported targets and what distinguishes them.
FL_TARGETS="x86_64-6.1 x86_64-6.12 arm64-6.12 x86_64-7.3 arm64-7.3"
FL_DEFAULT_TARGET=x86_64-6.1
# Debian's PREEMPT_RT flavours of the 6.x kernels ('make check-rt'): known to
# every tool, but not in FL_TARGETS, since 'make check' has no time for them.
FL_RT_TARGETS="x86_64-6.1-rt x86_64-6.12-rt arm64-6.12-rt"

# fl_target_vars NAME: sets T_ARCH (kernel ARCH), T_DEBARCH, T_SUITE (apt
# suite for the metapackage, empty = default candidate), T_FLAVOUR (empty,
# or Debian's kernel flavour before the arch: rt for linux-image-rt-amd64),
# T_DIST (the Debian release whose archive has it, for tools/kernels/apt;
# also the guest's sysroot), T_BUILDROOT (empty: modules build on the host;
# trixie: in the trixie build root, tools/build/in-root), T_COWSRC (the
# linux-source release the mm/cow selftest is built from), T_QEMU, T_CROSS.
fl_target_vars() {
	T_DIST=bookworm T_BUILDROOT="" T_COWSRC=6.12 T_FLAVOUR=""
	case "$1" in
	x86_64-6.1)  T_ARCH=x86   T_DEBARCH=amd64 T_SUITE=""                 ;;
	x86_64-6.12) T_ARCH=x86   T_DEBARCH=amd64 T_SUITE=bookworm-backports ;;
	arm64-6.12)  T_ARCH=arm64 T_DEBARCH=arm64 T_SUITE=bookworm-backports ;;
	# 7.3 is built with gcc-14 and its headers' programs need glibc 2.38:
	# both come from trixie, so its modules build in a trixie root.
	x86_64-7.3)  T_ARCH=x86   T_DEBARCH=amd64 T_SUITE=trixie-backports T_DIST=trixie T_BUILDROOT=trixie T_COWSRC=7.3 ;;
	arm64-7.3)   T_ARCH=arm64 T_DEBARCH=arm64 T_SUITE=trixie-backports T_DIST=trixie T_BUILDROOT=trixie T_COWSRC=7.3 ;;
	# the rt flavour of a target: the same release from the same suite
	x86_64-6.1-rt|x86_64-6.12-rt|arm64-6.12-rt)
		fl_target_vars "${1%-rt}" || return 1
		T_FLAVOUR=rt
		return 0 ;;
	# a kernel the developer built (FORKLAB_KERNEL; tools/kernels/own),
	# also 'make check-debug's (tools/kernels/build-debug)
	own) fl_own_kernel || return 1 ;;
	*) return 1 ;;
	esac
	# 6.1 must not be pinned to a suite: '-t bookworm' would pick bookworm
	# main's older ABI over bookworm-security's current one.
	case "$T_DEBARCH" in
	amd64) T_QEMU=qemu-system-x86_64 T_CROSS="" T_GNUARCH=x86_64 ;;
	arm64) T_QEMU=qemu-system-aarch64 T_CROSS=aarch64-linux-gnu- T_GNUARCH=aarch64 ;;
	esac
}

# fl_own_kernel: the target 'own' from FORKLAB_KERNEL, a built kernel tree
# or the image in it (arch/x86/boot/bzImage, arch/arm64/boot/Image; with O=,
# the output directory is the tree).  Sets FL_OWN_TREE, FL_OWN_IMAGE,
# FL_OWN_RELEASE and the T_ variables; says what is missing on stderr.
fl_own_kernel() {
	local k=${FORKLAB_KERNEL:-} tree
	[ -n "$k" ] || { echo "target own: no kernel: give a built tree or its image (make check KERNEL=PATH, tools/vm/run --kernel PATH)" >&2; return 1; }
	[ -e "$k" ] || { echo "target own: $k does not exist" >&2; return 1; }
	k=$(realpath "$k")
	if [ -d "$k" ]; then
		tree=$k FL_OWN_IMAGE=""
	else
		FL_OWN_IMAGE=$k tree=$(dirname "$k")
		while [ "$tree" != / ] && ! [ -f "$tree/.config" ]; do tree=$(dirname "$tree"); done
	fi
	[ -f "$tree/.config" ] || { echo "target own: no .config in $tree or above $k: give the kernel's build tree" >&2; return 1; }
	FL_OWN_RELEASE=$(cat "$tree/include/config/kernel.release" 2>/dev/null || true)
	[ -n "$FL_OWN_RELEASE" ] && [ -f "$tree/Module.symvers" ] ||
		{ echo "target own: $tree is configured but not built (no include/config/kernel.release or Module.symvers): run make there first" >&2; return 1; }
	if grep -qx 'CONFIG_X86_64=y' "$tree/.config"; then
		T_ARCH=x86 T_DEBARCH=amd64 FL_OWN_IMAGE=${FL_OWN_IMAGE:-$tree/arch/x86/boot/bzImage}
	elif grep -qx 'CONFIG_ARM64=y' "$tree/.config"; then
		T_ARCH=arm64 T_DEBARCH=arm64 FL_OWN_IMAGE=${FL_OWN_IMAGE:-$tree/arch/arm64/boot/Image}
	else
		echo "target own: $tree is neither an x86_64 nor an arm64 kernel (its .config has neither CONFIG_X86_64=y nor CONFIG_ARM64=y)" >&2
		return 1
	fi
	[ -f "$FL_OWN_IMAGE" ] || { echo "target own: no $FL_OWN_IMAGE: build the image (make bzImage or Image) or name it" >&2; return 1; }
	FL_OWN_TREE=$tree T_SUITE=""
	# the mm/cow selftest of the nearest release forklab builds it from
	case "$FL_OWN_RELEASE" in 6.*) ;; *) T_COWSRC=7.3 ;; esac
}

# fl_target_why NAME: what to say when fl_target_vars NAME failed
fl_target_why() {
	if [ "$1" = own ]; then
		echo "no kernel for the target 'own' (the reason is above)"
	else
		echo "unknown target '$1' (known: $FL_TARGETS; PREEMPT_RT: $FL_RT_TARGETS; or own: a kernel you built, KERNEL=PATH)"
	fi
}
