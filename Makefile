# forklab: an instrumented, switchable fork path for kernel developers.
# 'make help' lists the targets; README.md explains them.

TARGETS := x86_64-6.1 x86_64-6.12 arm64-6.12
DEFAULT_TARGET := x86_64-6.1
TARGET ?=
KRELEASE := $(shell uname -r)
KDIR ?= /lib/modules/$(KRELEASE)/build
HOSTBUILD := build/host-$(KRELEASE)

ifeq ($(TARGET),)
all: module userspace
else
all: target
endif

help:
	@echo "forklab make targets:"
	@echo "  make                      module for the running kernel (KDIR=$(KDIR)) and the CLI"
	@echo "  make TARGET=<t>           module and static guest binaries for a VM target ($(TARGETS))"
	@echo "  make demo [TARGET=<t>]    boot the target in QEMU, load forklab, toggle modes, show stats"
	@echo "  make ab [TARGET=<t>] [EXPERIMENT=layouts|contpte|fork-exit|mprotect]"
	@echo "                            A/B experiment in the VM: every mode, interleaved rounds, report"
	@echo "                            (SIZE=, ROUNDS=, FORKS=, BPFTRACE=1; see tools/ab)"
	@echo "  make check                every test: CLI unit tests and VM tests on all targets"
	@echo "  make check-fast           CLI unit tests and VM tests on $(DEFAULT_TARGET) only"
	@echo "  make check-debug          the correctness suites and cow in every mode on a debug 6.12 kernel"
	@echo "                            (DEBUG_VM, PAGE_TABLE_CHECK, KASAN, lockdep; built once, ~12 min)"
	@echo "  make soak [TARGET=<t>]    the load tests for minutes (SOAK_SECONDS=120)"
	@echo "  make unit                 unit tests only: CLI and A/B statistics (no VM)"
	@echo "  make vm-shell TARGET=<t>  interactive shell in a target guest"
	@echo "  make setup                install host packages (root, Debian 12)"
	@echo "  make install              install forklab.ko, the CLI and forklab-bench on this machine (root)"
	@echo "  make clean"

setup:
	tools/setup/host-deps.sh

module:
	@tools/build/module "$(KDIR)" "$(HOSTBUILD)"

userspace:
	@$(MAKE) -s -C userspace OUT=$(CURDIR)/$(HOSTBUILD)/bin

target:
	@case " $(TARGETS) " in *" $(TARGET) "*) ;; *) echo "unknown TARGET '$(TARGET)' (known: $(TARGETS))" >&2; exit 2;; esac
	@tools/build/target $(TARGET)

unit:
	@$(MAKE) -s -C tests/unit run

check:
	@tools/check $(TARGETS)

check-fast:
	@tools/check $(DEFAULT_TARGET)

# The debug kernel lane: every suite but bpftrace's and the A/B driver's (no
# network, so no 9p sysroot), on linux-source-6.12 built with DEBUG_VM,
# PAGE_TABLE_CHECK, KASAN and lockdep (tools/kernels/build-debug).
DEBUG_SUITES := t-debug-kernel.sh t-module.sh t-conflict.sh fl-ioctl-test fl-ioctl-fuzz fl-walk-test t-diff.sh \
		t-cli.sh t-forks.sh t-storm.sh t-pressure.sh t-race.sh t-contpte.sh t-cow.sh
check-debug:
	@tools/check --suites "$(DEBUG_SUITES)" --timeout 5400 x86_64-6.12-debug

# The load tests for minutes: SOAK_SECONDS of switches under a fork storm,
# then as long of insmod/rmmod cycles during one, quiet cycles for the leak
# check, the ioctl fuzzer at 10x, the memory-pressure forks, and the races
# (SOAK_SECONDS / 2 per race program and mode: 4 modes x 2 programs).
SOAK_SECONDS ?= 120
soak:
	@tools/check --suites "t-storm.sh fl-ioctl-fuzz t-pressure.sh t-race.sh" --timeout 3600 \
		--env "FL_STORM_SECONDS=$(SOAK_SECONDS) FL_STORM_CYCLES=$$(($(SOAK_SECONDS) * 2)) FL_QUIET_CYCLES=120 FL_FUZZ_ITERATIONS=200000 FL_RACE_SECONDS=$$(($(SOAK_SECONDS) / 2))" \
		$(or $(TARGET),$(TARGETS))

demo:
	@tools/demo $(or $(TARGET),$(DEFAULT_TARGET))

ab:
	@tools/ab $(or $(TARGET),$(DEFAULT_TARGET)) $(or $(EXPERIMENT),layouts)

vm-shell:
	@tools/build/target $(or $(TARGET),$(DEFAULT_TARGET)) && tools/vm/run $(or $(TARGET),$(DEFAULT_TARGET)) --sysroot --shell

install: module userspace
	install -D -m 0644 $(HOSTBUILD)/forklab.ko /lib/modules/$(KRELEASE)/extra/forklab.ko
	depmod -a $(KRELEASE)
	install -D -m 0755 $(HOSTBUILD)/bin/forklab /usr/local/sbin/forklab
	install -D -m 0755 $(HOSTBUILD)/bin/forklab-bench /usr/local/sbin/forklab-bench

clean:
	rm -rf build
	$(MAKE) -s -C tests/unit clean

.PHONY: all help setup module userspace target unit check check-fast check-debug soak demo ab vm-shell install clean
