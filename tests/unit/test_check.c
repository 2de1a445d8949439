// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of 'forklab check' on fake machines: file trees under
 * $FORKLAB_CHECK_ROOT and the fake device for the handshake; every check
 * ok and not, in text and JSON, and the exit status.  Speaks TAP and ends
 * with "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/commands.h"
#include "fake_device.h"
#include "json_check.h"
#include "tap.h"
#include "cli_run.h"

static char root[] = "/tmp/forklab-unit-check.XXXXXX";

static const char R61[] = "6.1.0-57-amd64";
static const char SIG_MAGIC[] = "~Module signature appended~\n";

/* The line of check @name in the text output, or NULL. */
static const char *line_of(const char *name)
{
	static char line[4096];
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), " %s: ", name);
	for (p = out_buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *k = strstr(p, key);
		const char *nl = strchr(p, '\n');

		if (k && (!nl || k < nl) && k - p == 7) {
			snprintf(line, sizeof(line), "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
			return line;
		}
	}
	return NULL;
}

/* Check @name's line: its status and, if given, two things it says. */
static bool has(const char *name, const char *status, const char *a, const char *b)
{
	const char *l = line_of(name);

	return l && !strncmp(l, status, strlen(status)) && l[strlen(status)] == ' ' && (!a || strstr(l, a)) &&
	       (!b || strstr(l, b));
}

static void put_bytes(const char *path, const void *data, size_t len)
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
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		abort();
}

static void put(const char *path, const char *text)
{
	put_bytes(path, text, strlen(text));
}

static void rm(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s%s'", root, path);
	if (system(cmd))
		abort();
}

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd))
		abort();
}

static const char FULL_CONFIG[] =
	"CONFIG_MODULES=y\nCONFIG_KPROBES=y\nCONFIG_KALLSYMS=y\nCONFIG_KALLSYMS_ALL=y\n"
	"CONFIG_DYNAMIC_FTRACE=y\nCONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS=y\nCONFIG_DYNAMIC_FTRACE_WITH_REGS=y\n"
	"CONFIG_LIVEPATCH=y\n# CONFIG_MODULE_SIG_FORCE is not set\nCONFIG_SECURITY_LOCKDOWN_LSM=y\n";

/* A module file: a vermagic and a version as .modinfo holds them, maybe a signature. */
static void put_module(const char *path, const char *vermagic, bool sig)
{
	char buf[512];
	size_t n = 0;

	memcpy(buf, "\177ELF junk", 9);
	n = 9 + 1;
	buf[9] = 0;
	n += snprintf(buf + n, sizeof(buf) - n, "version=0.1.0") + 1;
	n += snprintf(buf + n, sizeof(buf) - n, "srcversion=ABC") + 1;
	n += snprintf(buf + n, sizeof(buf) - n, "vermagic=%s SMP preempt mod_unload modversions ", vermagic) + 1;
	if (sig) {
		memcpy(buf + n, SIG_MAGIC, strlen(SIG_MAGIC));
		n += strlen(SIG_MAGIC);
	}
	put_bytes(path, buf, n);
}

/* A machine forklab is ready on: x86_64 6.1 with everything it needs, module installed. */
static void machine(const char *release, const char *arch)
{
	char path[256];

	sh("rm -rf '%s'/*", root);
	put("/proc/sys/kernel/osrelease", release);
	put("/proc/sys/kernel/arch", arch);
	put("/proc/sys/kernel/ftrace_enabled", "1\n");
	snprintf(path, sizeof(path), "/boot/config-%s", release);
	put(path, FULL_CONFIG);
	put("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put("/sys/module/module/parameters/sig_enforce", "N\n");
	put("/sys/kernel/tracing/enabled_functions", "");
	snprintf(path, sizeof(path), "/lib/modules/%s/build/Makefile", release);
	put(path, "# headers\n");
	snprintf(path, sizeof(path), "/lib/modules/%s/extra/forklab.ko", release);
	put_module(path, release, false);
	fake_reset();
	fake.loaded = false;
	fake.open_err = -ENOENT;
	unsetenv("FORKLAB_CHECK_EUID");
}

/* The object of check @name in a JSON answer. */
static json_t *json_check_of(json_t *doc, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(doc, "checks"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "", name))
			return c;
	return NULL;
}

/* --json check: valid, every check has a status, every missing one a todo. */
static json_t *json_run(int *rc)
{
	json_t *doc, *c;
	size_t i;
	bool good = true;

	*rc = run("--json", "check", NULL);
	doc = json_loads(out_buf, 0, NULL);
	if (!doc || !json_valid(out_buf))
		return NULL;
	json_array_foreach(json_object_get(doc, "checks"), i, c) {
		const char *st = json_string_value(json_object_get(c, "status")) ?: "";

		good &= !!json_string_value(json_object_get(c, "found"));
		good &= !strcmp(st, "ok") || !strcmp(st, "warn") || !strcmp(st, "missing");
		good &= strcmp(st, "missing") || json_string_value(json_object_get(c, "todo"));
	}
	if (!good) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static void test_ready(void)
{
	json_t *doc;
	int rc;

	machine(R61, "x86_64");
	check(run("check", NULL) == 0 && has("kernel", "ok", "6.1.0-57-amd64 x86_64", "walk follows 6.1.y") &&
	      has("kernel", "ok", "modes stock, passthrough, perpte, batched", NULL) &&
	      has("config", "ok", "/boot/config-6.1.0-57-amd64", NULL) &&
	      has("ftrace_enabled", "ok", "= 1", NULL) && has("lockdown", "ok", "none", NULL) &&
	      has("signature", "ok", "not required", NULL) && has("secure_boot", "ok", "not EFI", NULL) &&
	      has("headers", "ok", "/lib/modules/6.1.0-57-amd64/build", NULL) &&
	      has("module", "ok", "'forklab load' loads /lib/modules/6.1.0-57-amd64/extra/forklab.ko",
		  "forklab 0.1.0, built for 6.1.0-57-amd64") &&
	      has("ftrace_users", "ok", "no other ftrace user modifies copy_page_range", NULL) &&
	      has("root", "ok", NULL, NULL) && !strstr(out_buf, "missing") && !strstr(out_buf, "\nwarn") &&
	      strstr(out_buf, "forklab can load and redirect here: modes stock, passthrough, perpte, batched; "
		     "contpte policies kernel\n"),
	      "a ready x86_64 6.1 machine: every check ok, the verdict with the modes, exit 0");
	check(fake.opens == 0, "  ... the device is not opened while /sys/module/forklab is absent");
	doc = json_run(&rc);
	check(rc == 0 && doc && json_is_true(json_object_get(doc, "ready")) &&
	      json_integer_value(json_object_get(doc, "exit_code")) == 0 &&
	      !json_object_get(doc, "error") && json_array_size(json_object_get(doc, "modes")) == 4 &&
	      !strcmp(json_string_value(json_object_get(doc, "release")), R61) &&
	      json_is_true(json_object_get(doc, "root")) &&
	      json_array_size(json_object_get(doc, "checks")) == 19 &&
	      !strcmp(json_string_value(json_object_get(json_check_of(doc, "CONFIG_KPROBES"), "status")) ?: "", "ok"),
	      "  ... --json: one object, the same 19 checks, ready, exit_code 0");
	json_decref(doc);
	check(run("check", "--json", NULL) == 0 && json_valid(out_buf), "  ... --json after the command too");
}

/* Every release module/compat.h accepts gets the walk; others stock and passthrough only. */
static void test_kernel(void)
{
	FILE *f = fopen(FL_COMPAT_H, "r");
	char line[512], release[64];
	unsigned int maj, min, seen = 0;
	json_t *doc;
	int rc;

	while (f && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "LINUX_VERSION_CODE >= KERNEL_VERSION(");

		if (!p || sscanf(p, "LINUX_VERSION_CODE >= KERNEL_VERSION(%u, %u, 0)", &maj, &min) != 2)
			continue;
		seen++;
		snprintf(release, sizeof(release), "%u.%u.9-1-amd64", maj, min);
		machine(release, "x86_64");
		snprintf(line, sizeof(line), "walk follows %u.%u.y", maj, min);
		check(run("check", NULL) == 0 && has("kernel", "ok", line, "perpte, batched"),
		      "module/compat.h accepts %u.%u: check says the walk is there (%s)", maj, min, release);
	}
	if (f)
		fclose(f);
	check(seen == 3, "module/compat.h names 3 releases (%u)", seen);

	machine("6.5.0-5-amd64", "x86_64");
	check(run("check", NULL) == 0 &&
	      has("kernel", "warn", "walk exists for 6.1.y, 6.12.y and 7.3.y only", "offers stock and passthrough") &&
	      has("kernel", "warn", "builds without it", "README 'Supported kernels'"),
	      "another release (6.5): warn, the module builds without the walk, stock and passthrough, "
	      "where the list is; exit 0");
	doc = json_run(&rc);
	check(rc == 0 && doc && json_is_true(json_object_get(doc, "ready")) &&
	      json_integer_value(json_object_get(doc, "exit_code")) == 0 &&
	      json_array_size(json_object_get(doc, "modes")) == 2,
	      "  ... --json: ready, exit_code 0, modes stock and passthrough");
	json_decref(doc);
	machine("6.1.0-57-riscv64", "riscv64");
	check(run("check", NULL) == FL_EXIT_MISSING && has("kernel", "missing", "x86_64 and arm64 only", NULL),
	      "another architecture: missing");
	machine(R61, "x86_64");
	rm("/proc/sys/kernel/osrelease");
	check(run("check", NULL) == FL_EXIT_MISSING && has("kernel", "missing", "cannot read the kernel release", NULL),
	      "no release: missing");
}

static void test_config(void)
{
	static const char *const needed[] = { "CONFIG_MODULES", "CONFIG_KPROBES", "CONFIG_KALLSYMS",
					      "CONFIG_KALLSYMS_ALL", "CONFIG_DYNAMIC_FTRACE",
					      "CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS", "CONFIG_DYNAMIC_FTRACE_WITH_REGS" };
	const char *path = "/boot/config-6.1.0-57-amd64";
	char text[sizeof(FULL_CONFIG)], want[128];

	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		char *p;

		machine(R61, "x86_64");
		memcpy(text, FULL_CONFIG, sizeof(text));
		snprintf(want, sizeof(want), "\n%s=y\n", needed[i]);
		p = strstr(text, want) ?: strstr(text, want + 1);
		memset(p + (p == text ? 0 : 1), '#', 1);	/* "#CONFIG_X=y": not set */
		put(path, text);
		snprintf(want, sizeof(want), "use a kernel built with %s=y", needed[i]);
		check(run("check", NULL) == FL_EXIT_MISSING && has(needed[i], "missing", "not set: ", want),
		      "x86_64 without %s: missing, says why and what to do; exit 7", needed[i]);
	}
	machine(R61, "x86_64");
	put(path, "CONFIG_KPROBES=y\n");
	check(run("check", NULL) == FL_EXIT_MISSING && has("CONFIG_LIVEPATCH", "ok", "not set", NULL) &&
	      has("CONFIG_MODULE_SIG_FORCE", "ok", "not set", NULL) && !line_of("CONFIG_ARM64_CONTPTE"),
	      "CONFIG_LIVEPATCH and CONFIG_MODULE_SIG_FORCE: information; no contpte line on x86_64");

	machine("6.12.95+deb12-arm64", "aarch64");
	put("/boot/config-6.12.95+deb12-arm64", "CONFIG_MODULES=y\nCONFIG_KPROBES=y\nCONFIG_KALLSYMS=y\n"
	    "CONFIG_KALLSYMS_ALL=y\nCONFIG_DYNAMIC_FTRACE=y\nCONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS=y\n"
	    "CONFIG_ARM64_CONTPTE=y\nCONFIG_MODULE_SIG_FORCE=y\n");
	check(run("check", NULL) == 0 && !line_of("CONFIG_DYNAMIC_FTRACE_WITH_REGS") &&
	      has("CONFIG_ARM64_CONTPTE", "ok", "unfold and block", NULL) &&
	      has("CONFIG_MODULE_SIG_FORCE", "ok", "y: only signed modules load", NULL) &&
	      strstr(out_buf, "contpte policies kernel, unfold, block\n"),
	      "arm64 6.12: no WITH_REGS needed, CONFIG_ARM64_CONTPTE gives the three contpte policies");
	put("/boot/config-6.12.95+deb12-arm64", "CONFIG_MODULES=y\nCONFIG_KPROBES=y\nCONFIG_KALLSYMS=y\n"
	    "CONFIG_KALLSYMS_ALL=y\nCONFIG_DYNAMIC_FTRACE=y\nCONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS=y\n");
	check(run("check", NULL) == 0 && has("CONFIG_ARM64_CONTPTE", "warn", "only the contpte policy kernel",
					       "CONFIG_ARM64_CONTPTE=y") &&
	      strstr(out_buf, "contpte policies kernel\n"), "arm64 without CONFIG_ARM64_CONTPTE: warn, kernel only, exit 0");
	rm("/boot");
	check(run("check", NULL) == 0 &&
	      strstr(out_buf, "contpte policies kernel (unfold and block too if the kernel has CONFIG_ARM64_CONTPTE)\n"),
	      "arm64 without a readable config: the verdict says unfold and block depend on CONFIG_ARM64_CONTPTE");

	/* where the config comes from */
	machine(R61, "x86_64");
	rm(path);
	put("/proc/config.gz.plain", FULL_CONFIG);
	sh("gzip -c '%s/proc/config.gz.plain' > '%s/proc/config.gz'", root, root);
	check(run("check", NULL) == 0 && has("config", "ok", "/proc/config.gz", NULL) &&
	      has("CONFIG_KALLSYMS_ALL", "ok", NULL, NULL), "no /boot/config: /proc/config.gz, through gzip");
	put("/proc/config.gz", "not gzip");
	put("/lib/modules/6.1.0-57-amd64/build/.config", FULL_CONFIG);
	check(run("check", NULL) == 0 && has("config", "ok", "/lib/modules/6.1.0-57-amd64/build/.config", NULL),
	      "a broken /proc/config.gz: the headers' .config");
	rm("/lib/modules/6.1.0-57-amd64/build/.config");
	check(run("check", NULL) == 0 && has("config", "warn", "/proc/config.gz: gzip -dc failed on it", NULL),
	      "  ... none: the config check says gzip failed");
	rm("/proc/config.gz");
	check(run("check", NULL) == 0 &&
	      has("config", "warn", "cannot read the kernel config (no /boot/config-6.1.0-57-amd64, no "
		  "/proc/config.gz, no /lib/modules/6.1.0-57-amd64/build/.config): the CONFIG_ checks were not done",
		  "linux-image-6.1.0-57-amd64") && !line_of("CONFIG_KPROBES"),
	      "no config anywhere: warn, names the three places and where to get one; no CONFIG_ lines; exit 0");
}

static void test_ftrace_enabled(void)
{
	machine(R61, "x86_64");
	put("/proc/sys/kernel/ftrace_enabled", "0\n");
	check(run("check", NULL) == FL_EXIT_MISSING &&
	      has("ftrace_enabled", "missing", "= 0", "sysctl kernel.ftrace_enabled=1"),
	      "kernel.ftrace_enabled=0: missing, says the sysctl");
	rm("/proc/sys/kernel/ftrace_enabled");
	check(run("check", NULL) == FL_EXIT_MISSING && has("ftrace_enabled", "missing", "no function tracer",
							      "CONFIG_FUNCTION_TRACER"),
	      "no ftrace_enabled at all: missing, no function tracer");
	machine("7.3.4+deb13-amd64", "x86_64");
	check(run("check", NULL) == 0 && has("ftrace_enabled", "ok", "7.3 no longer lets it be set to 0", NULL),
	      "7.3: ok, and says it cannot be set to 0 there");
}

static void test_lockdown_signature(void)
{
	const char *ko = "/lib/modules/6.1.0-57-amd64/extra/forklab.ko";

	machine(R61, "x86_64");
	put("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	check(run("check", NULL) == FL_EXIT_MISSING && has("lockdown", "warn", "integrity: only modules signed",
							      "not restricted") &&
	      has("signature", "missing", "required (lockdown integrity), and "
		  "/lib/modules/6.1.0-57-amd64/extra/forklab.ko is not signed", "make sign KEY="),
	      "lockdown integrity, unsigned module: signature missing with how to sign, lockdown warn; exit 7");
	put_module(ko, R61, true);
	check(run("check", NULL) == 0 && has("lockdown", "ok", "integrity", NULL) &&
	      has("signature", "ok", "required (lockdown integrity); /lib/modules", "is signed"),
	      "  ... a signed module: both ok");
	put("/sys/kernel/security/lockdown", "none integrity [confidentiality]\n");
	check(run("check", NULL) == 0 && has("lockdown", "warn", "confidentiality", "tools/bpftrace are blind"),
	      "lockdown confidentiality: warn, tracefs and bpftrace blind");
	put_module(ko, R61, false);
	put("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put("/sys/module/module/parameters/sig_enforce", "Y\n");
	check(run("check", NULL) == FL_EXIT_MISSING && has("signature", "missing", "required (module.sig_enforce=Y)", NULL),
	      "module.sig_enforce=Y and an unsigned module: missing");
	rm(ko);
	check(run("check", NULL) == FL_EXIT_MISSING && has("signature", "warn", "required (module.sig_enforce=Y)",
							      "sign the module you build"),
	      "  ... and no module: signature warn, the module line is the missing one");
	put("/sys/module/module/parameters/sig_enforce", "N\n");
	put_module(ko, R61, false);
	rm("/sys/kernel/security/lockdown");
	check(run("check", NULL) == 0 && has("lockdown", "warn", "cannot read /sys/kernel/security/lockdown",
					       "mount -t securityfs") &&
	      has("signature", "warn", "could not be read", "see lockdown"),
	      "securityfs not mounted: lockdown warn (mount it), signature unknown");
	put("/sys/kernel/security/lsm", "capability,apparmor\n");
	check(run("check", NULL) == 0 && has("lockdown", "ok", "no lockdown LSM", NULL) &&
	      has("signature", "ok", "not required", NULL),
	      "securityfs mounted without a lockdown file: no lockdown LSM");
	rm("/sys/kernel/security");
	put("/boot/config-6.1.0-57-amd64", "CONFIG_MODULES=y\nCONFIG_KPROBES=y\nCONFIG_KALLSYMS=y\n"
	    "CONFIG_KALLSYMS_ALL=y\nCONFIG_DYNAMIC_FTRACE=y\nCONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS=y\n"
	    "CONFIG_DYNAMIC_FTRACE_WITH_REGS=y\n");
	check(run("check", NULL) == 0 && has("lockdown", "ok", "no lockdown LSM", NULL),
	      "a config without CONFIG_SECURITY_LOCKDOWN_LSM: no lockdown LSM");
}

static void test_secure_boot(void)
{
	static const unsigned char on[] = { 6, 0, 0, 0, 1 }, off[] = { 6, 0, 0, 0, 0 };
	const char *var = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

	machine(R61, "x86_64");
	put_bytes(var, on, sizeof(on));
	check(run("check", NULL) == 0 && has("secure_boot", "ok", "enabled", "see lockdown"), "Secure Boot on");
	put_bytes(var, off, sizeof(off));
	check(run("check", NULL) == 0 && has("secure_boot", "ok", "disabled", NULL), "Secure Boot off");
	rm(var);
	check(run("check", NULL) == 0 && has("secure_boot", "ok", "EFI, state unknown", "mokutil --sb-state"),
	      "EFI without the variable: unknown");
}

static void test_headers_module(void)
{
	const char *dir = "/lib/modules/6.1.0-57-amd64";
	char path[256];

	machine(R61, "x86_64");
	rm("/lib/modules/6.1.0-57-amd64/build");
	check(run("check", NULL) == 0 && has("headers", "warn", "needed only to build the module again",
					       "apt-get install linux-headers-6.1.0-57-amd64"),
	      "no headers with a module installed: warn, says the package");
	rm("/lib/modules");
	check(run("check", NULL) == FL_EXIT_MISSING && has("headers", "missing", "cannot be built", "linux-headers-") &&
	      has("module", "missing", "no forklab.ko for 6.1.0-57-amd64", "make && sudo make install") &&
	      strstr(out_buf, "2 missing (headers, module)"),
	      "no headers, no module: both missing");
	snprintf(path, sizeof(path), "%s/extra/forklab.ko", dir);
	put_module(path, "6.1.0-44-amd64", false);
	check(run("check", NULL) == FL_EXIT_MISSING &&
	      has("module", "missing", "is built for 6.1.0-44-amd64, this kernel is 6.1.0-57-amd64", "make install"),
	      "a module built for another kernel: missing, rebuild");
	snprintf(path, sizeof(path), "%s/updates/dkms/forklab.ko.xz", dir);
	put_module("/tmp.ko", R61, true);
	sh("mkdir -p '%s%s/updates/dkms' && xz -c '%s/tmp.ko' > '%s%s'", root, dir, root, root, path);
	check(run("check", NULL) == 0 && has("module", "ok", "loads /lib/modules/6.1.0-57-amd64/updates/dkms/forklab.ko.xz",
					       "built for 6.1.0-57-amd64"),
	      "DKMS's compressed module comes before extra/ and is read through xz");
	put("/lib/modules/6.1.0-57-amd64/updates/dkms/forklab.ko.xz", "not xz");
	check(run("check", NULL) == 0 && has("module", "warn", "vermagic could not be read: xz -dc failed", NULL),
	      "  ... a broken one: warn, says why");
	rm("/lib/modules/6.1.0-57-amd64/updates");
	put("/lib/modules/6.1.0-57-amd64/extra/forklab.ko", "no modinfo here");
	check(run("check", NULL) == FL_EXIT_MISSING && has("module", "missing", "has no vermagic", NULL),
	      "a file without vermagic: missing");

	/* loaded: the handshake */
	machine(R61, "x86_64");
	put("/sys/module/forklab/refcnt", "0\n");
	fake.loaded = true;
	fake.open_err = 0;
	fake.config.mode = FORKLAB_MODE_PASSTHROUGH;
	check(run("check", NULL) == 0 &&
	      has("module", "ok", "loaded: forklab 0.0-test, API 1, on 6.1.0-fake-amd64 x86_64",
		  "mode passthrough (redirect live)") && has("signature", "ok", "loaded", NULL) &&
	      fake.opens == 1 && fake.closes == 1, "loaded: the handshake, the live mode; the device closed");
	fake.api_version = 99;
	check(run("check", NULL) == FL_EXIT_MISSING && has("module", "missing", "speaks API 99, this CLI API 1",
							      "the CLI built with the module"),
	      "loaded with another API: missing, names both");
	fake.api_version = FORKLAB_API_VERSION;
	fake.open_err = -ENXIO;
	put("/lib/modules/6.1.0-57-amd64/extra/forklab.ko.xz", "not xz");
	rm("/lib/modules/6.1.0-57-amd64/extra/forklab.ko");
	check(run("check", NULL) == FL_EXIT_MISSING && has("module", "missing", "/dev/forklab cannot be opened",
							      "forklab unload && forklab load"),
	      "loaded without a working /dev/forklab: missing, load it again (not what the file says)");
	fake.open_err = -EACCES;
	check(run("check", NULL) == FL_EXIT_MISSING && has("module", "missing", "cannot be opened: Permission denied",
							      NULL), "loaded, /dev/forklab refused to root: missing");
	setenv("FORKLAB_CHECK_EUID", "1000", 1);
	check(run("check", NULL) == 0 && has("module", "warn", "the handshake was not done", "sudo forklab check"),
	      "  ... to another user: warn, the handshake needs root");
	unsetenv("FORKLAB_CHECK_EUID");
}

static void test_ftrace_users(void)
{
	const char *ef = "/sys/kernel/tracing/enabled_functions";

	machine(R61, "x86_64");
	put(ef, "copy_page_range (1) R I  \ttramp: 0xffffffffc0344000 (kprobe_ftrace_handler+0x0/0x1b0) "
		"->kprobe_ftrace_handler+0x0/0x1b0\n");
	check(run("check", NULL) == FL_EXIT_MISSING &&
	      has("ftrace_users", "missing", "copy_page_range: held by another ftrace user that modifies the ip "
		  "(kprobe_ftrace_handler+0x0/0x1b0): every mode but stock fails (exit 6)", "a livepatch (echo 0"),
	      "a kprobe with a post_handler on copy_page_range: missing, names it, says what to remove");
	put(ef, "vfs_read (1)             ->ftrace_ops_list_func\n"
		"copy_page_range_x (1) R I  \ttramp: 0xffffffffc0344000 (kprobe_ftrace_handler+0x0/0x1b0)\n"
		"copy_page_range (1) R I  \ttramp: 0xffffffffc0352000 (fl_ftrace_handler+0x0/0x130 [forklab]) "
		"->fl_ftrace_handler+0x0/0x130 [forklab]\n");
	check(run("check", NULL) == 0 && has("ftrace_users", "ok", "copy_page_range: held by forklab", NULL),
	      "forklab's own redirect: ok, says forklab holds it (another function of a longer name is not it)");
	put(ef, "copy_page_range (2) R I   ->arch_ftrace_ops_list_func+0x0/0x1d0\n");
	check(run("check", NULL) == FL_EXIT_MISSING &&
	      has("ftrace_users", "missing", "(enabled_functions: 'copy_page_range (2) R I "
		  "->arch_ftrace_ops_list_func+0x0/0x1d0')", NULL),
	      "two users, the line names none: missing, quotes the line");
	put("/sys/module/forklab/refcnt", "0\n");
	fake.loaded = true;
	fake.open_err = 0;
	fake.config.mode = FORKLAB_MODE_BATCHED;
	check(run("check", NULL) == 0 && has("ftrace_users", "ok", "copy_page_range: held by forklab", NULL),
	      "  ... with forklab loaded in batched: the holder is forklab (one IPMODIFY user per function)");
	fake.config.mode = FORKLAB_MODE_STOCK;
	check(run("check", NULL) == FL_EXIT_MISSING && has("ftrace_users", "missing", "another ftrace user", NULL),
	      "  ... forklab in stock: another user");

	machine("6.12.95+deb12-arm64", "aarch64");
	/* arm64's form of the line (call ops), as 6.12 prints it */
	put(ef, "contpte_wrprotect_ptes (1)   I   O M \tops: fl_ftrace_ops+0x0/0xffffffffffffee78 [fl_ipmodify_user] "
		"(fl_ftrace_handler+0x0/0x28 [fl_ipmodify_user])\n");
	check(run("check", NULL) == 0 &&
	      has("ftrace_users", "warn", "contpte_wrprotect_ptes: held by another ftrace user that modifies the "
		  "ip (fl_ftrace_handler+0x0/0x28 [fl_ipmodify_user]): the contpte policies unfold and block fail",
		  "remove it"),
	      "arm64, another user of a contpte helper: warn (modes still work), names it");
	put(ef, "");
	check(run("check", NULL) == 0 && has("ftrace_users", "ok", "copy_page_range or the contpte helpers", NULL),
	      "arm64, none: ok, the contpte helpers too");

	machine(R61, "x86_64");
	rm("/sys/kernel/tracing");
	put("/sys/kernel/debug/tracing/enabled_functions",
	    "copy_page_range (1) R I  \ttramp: 0xffffffffc0346000 (fl_ftrace_handler+0x0/0x10 [fl_ipmodify_user])\n");
	check(run("check", NULL) == FL_EXIT_MISSING && has("ftrace_users", "missing", "[fl_ipmodify_user]", NULL),
	      "tracefs under debugfs only: read there");
	rm("/sys/kernel/debug");
	check(run("check", NULL) == 0 && has("ftrace_users", "warn", "no /sys/kernel/tracing/enabled_functions",
					       "mount -t tracefs"),
	      "no tracefs: warn, mount it");
}

static void test_not_root(void)
{
	json_t *doc;
	int rc;

	machine(R61, "x86_64");
	put("/sys/kernel/tracing/enabled_functions", "copy_page_range (1) R I  \ttramp: 0x1 (x+0x0/0x1)\n");
	put("/sys/module/forklab/refcnt", "0\n");
	fake.loaded = true;
	fake.open_err = -EACCES;
	setenv("FORKLAB_CHECK_EUID", "1000", 1);
	check(run("check", NULL) == 0 && has("ftrace_users", "warn", "not checked: tracefs is root only", NULL) &&
	      has("root", "warn", "not root (uid 1000): not checked: the module handshake (/dev/forklab is not "
		  "readable by this user), the ftrace users (tracefs is root only)", "'sudo forklab check' sees all"),
	      "not root: says what it could not check and that sudo sees all; exit 0");
	doc = json_run(&rc);
	check(doc && json_is_false(json_object_get(doc, "root")) &&
	      json_array_size(json_object_get(doc, "not_checked")) == 2, "  ... --json: root false, not_checked");
	json_decref(doc);
	unsetenv("FORKLAB_CHECK_EUID");
}

static void test_usage(void)
{
	static const char *const cmds[] = { "check", "status", "mode", "contpte", "scope", "stats", "load",
					    "unload", "ab", "help" };
	bool narrow = true;

	machine(R61, "x86_64");
	check(run("check", "extra", NULL) == FL_EXIT_USAGE && strstr(err_buf, "check takes no arguments"),
	      "check with an argument: exit 2");
	check(run("check", "-h", NULL) == 0 && strstr(out_buf, "usage: forklab check\n") &&
	      strstr(out_buf, "7 when something it needs is missing"), "check -h: its help, exit 0");
	check(run("check", "--help", NULL) == 0 && strstr(out_buf, "usage: forklab check\n"), "check --help");
	check(run("help", "check", NULL) == 0 && strstr(out_buf, "usage: forklab check\n"), "help check");
	check(run("--help", NULL) == 0 && strstr(out_buf, "  check ") && strstr(out_buf, "7 'forklab check'"),
	      "the usage lists check and exit status 7");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run("help", cmds[i], NULL);
		for (char *l = out_buf, *nl; l && *l; l = nl ? nl + 1 : NULL) {
			nl = strchr(l, '\n');
			if ((nl ? nl - l : (long)strlen(l)) > 80) {
				narrow = false;
				printf("# help %s: %.*s\n", cmds[i], (int)(nl ? nl - l : (long)strlen(l)), l);
			}
		}
	}
	check(narrow, "every command's help stays within 80 columns");
}

int main(void)
{
	char cmd[600];

	tap_on_failure = cli_run_show;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(root))
		abort();
	setenv("FORKLAB_CHECK_ROOT", root, 1);
	unsetenv("FORKLAB_KO");
	test_ready();
	test_kernel();
	test_config();
	test_ftrace_enabled();
	test_lockdown_signature();
	test_secure_boot();
	test_headers_module();
	test_ftrace_users();
	test_not_root();
	test_usage();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		printf("# could not remove %s\n", root);
	cli_run_free();
	return tap_done();
}
