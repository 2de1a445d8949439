// SPDX-License-Identifier: GPL-2.0
/*
 * The mode table: what a redirected copy_page_range() does in each mode.
 * Adding a mode is one line in FORKLAB_MODE_LIST (uapi) and one entry here.
 * The contpte policies' names live here too.
 */
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "forklab.h"
#include "ksyms.h"
#include "walk.h"

int fl_call_kernel_copy_page_range(struct vm_area_struct *dst_vma,
				   struct vm_area_struct *src_vma)
{
	int ret;

	/* past its ftrace call site: the redirect does not see this call (ksyms.c) */
	ret = FL_KCALL(2, int, fl_kernel_copy_page_range_body, (dst_vma, src_vma),
		       struct vm_area_struct *, struct vm_area_struct *);
	/*
	 * Keep the call a real call all the same: should it ever enter at the
	 * call site, ftrace would see the caller's return address outside the
	 * module after a tail call and redirect again, forever (seen: the guest
	 * locked up).
	 */
	barrier();
	return ret;
}

#ifndef FL_NO_WALK
/* forklab's own walk; its counters go to the mode's statistics */
static int fl_copy_walk(unsigned int mode, bool batch, struct vm_area_struct *dst_vma,
			struct vm_area_struct *src_vma)
{
	struct fl_walk w = { .mode = mode, .batch = batch,
			     .contpte = READ_ONCE(fl_live_contpte) };
	int ret = fl_walk_copy_page_range(&w, dst_vma, src_vma);

	fl_stats_walk(mode, &w.counts);
	return ret;
}

static int fl_copy_perpte(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	return fl_copy_walk(FORKLAB_MODE_PERPTE, false, dst_vma, src_vma);
}

static int fl_copy_batched(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	return fl_copy_walk(FORKLAB_MODE_BATCHED, true, dst_vma, src_vma);
}
#endif

static const struct fl_mode fl_modes[FORKLAB_MODE_COUNT] = {
	/*
	 * stock never registers the redirect; its copy function only serves a
	 * fork that was already redirected when a switch to stock began.
	 */
	[FORKLAB_MODE_STOCK] = {
		.needs_redirect = false,
		.copy_page_range = fl_call_kernel_copy_page_range,
	},
	[FORKLAB_MODE_PASSTHROUGH] = {
		.needs_redirect = true,
		.copy_page_range = fl_call_kernel_copy_page_range,
	},
#ifndef FL_NO_WALK
	/* without the walk (Kbuild), no copy function: not supported */
	[FORKLAB_MODE_PERPTE] = {
		.needs_redirect = true,
		.copy_page_range = fl_copy_perpte,
	},
	[FORKLAB_MODE_BATCHED] = {
		.needs_redirect = true,
		.copy_page_range = fl_copy_batched,
	},
#endif
};

static const char *const fl_mode_names[FORKLAB_MODE_COUNT] = {
#define FL_MODE_NAME(id, val, name, desc) [val] = name,
	FORKLAB_MODE_LIST(FL_MODE_NAME)
#undef FL_MODE_NAME
};

const struct fl_mode *fl_mode(unsigned int mode)
{
	return &fl_modes[mode < FORKLAB_MODE_COUNT ? mode : FORKLAB_MODE_STOCK];
}

const char *fl_mode_name(unsigned int mode)
{
	return mode < FORKLAB_MODE_COUNT ? fl_mode_names[mode] : "?";
}

int fl_mode_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < FORKLAB_MODE_COUNT; i++)
		if (sysfs_streq(name, fl_mode_names[i]))
			return i;
	return -EINVAL;
}

bool fl_mode_supported(unsigned int mode)
{
	return mode < FORKLAB_MODE_COUNT && fl_modes[mode].copy_page_range;
}

u32 fl_modes_supported(void)
{
	u32 mask = 0;
	unsigned int i;

	for (i = 0; i < FORKLAB_MODE_COUNT; i++)
		if (fl_mode_supported(i))
			mask |= 1U << i;
	return mask;
}

static const char *const fl_contpte_names[FORKLAB_CONTPTE_POLICY_COUNT] = {
#define FL_CONTPTE_NAME(id, val, name, desc) [val] = name,
	FORKLAB_CONTPTE_POLICY_LIST(FL_CONTPTE_NAME)
#undef FL_CONTPTE_NAME
};

const char *fl_contpte_name(unsigned int policy)
{
	return policy < FORKLAB_CONTPTE_POLICY_COUNT ? fl_contpte_names[policy] : "?";
}

int fl_contpte_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < FORKLAB_CONTPTE_POLICY_COUNT; i++)
		if (sysfs_streq(name, fl_contpte_names[i]))
			return i;
	return -EINVAL;
}
