/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forklab CLI internals: the command table, the shared context, exit codes
 * and the helpers every command uses to report results and errors.
 */
#ifndef FL_CLI_H
#define FL_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "device.h"
#include "json.h"

/* Exit codes (documented in 'forklab help' and README.md). */
enum {
	FL_EXIT_OK = 0,
	FL_EXIT_FAILED = 1,		/* the kernel refused or an operation failed */
	FL_EXIT_USAGE = 2,		/* bad command line */
	FL_EXIT_NOT_LOADED = 3,		/* the forklab module is not loaded */
	FL_EXIT_PERM = 4,		/* needs root / CAP_SYS_ADMIN */
	FL_EXIT_UNSUPPORTED = 5,	/* this kernel or module cannot do it */
	FL_EXIT_BUSY = 6,		/* another ftrace user holds a function forklab hooks */
};

struct fl_cli {
	FILE *out;
	FILE *err;
	bool json;
	struct fl_json j;
};

struct fl_command {
	const char *name;
	const char *args;		/* synopsis after the name */
	const char *summary;
	const char *help;		/* details for 'forklab help NAME' */
	bool needs_root;		/* for changes; reading needs only the device */
	int (*run)(struct fl_cli *cli, int argc, char **argv);
	bool raw_args;			/* --json after the name is the command's (a benchmark's) */
};

int fl_cli_main(int argc, char **argv, FILE *out, FILE *err);

/* Reports a failure (text on err, or a JSON error object) and returns @code. */
int fl_fail(struct fl_cli *cli, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports a failed kernel request: @what names it, @err is a negative errno. */
int fl_fail_errno(struct fl_cli *cli, const char *what, int err);
/*
 * Opens /dev/forklab and checks the API version; reports failures itself.
 * The handshake goes to @version unless it is NULL.
 */
int fl_open(struct fl_cli *cli, struct fl_dev **dev, struct forklab_version *version);

/* Mode names from the UAPI list; -1 if unknown. */
int fl_mode_by_name(const char *name);
const char *fl_mode_name(unsigned int mode);
const char *fl_mode_description(unsigned int mode);
const char *fl_scope_name(unsigned int scope);
/* contpte policy names from the UAPI list; -1 if unknown. */
int fl_contpte_by_name(const char *name);
const char *fl_contpte_name(unsigned int policy);
const char *fl_contpte_description(unsigned int policy);

/* Writes a scope as text ("pid 42") or, in JSON mode, as a "scope" object. */
void fl_print_scope(struct fl_cli *cli, const struct forklab_config *c);

/* Parses a decimal unsigned number, whole string; false if it is not one. */
bool fl_parse_u32(const char *s, unsigned int *val);

int fl_cmd_status(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_mode(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_contpte(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_scope(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_stats(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_load(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_unload(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_ab(struct fl_cli *cli, int argc, char **argv);

#endif
