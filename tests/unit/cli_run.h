/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI run in-process for the unit tests: run("status", "--json", NULL)
 * calls fl_cli_main() as "forklab status --json" and keeps what it wrote.
 */
#ifndef FL_UNIT_CLI_RUN_H
#define FL_UNIT_CLI_RUN_H

/* the last run's stdout, stderr and exit status */
extern char *out_buf, *err_buf;
extern int last_rc;

int run(const char *arg, ...);
/* For tap_on_failure: the last run's exit status and output. */
void cli_run_show(void);
void cli_run_free(void);

#define OUT_HAS(s)	(strstr(out_buf, (s)) != NULL)
#define ERR_HAS(s)	(strstr(err_buf, (s)) != NULL)

#endif
