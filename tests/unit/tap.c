// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include "tap.h"

int tests, failures;
void (*tap_on_failure)(void);

void check(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	failures += !cond;
	printf("%s %d - ", cond ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond && tap_on_failure)
		tap_on_failure();
}

int tap_done(void)
{
	printf("1..%d\n%d passed, %d failed\n", tests, tests - failures, failures);
	return failures != 0;
}
