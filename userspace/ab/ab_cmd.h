/* SPDX-License-Identifier: GPL-2.0 */
/* The entry point of 'forklab ab' for the CLI's command table. */
#ifndef FL_AB_CMD_H
#define FL_AB_CMD_H

#include "lib/cli.h"

int fl_cmd_ab(struct fl_cli *cli, int argc, char **argv);

#endif
