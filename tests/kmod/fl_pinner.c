// SPDX-License-Identifier: GPL-2.0
/*
 * fl_pinner: /dev/fl_pinner, for the race tests (tests/vm/t-race.sh).
 *
 * Fork holds the parent's mmap_lock for writing, so what really races the
 * page-table copy is what does not take it: GUP-fast above all, which pins
 * pages with a lockless walk of the caller's page tables and backs off only
 * afterwards, when it sees mm->write_protect_seq moved.  Userspace has no
 * way to pin through GUP-fast without a device (io_uring fixed buffers and
 * vmsplice go other ways, CONFIG_GUP_TEST is off in Debian), hence this
 * module: a thread of the forking process calls PIN_LOOP and pins and unpins
 * a range of its own memory over and over while another thread forks.
 *
 * PIN_HOLD keeps one page pinned across a fork, and PIN_PEEK / PIN_POKE
 * reach that page as a device would, for the rule of mm/cow: a page pinned
 * at fork stays the parent's and the child gets a copy.  PTES reads another
 * task's PTEs (pagemap has no PTE bits), to check the child's page table
 * itself.  See fl_pinner.h for the interface.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "fl_pinner.h"

#define FL_PIN_FLAGS		(FOLL_WRITE | FOLL_LONGTERM)
#define FL_LOOP_MAX_ITER	(1U << 20)

/* One open file: at most one held page. */
struct fl_pinner_file {
	struct mutex lock;
	struct page *held;
	bool poked;		/* written through the pin: dirty at release */
};

static long fl_pin_loop(struct fl_pin_loop __user *uarg)
{
	struct fl_pin_loop a;
	struct page **pages;
	unsigned long nr;
	u32 i;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	nr = a.len >> PAGE_SHIFT;
	if (!nr || nr > FL_PIN_MAX_PAGES || (a.addr | a.len) & ~PAGE_MASK ||
	    a.iterations > FL_LOOP_MAX_ITER)
		return -EINVAL;
	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < a.iterations; i++) {
		int got = pin_user_pages_fast(a.addr, nr, FL_PIN_FLAGS, pages);

		a.calls++;
		if (got > 0) {
			a.pages += got;
			unpin_user_pages(pages, got);
		}
		if (got != nr)
			a.short_calls++;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	kvfree(pages);
	return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : 0;
}

static void fl_release_held(struct fl_pinner_file *f)
{
	if (!f->held)
		return;
	unpin_user_pages_dirty_lock(&f->held, 1, f->poked);
	f->held = NULL;
	f->poked = false;
}

static long fl_pin_hold(struct fl_pinner_file *f, struct fl_pin_hold __user *uarg)
{
	struct fl_pin_hold h;
	struct page *page;
	int got;

	if (copy_from_user(&h, uarg, sizeof(h)))
		return -EFAULT;
	if (f->held)
		return -EBUSY;
	got = pin_user_pages_fast(h.addr & PAGE_MASK, 1, FL_PIN_FLAGS, &page);
	if (got != 1)
		return got < 0 ? got : -EFAULT;
	f->held = page;
	h.pfn = page_to_pfn(page);
	return copy_to_user(uarg, &h, sizeof(h)) ? -EFAULT : 0;
}

/* The held page's word at @offset, read or written through the kernel's mapping. */
static long fl_pin_word(struct fl_pinner_file *f, struct fl_pin_word __user *uarg, bool poke)
{
	struct fl_pin_word w;
	u64 *kaddr;

	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	if (!f->held)
		return -ENOENT;
	if (w.offset >= PAGE_SIZE || w.offset % sizeof(u64))
		return -EINVAL;
	kaddr = kmap_local_page(f->held);
	if (poke) {
		WRITE_ONCE(kaddr[w.offset / sizeof(u64)], w.value);
		f->poked = true;
	} else {
		w.value = READ_ONCE(kaddr[w.offset / sizeof(u64)]);
	}
	kunmap_local(kaddr);
	return poke || !copy_to_user(uarg, &w, sizeof(w)) ? 0 : -EFAULT;
}

/* What a test needs to know about one PTE, without knowing the arch's bits. */
static u32 fl_pte_flags(pte_t pte)
{
	u32 fl = 0;

	if (pte_present(pte))
		fl |= FL_PTE_PRESENT;
	if (pte_present(pte) && pte_write(pte))
		fl |= FL_PTE_WRITE;
#ifdef CONFIG_ARM64
	if (pte_valid(pte))
		fl |= FL_PTE_VALID;
	if (pte_cont(pte))
		fl |= FL_PTE_CONT;
#elif defined(CONFIG_X86)
	if (pte_flags(pte) & _PAGE_PRESENT)
		fl |= FL_PTE_VALID;
#else
#error "fl_pinner: say what a valid PTE is on this architecture"
#endif
	return fl;
}

/*
 * Reads the PTEs under mmap_lock for reading, which keeps the anonymous
 * page tables of a quiet task in place (only munmap and khugepaged's
 * collapse free them, both under the write lock); RCU covers 6.12's
 * lockless freeing of retracted file page tables.  The values are a
 * snapshot: the tests look at tasks that are stopped or waiting.
 */
static void fl_read_ptes(struct mm_struct *mm, struct fl_pin_ptes *p)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud, pudv;
	pmd_t *pmd, pmdv;
	pte_t *pte;
	u32 i;

	p->level = FL_PTES_NONE;
	pgd = pgd_offset(mm, p->addr);
	if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd)))
		return;
	p4d = p4d_offset(pgd, p->addr);
	if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d)))
		return;
	pud = pud_offset(p4d, p->addr);
	pudv = READ_ONCE(*pud);
	if (pud_none(pudv))
		return;
	if (pud_leaf(pudv)) {
		p->level = FL_PTES_PUD;
		return;
	}
	if (pud_bad(pudv))
		return;
	pmd = pmd_offset(pud, p->addr);
	pmdv = READ_ONCE(*pmd);
	if (pmd_none(pmdv))
		return;
	if (pmd_leaf(pmdv) || pmd_trans_huge(pmdv)) {
		p->level = FL_PTES_PMD;
		return;
	}
	if (pmd_bad(pmdv))
		return;
	rcu_read_lock();
	pte = pte_offset_kernel(&pmdv, p->addr);
	for (i = 0; i < p->nr; i++) {
		pte_t v = READ_ONCE(pte[i]);

		p->raw[i] = pte_val(v);
		p->pfn[i] = pte_present(v) ? pte_pfn(v) : ~0ULL;
		p->flags[i] = fl_pte_flags(v);
	}
	rcu_read_unlock();
	p->level = FL_PTES_TABLE;
}

static long fl_pin_ptes(struct fl_pin_ptes __user *uarg)
{
	struct task_struct *task;
	struct fl_pin_ptes *p;
	struct mm_struct *mm;
	long ret = 0;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	if (copy_from_user(p, uarg, sizeof(*p))) {
		ret = -EFAULT;
		goto out;
	}
	/* within one page table: the walk reads the PTEs as one array */
	if (!p->nr || p->nr > FL_PTES_MAX || p->addr & ~PAGE_MASK ||
	    ((p->addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) + p->nr > PTRS_PER_PTE) {
		ret = -EINVAL;
		goto out;
	}
	if (p->pid) {
		task = get_pid_task(find_vpid(p->pid), PIDTYPE_PID);
		if (!task) {
			ret = -ESRCH;
			goto out;
		}
		mm = get_task_mm(task);
		put_task_struct(task);
	} else {
		mm = get_task_mm(current);
	}
	if (!mm) {
		ret = -ESRCH;
		goto out;
	}
	mmap_read_lock(mm);
	fl_read_ptes(mm, p);
	mmap_read_unlock(mm);
	mmput(mm);
	if (copy_to_user(uarg, p, sizeof(*p)))
		ret = -EFAULT;
out:
	kfree(p);
	return ret;
}

static long fl_pinner_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct fl_pinner_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	switch (cmd) {
	case FL_PIN_LOOP:
		return fl_pin_loop(uarg);	/* no lock: threads loop in parallel */
	case FL_PIN_PTES:
		return fl_pin_ptes(uarg);
	}
	mutex_lock(&f->lock);
	switch (cmd) {
	case FL_PIN_HOLD:
		ret = fl_pin_hold(f, uarg);
		break;
	case FL_PIN_RELEASE:
		ret = f->held ? 0 : -ENOENT;
		fl_release_held(f);
		break;
	case FL_PIN_PEEK:
		ret = fl_pin_word(f, uarg, false);
		break;
	case FL_PIN_POKE:
		ret = fl_pin_word(f, uarg, true);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static int fl_pinner_open(struct inode *inode, struct file *file)
{
	struct fl_pinner_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int fl_pinner_release(struct inode *inode, struct file *file)
{
	struct fl_pinner_file *f = file->private_data;

	fl_release_held(f);
	kfree(f);
	return 0;
}

static const struct file_operations fl_pinner_fops = {
	.owner = THIS_MODULE,
	.open = fl_pinner_open,
	.release = fl_pinner_release,
	.unlocked_ioctl = fl_pinner_ioctl,
};

static struct miscdevice fl_pinner_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "fl_pinner",
	.fops = &fl_pinner_fops,
	.mode = 0600,
};

module_misc_device(fl_pinner_dev);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("forklab test: GUP-fast pin/unpin loops, held pins and PTE reads for the race tests");
