# forklab: an instrumented, switchable fork path for kernel developers.
# 'make help' lists the targets; README.md explains them.

TARGETS := x86_64-6.1 x86_64-6.12 arm64-6.12 x86_64-7.3 arm64-7.3
DEFAULT_TARGET := x86_64-6.1
# Debian's PREEMPT_RT kernels (tools/kernels/targets.sh): known targets,
# tested by 'make check-rt' only
RT_TARGETS := x86_64-6.12-rt arm64-6.12-rt x86_64-6.1-rt
TARGET ?=
# KERNEL=PATH: a kernel you built (its tree, or the bzImage/Image in it) is
# the target 'own' of make check, check-fast, TARGET=, demo, ab and vm-shell
KERNEL ?=
ifneq ($(KERNEL),)
export FORKLAB_KERNEL := $(abspath $(KERNEL))
override TARGETS := own
override DEFAULT_TARGET := own
override TARGET := own
endif
KDIR ?= /lib/modules/$(shell uname -r)/build
# The release of KDIR, which need not be the running kernel's (evaluated only
# when a rule needs it: 'make check' has no KDIR).  Debian's headers set it
# in .kernelvariables (their kernel.release holds the upstream version).
KRELEASE = $(or $(shell sed -n 's/^override KERNELRELEASE = //p' $(KDIR)/.kernelvariables 2>/dev/null),\
	$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null),\
	$(error no kernel headers at KDIR=$(KDIR): apt-get install linux-headers-$$(uname -r), or pass KDIR=))
HOSTBUILD = build/host-$(KRELEASE)
# 'make install': the module goes under $(DESTDIR)/lib/modules/<release of
# KDIR>/extra, the programs under $(DESTDIR)$(PREFIX)/sbin, their man pages,
# bash completion and the bpftrace scripts under $(DESTDIR)$(PREFIX)/share
PREFIX ?= /usr/local
MANDIR = $(PREFIX)/share/man
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
BPFTRACEDIR = $(PREFIX)/share/forklab/bpftrace
DESTDIR ?=
VERSION := $(shell sed -n 's/^\#define FL_MODULE_VERSION[[:space:]]*"\(.*\)"/\1/p' module/forklab.h)

ifeq ($(TARGET),)
all: module userspace
else
all: target
endif

help:
	@echo "forklab make targets:"
	@echo "  make                      module for the running kernel (KDIR=$(KDIR)) and the CLI"
	@echo "  make TARGET=<t>           module and static guest binaries for a VM target ($(TARGETS);"
	@echo "                            PREEMPT_RT: $(RT_TARGETS))"
	@echo "  make check KERNEL=PATH    the same for a kernel you built (its tree or its bzImage/Image):"
	@echo "                            target 'own'; also check-fast, TARGET=own, demo, ab, vm-shell"
	@echo "  make demo [TARGET=<t>]    boot the target in QEMU, load forklab, toggle modes, show stats"
	@echo "  make ab [TARGET=<t>] [EXPERIMENT=layouts|contpte|fork-exit|mprotect]"
	@echo "                            A/B experiment in the VM: every mode, interleaved rounds, report"
	@echo "                            (SIZE=, ROUNDS=, FORKS=, BPFTRACE=1; see tools/ab)"
	@echo "  make check                every test: CLI unit tests and VM tests on all targets"
	@echo "  make check-fast           CLI unit tests and VM tests on $(DEFAULT_TARGET) only"
	@echo "  make check-debug          the correctness suites and cow in every mode on a debug 6.12 kernel"
	@echo "                            (DEBUG_VM, PAGE_TABLE_CHECK, KASAN, lockdep); the kernel is"
	@echo "                            built once (11-23 min), the suites take 17-22 min"
	@echo "  make check-rt             the suites PREEMPT_RT concerns on Debian's rt kernels"
	@echo "                            ($(filter %-6.12-rt,$(RT_TARGETS)); TARGET=x86_64-6.1-rt): 7-14 min per target"
	@echo "  make soak [TARGET=<t>]    the load tests for minutes (SOAK_SECONDS=120)"
	@echo "  make unit                 unit tests only: CLI and A/B statistics (no VM)"
	@echo "  sudo make selftest        the correctness suites on this machine, against the installed"
	@echo "                            module (KTAP; COW=PATH adds the kernel's mm/cow selftest)"
	@echo "  make vm-shell TARGET=<t>  interactive shell in a target guest"
	@echo "  make setup                install host packages (root, Debian 12)"
	@echo "  make man                  forklab(8), forklab-bench(1), forklab(4) into build/man"
	@echo "  make install              install forklab.ko (for KDIR's release), the CLI and forklab-bench,"
	@echo "                            man pages, bash completion, bpftrace scripts"
	@echo "                            (root; DESTDIR=, PREFIX=$(PREFIX)); make uninstall takes them away"
	@echo "  make sign KEY=K CERT=C    sign the module built for KDIR (Secure Boot: a key enrolled as MOK)"
	@echo "  make dkms-install         register with DKMS, which rebuilds forklab for every kernel (root);"
	@echo "                            make dkms-uninstall"
	@echo "  make clean"

setup:
	tools/setup/host-deps.sh

module:
	@tools/build/module "$(KDIR)" "$(HOSTBUILD)"

userspace:
	@$(MAKE) -s -C userspace OUT=$(CURDIR)/$(HOSTBUILD)/bin

target:
	@case " $(TARGETS) $(RT_TARGETS) " in *" $(TARGET) "*) ;; *) echo "unknown TARGET '$(TARGET)' (known: $(TARGETS) $(RT_TARGETS))" >&2; exit 2;; esac
	@tools/build/target $(TARGET)

unit:
	@$(MAKE) -s -C tests/unit run

check:
	@tools/check $(TARGETS)

check-fast:
	@tools/check $(DEFAULT_TARGET)

# The correctness suites on this machine (root), against the loaded or
# installed module, or the one built here, in kselftest's KTAP format
# (tests/vm/selftest.sh): exit 0 passed, 1 failed, 4 skipped.  COW=PATH adds
# the kernel's mm/cow selftest in every mode.
COW ?=
selftest: module userspace
	@tools/build/module "$(KDIR)" "$(HOSTBUILD)" tests/kmod >/dev/null
	@tests/vm/selftest.sh --bin $(HOSTBUILD)/bin --ko $(HOSTBUILD)/forklab.ko --kmod $(HOSTBUILD) \
		$(if $(COW),--cow $(abspath $(COW)))

# The debug kernel lane: every suite but bpftrace's and the A/B driver's (no
# network, so no 9p sysroot), on linux-source-6.12 built with DEBUG_VM,
# PAGE_TABLE_CHECK, KASAN and lockdep (tools/kernels/build-debug).
DEBUG_SUITES := t-debug-kernel.sh t-module.sh t-conflict.sh fl-ioctl-test fl-ioctl-fuzz fl-walk-test t-diff.sh \
		t-cli.sh t-forks.sh t-storm.sh t-pressure.sh t-race.sh t-contpte.sh t-cow.sh
check-debug:
	@tree=$$(tools/kernels/build-debug) && FORKLAB_KERNEL=$$tree tools/check --suites "$(DEBUG_SUITES)" --timeout 5400 own

# The PREEMPT_RT lane: the suites where a page-table lock that sleeps and
# leaves preemption on matters (the walk's copies, forks, storms, pressure,
# races, contpte on arm64, mm/cow), on Debian's rt kernels: the 6.12 ones,
# or TARGET=<an rt target> (x86_64-6.1-rt).
RT_SUITES := t-module.sh t-forks.sh fl-walk-test t-diff.sh t-storm.sh t-pressure.sh t-race.sh \
		t-contpte.sh t-contpte-prot.sh t-cow.sh
check-rt:
	@tools/check --suites "$(RT_SUITES)" --timeout 1800 $(or $(TARGET),$(filter %-6.12-rt,$(RT_TARGETS)))

# The load tests for minutes: SOAK_SECONDS of switches under a fork storm,
# then as long of insmod/rmmod cycles during one, quiet cycles for the leak
# check, the ioctl fuzzer at 10x, the memory-pressure forks, and the races
# (SOAK_SECONDS / 2 per race program and mode: 4 modes x 2 programs).
SOAK_SECONDS ?= 120
soak:
	@tools/check --suites "t-storm.sh fl-ioctl-fuzz t-pressure.sh t-race.sh" --timeout 3600 --numa 2 \
		--env "FL_STORM_SECONDS=$(SOAK_SECONDS) FL_STORM_CYCLES=$$(($(SOAK_SECONDS) * 2)) FL_QUIET_CYCLES=120 FL_FUZZ_ITERATIONS=200000 FL_RACE_SECONDS=$$(($(SOAK_SECONDS) / 2))" \
		$(or $(TARGET),$(TARGETS))

demo:
	@tools/demo $(or $(TARGET),$(DEFAULT_TARGET))

ab:
	@tools/ab $(or $(TARGET),$(DEFAULT_TARGET)) $(or $(EXPERIMENT),layouts)

vm-shell:
	@tools/build/target $(or $(TARGET),$(DEFAULT_TARGET)) && tools/vm/run $(or $(TARGET),$(DEFAULT_TARGET)) --sysroot --shell

# Kbuild's own modules_install, into the release of KDIR.  Not signed there
# (a distribution's headers hold no signing key: 'make sign'), and depmod
# runs here, since Debian's headers have no System.map for Kbuild's.
install: module userspace man
	$(MAKE) -s -C $(KDIR) M=$(CURDIR)/$(HOSTBUILD)/src INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		CONFIG_MODULE_SIG_ALL= modules_install 2>&1 | { grep -v "missing 'System.map'" || true; }
	$(if $(DESTDIR),,depmod -a $(KRELEASE))
	install -D -m 0755 $(HOSTBUILD)/bin/forklab $(DESTDIR)$(PREFIX)/sbin/forklab
	install -D -m 0755 $(HOSTBUILD)/bin/forklab-bench $(DESTDIR)$(PREFIX)/sbin/forklab-bench
	install -D -m 0644 build/man/forklab.8 $(DESTDIR)$(MANDIR)/man8/forklab.8
	install -D -m 0644 build/man/forklab-bench.1 $(DESTDIR)$(MANDIR)/man1/forklab-bench.1
	install -D -m 0644 build/man/forklab.4 $(DESTDIR)$(MANDIR)/man4/forklab.4
	install -D -m 0644 userspace/completion/forklab.bash $(DESTDIR)$(COMPLETIONDIR)/forklab
	install -d $(DESTDIR)$(BPFTRACEDIR)
	install -m 0755 tools/bpftrace/*.bt $(DESTDIR)$(BPFTRACEDIR)/

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KRELEASE)/extra/forklab.ko*
	$(if $(DESTDIR),,depmod -a $(KRELEASE))
	rm -f $(DESTDIR)$(PREFIX)/sbin/forklab $(DESTDIR)$(PREFIX)/sbin/forklab-bench
	rm -f $(DESTDIR)$(MANDIR)/man8/forklab.8 $(DESTDIR)$(MANDIR)/man1/forklab-bench.1 \
		$(DESTDIR)$(MANDIR)/man4/forklab.4 $(DESTDIR)$(COMPLETIONDIR)/forklab
	rm -rf $(DESTDIR)$(BPFTRACEDIR)
	rmdir $(DESTDIR)$(PREFIX)/share/forklab 2>/dev/null || true

# forklab(8)'s commands come from the CLI's own table ('forklab help --man').
man: userspace
	@$(MAKE) -s -C man OUT=$(CURDIR)/build/man FORKLAB=$(CURDIR)/$(HOSTBUILD)/bin/forklab

# Secure Boot (lockdown) loads only modules signed with a key the firmware
# or shim trusts: sign with a key enrolled as MOK (mokutil --import CERT).
sign: module
	@[ -n "$(KEY)" ] && [ -n "$(CERT)" ] || { echo "make sign needs KEY=private key and CERT=its DER certificate (enrolled with mokutil)" >&2; exit 2; }
	$(or $(wildcard $(KDIR)/scripts/sign-file),$(error no scripts/sign-file in KDIR=$(KDIR): a kernel without CONFIG_MODULE_SIG checks no signature (nothing to sign); otherwise its headers or tree lack the tool (Debian: linux-kbuild))) sha256 $(KEY) $(CERT) $(HOSTBUILD)/forklab.ko
	@echo "signed $(HOSTBUILD)/forklab.ko: $$(/sbin/modinfo -F signer $(HOSTBUILD)/forklab.ko)"

# The sources DKMS builds from: the Kbuild, the module, the UAPI header.
# Built and installed at once for KDIR's release; DKMS rebuilds it for every
# kernel installed later (AUTOINSTALL).
DKMS_SRC = $(DESTDIR)/usr/src/forklab-$(VERSION)
dkms-install:
	install -d $(DKMS_SRC)
	cp -r Kbuild dkms.conf module include $(DKMS_SRC)/
	dkms add forklab/$(VERSION)
	dkms install forklab/$(VERSION) -k $(KRELEASE) --kernelsourcedir $(KDIR) $(DKMS_FLAGS)

dkms-uninstall:
	dkms remove forklab/$(VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	rm -rf build
	$(MAKE) -s -C tests/unit clean

.PHONY: all help setup module userspace target unit selftest check check-fast check-debug check-rt soak demo ab vm-shell man \
	install uninstall sign dkms-install dkms-uninstall clean
