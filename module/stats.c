// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per CPU so that concurrent forks never share a cache line, summed
 * on read.  A reset racing with forks may lose the counts of those forks.
 */
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include "forklab.h"
#include "walk.h"
#include "contpte.h"

struct fl_mode_counters {
	u64 calls;
	u64 errors;
	u64 time_ns;
	u64 time_hist[FORKLAB_HIST_BUCKETS];
	struct fl_walk_counts walk;
};

struct fl_counters {
	u64 redirected;
	u64 out_of_scope;
	struct fl_mode_counters mode[FORKLAB_MODE_COUNT];
	struct forklab_contpte_counters
		contpte[FORKLAB_CONTPTE_POLICY_COUNT][FORKLAB_CONTPTE_HELPER_COUNT];
};

static struct fl_counters __percpu *fl_counters;
static atomic64_t fl_registrations = ATOMIC64_INIT(0);

int fl_stats_init(void)
{
	fl_counters = alloc_percpu(struct fl_counters);
	return fl_counters ? 0 : -ENOMEM;
}

void fl_stats_exit(void)
{
	free_percpu(fl_counters);
}

void notrace fl_stats_redirected(void)
{
	this_cpu_inc(fl_counters->redirected);
}

void notrace fl_stats_out_of_scope(void)
{
	this_cpu_inc(fl_counters->out_of_scope);
}

void fl_stats_registered(void)
{
	atomic64_inc(&fl_registrations);
}

static unsigned int fl_hist_bucket(u64 ns)
{
	unsigned int b = ns ? ilog2(ns) : 0;

	return min_t(unsigned int, b, FORKLAB_HIST_BUCKETS - 1);
}

void fl_stats_call(unsigned int mode, u64 ns, int ret)
{
	this_cpu_inc(fl_counters->mode[mode].calls);
	if (ret)
		this_cpu_inc(fl_counters->mode[mode].errors);
	this_cpu_add(fl_counters->mode[mode].time_ns, ns);
	this_cpu_inc(fl_counters->mode[mode].time_hist[fl_hist_bucket(ns)]);
}

void fl_stats_walk(unsigned int mode, const struct fl_walk_counts *w)
{
	struct fl_walk_counts *c;
	unsigned int b;

	/* once per VMA: cheap next to the walk, and preemption-safe */
	preempt_disable();
	c = this_cpu_ptr(&fl_counters->mode[mode].walk);
	c->vmas += w->vmas;
	c->ptes_present += w->ptes_present + w->singles;
	c->ptes_nonpresent += w->ptes_nonpresent;
	c->runs += w->runs + w->singles;
	for (b = 0; b < FORKLAB_RUN_BUCKETS; b++)
		c->run_hist[b] += w->run_hist[b];
	c->run_hist[0] += w->singles;
	c->large_folio_ptes += w->large_folio_ptes + w->large_singles;
	c->pinned_copies += w->pinned_copies;
	c->alloc_retries += w->alloc_retries;
	c->alloc_failures += w->alloc_failures;
	preempt_enable();
}

/*
 * One contpte helper call.  It runs under the page-table lock, which on
 * PREEMPT_RT (Debian's -rt flavours) is a sleeping lock that leaves
 * preemption on: another task on this CPU could then interleave with the
 * increments and lose counts.  So preemption is off around them, as in
 * fl_stats_walk() (migration off would not do: the other task may run on
 * this CPU); elsewhere the lock has it off already, and this costs a
 * preemption-count increment and decrement.
 */
void fl_stats_contpte(unsigned int policy, unsigned int helper, unsigned int nr,
		      const struct fl_contpte_tally *t)
{
	struct forklab_contpte_counters *c;

	preempt_disable();
	c = this_cpu_ptr(&fl_counters->contpte[policy][helper]);
	c->calls++;
	c->ptes += nr;
	c->unfolds += t->unfolds;
	c->folds += t->folds;
	if (fl_contpte_convert_invalidates())
		c->invalidations += t->unfolds + t->folds;
	c->blocks_kept += t->blocks_kept;
	preempt_enable();
}

/*
 * Fills the global counters, those of st->mode and those of
 * st->contpte_policy (both validated by the caller).
 */
void fl_stats_read(struct forklab_stats *st)
{
	unsigned int cpu, b, h, m = st->mode, p = st->contpte_policy;

	for_each_possible_cpu(cpu) {
		const struct fl_counters *c = per_cpu_ptr(fl_counters, cpu);

		st->redirected += READ_ONCE(c->redirected);
		st->out_of_scope += READ_ONCE(c->out_of_scope);
		st->calls += READ_ONCE(c->mode[m].calls);
		st->errors += READ_ONCE(c->mode[m].errors);
		st->time_ns += READ_ONCE(c->mode[m].time_ns);
		for (b = 0; b < FORKLAB_HIST_BUCKETS; b++)
			st->time_hist[b] += READ_ONCE(c->mode[m].time_hist[b]);
		st->vmas += READ_ONCE(c->mode[m].walk.vmas);
		st->ptes_present += READ_ONCE(c->mode[m].walk.ptes_present);
		st->ptes_nonpresent += READ_ONCE(c->mode[m].walk.ptes_nonpresent);
		st->runs += READ_ONCE(c->mode[m].walk.runs);
		for (b = 0; b < FORKLAB_RUN_BUCKETS; b++)
			st->run_hist[b] += READ_ONCE(c->mode[m].walk.run_hist[b]);
		st->large_folio_ptes += READ_ONCE(c->mode[m].walk.large_folio_ptes);
		st->pinned_copies += READ_ONCE(c->mode[m].walk.pinned_copies);
		st->alloc_retries += READ_ONCE(c->mode[m].walk.alloc_retries);
		st->alloc_failures += READ_ONCE(c->mode[m].walk.alloc_failures);
		for (h = 0; h < FORKLAB_CONTPTE_HELPER_COUNT; h++) {
			const struct forklab_contpte_counters *cc = &c->contpte[p][h];

			st->contpte[h].calls += READ_ONCE(cc->calls);
			st->contpte[h].ptes += READ_ONCE(cc->ptes);
			st->contpte[h].unfolds += READ_ONCE(cc->unfolds);
			st->contpte[h].folds += READ_ONCE(cc->folds);
			st->contpte[h].invalidations += READ_ONCE(cc->invalidations);
			st->contpte[h].blocks_kept += READ_ONCE(cc->blocks_kept);
		}
	}
	st->in_flight = max(fl_redirect_in_flight(), 0L);
	st->registrations = atomic64_read(&fl_registrations);
}

void fl_stats_reset(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(fl_counters, cpu), 0, sizeof(struct fl_counters));
	atomic64_set(&fl_registrations, 0);
}
