// SPDX-License-Identifier: GPL-2.0
/*
 * The help and --version of forklab and forklab-bench: every help line fits
 * 80 columns, and --version names the module's version when it is loaded.
 * Speaks TAP and ends with "N passed, N failed".
 * usage: test_help FORKLAB_BENCH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/commands.h"
#include "fake_device.h"
#include "json_check.h"
#include "tap.h"
#include "cli_run.h"


/* The widest line of @s (0 for an empty text), and the line in @which. */
static size_t widest(const char *s, char *which, size_t len)
{
	size_t max = 0;

	while (*s) {
		size_t n = strcspn(s, "\n");

		if (n > max) {
			max = n;
			snprintf(which, len, "%.*s", (int)n, s);
		}
		s += n + (s[n] == '\n');
	}
	return max;
}

static void check_fits(const char *what, const char *text)
{
	char line[256] = "";
	size_t w = widest(text, line, sizeof(line));

	check(w > 0 && w <= 80, "%s: every line fits 80 columns (widest %zu%s%s)", what, w,
	      w > 80 ? ": " : "", w > 80 ? line : "");
}

static void test_cli_help(void)
{
	char *usage, names[32][32];
	int n = 0;

	fake_reset();
	check(run("--help", NULL) == 0, "forklab --help: exit 0");
	check_fits("forklab --help", out_buf);
	/* the table's commands: the first word of each two-space line */
	usage = strdup(out_buf);
	for (char *l = strstr(usage, "commands:\n"); l && (l = strchr(l, '\n')); l++) {
		if (l[1] != ' ')
			break;		/* the blank line after the table */
		if (l[3] != ' ' && n < 32 && sscanf(l + 3, "%31[a-z-]", names[n]) == 1)
			n++;		/* not a summary's line */
	}
	free(usage);
	check(n >= 10, "forklab --help lists the commands (%d)", n);
	for (int i = 0; i < n; i++) {
		char what[64];

		snprintf(what, sizeof(what), "forklab help %s", names[i]);
		check(run("help", names[i], NULL) == 0 && strstr(out_buf, "usage: forklab "), "%s: exit 0", what);
		check_fits(what, out_buf);
		snprintf(what, sizeof(what), "forklab %s -h", names[i]);
		check(run(names[i], "-h", NULL) == 0 && strstr(out_buf, "usage: forklab "), "%s: its help", what);
		check_fits(what, out_buf);
	}
	check(run("help", "--man", NULL) == 0 && strstr(out_buf, ".SS \"scope ") &&
	      strstr(out_buf, ".SH \"EXIT STATUS\""), "help --man: the commands and exit status as roff");
}

static void test_bench_help(const char *bench)
{
	static const char *const args[] = { "--help", "latency --help", "fork-exit --help", "mprotect --help" };

	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		char cmd[512], what[64], *text = NULL;
		size_t len = 0;
		FILE *p, *m;
		int c;

		snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bench, args[i]);
		snprintf(what, sizeof(what), "forklab-bench %s", args[i]);
		p = popen(cmd, "r");
		m = open_memstream(&text, &len);
		while (p && (c = fgetc(p)) != EOF)
			fputc(c, m);
		fclose(m);
		check(p && pclose(p) == 0, "%s: exit 0", what);
		check_fits(what, text);
		free(text);
	}
}

static void test_version(void)
{
	fake_reset();
	check(run("--version", NULL) == 0 && strstr(out_buf, "forklab CLI unit-test, API 1\n") &&
	      strstr(out_buf, "module 0.0-test, API 1 (6.1.0-fake-amd64 x86_64)\n"),
	      "--version, module loaded: the CLI's and the module's version and API");
	fake.api_version = 99;
	check(run("--version", NULL) == 0 && strstr(out_buf, "module 0.0-test, API 99") &&
	      strstr(out_buf, "a different API"), "--version, another API: exit 0, says so");
	fake_reset();
	fake.open_err = -ENOENT;
	fake.loaded = false;
	check(run("--version", NULL) == 0 && strstr(out_buf, "API 1\nmodule not loaded\n"),
	      "--version, no module: 'module not loaded', exit 0");
	check(run("--json", "--version", NULL) == 0 && json_valid(out_buf) &&
	      strstr(out_buf, "\"cli_version\":\"unit-test\",\"api_version\":1,\"module\":{\"loaded\":false}"),
	      "--json --version, no module: one object, loaded false");
	fake.open_err = -EACCES;
	fake.loaded = true;
	check(run("--version", NULL) == 0 && strstr(out_buf, "module loaded (reading its version needs root)"),
	      "--version, not root: the module is loaded, its version needs root");
	fake_reset();
	check(run("--version", "--json", NULL) == 0 && json_valid(out_buf) &&
	      strstr(out_buf, "\"module\":{\"loaded\":true,\"version\":\"0.0-test\",\"api_version\":1,"),
	      "--version --json, module loaded: the module's version in the object");
	check(fake.opens == fake.closes, "--version closes the device");
}

int main(int argc, char **argv)
{
	tap_on_failure = cli_run_show;
	if (argc != 2) {
		fprintf(stderr, "usage: %s FORKLAB_BENCH\n", argv[0]);
		return 2;
	}
	test_cli_help();
	test_bench_help(argv[1]);
	test_version();
	cli_run_free();
	return tap_done();
}
