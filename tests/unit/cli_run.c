// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/commands.h"
#include "cli_run.h"

char *out_buf, *err_buf;
int last_rc;

int run(const char *arg, ...)
{
	char *argv[32];
	int argc = 0;
	size_t olen, elen;
	FILE *out, *err;
	va_list ap;

	cli_run_free();
	out = open_memstream(&out_buf, &olen);
	err = open_memstream(&err_buf, &elen);
	argv[argc++] = "forklab";
	va_start(ap, arg);
	for (; arg && argc < (int)(sizeof(argv) / sizeof(argv[0])) - 1; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	argv[argc] = NULL;
	last_rc = fl_cli_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return last_rc;
}

void cli_run_show(void)
{
	printf("#   rc=%d\n#   stdout: %s\n#   stderr: %s\n", last_rc, out_buf, err_buf);
}

void cli_run_free(void)
{
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
}
