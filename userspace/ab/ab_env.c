// SPDX-License-Identifier: GPL-2.0
/*
 * Where an experiment ran, from the guest's (or machine's) own view, so that
 * a result can be quoted with it: the CPU, what runs it (bare metal, KVM,
 * another hypervisor, QEMU's TCG, TCG with icount), vCPUs, memory, the
 * kernel and its command line, THP and mTHP settings, forklab's version.
 * Everything is read from files under a root ("" for this machine), so the
 * unit tests can give a fake one.
 *
 * TCG is told from QEMU's own CPU identity: on x86 its model name "QEMU TCG
 * CPU" (KVM passes the host's), on arm64 -cpu max's implementer 0 (reserved
 * for software).  icount is what tools/vm/run puts on the kernel command
 * line (forklab.clock=icount), since the guest cannot see it otherwise.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "ab.h"

#ifndef FORKLAB_GIT
#define FORKLAB_GIT "unknown"	/* built without userspace/Makefile */
#endif

/* The first line of @root/@path, without its newline; "" when unreadable. */
static void ab_env_read(const char *root, const char *path, char *buf, size_t len)
{
	char full[512];
	FILE *f;

	*buf = 0;
	snprintf(full, sizeof(full), "%s%s", root, path);
	f = fopen(full, "r");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* The value of the first "@key : value" line of @root/proc/cpuinfo; count of "processor" lines. */
static unsigned int ab_env_cpuinfo(const char *root, const char *key, char *val, size_t len)
{
	char path[512], line[1024];
	unsigned int cpus = 0;
	FILE *f;

	*val = 0;
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", root);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		size_t klen = strcspn(line, "\t:");

		if (!colon)
			continue;
		if (!strncmp(line, "processor", 9) && klen == 9)
			cpus++;
		if (!*val && klen == strlen(key) && !strncmp(line, key, klen)) {
			colon += strspn(colon + 1, " ") + 1;
			colon[strcspn(colon, "\n")] = 0;
			snprintf(val, len, "%s", colon);
		}
	}
	if (f)
		fclose(f);
	return cpus;
}

static bool ab_env_has(const char *root, const char *path, const char *needle)
{
	char buf[1024];

	ab_env_read(root, path, buf, sizeof(buf));
	return strstr(buf, needle) != NULL;
}

/* "[always] madvise never" -> "always" */
static void ab_env_choice(const char *root, const char *path, char *buf, size_t len)
{
	char raw[256], *l, *r;

	ab_env_read(root, path, raw, sizeof(raw));
	l = strchr(raw, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r)
		snprintf(buf, len, "%.*s", (int)(r - l - 1), l + 1);
	else
		snprintf(buf, len, "%.*s", (int)len - 1, *raw ? raw : "-");
}

static int ab_env_size_cmp(const void *a, const void *b)
{
	return atoi(*(char *const *)a + 11) - atoi(*(char *const *)b + 11);	/* "hugepages-64kB" */
}

static void ab_env_mthp(const char *root, char *buf, size_t len)
{
	char dir[512], *names[32];
	unsigned int n = 0;
	size_t used = 0;
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/sys/kernel/mm/transparent_hugepage", root);
	snprintf(buf, len, "none (no per-size settings: before 6.8)");
	dp = opendir(dir);
	while (dp && (d = readdir(dp)) && n < 32)
		if (!strncmp(d->d_name, "hugepages-", 10))
			names[n++] = strdup(d->d_name);
	if (dp)
		closedir(dp);
	qsort(names, n, sizeof(names[0]), ab_env_size_cmp);
	for (unsigned int i = 0; i < n; i++) {
		char path[600], val[32];

		snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/%s/enabled", names[i]);
		ab_env_choice(root, path, val, sizeof(val));
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "", names[i] + 10, val);
		free(names[i]);
	}
}

void ab_env_detect(const char *root, const char *clock_arg, struct ab_env *e)
{
	char model[128], impl[32], part[32], flags[2048] = "", vendor[64], compat[128], mem[128];
	bool icount;

	memset(e, 0, sizeof(*e));
	snprintf(e->forklab_git, sizeof(e->forklab_git), "%s", FORKLAB_GIT);
	ab_env_read(root, "/proc/sys/kernel/osrelease", e->release, sizeof(e->release));
	ab_env_read(root, "/proc/cmdline", e->cmdline, sizeof(e->cmdline));
	ab_env_read(root, "/proc/sys/kernel/arch", e->arch, sizeof(e->arch));
	if (!*e->arch && !*root) {
		struct utsname u;

		if (!uname(&u))
			snprintf(e->arch, sizeof(e->arch), "%s", u.machine);
	}
	e->vcpus = ab_env_cpuinfo(root, "model name", model, sizeof(model));
	ab_env_cpuinfo(root, "CPU implementer", impl, sizeof(impl));
	ab_env_cpuinfo(root, "CPU part", part, sizeof(part));
	ab_env_cpuinfo(root, "flags", flags, sizeof(flags));
	ab_env_read(root, "/sys/devices/virtual/dmi/id/sys_vendor", vendor, sizeof(vendor));
	ab_env_read(root, "/proc/device-tree/compatible", compat, sizeof(compat));
	if (*model)
		snprintf(e->cpu, sizeof(e->cpu), "%s", model);
	else if (*impl)
		snprintf(e->cpu, sizeof(e->cpu), "implementer %s part %s%s", impl, part,
			 !strcmp(impl, "0x00") ? " (QEMU -cpu max)" : "");
	else
		snprintf(e->cpu, sizeof(e->cpu), "unknown");
	ab_env_read(root, "/proc/meminfo", mem, sizeof(mem));	/* MemTotal: N kB */
	if (!strncmp(mem, "MemTotal:", 9))
		e->mem_kib = strtoull(mem + 9, NULL, 10);

	icount = strstr(e->cmdline, "forklab.clock=icount") != NULL;
	if (strstr(model, "QEMU TCG") || !strcmp(impl, "0x00"))
		snprintf(e->platform, sizeof(e->platform), "%s", icount ? "TCG-icount" : "TCG");
	else if (ab_env_has(root, "/sys/devices/system/clocksource/clocksource0/available_clocksource", "kvm-clock") ||
		 strstr(vendor, "KVM"))
		snprintf(e->platform, sizeof(e->platform), "KVM");
	else if (strstr(flags, " hypervisor") || strstr(vendor, "QEMU") || strstr(compat, "dummy-virt"))
		snprintf(e->platform, sizeof(e->platform), "VM (%s)", *vendor ? vendor : "hypervisor");
	else
		snprintf(e->platform, sizeof(e->platform), "bare metal");

	if (clock_arg && strcmp(clock_arg, "auto")) {
		snprintf(e->clock, sizeof(e->clock), "%s", clock_arg);
		snprintf(e->clock_source, sizeof(e->clock_source), "--clock %s", clock_arg);
	} else {
		snprintf(e->clock, sizeof(e->clock), "%s", icount ? "icount" : "time");
		snprintf(e->clock_source, sizeof(e->clock_source), "%s",
			 icount ? "forklab.clock=icount" : "no forklab.clock=icount");
	}
	{
		char en[32], df[32], sh[32];

		ab_env_choice(root, "/sys/kernel/mm/transparent_hugepage/enabled", en, sizeof(en));
		ab_env_choice(root, "/sys/kernel/mm/transparent_hugepage/defrag", df, sizeof(df));
		ab_env_choice(root, "/sys/kernel/mm/transparent_hugepage/shmem_enabled", sh, sizeof(sh));
		snprintf(e->thp, sizeof(e->thp), "enabled=%s defrag=%s shmem_enabled=%s", en, df, sh);
	}
	ab_env_mthp(root, e->mthp, sizeof(e->mthp));
}

void ab_env_line(const struct ab_env *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %s, %u vCPU%s, %s, forklab %s", e->release, e->platform, e->vcpus,
		 e->vcpus == 1 ? "" : "s", e->cpu, e->forklab_git);
}

void ab_env_write_md(const struct ab_env *e, const char *command, FILE *f)
{
	fprintf(f, "- ran on: %s, %s (%s), %u vCPU%s, %.1f GiB memory\n", e->platform, e->cpu, e->arch, e->vcpus,
		e->vcpus == 1 ? "" : "s", e->mem_kib / 1048576.0);
	fprintf(f, "- clock: %s (%s)%s\n", e->clock, e->clock_source,
		!strcmp(e->clock, "icount") ? ": 1 ns of guest time is one guest instruction" : "");
	fprintf(f, "- kernel: %s, command line `%s`\n", e->release, e->cmdline);
	fprintf(f, "- THP: %s; mTHP: %s\n", e->thp, e->mthp);
	fprintf(f, "- forklab: %s\n- command: `%s`\n", e->forklab_git, command);
}

void ab_env_write_json(const struct ab_env *e, struct fl_json *j)
{
	fl_json_object_begin(j, "environment");
	fl_json_string(j, "platform", e->platform);
	fl_json_string(j, "cpu", e->cpu);
	fl_json_string(j, "arch", e->arch);
	fl_json_u64(j, "vcpus", e->vcpus);
	fl_json_u64(j, "memory_kib", e->mem_kib);
	fl_json_string(j, "kernel", e->release);
	fl_json_string(j, "kernel_cmdline", e->cmdline);
	fl_json_string(j, "thp", e->thp);
	fl_json_string(j, "mthp", e->mthp);
	fl_json_string(j, "forklab_git", e->forklab_git);
	fl_json_string(j, "clock", e->clock);
	fl_json_string(j, "clock_source", e->clock_source);
	fl_json_object_end(j);
}
