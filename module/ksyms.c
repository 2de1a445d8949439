// SPDX-License-Identifier: GPL-2.0
/*
 * Resolves, once at load time, every kernel symbol forklab needs that the
 * kernel does not export (the list is in ksyms.h), and refuses to load
 * naming each one it cannot find.  The functions get forwarders that the
 * C code calls by their kernel names (ksyms.h).
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include "forklab.h"
#include "ksyms.h"

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
#ifdef FL_KERNEL_7_3
struct mm_struct *fl_ksym_init_mm;
#if defined(CONFIG_X86) && defined(CONFIG_ARCH_HAS_CC_PLATFORM)
static u64 *fl_ksym_cc_mask;
u64 forklab_cc_mask;	/* the headers' cc_mask: see Kbuild */
#endif
#endif
#ifdef CONFIG_LOCKDEP
struct lockdep_map *fl_ksym_mmu_notifier_map;	/* see Kbuild */
#endif
int (*fl_kernel_copy_page_range)(struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma);
/*
 * The kernel's copy_page_range() past its ftrace call site, where the
 * passthrough and stock modes enter it (modes.c).  Entered at its start,
 * that call ran the redirect's trampoline and handler a second time only to
 * be let through: 90 to 100 guest instructions a call (x86_64-6.1, icount).
 */
void *fl_kernel_copy_page_range_body;
static unsigned long (*fl_ksym_ftrace_location)(unsigned long ip);

#define FL_ENTRY_FN(n, ret, name, types...) { #name, (void **)&fl_ksym_##name },
#define FL_ENTRY_FNV(n, name, types...) { #name, (void **)&fl_ksym_##name },
static const struct {
	const char *name;
	void **addr;
} fl_symbols[] = {
	{ "copy_page_range", (void **)&fl_kernel_copy_page_range },
	{ "ftrace_location", (void **)&fl_ksym_ftrace_location },
	{ "mmlist_lock", (void **)&fl_ksym_mmlist_lock },
	{ "highest_memmap_pfn", (void **)&fl_ksym_highest_memmap_pfn },
#ifdef FL_KERNEL_7_3
	{ "init_mm", (void **)&fl_ksym_init_mm },
#if defined(CONFIG_X86) && defined(CONFIG_ARCH_HAS_CC_PLATFORM)
	{ "cc_mask", (void **)&fl_ksym_cc_mask },
#endif
#endif
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

/*
 * ftrace's record of copy_page_range() is its call site: x86's 5-byte call
 * of __fentry__ (after the ENDBR under IBT), arm64's BL (after the MOV of
 * the link register to x9, which only the ftrace caller reads).  The body
 * begins right after it.  Without a record, the redirect cannot attach.
 */
static int fl_find_body(void)
{
	unsigned long site = FL_KCALL(1, unsigned long, fl_ksym_ftrace_location,
				      ((unsigned long)fl_kernel_copy_page_range), unsigned long);

	if (!site) {
		pr_err("forklab: copy_page_range has no ftrace call site on this kernel (it needs "
		       "CONFIG_DYNAMIC_FTRACE, and copy_page_range must not be notrace)\n");
		return -EOPNOTSUPP;
	}
	fl_kernel_copy_page_range_body = (void *)(site + MCOUNT_INSN_SIZE);
	return 0;
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
#if defined(FL_KERNEL_7_3) && defined(CONFIG_X86) && defined(CONFIG_ARCH_HAS_CC_PLATFORM)
	forklab_cc_mask = *fl_ksym_cc_mask;
#endif
	return fl_find_body();
}
