/* SPDX-License-Identifier: GPL-2.0 */
/* The forklab program's command table: each command's entry point. */
#ifndef FL_COMMANDS_H
#define FL_COMMANDS_H

#include "lib/cli.h"
#include "ab/ab_cmd.h"

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

/* cmd_status.c: a scope as text ("pid 42") or, in JSON mode, a "scope" object. */
void fl_print_scope(struct fl_cli *cli, const struct forklab_config *c);

/*
 * cmd_module.c: the forklab.ko 'forklab load' loads when given no path, in
 * @buf (or $FORKLAB_KO): $FORKLAB_KO, then ../forklab.ko next to this
 * program (both only for this machine, @root ""), then the installed one
 * under @root/lib/modules/@release (updates/dkms, updates, extra; .ko or
 * compressed).  NULL if there is none.
 */
const char *fl_find_module(const char *root, const char *release, char *buf, size_t len);

/* man.c: the commands and the exit status (help's text) as roff sections. */
void fl_man_commands(FILE *f, const struct fl_command *cmds, size_t n, const char *exit_codes);
/* cmd_version.c: 'forklab --version', the module's too when it is loaded. */
int fl_cmd_version(struct fl_cli *cli);

int fl_cmd_check(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_status(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_mode(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_contpte(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_scope(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_stats(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_load(struct fl_cli *cli, int argc, char **argv);
int fl_cmd_unload(struct fl_cli *cli, int argc, char **argv);

#endif
