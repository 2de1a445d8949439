# Sourced: the supported targets and what distinguishes them.
FL_TARGETS="x86_64-6.1 x86_64-6.12 arm64-6.12 x86_64-7.3 arm64-7.3"
FL_DEFAULT_TARGET=x86_64-6.1

# fl_target_vars NAME: sets T_ARCH (kernel ARCH), T_DEBARCH, T_SUITE (apt
# suite for the metapackage, empty = default candidate), T_DIST (the Debian
# release whose archive has it, for tools/kernels/apt; also the guest's
# sysroot), T_BUILDROOT (empty: modules build on the host; trixie: in the
# trixie build root, tools/build/in-root), T_COWSRC (the linux-source
# release the mm/cow selftest is built from), T_QEMU, T_CROSS.
fl_target_vars() {
	T_DIST=bookworm T_BUILDROOT="" T_COWSRC=6.12
	case "$1" in
	x86_64-6.1)  T_ARCH=x86   T_DEBARCH=amd64 T_SUITE=""                 ;;
	x86_64-6.12) T_ARCH=x86   T_DEBARCH=amd64 T_SUITE=bookworm-backports ;;
	arm64-6.12)  T_ARCH=arm64 T_DEBARCH=arm64 T_SUITE=bookworm-backports ;;
	# 7.3 is built with gcc-14 and its headers' programs need glibc 2.38:
	# both come from trixie, so its modules build in a trixie root.
	x86_64-7.3)  T_ARCH=x86   T_DEBARCH=amd64 T_SUITE=trixie-backports T_DIST=trixie T_BUILDROOT=trixie T_COWSRC=7.3 ;;
	arm64-7.3)   T_ARCH=arm64 T_DEBARCH=arm64 T_SUITE=trixie-backports T_DIST=trixie T_BUILDROOT=trixie T_COWSRC=7.3 ;;
	# 'make check-debug': linux-source-6.12 built with the debug options
	# (tools/kernels/build-debug), not a Debian kernel package
	x86_64-6.12-debug) T_ARCH=x86 T_DEBARCH=amd64 T_SUITE="" ;;
	*) return 1 ;;
	esac
	# 6.1 must not be pinned to a suite: '-t bookworm' would pick bookworm
	# main's older ABI over bookworm-security's current one.
	case "$T_DEBARCH" in
	amd64) T_QEMU=qemu-system-x86_64 T_CROSS="" T_GNUARCH=x86_64 ;;
	arm64) T_QEMU=qemu-system-aarch64 T_CROSS=aarch64-linux-gnu- T_GNUARCH=aarch64 ;;
	esac
}
