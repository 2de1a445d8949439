// SPDX-License-Identifier: GPL-2.0
/*
 * The unit an experiment reports, from the benchmark's unit and the clock.
 * Under QEMU's icount (-icount shift=0) the guest's clock advances 1 ns per
 * guest instruction, so a time measured in the guest is an instruction
 * count and is reported as one (k-instr), never as a time: it carries no
 * cache, TLB or branch effects.  Elsewhere the unit is time, in ms where
 * forks are timed, so that figures read with 3-4 significant digits.
 */
#include <string.h>
#include "ab.h"

struct ab_unit_rule {
	const char *bench_unit;
	const char *time_unit;
	double time_scale;		/* reported = raw * scale */
	const char *icount_unit;
	double icount_scale;		/* 0: reported = icount_inverse / raw */
	double icount_inverse;
	const char *icount_better;	/* NULL: as the benchmark says */
};

static const struct ab_unit_rule ab_rules[] = {
	/* 1 us of virtual time = 1000 instructions = 1 k-instr */
	{ "us/fork", "ms/fork", 1e-3, "k-instr/fork", 1, 0, NULL },
	{ "ns/call", "ns/call", 1, "instr/call", 1, 0, NULL },
	/* a rate of virtual time is instructions per loop: 1e6 / (forks/s) k-instr */
	{ "forks/s", "forks/s", 1, "k-instr/fork", 0, 1e6, "lower" },
	/* a command's duration in s: 1 s of virtual time = 1000 M-instr */
	{ "s", "ms", 1e3, "M-instr", 1e3, 0, NULL },
};

int ab_units_set(struct ab *ab, const char *bench_unit, const char *bench_better)
{
	bool icount = !strcmp(ab->env.clock, "icount");

	snprintf(ab->bench_unit, sizeof(ab->bench_unit), "%s", bench_unit);
	snprintf(ab->better, sizeof(ab->better), "%s", bench_better);
	for (size_t i = 0; i < sizeof(ab_rules) / sizeof(ab_rules[0]); i++) {
		const struct ab_unit_rule *r = &ab_rules[i];

		if (strcmp(r->bench_unit, bench_unit))
			continue;
		snprintf(ab->unit, sizeof(ab->unit), "%s", icount ? r->icount_unit : r->time_unit);
		if (icount && r->icount_better)
			snprintf(ab->better, sizeof(ab->better), "%s", r->icount_better);
		return 0;
	}
	/* a unit nobody taught us: as it is in time; under icount we cannot say what it means */
	snprintf(ab->unit, sizeof(ab->unit), "%s", bench_unit);
	return icount ? -1 : 0;
}

double ab_units_convert(const struct ab *ab, double raw)
{
	bool icount = !strcmp(ab->env.clock, "icount");

	for (size_t i = 0; i < sizeof(ab_rules) / sizeof(ab_rules[0]); i++) {
		const struct ab_unit_rule *r = &ab_rules[i];

		if (strcmp(r->bench_unit, ab->bench_unit))
			continue;
		if (!icount)
			return raw * r->time_scale;
		return r->icount_scale ? raw * r->icount_scale : r->icount_inverse / raw;
	}
	return raw;
}
