#!/usr/bin/env bash
# The ways onto a developer's own machine, on the host against a target's
# Debian headers (tools/check runs it before the guests): 'make install'
# with DESTDIR and 'make uninstall', 'make sign' (modinfo shows the
# signature), and DKMS ('make dkms-install' / 'dkms-uninstall', root only),
# whose plain Kbuild build must give the module the project's scripts give
# (the same symbols: forwarders named forklab_*).  DKMS runs in a private
# mount namespace whose /etc/dkms points its trees into a scratch folder, and
# without depmod (which works on the host's /lib/modules), so the host's
# DKMS state and modules are never touched.
# usage: tests/host/t-install.sh TARGET     (TAP on stdout)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/host/lib.sh
# t DESC CMD...: passes when CMD exits 0; shows its output when it does not
t() {
	local desc=$1; shift
	if "$@" > "$work/out" 2>&1; then ok "$desc"; else nok "$desc (exit $?)"; sed 's/^/#   /' "$work/out" | tail -20; fi
}
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }

target=${1:?usage: $0 TARGET}
envfile=$(tools/kernels/fetch "$target") || { echo "not ok 1 - fetch $target"; exit 1; }
# shellcheck disable=SC1090
. "$envfile"
# A target built in a build root (7.3: trixie's gcc-14) runs DKMS there, as
# the machine that runs that kernel would; the scratch folder is then in the
# checkout, which the root sees at the same path.
if [ -n "${BUILDROOT:-}" ]; then
	# (in-root's namespace is private already; a chroot's / is no mount
	# point, so a nested unshare must leave propagation as it is)
	in_root=(tools/build/in-root) unshare_opt=(--propagation unchanged)
	mkdir -p build && work=$(mktemp -d "$top/build/install-test.XXXXXX")
else
	in_root=() unshare_opt=()
	work=$(mktemp -d "${TMPDIR:-/tmp}/forklab-install.XXXXXX")
fi
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^#define FL_MODULE_VERSION[[:space:]]*"\(.*\)"/\1/p' module/forklab.h)
# where the kernel compresses its modules (6.12: xz), Kbuild's install does too
ko=lib/modules/$KVER/extra/forklab.ko
grep -q '^CONFIG_MODULE_COMPRESS_XZ=y' "$KDIR/.config" && ko=$ko.xz

grep -qx "PACKAGE_VERSION=\"$version\"" dkms.conf
[ $? = 0 ] && ok "dkms.conf's PACKAGE_VERSION is the module's ($version)" ||
	nok "dkms.conf's PACKAGE_VERSION is the module's ($version): $(grep PACKAGE_VERSION dkms.conf)"

t "make install KDIR=<$target headers> DESTDIR=..." make -s install KDIR="$KDIR" DESTDIR="$work/dest"
[ -f "$work/dest/$ko" ] && [ -x "$work/dest/usr/local/sbin/forklab" ] && [ -x "$work/dest/usr/local/sbin/forklab-bench" ]
[ $? = 0 ] && ok "  ... the module under KDIR's release ($ko), forklab and forklab-bench under PREFIX" ||
	{ nok "  ... the module under KDIR's release ($ko), the programs under PREFIX"; find "$work/dest" | sed 's/^/#   /'; }
share=$work/dest/usr/local/share
missing=$(for f in man/man8/forklab.8 man/man1/forklab-bench.1 man/man4/forklab.4 \
		bash-completion/completions/forklab $(cd tools/bpftrace && printf 'forklab/bpftrace/%s ' *.bt); do
	[ -f "$share/$f" ] || echo "$f"; done
	for f in "$share"/forklab/bpftrace/*.bt; do [ -x "$f" ] && head -1 "$f" | grep -q '^#!' || echo "$f (not executable)"; done)
[ -z "$missing" ] && ok "  ... man pages, bash completion and bpftrace scripts (0755) under PREFIX/share" ||
	{ nok "  ... man pages, bash completion and bpftrace scripts under PREFIX/share"; echo "$missing" | sed 's/^/#   /'; }
vermagic=$(/sbin/modinfo -F vermagic "$work/dest/$ko" 2>/dev/null)
[ "${vermagic%% *}" = "$KVER" ] && ok "  ... built for $KVER (vermagic: $vermagic)" || nok "  ... built for $KVER (vermagic: $vermagic)"
t "make uninstall" make -s uninstall KDIR="$KDIR" DESTDIR="$work/dest"
# (a built tree's modules_install also runs depmod: its index files are the
# kernel's, not forklab's)
left=$(find "$work/dest" -type f ! -path "*/lib/modules/$KVER/modules.*")
[ -z "$left" ] && ok "  ... nothing of forklab is left" || { nok "  ... nothing of forklab is left"; echo "$left" | sed 's/^/#   /'; }

# Secure Boot: a throwaway key stands for the one enrolled with mokutil
# (a kernel built without CONFIG_MODULE_SIG, such as make check-debug's, has
# no sign-file and checks no signature: nothing to sign for)
signing=1
grep -q '^CONFIG_MODULE_SIG=y' "$KDIR/.config" || signing=0
openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=forklab install test/" \
	-keyout "$work/mok.priv" -outform DER -out "$work/mok.der" > /dev/null 2>&1
if [ "$signing" = 1 ]; then
	t "make sign KEY=... CERT=..." make -s sign KDIR="$KDIR" KEY="$work/mok.priv" CERT="$work/mok.der"
	signer=$(/sbin/modinfo -F signer "build/host-$KVER/forklab.ko" 2>/dev/null)
	[ "$signer" = "forklab install test" ] && ok "  ... modinfo shows the signature (signer: $signer)" ||
		nok "  ... modinfo shows the signature (signer: '$signer')"
	make -s sign KDIR="$KDIR" > "$work/out" 2>&1
	rc=$?
	[ $rc != 0 ] && grep -q 'make sign needs KEY=' "$work/out" && ok "make sign without a key: refused, saying what it needs" ||
		{ nok "make sign without a key: refused, saying what it needs (exit $rc)"; sed 's/^/#   /' "$work/out"; }
else
	make -s sign KDIR="$KDIR" KEY="$work/mok.priv" CERT="$work/mok.der" > "$work/out" 2>&1
	rc=$?
	[ $rc != 0 ] && grep -q 'no scripts/sign-file' "$work/out" && ok "make sign on a kernel without CONFIG_MODULE_SIG: refused, saying why" ||
		{ nok "make sign on a kernel without CONFIG_MODULE_SIG: refused, saying why (exit $rc)"; sed 's/^/#   /' "$work/out"; }
fi

if [ "$(id -u)" != 0 ] || ! "${in_root[@]}" sh -c 'command -v dkms && command -v unshare' > /dev/null; then
	skip "DKMS" "needs root, dkms and unshare (tools/setup/host-deps.sh installs dkms${BUILDROOT:+; the $BUILDROOT build root has it})"
else
	# DKMS's own trees and signing key, in the scratch folder
	# (the modules folder of the kernel stands for an installed kernel)
	mkdir -p "$work/etc-dkms" "$work/tree" "$work/modules/$KVER"
	cat > "$work/etc-dkms/framework.conf" <<CONF
dkms_tree="$work/tree"
source_tree="$work/dest/usr/src"
sign_file="$(ls "$MODROOT"/usr/lib/linux-kbuild-*/scripts/sign-file "$KDIR/scripts/sign-file" 2>/dev/null | head -1)"
mok_signing_key="$work/mok.priv"
mok_certificate="$work/mok.der"
install_tree="$work/modules"
CONF
	dkms_make() {
		"${in_root[@]}" unshare -m "${unshare_opt[@]}" sh -c 'mount --bind "$1" /etc/dkms && shift && exec "$@"' sh "$work/etc-dkms" \
			make -s "$@" KDIR="$KDIR" DESTDIR="$work/dest" DKMS_FLAGS=--no-depmod
	}
	t "make dkms-install (sources to DESTDIR/usr/src, dkms add, build and install for $KVER)" dkms_make dkms-install
	dko=$(find "$work/modules/$KVER" -name 'forklab.ko*' 2>/dev/null | head -1)
	[ -n "$dko" ] && ok "  ... DKMS installed it ($dko)" || { nok "  ... DKMS installed it"; find "$work/tree" "$work/modules" 2>/dev/null | head -20 | sed 's/^/#   /'; }
	if [ -n "$dko" ]; then
		syms() { nm "$1" | awk '$2 ~ /^[tTdDbBrR]$/ { print $2, $3 }' | sort; }
		if diff <(syms "$dko") <(syms "build/host-$KVER/forklab.ko") > "$work/out"; then
			ok "  ... the same module as 'make' builds (the same symbols, forwarders forklab_*: $(syms "$dko" | grep -c ' forklab_'))"
		else
			nok "  ... the same module as 'make' builds (symbols differ)"; head -20 "$work/out" | sed 's/^/#   /'
		fi
		if [ "$signing" = 0 ]; then
			skip "  ... signed by DKMS with its key" "$KVER has no CONFIG_MODULE_SIG"
		elif [ -n "$(/sbin/modinfo -F signer "$dko")" ]; then
			ok "  ... signed by DKMS with its key ($(/sbin/modinfo -F signer "$dko"))"
		else
			nok "  ... signed by DKMS with its key"
		fi
	fi
	t "make dkms-uninstall" dkms_make dkms-uninstall
	[ -z "$(find "$work/modules" "$work/dest/usr/src" -name 'forklab*' 2>/dev/null)" ] &&
		ok "  ... DKMS and its sources hold no forklab" || nok "  ... DKMS and its sources hold no forklab"
fi
echo "1..$T_N"
[ "$T_FAIL" = 0 ]
