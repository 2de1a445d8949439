// SPDX-License-Identifier: GPL-2.0
/*
 * fl-json-check FILE: exit 0 when FILE holds exactly one valid JSON value
 * (the guest has no JSON tool; this is the unit tests' strict checker).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include "../unit/json_check.c"

int main(int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
	bool ok;

	if (!f) {
		fprintf(stderr, "usage: fl-json-check FILE (a readable file)\n");
		return 2;
	}
	if (getdelim(&buf, &len, 0, f) < 0) {
		fprintf(stderr, "fl-json-check: %s is empty\n", argv[1]);
		return 1;
	}
	ok = json_valid(buf);
	if (!ok)
		fprintf(stderr, "fl-json-check: %s is not valid JSON\n", argv[1]);
	free(buf);
	fclose(f);
	return ok ? 0 : 1;
}
