// SPDX-License-Identifier: GPL-2.0
/*
 * The forklab program's front: global options, the command table and help.
 * Commands live in cmd_*.c (and ../ab/ for 'ab'); what they share is ../lib/cli.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"

static int fl_cmd_help(struct fl_cli *cli, int argc, char **argv);

static const struct fl_command fl_commands[] = {
	{ "check", "", "can forklab run here, which modes",
	  "A preflight: one line per check, ok, missing (with what to do) or warn:\n"
	  "the kernel release and the modes forklab has for it; the kernel config\n"
	  "(/boot/config-R, /proc/config.gz or the headers' .config): kprobes,\n"
	  "kallsyms, dynamic ftrace with args (and regs on x86), contpte on arm64;\n"
	  "kernel.ftrace_enabled; lockdown, Secure Boot and whether the module\n"
	  "must be signed; the headers to build the module; the module (loaded:\n"
	  "the handshake; otherwise the file 'forklab load' would load, and the\n"
	  "kernel it is built for); other ftrace users that hold copy_page_range\n"
	  "(a livepatch, a kprobe with a post_handler).  Without root, tracefs and\n"
	  "/dev/forklab cannot be read: 'sudo forklab check' sees all.\n"
	  "Exit status 0 when forklab can load and redirect here (warnings may\n"
	  "remain), 7 when something it needs is missing.\n", false, fl_cmd_check, false },
	{ "status", "", "module, kernel, mode, contpte policy, scope, fork counters",
	  "Shows the loaded module's version and API, the kernel it runs on, the\n"
	  "modes it supports, the live mode and scope, and how many forks were\n"
	  "redirected.\n", false, fl_cmd_status, false },
	{ "mode", "[NAME | --list]", "show or set the copy mode",
	  "Without NAME prints the live mode; --list lists every mode with what it\n"
	  "does.  With NAME switches to it (root).  'stock' removes the redirect.\n",
	  true, fl_cmd_mode, false },
	{ "contpte", "[POLICY | --list]", "show or set the contpte policy (arm64)",
	  "Without POLICY prints the live policy; --list lists the policies.  With\n"
	  "POLICY switches to it (root): 'kernel' leaves the contiguous-PTE helpers\n"
	  "to the kernel, 'unfold' and 'block' put forklab's under fork's\n"
	  "write-protect and set and teardown's clear, counted per policy in\n"
	  "'forklab stats'.  Needs arm64 with CONFIG_ARM64_CONTPTE; elsewhere only\n"
	  "'kernel' exists and the others fail with exit 5.\n",
	  true, fl_cmd_contpte, false },
	{ "scope", "[all | pid PID | comm PREFIX | cgroup PATH]", "show or set which forks are redirected",
	  "Without arguments prints the scope.  Forks outside the scope take the\n"
	  "kernel's own path even while a mode is live.  PATH is a cgroup v2\n"
	  "directory, absolute under /sys/fs/cgroup or relative to its root (root).\n",
	  true, fl_cmd_scope, false },
	{ "stats", "[--reset] [--mode NAME]", "show (or reset) the counters",
	  "Shows global counters and, for each mode that ran (or --mode NAME), its\n"
	  "calls, errors, time and the log2 latency histogram; on arm64 also, for\n"
	  "each contpte policy that ran, the folds, unfolds and ranged TLB\n"
	  "invalidations of each helper.  --reset zeroes every counter (root).\n",
	  true, fl_cmd_stats, false },
	{ "load", "[--mode NAME] [--contpte POLICY] [MODULE.ko]", "load the module",
	  "Loads forklab.ko (default: $FORKLAB_KO, then ../forklab.ko next to this\n"
	  "program, then the one installed under /lib/modules/$(uname -r): in\n"
	  "updates/dkms, updates or extra, forklab.ko or compressed) with the given\n"
	  "initial mode and contpte policy (root).\n", true, fl_cmd_load, false },
	{ "unload", "", "unload the module",
	  "Removes the redirect and unloads the module once no fork is inside it\n"
	  "(root).  Fails while /dev/forklab is open.\n", true, fl_cmd_unload, false },
	{ "ab", "[OPTIONS] {BENCH|-- CMD} [ARGS]",
	  "A/B experiment under each mode, with statistics; 'ab compare' of results",
	  "Runs forklab-bench BENCHMARK (latency, fork-exit, mprotect; ARGS are its\n"
	  "options), or with -- CMD ARGS a command of yours timed as a whole, under\n"
	  "each mode (and contpte policy), every variant once per round in a\n"
	  "shuffled order, warm-up rounds dropped.  Reports per variant n, min,\n"
	  "median, mean, stddev, max, outliers (Tukey), the median's change against\n"
	  "the baseline with a 95% bootstrap interval, the Mann-Whitney p-value and\n"
	  "that p corrected with Holm's method per case, and per fork what the module\n"
	  "counted (run-length histogram too).  Writes results.json, results.csv,\n"
	  "samples.csv, report.md and plot.gp (plot.svg when gnuplot is installed)\n"
	  "into the result folder, each saying where it ran (CPU, bare metal, KVM,\n"
	  "TCG or TCG-icount, vCPUs, memory, kernel and its command line, THP,\n"
	  "forklab's version).  Under QEMU's icount (forklab.clock=icount on the\n"
	  "kernel command line) values are guest instructions (k-instr), not time.\n"
	  "While it runs the scope is the benchmark's processes (a command of yours:\n"
	  "a cgroup v2 of its own, so its exec'd children count too); mode, policy\n"
	  "and scope are put back afterwards (root).\n"
	  "  --modes LIST      modes to compare, or all (default: all)\n"
	  "  --contpte LIST    contpte policies, or all (default: kernel)\n"
	  "  --vary OPT=V,V    one case per value of the benchmark's --OPT, e.g.\n"
	  "                    layout=order0,thp-pte (at most 8)\n"
	  "  --rounds N        counted rounds, 2..1000 (default 9)\n"
	  "  --warmup N        rounds run first and dropped (default 1)\n"
	  "  --baseline V      the variant others are compared with (default: the\n"
	  "                    first)\n"
	  "  --bpftrace FILE   a bpftrace script running through the experiment whose\n"
	  "                    maps are keyed by comm (tools/bpftrace/ab-tlb.bt)\n"
	  "  --clock C         auto (icount if /proc/cmdline has forklab.clock=icount),\n"
	  "                    icount or time (default auto)\n"
	  "  --out DIR         result folder, new or empty (default\n"
	  "                    forklab-ab-DATE-TIME)\n"
	  "  --seed N          seed of the shuffles and the bootstrap (default 1)\n"
	  "compare [--out DIR] [--seed N] DIR_A DIR_B [...]: the variants the result\n"
	  "folders share, side by side, each against A's (same statistics, a plot);\n"
	  "refuses folders whose units or experiments differ.\n"
	  "With --json before 'ab', results.json goes to stdout instead of the table.\n"
	  "The benchmark is $FORKLAB_BENCH, else forklab-bench next to this program,\n"
	  "else on $PATH.  Examples:\n"
	  "  forklab ab --vary layout=order0,thp-pte latency --size 512M --forks 4\n"
	  "  forklab ab --modes stock,batched -- make -j1 -C /src/busybox\n"
	  "  forklab ab compare results-6.1 results-6.12\n",
	  true, fl_cmd_ab, true },
	{ "help", "[COMMAND | --man]", "this help, or a command's",
	  "--man prints the commands and exit status as roff, the sections 'make man'\n"
	  "puts into forklab(8), so the man page and this help cannot differ.\n",
	  false, fl_cmd_help, false },
};

static const char fl_exit_codes[] =
	"exit status: 0 ok, 1 the kernel refused or the operation failed, 2 usage\n"
	"error, 3 module not loaded, 4 needs root, 5 unsupported here, 6 another\n"
	"ftrace user holds a function forklab hooks (or kernel.ftrace_enabled=0),\n"
	"7 'forklab check' found something forklab needs missing.\n";

#define FL_NCOMMANDS (sizeof(fl_commands) / sizeof(fl_commands[0]))

static const struct fl_command *fl_find_command(const char *name)
{
	size_t i;

	for (i = 0; i < FL_NCOMMANDS; i++)
		if (!strcmp(name, fl_commands[i].name))
			return &fl_commands[i];
	return NULL;
}

#define FL_HELP_COLUMN 24	/* where summaries start; help stays within 80 columns */

/* @s from column @col on, words wrapped at 80 columns, continued at @col. */
static void fl_wrap(FILE *f, const char *s, int col)
{
	int at = col;

	while (*s) {
		int len = strcspn(s, " ");

		if (at > col && at + 1 + len > 80) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fprintf(f, "%.*s", len, s);
		at += len;
		s += len + (s[len] == ' ');
	}
	fputc('\n', f);
}

/*
 * A synopsis too wide for the summary's column gets a line of its own and
 * the summary goes under it, as bpftool and ip lay out theirs.
 */
static void fl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: forklab [--json] COMMAND [ARGS]\n"
		"       forklab [--json] --version\n\ncommands:\n");
	for (i = 0; i < FL_NCOMMANDS; i++) {
		const struct fl_command *c = &fl_commands[i];
		char syn[96], sum[160];
		int len = snprintf(syn, sizeof(syn), "%s%s%s", c->name, *c->args ? " " : "", c->args);

		snprintf(sum, sizeof(sum), "%s%s", c->summary, c->needs_root ? " (changes: root)" : "");
		if (len + 3 > FL_HELP_COLUMN)
			fprintf(f, "  %s\n%*s", syn, FL_HELP_COLUMN, "");
		else
			fprintf(f, "  %-*s", FL_HELP_COLUMN - 2, syn);
		fl_wrap(f, sum, FL_HELP_COLUMN);
	}
	fprintf(f, "\n--json: machine-readable output (errors too) for every command.\n"
		"--version: this CLI's version and API, and the loaded module's.\n%s", fl_exit_codes);
}

static void fl_command_help(FILE *f, const struct fl_command *cmd)
{
	fprintf(f, "usage: forklab %s%s%s\n\n%s", cmd->name, *cmd->args ? " " : "", cmd->args, cmd->help);
}

static int fl_cmd_help(struct fl_cli *cli, int argc, char **argv)
{
	const struct fl_command *cmd;

	if (argc > 2)
		return fl_fail(cli, FL_EXIT_USAGE, "help takes at most one command name");
	if (argc == 2 && !strcmp(argv[1], "--man")) {
		fl_man_commands(cli->out, fl_commands, FL_NCOMMANDS, fl_exit_codes);
		return FL_EXIT_OK;
	}
	if (argc < 2) {
		fl_usage(cli->out);
		return FL_EXIT_OK;
	}
	cmd = fl_find_command(argv[1]);
	if (!cmd)
		return fl_fail(cli, FL_EXIT_USAGE, "no command '%s'; 'forklab help' lists them", argv[1]);
	fl_command_help(cli->out, cmd);
	return FL_EXIT_OK;
}

int fl_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct fl_cli cli = { .out = out, .err = err };
	const struct fl_command *cmd;
	bool version = false;
	int i;

	/* Global options come before the command; --json is also accepted after. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			cli.json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fl_usage(out);
			return FL_EXIT_OK;
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			version = true;	/* after the loop: --json may follow */
		} else {
			fl_usage(err);
			return fl_fail(&cli, FL_EXIT_USAGE, "unknown option '%s'", argv[i]);
		}
	}
	if (version) {
		fl_json_init(&cli.j, out);
		return fl_cmd_version(&cli);
	}
	if (i >= argc) {
		fl_usage(err);
		return fl_fail(&cli, FL_EXIT_USAGE, "no command given");
	}
	cmd = fl_find_command(argv[i]);
	if (!cmd)
		return fl_fail(&cli, FL_EXIT_USAGE, "unknown command '%s'; 'forklab help' lists them",
			       argv[i]);

	/*
	 * COMMAND -h: its help, as 'forklab help COMMAND' (right after the name
	 * even for 'ab', whose later words may be a benchmark's)
	 */
	if (i + 1 < argc && (!strcmp(argv[i + 1], "-h") || !strcmp(argv[i + 1], "--help"))) {
		fl_command_help(out, cmd);
		return FL_EXIT_OK;
	}

	/* Strip --json from the command's own arguments (unless they are passed on). */
	{
		char **args = calloc(argc - i + 1, sizeof(*args));
		int n = 0, j, ret;

		if (!args)
			return fl_fail(&cli, FL_EXIT_FAILED, "out of memory");
		for (j = i; j < argc; j++) {
			if (j > i && !cmd->raw_args && (!strcmp(argv[j], "--json") || !strcmp(argv[j], "-j")))
				cli.json = true;
			else
				args[n++] = argv[j];
		}
		fl_json_init(&cli.j, out);
		ret = cmd->run(&cli, n, args);
		free(args);
		return ret;
	}
}
