// SPDX-License-Identifier: GPL-2.0
/*
 * The fault-injection point of inject.h: with inject_pin_every=N, the folio
 * of every Nth batched run of anonymous pages is pinned as GUP-fast pins a
 * large folio (6.1's try_grab_folio(FOLL_PIN): a reference, the folio's
 * pincount, the node's pin statistics, and the mm marked as having pinned
 * pages) between the decision that the run may be shared and the rmap
 * duplication, and unpinned after the run, as GUP-fast does when it sees
 * that a fork ran meanwhile.  inject_pins counts the pins taken.
 */
#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/vmstat.h>
#include "inject.h"

static unsigned int fl_inject_every;
module_param_named(inject_pin_every, fl_inject_every, uint, 0644);
MODULE_PARM_DESC(inject_pin_every,
		 "test build only: pin the folio of every Nth batched anonymous run mid-run, "
		 "as a concurrent GUP-fast would (0: never)");

static atomic_long_t fl_inject_pins, fl_inject_seen;

static int fl_inject_pins_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&fl_inject_pins));
}

static const struct kernel_param_ops fl_inject_pins_ops = { .get = fl_inject_pins_get };
module_param_cb(inject_pins, &fl_inject_pins_ops, NULL, 0444);
MODULE_PARM_DESC(inject_pins, "test build only: the pins inject_pin_every has taken");

bool fl_inject_pin(struct mm_struct *mm, struct folio *folio)
{
	unsigned int every = READ_ONCE(fl_inject_every);

	if (!every || atomic_long_inc_return(&fl_inject_seen) % every)
		return false;
	if (!test_bit(MMF_HAS_PINNED, &mm->flags))
		set_bit(MMF_HAS_PINNED, &mm->flags);
	folio_ref_inc(folio);
	atomic_inc(folio_pincount_ptr(folio));
	smp_mb__after_atomic();
	node_stat_mod_folio(folio, NR_FOLL_PIN_ACQUIRED, 1);
	atomic_long_inc(&fl_inject_pins);
	return true;
}

void fl_inject_unpin(struct folio *folio)
{
	unpin_user_page(&folio->page);
}
