/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every forklab command shares: the context (output, --json), exit
 * codes and the helpers that report results and errors.
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
	FL_EXIT_MISSING = 7,		/* 'forklab check': something forklab needs is missing */
};

struct fl_cli {
	FILE *out;
	FILE *err;
	bool json;
	struct fl_json j;
};


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

/* Parses a decimal unsigned number, whole string; false if it is not one. */
bool fl_parse_u32(const char *s, unsigned int *val);

#endif
