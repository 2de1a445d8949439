// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of where an A/B report says it ran (userspace/ab/ab_env.c):
 * fake machines as file trees (an x86 TCG guest under icount, an arm64
 * TCG guest, a KVM guest, bare metal), and the environment block of
 * report.md and results.json, written out in full.  Speaks TAP and ends
 * with "N passed, N failed".
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ab/ab.h"
#include "tap.h"

static char root[] = "/tmp/forklab-unit-env.XXXXXX";

/* Writes @text to @root/@path, making its folders. */
static void put(const char *path, const char *text)
{
	char full[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	for (slash = strchr(full + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(full, 0755);
		*slash = '/';
	}
	f = fopen(full, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

static void machine(const char *cpuinfo, const char *cmdline)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", root);
	if (system(cmd))
		abort();
	put("/proc/cpuinfo", cpuinfo);
	put("/proc/cmdline", cmdline);
	put("/proc/meminfo", "MemTotal:        4028148 kB\nMemFree:         3900000 kB\n");
	put("/proc/sys/kernel/osrelease", "6.1.0-56-amd64\n");
	put("/proc/sys/kernel/arch", "x86_64\n");
	put("/sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
	put("/sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never\n");
	put("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "always within_size advise [never] deny force\n");
}

static char *md_of(const struct ab_env *e)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ab_env_write_md(e, "forklab ab --rounds 7 latency", f);
	fclose(f);
	return buf;
}

static void test_icount_x86(void)
{
	static const char want[] =
		"- ran on: TCG-icount, QEMU TCG CPU version 2.5+ (x86_64), 1 vCPU, 3.8 GiB memory\n"
		"- clock: icount (forklab.clock=icount): 1 ns of guest time is one guest instruction\n"
		"- kernel: 6.1.0-56-amd64, command line `console=ttyS0 quiet forklab.clock=icount`\n"
		"- THP: enabled=always defrag=madvise shmem_enabled=never; mTHP: 64kB=never 128kB=never 2048kB=inherit\n"
		"- forklab: v0-test\n"
		"- command: `forklab ab --rounds 7 latency`\n";
	static const char want_json[] =
		"{\"environment\":{\"platform\":\"TCG-icount\",\"cpu\":\"QEMU TCG CPU version 2.5+\","
		"\"arch\":\"x86_64\",\"vcpus\":1,\"memory_kib\":4028148,\"kernel\":\"6.1.0-56-amd64\","
		"\"kernel_cmdline\":\"console=ttyS0 quiet forklab.clock=icount\",\"thp\":\"enabled=always "
		"defrag=madvise shmem_enabled=never\",\"mthp\":\"64kB=never 128kB=never 2048kB=inherit\","
		"\"forklab_git\":\"v0-test\",\"clock\":\"icount\",\"clock_source\":\"forklab.clock=icount\"}}\n";
	struct ab_env e;
	struct fl_json j;
	char *md, *json = NULL, line[512];
	size_t len;
	FILE *f;

	machine("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: QEMU TCG CPU version 2.5+\n"
		"flags\t\t: fpu vme hypervisor lm\n\n", "console=ttyS0 quiet forklab.clock=icount\n");
	put("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled", "always [inherit] madvise never\n");
	put("/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled", "always inherit madvise [never]\n");
	put("/sys/kernel/mm/transparent_hugepage/hugepages-128kB/enabled", "always inherit madvise [never]\n");
	ab_env_detect(root, NULL, &e);
	md = md_of(&e);
	check(!strcmp(md, want), "x86 TCG guest with forklab.clock=icount: the report's environment block");
	if (strcmp(md, want))
		printf("# got:\n%s# wanted:\n%s", md, want);
	free(md);
	f = open_memstream(&json, &len);
	fl_json_init(&j, f);
	fl_json_object_begin(&j, NULL);
	ab_env_write_json(&e, &j);
	fl_json_object_end(&j);
	fclose(f);
	check(!strcmp(json, want_json), "  ... and results.json's environment object");
	if (strcmp(json, want_json))
		printf("# got:      %s# wanted:   %s", json, want_json);
	free(json);
	ab_env_line(&e, line, sizeof(line));
	check(!strcmp(line, "6.1.0-56-amd64, TCG-icount, 1 vCPU, QEMU TCG CPU version 2.5+, forklab v0-test"),
	      "  ... and the plot title's line (%s)", line);
	ab_env_detect(root, "time", &e);
	check(!strcmp(e.clock, "time") && !strcmp(e.clock_source, "--clock time") && !strcmp(e.platform, "TCG-icount"),
	      "--clock time overrides the unit, not where it ran");
}

static void test_others(void)
{
	struct ab_env e;

	machine("processor\t: 0\nBogoMIPS\t: 125.00\nCPU implementer\t: 0x00\nCPU part\t: 0x051\n\n"
		"processor\t: 1\nBogoMIPS\t: 125.00\nCPU implementer\t: 0x00\nCPU part\t: 0x051\n\n",
		"console=ttyAMA0 quiet\n");
	ab_env_detect(root, "auto", &e);
	check(!strcmp(e.platform, "TCG") && e.vcpus == 2 && !strcmp(e.clock, "time") &&
	      !strcmp(e.cpu, "implementer 0x00 part 0x051 (QEMU -cpu max)") &&
	      !strcmp(e.mthp, "none (no per-size settings: before 6.8)"),
	      "arm64 -cpu max without icount: TCG, 2 vCPUs, time (%s, %s)", e.platform, e.cpu);
	ab_env_detect(root, "icount", &e);
	check(!strcmp(e.clock, "icount") && !strcmp(e.clock_source, "--clock icount"),
	      "--clock icount is taken as said");
	machine("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz\n"
		"flags\t\t: fpu vme hypervisor lm\n\n", "BOOT_IMAGE=/vmlinuz\n");
	put("/sys/devices/system/clocksource/clocksource0/available_clocksource", "kvm-clock tsc acpi_pm \n");
	ab_env_detect(root, NULL, &e);
	check(!strcmp(e.platform, "KVM"), "a host CPU with kvm-clock: KVM (%s)", e.platform);
	machine("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz\nflags\t\t: fpu vme lm\n\n"
		"processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz\nflags\t\t: fpu vme lm\n\n",
		"BOOT_IMAGE=/vmlinuz forklab.clock=icount\n");
	ab_env_detect(root, NULL, &e);
	check(!strcmp(e.platform, "bare metal") && e.vcpus == 2, "no hypervisor flag: bare metal (%s)", e.platform);
	machine("", "");
	ab_env_detect(root, NULL, &e);
	check(!strcmp(e.cpu, "unknown") && e.vcpus == 0 && !strcmp(e.clock, "time"),
	      "an empty /proc: unknown, nothing made up");
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(root))
		abort();
	test_icount_x86();
	test_others();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		printf("# could not remove %s\n", root);
	return tap_done();
}
