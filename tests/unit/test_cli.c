// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the forklab CLI against a fake device: argument parsing,
 * text and JSON output, errors and exit codes.  Speaks TAP and ends with
 * "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "fake_device.h"
#include "json_check.h"

static int tests, failures;
static char *out_buf, *err_buf;
static int last_rc;

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%s %d - ", cond ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		printf("#   rc=%d\n#   stdout: %s\n#   stderr: %s\n", last_rc, out_buf, err_buf);
}

/* Runs the CLI with a NULL-terminated argument list; keeps stdout/stderr. */
static int run(const char *arg, ...)
{
	char *argv[32];
	int argc = 0;
	size_t olen, elen;
	FILE *out, *err;
	va_list ap;

	free(out_buf);
	free(err_buf);
	out = open_memstream(&out_buf, &olen);
	err = open_memstream(&err_buf, &elen);
	argv[argc++] = "forklab";
	va_start(ap, arg);
	for (; arg; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	argv[argc] = NULL;
	last_rc = fl_cli_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return last_rc;
}

#define OUT_HAS(s)	(strstr(out_buf, (s)) != NULL)
#define ERR_HAS(s)	(strstr(err_buf, (s)) != NULL)

static void test_usage(void)
{
	fake_reset();
	check(run(NULL) == FL_EXIT_USAGE && ERR_HAS("usage:") && ERR_HAS("no command"),
	      "no command: usage on stderr, exit 2");
	check(run("--help", NULL) == 0 && OUT_HAS("usage:") && OUT_HAS("exit status"),
	      "--help: usage with exit codes on stdout, exit 0");
	check(run("frobnicate", NULL) == FL_EXIT_USAGE && ERR_HAS("unknown command 'frobnicate'"),
	      "unknown command: exit 2 and names it");
	check(run("--bogus", "status", NULL) == FL_EXIT_USAGE && ERR_HAS("unknown option '--bogus'"),
	      "unknown global option: exit 2");
	check(run("help", "mode", NULL) == 0 && OUT_HAS("usage: forklab mode"), "help mode");
	check(run("help", "nosuch", NULL) == FL_EXIT_USAGE && ERR_HAS("no command 'nosuch'"),
	      "help for an unknown command: exit 2");
	check(run("help", "a", "b", NULL) == FL_EXIT_USAGE, "help with two names: exit 2");
	check(run("--version", NULL) == 0 && OUT_HAS("API 1"), "--version names the API");
	check(run("status", "extra", NULL) == FL_EXIT_USAGE, "status with an argument: exit 2");
	check(fake.opens == 0, "usage errors never open the device");
}

static void test_status(void)
{
	fake_reset();
	fake.open_err = -ENOENT;
	check(run("status", NULL) == FL_EXIT_NOT_LOADED && ERR_HAS("not loaded") &&
	      ERR_HAS("forklab load"), "module not loaded: exit 3 and says how to load it");
	fake.open_err = -EACCES;
	check(run("status", NULL) == FL_EXIT_PERM && ERR_HAS("run as root"),
	      "device not accessible: exit 4, run as root");
	fake.open_err = 0;
	fake.api_version = 99;
	check(run("status", NULL) == FL_EXIT_UNSUPPORTED && ERR_HAS("API 99"),
	      "API mismatch: exit 5 and names both versions");
	check(fake.opens == fake.closes, "the device is closed after a failed handshake");

	fake_reset();
	fake.stats[FORKLAB_MODE_STOCK].redirected = 7;
	fake.stats[FORKLAB_MODE_STOCK].in_flight = 1;
	check(run("status", NULL) == 0 && OUT_HAS("mode:     stock (no redirect)") &&
	      OUT_HAS("modes:    stock passthrough") && OUT_HAS("7 redirected") &&
	      OUT_HAS("1 in flight") && OUT_HAS("6.1.0-fake-amd64"), "status text");
	check(run("--json", "status", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"mode\":\"stock\"") && OUT_HAS("\"api_version\":1") &&
	      OUT_HAS("\"modes_supported\":[\"stock\",\"passthrough\",\"perpte\",\"batched\"]") &&
	      OUT_HAS("\"redirected\":7") && OUT_HAS("\"scope\":{\"kind\":\"all\"}"),
	      "status --json: valid JSON with every field");
	check(run("status", "--json", NULL) == 0 && json_valid(out_buf), "--json after the command works too");
	check(fake.opens == fake.closes, "every open device is closed");
}

static void test_mode(void)
{
	fake_reset();
	check(run("mode", NULL) == 0 && !strcmp(out_buf, "stock\n"), "mode prints the live mode");
	check(run("--json", "mode", NULL) == 0 && json_valid(out_buf) && OUT_HAS("\"mode\":\"stock\""),
	      "mode --json");
	check(run("mode", "passthrough", NULL) == 0 && OUT_HAS("stock -> passthrough") &&
	      fake.config.mode == FORKLAB_MODE_PASSTHROUGH, "mode passthrough switches");
	check(run("mode", "--list", NULL) == 0 && OUT_HAS("* passthrough") && OUT_HAS("  stock"),
	      "mode --list marks the live mode");
	check(run("--json", "mode", "--list", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"name\":\"passthrough\"") && OUT_HAS("\"live\":true"), "mode --list --json");
	check(run("mode", "bogus", NULL) == FL_EXIT_USAGE && ERR_HAS("unknown mode 'bogus'") &&
	      ERR_HAS("stock, passthrough"), "unknown mode: exit 2, lists the modes");
	check(run("mode", "stock", "passthrough", NULL) == FL_EXIT_USAGE, "two mode names: exit 2");
	check(run("mode", "--list", "stock", NULL) == FL_EXIT_USAGE, "--list with a name: exit 2");
	check(run("mode", "-x", NULL) == FL_EXIT_USAGE && ERR_HAS("unknown option '-x'"),
	      "unknown mode option: exit 2");
	fake.privileged = false;
	check(run("mode", "stock", NULL) == FL_EXIT_PERM && ERR_HAS("CAP_SYS_ADMIN") &&
	      fake.config.mode == FORKLAB_MODE_PASSTHROUGH, "unprivileged switch: exit 4, nothing changes");
	fake.privileged = true;
	fake.set_err = -EBUSY;
	check(run("mode", "stock", NULL) == FL_EXIT_BUSY && ERR_HAS("another ftrace user") &&
	      ERR_HAS("then retry"), "EBUSY, holder unknown: exit 6, says what conflicts and what to do");
	fake.ftrace_conflict = FL_FTRACE_HELD;
	strcpy(fake.ftrace_holder, "copy_page_range (1) R I M ->kprobe_ftrace_handler+0x0/0x1d0");
	check(run("mode", "stock", NULL) == FL_EXIT_BUSY &&
	      ERR_HAS("(enabled_functions: 'copy_page_range (1) R I M ->kprobe_ftrace_handler") &&
	      ERR_HAS("remove it"), "EBUSY, holder listed: exit 6, names it");
	fake.ftrace_conflict = FL_FTRACE_DISABLED;
	check(run("mode", "stock", NULL) == FL_EXIT_BUSY && ERR_HAS("kernel.ftrace_enabled is 0") &&
	      ERR_HAS("sysctl kernel.ftrace_enabled=1"), "EBUSY, ftrace off: exit 6, says how to turn it on");
	fake.ftrace_conflict = FL_FTRACE_UNKNOWN;
	check(run("--json", "mode", "stock", NULL) == FL_EXIT_BUSY && json_valid(out_buf) &&
	      OUT_HAS("\"error\":") && OUT_HAS("\"exit_code\":6"), "errors are JSON too with --json");
	fake.set_err = -EOPNOTSUPP;
	check(run("mode", "stock", NULL) == FL_EXIT_UNSUPPORTED, "EOPNOTSUPP: exit 5");
	fake.set_err = -ENOTTY;
	check(run("mode", "stock", NULL) == FL_EXIT_UNSUPPORTED && ERR_HAS("does not know this request"),
	      "ENOTTY: exit 5, module/CLI mismatch");
}

static void test_scope(void)
{
	fake_reset();
	check(run("scope", NULL) == 0 && OUT_HAS("scope: all"), "scope prints the scope");
	check(run("scope", "pid", "42", NULL) == 0 && fake.config.scope == FORKLAB_SCOPE_PID &&
	      fake.config.scope_pid == 42 && OUT_HAS("scope: pid 42"), "scope pid 42");
	check(run("scope", "pid", "abc", NULL) == FL_EXIT_USAGE, "scope pid abc: exit 2");
	check(run("scope", "pid", "0", NULL) == FL_EXIT_USAGE, "scope pid 0: exit 2");
	check(run("scope", "pid", "-3", NULL) == FL_EXIT_USAGE, "scope pid -3: exit 2");
	check(run("scope", "pid", "99999999999", NULL) == FL_EXIT_USAGE, "scope pid overflow: exit 2");
	check(run("scope", "pid", NULL) == FL_EXIT_USAGE && ERR_HAS("needs one argument"),
	      "scope pid without a number: exit 2");
	check(run("scope", "comm", "0123456789abcdef", NULL) == FL_EXIT_USAGE && ERR_HAS("1 to 15"),
	      "scope comm of 16 characters: exit 2");
	check(run("scope", "comm", "bench", NULL) == 0 && !strcmp(fake.config.scope_arg, "bench"),
	      "scope comm bench");
	check(run("scope", "cgroup", "/sys/fs/cgroup/lab/a", NULL) == 0 &&
	      !strcmp(fake.config.scope_arg, "/lab/a"), "scope cgroup under the mount is made root-relative");
	check(run("scope", "cgroup", "/sys/fs/cgroup", NULL) == 0 && !strcmp(fake.config.scope_arg, "/"),
	      "scope cgroup of the mount itself is /");
	check(run("scope", "cgroup", "/lab", NULL) == 0 && !strcmp(fake.config.scope_arg, "/lab"),
	      "scope cgroup root-relative path kept");
	check(run("scope", "cgroup", "lab", NULL) == FL_EXIT_USAGE, "scope cgroup relative: exit 2");
	fake.set_err = -ENOENT;
	check(run("scope", "cgroup", "/gone", NULL) == FL_EXIT_FAILED && ERR_HAS("no cgroup v2 directory '/gone'"),
	      "scope cgroup that does not exist: exit 1 and names it");
	fake.set_err = 0;
	check(run("scope", "all", "x", NULL) == FL_EXIT_USAGE, "scope all with an argument: exit 2");
	check(run("scope", "weird", "x", NULL) == FL_EXIT_USAGE && ERR_HAS("unknown scope"),
	      "unknown scope kind: exit 2");
	check(run("--json", "scope", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"scope\":{\"kind\":\"cgroup\",\"arg\":\"/lab\"}"), "scope --json");
	check(run("scope", "all", NULL) == 0 && fake.config.scope == FORKLAB_SCOPE_ALL, "scope all");
}

static void test_stats(void)
{
	fake_reset();
	fake.stats[FORKLAB_MODE_STOCK].redirected = 5;
	fake.stats[FORKLAB_MODE_PASSTHROUGH].calls = 4;
	fake.stats[FORKLAB_MODE_PASSTHROUGH].time_ns = 8000;
	fake.stats[FORKLAB_MODE_PASSTHROUGH].time_hist[10] = 3;
	fake.stats[FORKLAB_MODE_PASSTHROUGH].time_hist[11] = 1;
	check(run("stats", NULL) == 0 && OUT_HAS("redirected 5") &&
	      OUT_HAS("passthrough: 4 calls, 0 errors, mean 2.0 us") && OUT_HAS("[      1024,       2048) ns          3"),
	      "stats text: globals, per mode, histogram");
	check(!OUT_HAS("\nstock:"), "stats text leaves out modes that never ran");
	check(!OUT_HAS("walk:"), "stats text shows no walk counters for modes that do not walk");
	fake.stats[FORKLAB_MODE_BATCHED].calls = 2;
	fake.stats[FORKLAB_MODE_BATCHED].vmas = 2;
	fake.stats[FORKLAB_MODE_BATCHED].ptes_present = 1030;
	fake.stats[FORKLAB_MODE_BATCHED].large_folio_ptes = 1024;
	fake.stats[FORKLAB_MODE_BATCHED].runs = 8;
	fake.stats[FORKLAB_MODE_BATCHED].run_hist[0] = 6;
	fake.stats[FORKLAB_MODE_BATCHED].run_hist[9] = 2;
	check(run("stats", NULL) == 0 &&
	      OUT_HAS("walk: 2 VMAs, 1030 PTEs present (1024 in large folios), 0 non-present, 8 runs") &&
	      OUT_HAS("run lengths: 1:6 512:2\n"), "stats text: the walk's counters and run lengths");
	check(run("--json", "stats", "--mode", "batched", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"runs\":8,\"run_hist_log2\":[6,0,0,0,0,0,0,0,0,2],\"large_folio_ptes\":1024"),
	      "stats --json: the walk's counters");
	check(run("--json", "stats", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"mode\":\"passthrough\",\"calls\":4") && OUT_HAS("\"time_hist_log2_ns\":[0,"),
	      "stats --json: every mode with its histogram");
	check(run("stats", "--mode", "stock", NULL) == 0 && OUT_HAS("stock: 0 calls"),
	      "stats --mode shows that mode even when idle");
	check(run("stats", "--mode", "nope", NULL) == FL_EXIT_USAGE, "stats --mode unknown: exit 2");
	check(run("stats", "--mode", NULL) == FL_EXIT_USAGE, "stats --mode without a name: exit 2");
	check(run("stats", "--reset", "--mode", "stock", NULL) == FL_EXIT_USAGE, "--reset with --mode: exit 2");
	check(run("stats", "--what", NULL) == FL_EXIT_USAGE, "stats unknown argument: exit 2");
	check(run("stats", "--reset", NULL) == 0 && fake.resets == 1 && OUT_HAS("statistics reset"),
	      "stats --reset");
	fake.privileged = false;
	check(run("stats", "--reset", NULL) == FL_EXIT_PERM && fake.resets == 1,
	      "unprivileged reset: exit 4");
}

static void test_contpte(void)
{
	fake_reset();
	check(run("contpte", NULL) == 0 && !strcmp(out_buf, "kernel\n"), "contpte prints the live policy");
	check(run("contpte", "unfold", NULL) == FL_EXIT_UNSUPPORTED &&
	      ERR_HAS("not supported on this architecture (6.1.0-fake-amd64 x86_64)") &&
	      ERR_HAS("CONFIG_ARM64_CONTPTE") && fake.config.contpte_policy == FORKLAB_CONTPTE_KERNEL,
	      "x86_64: contpte unfold: exit 5, says why, nothing changed");
	check(run("--json", "contpte", "block", NULL) == FL_EXIT_UNSUPPORTED && json_valid(out_buf) &&
	      OUT_HAS("\"exit_code\":5"), "x86_64: contpte block --json: a JSON error");
	check(run("contpte", "--list", NULL) == 0 && OUT_HAS("* kernel") &&
	      OUT_HAS("unfold       unfold every block touched") && OUT_HAS("[not supported here]") &&
	      OUT_HAS("(the others are not supported on this architecture"),
	      "x86_64: contpte --list marks what is missing and why");
	check(run("status", NULL) == 0 && OUT_HAS("contpte:  kernel (other policies not supported"),
	      "x86_64: status says contpte policies are not supported");
	check(run("stats", NULL) == 0 && !OUT_HAS("contpte"), "x86_64: stats has no contpte section");
	check(run("contpte", "bogus", NULL) == FL_EXIT_USAGE && ERR_HAS("unknown contpte 'bogus'") &&
	      ERR_HAS("kernel, unfold, block"), "contpte bogus: exit 2 with the choices");
	check(run("contpte", "kernel", "block", NULL) == FL_EXIT_USAGE, "two policies: exit 2");

	fake_reset();
	fake.arm64 = true;
	check(run("contpte", "unfold", NULL) == 0 && OUT_HAS("contpte: kernel -> unfold") &&
	      fake.config.contpte_policy == FORKLAB_CONTPTE_UNFOLD, "arm64: contpte unfold");
	check(run("--json", "contpte", "block", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"contpte\":\"block\",\"previous\":\"unfold\""), "arm64: contpte block --json");
	check(run("--json", "contpte", "--list", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("{\"name\":\"block\",") && !OUT_HAS("\"supported\":false"),
	      "arm64: contpte --list --json, every policy supported");
	check(run("status", NULL) == 0 && OUT_HAS("contpte:  block (forklab's helpers, hooks live)"),
	      "arm64: status shows the live policy");
	check(run("--json", "status", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"contpte\":\"block\",\"contpte_supported\":[\"kernel\",\"unfold\",\"block\"]"),
	      "arm64: status --json lists the policies");
	fake.contpte[FORKLAB_CONTPTE_UNFOLD][FORKLAB_CONTPTE_WRPROTECT] =
		(struct forklab_contpte_counters){ .calls = 3, .ptes = 48, .unfolds = 3, .folds = 3,
						   .invalidations = 6 };
	fake.contpte[FORKLAB_CONTPTE_UNFOLD][FORKLAB_CONTPTE_CLEAR].blocks_kept = 0;
	check(run("stats", NULL) == 0 && OUT_HAS("contpte unfold:") &&
	      OUT_HAS("wrprotect 3 calls, 48 PTEs: 3 unfolds, 3 folds, 6 ranged TLB invalidations, 0 whole blocks kept") &&
	      !OUT_HAS("contpte block:"), "arm64: stats shows the policies that ran");
	check(run("--json", "stats", NULL) == 0 && json_valid(out_buf) &&
	      OUT_HAS("\"contpte\":[{\"policy\":\"unfold\",\"wrprotect\":{\"calls\":3,\"ptes\":48,"
		      "\"unfolds\":3,\"folds\":3,\"invalidations\":6,\"blocks_kept\":0}") &&
	      OUT_HAS("{\"policy\":\"block\""), "arm64: stats --json has every policy");
}

static void test_load_unload(void)
{
	fake_reset();
	fake.loaded = false;
	check(run("load", "--mode", "passthrough", "/tmp/forklab.ko", NULL) == 0 &&
	      !strcmp(fake.load_path, "/tmp/forklab.ko") && !strcmp(fake.load_params, "mode=passthrough"),
	      "load with a mode passes mode= to the module");
	check(run("load", "/tmp/forklab.ko", NULL) == FL_EXIT_FAILED && ERR_HAS("already loaded"),
	      "load while loaded: exit 1");
	fake.loaded = false;
	fake.load_err = -ENOEXEC;
	check(run("load", "/tmp/forklab.ko", NULL) == FL_EXIT_UNSUPPORTED && ERR_HAS("not a module for this kernel"),
	      "load of a module for another kernel: exit 5");
	fake.load_err = -EPERM;
	check(run("load", "/tmp/forklab.ko", NULL) == FL_EXIT_PERM && ERR_HAS("run as root"),
	      "load without root: exit 4");
	fake.load_err = -ENOENT;
	check(run("load", "/tmp/forklab.ko", NULL) == FL_EXIT_UNSUPPORTED && ERR_HAS("symbols"),
	      "load with missing kernel symbols: exit 5, see dmesg");
	check(run("load", "--mode", "nope", NULL) == FL_EXIT_USAGE, "load --mode unknown: exit 2");
	check(run("load", "--contpte", "nope", NULL) == FL_EXIT_USAGE && ERR_HAS("unknown contpte policy"),
	      "load --contpte unknown: exit 2");
	fake.loaded = false;
	fake.load_err = 0;
	check(run("load", "--mode", "batched", "--contpte", "block", "/tmp/forklab.ko", NULL) == 0 &&
	      !strcmp(fake.load_params, "mode=batched contpte=block"),
	      "load with a mode and a contpte policy passes both");
	fake.loaded = false;
	fake.load_err = -EOPNOTSUPP;
	check(run("load", "--contpte", "unfold", "/tmp/forklab.ko", NULL) == FL_EXIT_UNSUPPORTED &&
	      ERR_HAS("contpte=unfold is not supported on this architecture"),
	      "load --contpte where there is no contpte: exit 5, says why");
	fake.load_err = -ENOENT;
	check(run("load", "a.ko", "b.ko", NULL) == FL_EXIT_USAGE, "load of two files: exit 2");
	fake.loaded = true;
	fake.unload_err = -EWOULDBLOCK;
	check(run("unload", NULL) == FL_EXIT_FAILED && ERR_HAS("in use"), "unload while in use: exit 1");
	fake.unload_err = 0;
	check(run("unload", NULL) == 0 && !fake.loaded, "unload");
	fake.unload_err = -ENOENT;
	check(run("unload", NULL) == FL_EXIT_NOT_LOADED, "unload when not loaded: exit 3");
	check(run("unload", "now", NULL) == FL_EXIT_USAGE, "unload with an argument: exit 2");
}

static void test_json_writer(void)
{
	check(json_valid("{\"a\":[1,2,{\"b\":\"c\\n\"}],\"d\":true}"), "checker accepts valid JSON");
	check(!json_valid("{\"a\":1,}") && !json_valid("{\"a\" 1}") && !json_valid("[1 2]"),
	      "checker rejects invalid JSON");
	fake_reset();
	strcpy(fake.config.scope_arg, "we\"ird\\na\tme");
	fake.config.scope = FORKLAB_SCOPE_COMM;
	check(run("--json", "scope", NULL) == 0 && json_valid(out_buf), "strings with quotes and controls are escaped");
}


/* Counts the occurrences of @needle in the file at @path; -1 if unreadable. */
static int count_in_file(const char *path, const char *needle, char **content)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *p;
	size_t len = 0;
	int n = 0;

	if (!f)
		return -1;
	if (getdelim(&buf, &len, 0, f) < 0) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	for (p = buf; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	if (content)
		*content = buf;
	else
		free(buf);
	return n;
}

static void test_ab(void)
{
	char self[4096], bench[4200], dir[] = "/tmp/forklab-unit-ab.XXXXXX", out[4300], path[4400];
	char *json = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc;

	fake_reset();
	self[n > 0 ? n : 0] = 0;
	*strrchr(self, '/') = 0;
	snprintf(bench, sizeof(bench), "%s/forklab-bench", self);
	setenv("FORKLAB_BENCH", bench, 1);
	if (!mkdtemp(dir))
		abort();

	check(run("ab", NULL) == 2 && strstr(err_buf, "which benchmark"), "ab: no benchmark is a usage error");
	check(run("ab", "forkbomb", NULL) == 2 && strstr(err_buf, "unknown benchmark"), "ab: unknown benchmark");
	check(run("ab", "--rounds", "1", "latency", NULL) == 2 && strstr(err_buf, "2..1000"),
	      "ab: one round is refused (no median of one)");
	check(run("ab", "--rounds", "x", "latency", NULL) == 2, "ab: --rounds takes a number");
	check(run("ab", "--modes", "stock,fast", "latency", NULL) == 2 && strstr(err_buf, "unknown mode 'fast'"),
	      "ab: unknown mode named");
	check(run("ab", "--modes", "stock,stock", "latency", NULL) == 2 && strstr(err_buf, "twice"),
	      "ab: a mode listed twice");
	check(run("ab", "--contpte", "unfold", "latency", NULL) == 5 && strstr(err_buf, "not supported"),
	      "ab: contpte policies off arm64: exit 5");
	check(run("ab", "--vary", "layout", "latency", NULL) == 2 && strstr(err_buf, "OPTION=VALUE"),
	      "ab: --vary without values");
	check(run("ab", "--vary", "layout=,", "latency", NULL) == 2 && strstr(err_buf, "OPTION=VALUE"),
	      "ab: --vary with an empty list of values");
	check(run("ab", "latency", "--hold", NULL) == 2 && strstr(err_buf, "driver's to set"),
	      "ab: --hold is the driver's");
	check(run("ab", "latency", "--json", NULL) == 2 && strstr(err_buf, "driver's to set"),
	      "ab: --json is the driver's");
	check(run("ab", "--vary", "layout=order0", "latency", "--layout", "shmem", NULL) == 2,
	      "ab: the varied option cannot be given too");
	check(run("ab", "--baseline", "fastest", "latency", NULL) == 2 && strstr(err_buf, "none of the variants"),
	      "ab: unknown baseline");
	check(run("ab", "--bpftrace", "/nonexistent.bt", "latency", NULL) == 2, "ab: missing bpftrace script");
	check(run("ab", "--frobnicate", "1", "latency", NULL) == 2 && strstr(err_buf, "unknown option"),
	      "ab: unknown option");

	fake.privileged = false;
	snprintf(out, sizeof(out), "%s/noroot", dir);
	check(run("ab", "--out", out, "latency", "--size", "2M", NULL) == 4 && fake.config.scope == 0,
	      "ab: without CAP_SYS_ADMIN: exit 4, scope untouched");
	fake.privileged = true;

	/* a failing benchmark: its message, exit 1, everything put back */
	fake.config.mode = FORKLAB_MODE_PERPTE;
	snprintf(out, sizeof(out), "%s/fail", dir);
	rc = run("ab", "--rounds", "2", "--out", out, "latency", "--size", "3M", NULL);
	check(rc == 1 && strstr(err_buf, "benchmark failed") && fake.config.mode == FORKLAB_MODE_PERPTE &&
	      fake.config.scope == FORKLAB_SCOPE_ALL, "ab: a failing benchmark: exit 1, mode and scope put back");

	/* the real benchmark against the fake module: every file, every variant */
	snprintf(out, sizeof(out), "%s/run", dir);
	rc = run("ab", "--rounds", "3", "--warmup", "1", "--out", out, "--vary", "layout=order0,shmem",
		 "latency", "--size", "2M", "--forks", "2", NULL);
	check(rc == 0, "ab: 4 modes x 2 layouts x 3 rounds runs");
	check(strstr(out_buf, "latency (order0): us/fork, lower is better, against stock") &&
	      strstr(out_buf, "latency (shmem)") && strstr(out_buf, "batched") &&
	      strstr(err_buf, "round 4 of 4 done"), "ab: table per layout on stdout, progress on stderr");
	check(fake.config.mode == FORKLAB_MODE_PERPTE && fake.config.scope == FORKLAB_SCOPE_ALL,
	      "ab: mode and scope put back after the experiment");
	snprintf(path, sizeof(path), "%s/results.json", out);
	check(count_in_file(path, "\"variant\":", &json) == 8 && json_valid(json) &&
	      strstr(json, "\"case\":\"shmem\",\"variant\":\"passthrough\""),
	      "ab: results.json is valid JSON with the 8 variants");
	free(json);
	snprintf(path, sizeof(path), "%s/results.csv", out);
	check(count_in_file(path, "\n", NULL) == 9 && count_in_file(path, ",us/fork,", NULL) == 8,
	      "ab: results.csv has a header and a row per variant");
	snprintf(path, sizeof(path), "%s/samples.csv", out);
	check(count_in_file(path, "\n", NULL) == 1 + 8 * 3, "ab: samples.csv has every counted sample, no warm-up");
	snprintf(path, sizeof(path), "%s/report.md", out);
	check(count_in_file(path, "| perpte | 3 |", NULL) == 2 && count_in_file(path, "![distributions](plot.svg)", NULL) == 1,
	      "ab: report.md has a table row per layout and the plot");
	snprintf(path, sizeof(path), "%s/plot.svg", out);
	check(count_in_file(path, "<svg", NULL) == 1, "ab: gnuplot drew plot.svg");
	check(run("ab", "--rounds", "2", "--out", out, "latency", NULL) == 2 && strstr(err_buf, "already holds") &&
	      count_in_file(path, "<svg", NULL) == 1, "ab: an existing result folder is never overwritten");

	/* FORKLAB_UNIT_KEEP=1 keeps the result folders to look at */
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (getenv("FORKLAB_UNIT_KEEP"))
		printf("# ab results kept in %s\n", dir);
	else if (system(path))
		printf("# could not remove %s\n", dir);
	unsetenv("FORKLAB_BENCH");
}

/* forklab-bench refuses nonsense with a message and exit 2. */
static void test_bench_args(void)
{
	static const char *const bad[] = {
		"latency --size 3M", "latency --size 0", "latency --size 1T", "latency --forks 0",
		"latency --forks 2000", "latency --layout huge", "latency --tag 0123456789abcdefg",
		"fork-exit --copies 0", "fork-exit --seconds -1", "fork-exit --layout nope",
		"mprotect --threads 3", "mprotect --iterations x", "latency --bogus", "latency --forks",
		"fork-bomb", "",
	};
	char self[4096], cmd[4400];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = 0;
	*strrchr(self, '/') = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st;

		snprintf(cmd, sizeof(cmd), "'%s/forklab-bench' %s >/dev/null 2>/tmp/forklab-unit-bench.err", self,
			 bad[i]);
		st = system(cmd);
		check(WIFEXITED(st) && WEXITSTATUS(st) == 2 &&
		      count_in_file("/tmp/forklab-unit-bench.err", "forklab-bench", NULL) >= 1,
		      "forklab-bench %s: exit 2 with a message", bad[i]);
	}
	unlink("/tmp/forklab-unit-bench.err");
	snprintf(cmd, sizeof(cmd), "'%s/forklab-bench' mprotect --iterations 10 --json --hold </dev/null >/dev/null",
		 self);
	check(system(cmd) == 0, "forklab-bench --hold: exits once standard input is closed");
}

int main(void)
{
	/* line by line: the benchmarks the tests run write to the same stderr */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_usage();
	test_status();
	test_mode();
	test_scope();
	test_stats();
	test_contpte();
	test_load_unload();
	test_json_writer();
	test_ab();
	test_bench_args();
	printf("1..%d\n", tests);
	printf("%d passed, %d failed\n", tests - failures, failures);
	free(out_buf);
	free(err_buf);
	return failures ? 1 : 0;
}
