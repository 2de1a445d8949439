// SPDX-License-Identifier: GPL-2.0
/*
 * Resolves, once at load time, every kernel symbol forklab needs that the
 * kernel does not export, and refuses to load naming each one it cannot find.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include "forklab.h"

int (*fl_kernel_copy_page_range)(struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma);

static const struct {
	const char *name;
	void **addr;
} fl_symbols[] = {
	{ "copy_page_range", (void **)&fl_kernel_copy_page_range },
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
	char missing[256] = "";
	size_t i;

	lookup = fl_find_kallsyms_lookup_name();
	if (!lookup)
		return -ENOENT;

	for (i = 0; i < ARRAY_SIZE(fl_symbols); i++) {
		*fl_symbols[i].addr = (void *)lookup(fl_symbols[i].name);
		if (*fl_symbols[i].addr)
			continue;
		if (missing[0])
			strlcat(missing, ", ", sizeof(missing));
		strlcat(missing, fl_symbols[i].name, sizeof(missing));
	}
	if (missing[0]) {
		pr_err("forklab: kernel symbols not found: %s; this kernel build is not supported "
		       "(forklab needs CONFIG_KALLSYMS_ALL-style visibility of these functions)\n",
		       missing);
		return -ENOENT;
	}
	return 0;
}
