// SPDX-License-Identifier: GPL-2.0
/* forklab: command-line control of the forklab module (see 'forklab help'). */
#include <stdio.h>
#include "commands.h"

int main(int argc, char **argv)
{
	return fl_cli_main(argc, argv, stdout, stderr);
}
