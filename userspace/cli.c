// SPDX-License-Identifier: GPL-2.0
/*
 * forklab CLI core: global options, the command table, help, and the error
 * reporting that turns errnos into advice and documented exit codes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "device.h"

static int fl_cmd_help(struct fl_cli *cli, int argc, char **argv);

static const struct fl_command fl_commands[] = {
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
	  "program, then /lib/modules/$(uname -r)/{updates,extra}/forklab.ko) with\n"
	  "the given initial mode and contpte policy (root).\n", true, fl_cmd_load, false },
	{ "unload", "", "unload the module",
	  "Removes the redirect and unloads the module once no fork is inside it\n"
	  "(root).  Fails while /dev/forklab is open.\n", true, fl_cmd_unload, false },
	{ "ab", "[OPTIONS] BENCHMARK [ARGS]", "A/B experiment: a benchmark under each mode, with statistics",
	  "Runs forklab-bench BENCHMARK (latency, fork-exit, mprotect; ARGS are its\n"
	  "options) under each mode (and contpte policy), every variant once per\n"
	  "round in a shuffled order, warm-up rounds dropped.  Reports per variant\n"
	  "n, min, median, mean, stddev, max, the median's change against the\n"
	  "baseline with a 95% bootstrap interval and the Mann-Whitney p-value, and\n"
	  "per fork what the module counted.  Writes results.json, results.csv,\n"
	  "samples.csv, report.md and plot.gp (plot.svg when gnuplot is installed)\n"
	  "into the result folder.  While it runs the scope is the benchmark's\n"
	  "processes; mode, policy and scope are put back afterwards (root).\n"
	  "  --modes LIST      modes to compare, or all (default: all)\n"
	  "  --contpte LIST    contpte policies, or all (default: kernel)\n"
	  "  --vary OPT=V,V    one case per value of the benchmark's --OPT, e.g.\n"
	  "                    layout=order0,thp-pte (at most 8)\n"
	  "  --rounds N        counted rounds, 2..1000 (default 9)\n"
	  "  --warmup N        rounds run first and dropped (default 1)\n"
	  "  --baseline V      the variant others are compared with (default: the first)\n"
	  "  --bpftrace FILE   a bpftrace script running through the experiment whose\n"
	  "                    maps are keyed by comm (tools/bpftrace/ab-tlb.bt)\n"
	  "  --out DIR         result folder, new or empty (default forklab-ab-DATE-TIME)\n"
	  "  --seed N          seed of the shuffles and the bootstrap (default 1)\n"
	  "With --json before 'ab', results.json goes to stdout instead of the table.\n"
	  "The benchmark is $FORKLAB_BENCH, else forklab-bench next to this program,\n"
	  "else on $PATH.  Example:\n"
	  "  forklab ab --vary layout=order0,thp-pte latency --size 512M --forks 4\n",
	  true, fl_cmd_ab, true },
	{ "help", "[COMMAND]", "this help, or a command's", "", false, fl_cmd_help, false },
};

static const char fl_exit_codes[] =
	"exit status: 0 ok, 1 the kernel refused or the operation failed, 2 usage\n"
	"error, 3 module not loaded, 4 needs root, 5 unsupported here, 6 another\n"
	"ftrace user holds a function forklab hooks (or kernel.ftrace_enabled=0).\n";

static const struct fl_command *fl_find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fl_commands) / sizeof(fl_commands[0]); i++)
		if (!strcmp(name, fl_commands[i].name))
			return &fl_commands[i];
	return NULL;
}

static void fl_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: forklab [--json] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(fl_commands) / sizeof(fl_commands[0]); i++) {
		char syn[96];

		snprintf(syn, sizeof(syn), "%s %s", fl_commands[i].name, fl_commands[i].args);
		fprintf(f, "  %-44s %s%s\n", syn, fl_commands[i].summary,
			fl_commands[i].needs_root ? " (changes: root)" : "");
	}
	fprintf(f, "\n--json: machine-readable output (errors too) for every command.\n%s",
		fl_exit_codes);
}

static int fl_cmd_help(struct fl_cli *cli, int argc, char **argv)
{
	const struct fl_command *cmd;

	if (argc > 2)
		return fl_fail(cli, FL_EXIT_USAGE, "help takes at most one command name");
	if (argc < 2) {
		fl_usage(cli->out);
		return FL_EXIT_OK;
	}
	cmd = fl_find_command(argv[1]);
	if (!cmd)
		return fl_fail(cli, FL_EXIT_USAGE, "no command '%s'; 'forklab help' lists them", argv[1]);
	fprintf(cli->out, "usage: forklab %s %s\n\n%s", cmd->name, cmd->args, cmd->help);
	return FL_EXIT_OK;
}

int fl_fail(struct fl_cli *cli, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json) {
		struct fl_json j;

		fl_json_init(&j, cli->out);
		fl_json_object_begin(&j, NULL);
		fl_json_string(&j, "error", msg);
		fl_json_i64(&j, "exit_code", code);
		fl_json_object_end(&j);
	}
	fprintf(cli->err, "forklab: %s\n", msg);
	return code;
}

/*
 * The module's EBUSY: ftrace refused one of its hooks.  Either ftrace is
 * off, or another user that modifies the instruction pointer holds one of
 * the functions: name it when tracefs says who.
 */
static int fl_fail_busy(struct fl_cli *cli, const char *what)
{
	char holder[200];

	switch (fl_sys_ftrace_conflict(holder, sizeof(holder))) {
	case FL_FTRACE_DISABLED:
		return fl_fail(cli, FL_EXIT_BUSY, "%s: kernel.ftrace_enabled is 0, so nothing can be "
			       "hooked; run 'sysctl kernel.ftrace_enabled=1', then retry", what);
	case FL_FTRACE_HELD:
		return fl_fail(cli, FL_EXIT_BUSY, "%s: another ftrace user already modifies the instruction "
			       "pointer of a function forklab hooks (enabled_functions: '%s'); remove it "
			       "(a livepatch, or a kprobe with a post_handler), then retry", what, holder);
	default:
		return fl_fail(cli, FL_EXIT_BUSY, "%s: another ftrace user (a livepatch, or a kprobe with a "
			       "post_handler) already modifies the instruction pointer of a function forklab "
			       "hooks; dmesg and /sys/kernel/tracing/enabled_functions name it; remove it, "
			       "then retry", what);
	}
}

int fl_fail_errno(struct fl_cli *cli, const char *what, int err)
{
	switch (-err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return fl_fail(cli, FL_EXIT_NOT_LOADED,
			       "%s: the forklab module is not loaded (no %s); load it with "
			       "'forklab load' or 'insmod forklab.ko'", what, FORKLAB_DEVICE);
	case EACCES:
		return fl_fail(cli, FL_EXIT_PERM,
			       "%s: permission denied on %s (root only); run as root", what,
			       FORKLAB_DEVICE);
	case EPERM:
		return fl_fail(cli, FL_EXIT_PERM, "%s: needs CAP_SYS_ADMIN; run as root", what);
	case EBUSY:
		return fl_fail_busy(cli, what);
	case EOPNOTSUPP:
		return fl_fail(cli, FL_EXIT_UNSUPPORTED, "%s: not supported by this kernel or module; see dmesg",
			       what);
	case ENOTTY:
		return fl_fail(cli, FL_EXIT_UNSUPPORTED,
			       "%s: the loaded module does not know this request; load the module "
			       "built with this CLI (API %d)", what, FORKLAB_API_VERSION);
	default:
		return fl_fail(cli, FL_EXIT_FAILED, "%s: %s", what, strerror(-err));
	}
}

int fl_open(struct fl_cli *cli, struct fl_dev **dev, struct forklab_version *version)
{
	struct forklab_version v = { .size = sizeof(v) };
	int ret = fl_dev_open(dev);

	if (ret)
		return fl_fail_errno(cli, "open " FORKLAB_DEVICE, ret);
	ret = fl_dev_version(*dev, &v);
	if (ret) {
		fl_dev_close(*dev);
		return fl_fail_errno(cli, "version handshake", ret);
	}
	if (v.api_version != FORKLAB_API_VERSION) {
		fl_dev_close(*dev);
		return fl_fail(cli, FL_EXIT_UNSUPPORTED,
			       "the loaded module speaks API %u, this CLI API %d; use the CLI built "
			       "with the module", v.api_version, FORKLAB_API_VERSION);
	}
	if (version)
		*version = v;
	return FL_EXIT_OK;
}

static const char *const fl_mode_names[] = {
#define FL_MODE_NAME(id, val, name, desc) [val] = name,
	FORKLAB_MODE_LIST(FL_MODE_NAME)
#undef FL_MODE_NAME
};
static const char *const fl_mode_descs[] = {
#define FL_MODE_DESC(id, val, name, desc) [val] = desc,
	FORKLAB_MODE_LIST(FL_MODE_DESC)
#undef FL_MODE_DESC
};

int fl_mode_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < FORKLAB_MODE_COUNT; i++)
		if (fl_mode_names[i] && !strcmp(name, fl_mode_names[i]))
			return i;
	return -1;
}

const char *fl_mode_name(unsigned int mode)
{
	return mode < FORKLAB_MODE_COUNT && fl_mode_names[mode] ? fl_mode_names[mode] : "unknown";
}

const char *fl_mode_description(unsigned int mode)
{
	return mode < FORKLAB_MODE_COUNT && fl_mode_descs[mode] ? fl_mode_descs[mode] : "";
}

static const char *const fl_contpte_names[] = {
#define FL_CONTPTE_NAME(id, val, name, desc) [val] = name,
	FORKLAB_CONTPTE_POLICY_LIST(FL_CONTPTE_NAME)
#undef FL_CONTPTE_NAME
};
static const char *const fl_contpte_descs[] = {
#define FL_CONTPTE_DESC(id, val, name, desc) [val] = desc,
	FORKLAB_CONTPTE_POLICY_LIST(FL_CONTPTE_DESC)
#undef FL_CONTPTE_DESC
};

int fl_contpte_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < FORKLAB_CONTPTE_POLICY_COUNT; i++)
		if (!strcmp(name, fl_contpte_names[i]))
			return i;
	return -1;
}

const char *fl_contpte_name(unsigned int policy)
{
	return policy < FORKLAB_CONTPTE_POLICY_COUNT ? fl_contpte_names[policy] : "unknown";
}

const char *fl_contpte_description(unsigned int policy)
{
	return policy < FORKLAB_CONTPTE_POLICY_COUNT ? fl_contpte_descs[policy] : "";
}

const char *fl_scope_name(unsigned int scope)
{
	static const char *const names[] = { "all", "pid", "comm", "cgroup" };

	return scope < FORKLAB_SCOPE_COUNT ? names[scope] : "unknown";
}

bool fl_parse_u32(const char *s, unsigned int *val)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xffffffffUL)
		return false;
	*val = v;
	return true;
}

int fl_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct fl_cli cli = { .out = out, .err = err };
	const struct fl_command *cmd;
	int i;

	/* Global options come before the command; --json is also accepted after. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			cli.json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fl_usage(out);
			return FL_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			fprintf(out, "forklab CLI, API %d\n", FORKLAB_API_VERSION);
			return FL_EXIT_OK;
		} else {
			fl_usage(err);
			return fl_fail(&cli, FL_EXIT_USAGE, "unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc) {
		fl_usage(err);
		return fl_fail(&cli, FL_EXIT_USAGE, "no command given");
	}
	cmd = fl_find_command(argv[i]);
	if (!cmd)
		return fl_fail(&cli, FL_EXIT_USAGE, "unknown command '%s'; 'forklab help' lists them",
			       argv[i]);

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
