// SPDX-License-Identifier: GPL-2.0
/*
 * Resolves, once at load time, every kernel symbol forklab needs that the
 * kernel does not export, and refuses to load naming each one it cannot
 * find.  The functions get forwarders under their kernel names (ksyms.h).
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/kprobes.h>
#include <linux/memcontrol.h>
#include <linux/mmu_notifier.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include "forklab.h"
#include "ksyms.h"

/*
 * The list: FN(arity, return type, name, parameter types...) for functions,
 * FNV(...) for those returning void, VAR(type, name) for data.  What differs
 * between releases is spelled out per release.
 */
#ifdef __HAVE_PFNMAP_TRACKING
/* x86 PAT: the generic versions are inline no-ops elsewhere. */
#define FL_KSYMS_PFNMAP(FN, FNV)						\
	FN(3, int, track_pfn_copy, struct vm_area_struct *, struct vm_area_struct *, unsigned long *) \
	FNV(2, untrack_pfn_copy, struct vm_area_struct *, unsigned long)
#else
#define FL_KSYMS_PFNMAP(FN, FNV)
#endif

/* PUD-sized THP (x86_64): elsewhere the walk's call is dead code */
#ifdef CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD
#define FL_KSYMS_HUGE_PUD(FN, FNV)						\
	FN(6, int, copy_huge_pud, struct mm_struct *, struct mm_struct *, pud_t *, pud_t *, \
	   unsigned long, struct vm_area_struct *)
#else
#define FL_KSYMS_HUGE_PUD(FN, FNV)
#endif

#ifdef CONFIG_HUGETLB_PAGE
#define FL_KSYMS_HUGETLB(FN, FNV)						\
	FN(4, int, copy_hugetlb_page_range, struct mm_struct *, struct mm_struct *, \
	   struct vm_area_struct *, struct vm_area_struct *)
#else
#define FL_KSYMS_HUGETLB(FN, FNV)
#endif

/* Out-of-line helpers of inline page-table accessors, per arch. */
#if defined(CONFIG_X86) && defined(FL_KERNEL_6_12)
/* 6.6 gave pte_mkwrite() a vma (shadow stacks) and moved it out of line */
#define FL_KSYMS_ARCH(FN, FNV)	FN(2, pte_t, pte_mkwrite, pte_t, struct vm_area_struct *)
#elif defined(CONFIG_ARM64_MTE)
/* set_ptes() syncs MTE tags of tagged pages */
#define FL_KSYMS_ARCH(FN, FNV)	FNV(2, mte_sync_tags, pte_t, unsigned int)
#else
#define FL_KSYMS_ARCH(FN, FNV)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define FL_KSYMS_RELEASE(FN, FNV)						\
	FNV(3, mm_trace_rss_stat, struct mm_struct *, int, long)		\
	FNV(2, __mmu_notifier_invalidate_range_end, struct mmu_notifier_range *, bool) \
	FNV(3, page_add_new_anon_rmap, struct page *, struct vm_area_struct *, unsigned long) \
	FNV(2, lru_cache_add_inactive_or_unevictable, struct page *, struct vm_area_struct *) \
	FNV(2, __cgroup_throttle_swaprate, struct page *, gfp_t)			\
	FNV(4, page_add_anon_rmap, struct page *, struct vm_area_struct *, unsigned long, rmap_t)
#else
#define FL_KSYMS_RELEASE(FN, FNV)						\
	FNV(2, mm_trace_rss_stat, struct mm_struct *, int)			\
	FNV(1, __mmu_notifier_invalidate_range_end, struct mmu_notifier_range *) \
	FNV(4, folio_add_new_anon_rmap, struct folio *, struct vm_area_struct *, unsigned long, rmap_t) \
	FNV(2, folio_add_lru_vma, struct folio *, struct vm_area_struct *)	\
	FNV(2, __folio_throttle_swaprate, struct folio *, gfp_t)		\
	FN(3, pte_t *, __pte_offset_map, pmd_t *, unsigned long, pmd_t *)	\
	FN(4, pte_t *, pte_offset_map_nolock, struct mm_struct *, pmd_t *, unsigned long, spinlock_t **) \
	FN(4, pte_t *, __pte_offset_map_lock, struct mm_struct *, pmd_t *, unsigned long, spinlock_t **) \
	FNV(6, folio_add_anon_rmap_ptes, struct folio *, struct page *, int, struct vm_area_struct *, \
	    unsigned long, rmap_t)
#endif

#define FL_KSYMS(FN, FNV)							\
	FN(3, struct page *, vm_normal_page, struct vm_area_struct *, unsigned long, pte_t) \
	FN(2, int, __pte_alloc, struct mm_struct *, pmd_t *)			\
	FN(3, int, __pmd_alloc, struct mm_struct *, pud_t *, unsigned long)	\
	FN(3, int, __pud_alloc, struct mm_struct *, p4d_t *, unsigned long)	\
	FN(3, int, __p4d_alloc, struct mm_struct *, pgd_t *, unsigned long)	\
	FNV(1, pgd_clear_bad, pgd_t *)						\
	FNV(1, p4d_clear_bad, p4d_t *)						\
	FNV(1, pud_clear_bad, pud_t *)						\
	FNV(1, pmd_clear_bad, pmd_t *)						\
	FN(7, int, copy_huge_pmd, struct mm_struct *, struct mm_struct *, pmd_t *, pmd_t *, \
	   unsigned long, struct vm_area_struct *, struct vm_area_struct *)	\
	FL_KSYMS_HUGE_PUD(FN, FNV)						\
	FN(1, int, swap_duplicate, swp_entry_t)					\
	FN(2, int, add_swap_count_continuation, swp_entry_t, gfp_t)		\
	FN(1, int, __mmu_notifier_invalidate_range_start, struct mmu_notifier_range *) \
	FN(3, int, __mem_cgroup_charge, struct folio *, struct mm_struct *, gfp_t) \
	FL_KSYMS_PFNMAP(FN, FNV)						\
	FL_KSYMS_HUGETLB(FN, FNV)						\
	FL_KSYMS_ARCH(FN, FNV)							\
	FL_KSYMS_RELEASE(FN, FNV)

/* The forwarders: each calls the kernel's function at its resolved address. */
#define FL_DEFINE_FN(n, ret, name, types...)					\
	static ret (*fl_ksym_##name)(types);					\
	ret name(FL_PARAMS##n(types))						\
	{									\
		return FL_KCALL(n, ret, fl_ksym_##name, (FL_ARGS##n), types);	\
	}
#define FL_DEFINE_FNV(n, name, types...)					\
	static void (*fl_ksym_##name)(types);					\
	void name(FL_PARAMS##n(types))						\
	{									\
		FL_KCALL(n, void, fl_ksym_##name, (FL_ARGS##n), types);		\
	}
FL_KSYMS(FL_DEFINE_FN, FL_DEFINE_FNV)

spinlock_t *fl_ksym_mmlist_lock;
unsigned long *fl_ksym_highest_memmap_pfn;
#ifdef CONFIG_LOCKDEP
struct lockdep_map *fl_ksym_mmu_notifier_map;	/* see Kbuild */
#endif
int (*fl_kernel_copy_page_range)(struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma);

#define FL_ENTRY_FN(n, ret, name, types...) { #name, (void **)&fl_ksym_##name },
#define FL_ENTRY_FNV(n, name, types...) { #name, (void **)&fl_ksym_##name },
static const struct {
	const char *name;
	void **addr;
} fl_symbols[] = {
	{ "copy_page_range", (void **)&fl_kernel_copy_page_range },
	{ "mmlist_lock", (void **)&fl_ksym_mmlist_lock },
	{ "highest_memmap_pfn", (void **)&fl_ksym_highest_memmap_pfn },
#ifdef CONFIG_LOCKDEP
	{ "__mmu_notifier_invalidate_range_start_map", (void **)&fl_ksym_mmu_notifier_map },
#endif
	FL_KSYMS(FL_ENTRY_FN, FL_ENTRY_FNV)
};

/*
 * kallsyms_lookup_name() is not exported since v5.7 (commit 0bd476e6c671
 * "kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol()");
 * a kprobe on it still reports its address.
 */
static unsigned long (*fl_find_kallsyms_lookup_name(void))(const char *)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	void *addr;
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0) {
		pr_err("forklab: cannot find kallsyms_lookup_name through a kprobe (error %d); "
		       "the kernel needs CONFIG_KPROBES and CONFIG_KALLSYMS\n", ret);
		return NULL;
	}
	addr = kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

int fl_resolve_symbols(void)
{
	unsigned long (*lookup)(const char *name);
	char missing[512] = "";
	size_t i;

	lookup = fl_find_kallsyms_lookup_name();
	if (!lookup)
		return -ENOENT;

	for (i = 0; i < ARRAY_SIZE(fl_symbols); i++) {
		*fl_symbols[i].addr = (void *)FL_KCALL(1, unsigned long, lookup,
						       (fl_symbols[i].name), const char *);
		if (*fl_symbols[i].addr)
			continue;
		if (missing[0])
			strlcat(missing, ", ", sizeof(missing));
		strlcat(missing, fl_symbols[i].name, sizeof(missing));
	}
	if (missing[0]) {
		pr_err("forklab: kernel symbols not found: %s; this kernel build is not supported "
		       "(it needs CONFIG_KALLSYMS_ALL and a kernel forklab knows, see README)\n",
		       missing);
		return -ENOENT;
	}
	return 0;
}
