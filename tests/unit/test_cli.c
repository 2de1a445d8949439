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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/commands.h"
#include "fake_device.h"
#include "json_check.h"
#include "tap.h"
#include "cli_run.h"


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
	check(run("status", "extra", NULL) == FL_EXIT_USAGE, "status with an argument: exit 2");
	check(fake.opens == 0, "usage errors never open the device");
	/* after the check above: --version asks the module too (test_help.c) */
	check(run("--version", NULL) == 0 && OUT_HAS("API 1"), "--version names the API");
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
	      ERR_HAS("not supported on this kernel (6.1.0-fake-amd64 x86_64)") &&
	      ERR_HAS("CONFIG_ARM64_CONTPTE") && fake.config.contpte_policy == FORKLAB_CONTPTE_KERNEL,
	      "x86_64: contpte unfold: exit 5, says why, nothing changed");
	check(run("--json", "contpte", "block", NULL) == FL_EXIT_UNSUPPORTED && json_valid(out_buf) &&
	      OUT_HAS("\"exit_code\":5"), "x86_64: contpte block --json: a JSON error");
	check(run("contpte", "--list", NULL) == 0 && OUT_HAS("* kernel") &&
	      OUT_HAS("unfold       unfold every block touched") && OUT_HAS("[not supported here]") &&
	      OUT_HAS("(the others are not supported on this kernel"),
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
	      ERR_HAS("contpte=unfold is not supported on this kernel"),
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

/* Writes @text to @path; aborts on failure (a test's own setup). */
static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

/*
 * Under icount (forklab.clock=icount on a fake machine's command line) the
 * unit is guest instructions everywhere, never a time; --clock overrides.
 */
static void test_ab_icount(const char *dir)
{
	char envroot[4300], path[4400], out[4300];

	fake_reset();
	snprintf(envroot, sizeof(envroot), "%s/machine", dir);
	snprintf(path, sizeof(path), "mkdir -p '%s/proc/sys/kernel'", envroot);
	if (system(path))
		abort();
	snprintf(path, sizeof(path), "%s/proc/cmdline", envroot);
	put_file(path, "console=ttyS0 forklab.clock=icount\n");
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", envroot);
	put_file(path, "processor\t: 0\nmodel name\t: QEMU TCG CPU version 2.5+\n\n");
	setenv("FORKLAB_ENV_ROOT", envroot, 1);
	snprintf(out, sizeof(out), "%s/icount", dir);
	check(run("ab", "--rounds", "2", "--warmup", "0", "--modes", "stock,batched", "--out", out, "latency",
		  "--size", "2M", "--forks", "1", NULL) == 0 &&
	      strstr(out_buf, "latency: k-instr/fork, lower is better") && strstr(out_buf, "TCG-icount") &&
	      strstr(out_buf, "not cycles") && !strstr(out_buf, "us/fork") && !strstr(out_buf, "ms/fork"),
	      "ab under icount: the table is in k-instr/fork, says TCG-icount and that these are not cycles");
	snprintf(path, sizeof(path), "%s/results.json", out);
	check(count_in_file(path, "\"clock\":\"icount\",\"unit\":\"k-instr/fork\"", NULL) == 1 &&
	      count_in_file(path, "\"platform\":\"TCG-icount\"", NULL) == 1 &&
	      count_in_file(path, "\"forklab_git\":\"unit-test\"", NULL) == 1, "  ... results.json: clock, unit, where it ran");
	snprintf(path, sizeof(path), "%s/results.csv", out);
	check(count_in_file(path, ",k-instr/fork,", NULL) == 2, "  ... results.csv: k-instr/fork");
	snprintf(path, sizeof(path), "%s/samples.csv", out);
	check(count_in_file(path, ",k-instr/fork\n", NULL) == 4, "  ... samples.csv: k-instr/fork");
	snprintf(path, sizeof(path), "%s/report.md", out);
	check(count_in_file(path, "guest instructions, not cycles", NULL) == 1 &&
	      count_in_file(path, "(k-instr/fork, lower is better)", NULL) == 1 &&
	      count_in_file(path, "- clock: icount (forklab.clock=icount)", NULL) == 1 &&
	      count_in_file(path, "us/fork", NULL) == 0, "  ... report.md: k-instr, the clock, the one sentence");
	snprintf(path, sizeof(path), "%s/plot.gp", out);
	check(count_in_file(path, "k-instr/fork", NULL) >= 2 && count_in_file(path, "TCG-icount", NULL) == 1 &&
	      count_in_file(path, "set logscale x", NULL) == 1, "  ... plot.gp: a log-scale forest plot in k-instr, titled with where it ran");
	snprintf(out, sizeof(out), "%s/icount-time", dir);
	check(run("ab", "--clock", "time", "--rounds", "2", "--warmup", "0", "--modes", "stock,batched", "--out", out,
		  "latency", "--size", "2M", "--forks", "1", NULL) == 0 && strstr(out_buf, "ms/fork") &&
	      strstr(err_buf, "clock: time (--clock time)"), "ab --clock time: time even where icount is on");
	check(run("ab", "--clock", "cycles", "latency", NULL) == 2 && strstr(err_buf, "auto, icount or time"),
	      "ab --clock cycles: exit 2, says what it takes");
	snprintf(out, sizeof(out), "%s/icount-fe", dir);
	check(run("ab", "--rounds", "2", "--warmup", "0", "--modes", "stock", "--out", out, "fork-exit", "--size", "2M",
		  "--seconds", "1", NULL) == 0 && strstr(out_buf, "k-instr/fork, lower is better"),
	      "ab fork-exit under icount: forks/s become k-instr per fork, lower is better");
	/* arm64 with contpte policies: a panel of invalidations per fork beside the forest plot */
	fake.arm64 = true;
	fake.stats[FORKLAB_MODE_BATCHED].calls = 0;
	snprintf(out, sizeof(out), "%s/icount-arm64", dir);
	check(run("ab", "--rounds", "2", "--warmup", "0", "--modes", "batched", "--contpte", "all", "--out", out,
		  "latency", "--size", "2M", "--forks", "1", NULL) == 0, "ab on (fake) arm64 with every contpte policy");
	snprintf(path, sizeof(path), "%s/plot.gp", out);
	check(count_in_file(path, "$inval << EOD", NULL) == 1 && count_in_file(path, "invalidations per fork", NULL) == 1 &&
	      count_in_file(path, "set multiplot layout 2,1", NULL) == 1,
	      "  ... plot.gp: the forest plot and a panel of invalidations per fork");
	snprintf(path, sizeof(path), "%s/plot.svg", out);
	check(count_in_file(path, "<svg", NULL) == 1, "  ... and gnuplot draws both");
	fake.arm64 = false;
	unsetenv("FORKLAB_ENV_ROOT");
}

/*
 * --bpftrace against a fake bpftrace that starts the way one release does
 * (0.17 and 0.23: "Attaching N probes..." on stdout; 0.27: "Attached N
 * probes" on stderr) and prints maps keyed by the runs' tags at SIGINT.
 */
static void test_ab_bpftrace(const char *dir)
{
	static const char *const styles[] = { "0.17", "0.27" };
	char bin[4300], script[4300], path[4400], out[4300], new_path[8600];
	char *old_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");

	fake_reset();
	snprintf(bin, sizeof(bin), "%s/fakebin", dir);
	mkdir(bin, 0755);
	snprintf(path, sizeof(path), "%s/bpftrace", bin);
	put_file(path, "#!/bin/sh\n"
		 "case $FAKE_BT in\n"
		 "0.17) echo 'Attaching 3 probes...' ;;\n"
		 "0.27) echo 'WARNING: probe foo will likely fail to attach' >&2; echo 'Attached 3 probes' >&2 ;;\n"
		 "*) echo 'ERROR: No matches for kprobe nosuch.' >&2; exit 1 ;;\n"
		 "esac\n"
		 "trap 'echo a message of its own; printf \"\\n\\n@forks[flab-ab00]: 4\\n@forks[flab-ab01]: 4\\n"
		 "@tlb_fork[flab-ab01]: 8\\n\"; exit 0' INT\n"
		 "while :; do sleep 0.1; done\n");
	chmod(path, 0755);
	snprintf(script, sizeof(script), "%s/fake.bt", dir);
	put_file(script, "BEGIN { }\n");
	snprintf(new_path, sizeof(new_path), "%s:%s", bin, old_path);
	setenv("PATH", new_path, 1);
	for (unsigned int i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		setenv("FAKE_BT", styles[i], 1);
		snprintf(out, sizeof(out), "%s/bt-%s", dir, styles[i]);
		check(run("ab", "--rounds", "2", "--warmup", "0", "--modes", "stock,batched", "--bpftrace", script,
			  "--out", out, "latency", "--size", "2M", "--forks", "1", NULL) == 0 &&
		      strstr(err_buf, "bpftrace: a message of its own"),
		      "ab --bpftrace, bpftrace %s's start message: runs, passes on the script's own message", styles[i]);
		snprintf(path, sizeof(path), "%s/results.json", out);
		check(count_in_file(path, "\"bpftrace_forks\":", NULL) == 2 &&
		      count_in_file(path, "\"bpftrace_tlb_fork\":", NULL) == 2,
		      "  ... its maps are read back per variant");
	}
	setenv("FAKE_BT", "fails", 1);
	snprintf(out, sizeof(out), "%s/bt-fails", dir);
	check(run("ab", "--rounds", "2", "--warmup", "0", "--modes", "stock", "--bpftrace", script, "--out", out,
		  "latency", "--size", "2M", "--forks", "1", NULL) == 1 && strstr(err_buf, "did not start") &&
	      strstr(err_buf, "bpftrace: ERROR: No matches for kprobe nosuch."),
	      "ab --bpftrace, a bpftrace that fails to attach: exit 1 with its messages");
	unsetenv("FAKE_BT");
	setenv("PATH", old_path, 1);
	free(old_path);
}

/* -- CMD: the user's command is the benchmark, in a cgroup that is the scope. */
static void test_ab_command(const char *dir)
{
	char cg[4300], out[4300], path[4400], script[4500];

	fake_reset();
	fake.config.mode = FORKLAB_MODE_PERPTE;
	snprintf(cg, sizeof(cg), "%s/cgroupfs", dir);
	mkdir(cg, 0755);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	put_file(path, "");
	setenv("FORKLAB_CGROUP_ROOT", cg, 1);
	snprintf(out, sizeof(out), "%s/cmd", dir);
	/* the command says which cgroup it is in: the one the driver made */
	snprintf(script, sizeof(script), "echo hello from $$; cat %s/forklab-ab-*/cgroup.procs", cg);
	check(run("ab", "--rounds", "2", "--warmup", "0", "--modes", "stock,batched", "--out", out, "--", "/bin/sh",
		  "-c", script, NULL) == 0 && strstr(out_buf, "command: ms, lower is better"),
	      "ab -- sh -c ...: the command is the benchmark, timed in ms");
	check((fake.scopes_set & (1U << FORKLAB_SCOPE_CGROUP)) && !strncmp(fake.last_cgroup_scope, "/forklab-ab-", 12) &&
	      fake.config.scope == FORKLAB_SCOPE_ALL && fake.config.mode == FORKLAB_MODE_PERPTE,
	      "  ... the scope was its cgroup (%s), and mode and scope are back", fake.last_cgroup_scope);
	snprintf(path, sizeof(path), "%s/command.log", out);
	check(count_in_file(path, "hello from", NULL) == 4 && count_in_file(path, "== batched", NULL) == 2 &&
	      count_in_file(path, "\n0\n", NULL) >= 1, "  ... its output is kept in command.log, and it ran in the cgroup");
	snprintf(path, sizeof(path), "%s/forklab-ab-%d", cg, (int)getpid());
	check(access(path, F_OK) != 0, "  ... the cgroup is removed afterwards");
	snprintf(out, sizeof(out), "%s/cmd-fail", dir);
	check(run("ab", "--rounds", "2", "--out", out, "--", "/bin/false", NULL) == 1 &&
	      strstr(err_buf, "the command failed") && strstr(err_buf, "command.log") &&
	      fake.config.scope == FORKLAB_SCOPE_ALL, "ab -- /bin/false: exit 1, names it and its log, scope back");
	check(run("ab", "--", NULL) == 2 && strstr(err_buf, "needs a command"), "ab --: exit 2, needs a command");
	check(run("ab", "--vary", "layout=order0", "--", "true", NULL) == 2 && strstr(err_buf, "--vary"),
	      "ab --vary ... -- CMD: exit 2 (nothing to vary)");
	check(run("ab", "--bpftrace", "/dev/null", "--", "true", NULL) == 2 && strstr(err_buf, "--bpftrace"),
	      "ab --bpftrace ... -- CMD: exit 2 (its maps key on the benchmark's comm)");
	setenv("FORKLAB_CGROUP_ROOT", "/nonexistent-cgroupfs", 1);
	snprintf(out, sizeof(out), "%s/cmd-nocg", dir);
	check(run("ab", "--rounds", "2", "--out", out, "--", "true", NULL) == 5 && strstr(err_buf, "cgroup v2") &&
	      fake.config.scope == FORKLAB_SCOPE_ALL, "ab -- CMD without a cgroup v2 mount: exit 5, says how to mount one");
	unsetenv("FORKLAB_CGROUP_ROOT");
}

/* A results.json of known samples, as 'forklab ab' writes it (format 2). */
static void put_results(const char *dir, const char *bench, const char *unit, const char *clock,
			const char *kernel, const char *results)
{
	char path[4400], *text;

	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	if (asprintf(&text, "{\"forklab_ab_format\":2,\"command\":\"forklab ab --vary layout=order0 %s\","
		     "\"kernel\":\"%s\",\"machine\":\"x86_64\",\"environment\":{\"platform\":\"TCG-icount\","
		     "\"cpu\":\"QEMU TCG CPU version 2.5+\",\"arch\":\"x86_64\",\"vcpus\":1,\"memory_kib\":4028148,"
		     "\"kernel\":\"%s\",\"kernel_cmdline\":\"forklab.clock=icount\",\"thp\":\"enabled=always\","
		     "\"mthp\":\"-\",\"forklab_git\":\"v1\",\"clock\":\"%s\",\"clock_source\":\"x\"},"
		     "\"benchmark\":\"%s\",\"benchmark_args\":[\"--size\",\"128M\"],\"vary\":\"--layout\",\"rounds\":3,"
		     "\"seed\":1,\"clock\":\"%s\",\"unit\":\"%s\",\"better\":\"lower\",\"results\":[%s]}\n",
		     bench, kernel, kernel, clock, bench, clock, unit, results) < 0)
		abort();
	put_file(path, text);
	free(text);
}

#define R(kase, variant, base, s) \
	"{\"case\":\"" kase "\",\"variant\":\"" variant "\",\"mode\":\"" variant "\",\"contpte\":\"kernel\"," \
	"\"baseline\":" base ",\"forks\":12,\"samples\":[" s "]}"

/*
 * compare on known samples: A's stock 100, 101, 102 against B's 110, 111,
 * 112: the median 101 -> 111 is +9.9 %; the samples separate completely,
 * so the exact Mann-Whitney p for 3 against 3 is 2 / C(6, 3) = 0.1; B's
 * batched equals A's (50, 51, 52: ties, p = 1).  Holm over the case's two
 * tests: 0.1 x 2 = 0.2, and 1.  A's thp-pte is not in B: left out, named.
 */
static void test_ab_compare(const char *dir)
{
	char a[4300], b[4300], c[4300], d[4300], out[4300], path[4400];

	snprintf(a, sizeof(a), "%s/cmp-a", dir);
	snprintf(b, sizeof(b), "%s/cmp-b", dir);
	snprintf(c, sizeof(c), "%s/cmp-ms", dir);
	snprintf(d, sizeof(d), "%s/cmp-fe", dir);
	put_results(a, "latency", "k-instr/fork", "icount", "6.1.0-56-amd64",
		    R("order0", "stock", "true", "100,101,102") "," R("order0", "batched", "false", "50,51,52") ","
		    R("thp-pte", "stock", "true", "90,91,92"));
	put_results(b, "latency", "k-instr/fork", "icount", "6.12.95+deb12-amd64",
		    R("order0", "stock", "true", "110,111,112") "," R("order0", "batched", "false", "50,51,52"));
	put_results(c, "latency", "ms/fork", "time", "6.12.95+deb12-amd64", R("order0", "stock", "true", "1,2,3"));
	put_results(d, "fork-exit", "k-instr/fork", "icount", "6.12.95+deb12-amd64", R("order0", "stock", "true", "1,2,3"));
	snprintf(out, sizeof(out), "%s/cmp-out", dir);
	check(run("ab", "compare", "--out", out, a, b, NULL) == 0, "ab compare A B: exit 0");
	check(strstr(out_buf, "latency (order0): median k-instr/fork") && strstr(out_buf, "+9.9%") &&
	      strstr(out_buf, "6.12.95+deb12-amd64, TCG-icount") && strstr(out_buf, "left out: thp-pte stock") &&
	      strstr(out_buf, "summary: no significant difference from A in any of the 2 comparisons"),
	      "  ... the table: +9.9%% for stock, where each ran, thp-pte left out, nothing significant at n = 3");
	snprintf(path, sizeof(path), "%s/compare.csv", out);
	check(count_in_file(path, "order0,stock,B,", NULL) == 1 &&
	      count_in_file(path, ",3,111,1,k-instr/fork,9.90,", NULL) == 1 && count_in_file(path, ",0.1,0.2\n", NULL) == 1 &&
	      count_in_file(path, "order0,batched,B,", NULL) == 1 && count_in_file(path, ",0.00,", NULL) >= 1 &&
	      count_in_file(path, ",1,1\n", NULL) == 1,
	      "  ... compare.csv: median 111, +9.90 %%, p 0.1 and Holm 0.2 (stock); batched 0 %%, p 1, Holm 1");
	snprintf(path, sizeof(path), "%s/report.md", out);
	check(count_in_file(path, "## A: ", NULL) == 1 && count_in_file(path, "## B: ", NULL) == 1 &&
	      count_in_file(path, "- ran on: TCG-icount", NULL) == 2 && count_in_file(path, "not cycles", NULL) == 1 &&
	      count_in_file(path, "| stock | 101.0 (1.0) | 111.0 (1.0) | +9.9% [", NULL) == 1,
	      "  ... report.md: both environments, the row side by side");
	snprintf(path, sizeof(path), "%s/plot.gp", out);
	check(count_in_file(path, "$forest0 << EOD", NULL) == 1 && count_in_file(path, "\"stock (B)\"", NULL) == 1 &&
	      count_in_file(path, "B: cmp-b (6.12.95+deb12-amd64, TCG-icount", NULL) == 1,
	      "  ... plot.gp: a forest plot of B against A");
	snprintf(path, sizeof(path), "%s/plot.svg", out);
	check(count_in_file(path, "<svg", NULL) == 1, "  ... gnuplot drew it");
	check(run("ab", "compare", "--out", out, a, b, NULL) == 2 && strstr(err_buf, "already holds"),
	      "ab compare into a folder with a report: exit 2, nothing overwritten");
	snprintf(out, sizeof(out), "%s/cmp-out2", dir);
	check(run("ab", "compare", "--out", out, a, c, NULL) == 2 && strstr(err_buf, "units differ") &&
	      strstr(err_buf, "k-instr/fork (clock icount)") && strstr(err_buf, "ms/fork (clock time)") &&
	      access(out, F_OK) != 0, "ab compare icount against time: exit 2, names both units, writes nothing");
	check(run("ab", "compare", "--out", out, a, d, NULL) == 2 && strstr(err_buf, "experiments differ") &&
	      strstr(err_buf, "ran latency") && strstr(err_buf, "ran fork-exit"),
	      "ab compare latency against fork-exit: exit 2, names both");
	check(run("ab", "compare", a, NULL) == 2 && strstr(err_buf, "2 to 8 result folders"),
	      "ab compare with one folder: exit 2");
	check(run("ab", "compare", a, "/nonexistent", NULL) == 2 && strstr(err_buf, "/nonexistent/results.json"),
	      "ab compare with a folder without results.json: exit 2, names the file");
	snprintf(path, sizeof(path), "%s/bad", dir);
	mkdir(path, 0755);
	snprintf(out, sizeof(out), "%s/bad/results.json", dir);
	put_file(out, "{\"benchmark\": [1, 2");
	check(run("ab", "compare", a, path, NULL) == 2 && strstr(err_buf, "cannot read"),
	      "ab compare with a broken results.json: exit 2");
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
	check(strstr(out_buf, "latency (order0): ms/fork, lower is better, against stock") &&
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
	check(count_in_file(path, "\n", NULL) == 9 && count_in_file(path, ",ms/fork,", NULL) == 8,
	      "ab: results.csv has a header and a row per variant");
	snprintf(path, sizeof(path), "%s/samples.csv", out);
	check(count_in_file(path, "\n", NULL) == 1 + 8 * 3, "ab: samples.csv has every counted sample, no warm-up");
	snprintf(path, sizeof(path), "%s/report.md", out);
	check(count_in_file(path, "| perpte | 3 |", NULL) == 2 && count_in_file(path, "![change against the baseline](plot.svg)", NULL) == 1 &&
	      count_in_file(path, "**Summary:**", NULL) == 1 && count_in_file(path, "| p (Holm) |", NULL) == 2 &&
	      count_in_file(path, "- ran on: ", NULL) == 1 && count_in_file(path, "not cycles", NULL) == 0,
	      "ab: report.md: summary, where it ran, a table per layout with Holm's p, the plot");
	snprintf(path, sizeof(path), "%s/plot.svg", out);
	check(count_in_file(path, "<svg", NULL) == 1, "ab: gnuplot drew plot.svg");
	check(run("ab", "--rounds", "2", "--out", out, "latency", NULL) == 2 && strstr(err_buf, "already holds") &&
	      count_in_file(path, "<svg", NULL) == 1, "ab: an existing result folder is never overwritten");

	test_ab_icount(dir);
	test_ab_command(dir);
	test_ab_bpftrace(dir);
	test_ab_compare(dir);

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
	tap_on_failure = cli_run_show;
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
	cli_run_free();
	return tap_done();
}
