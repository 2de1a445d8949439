/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int fl_x86_call_sealed(dst_vma, src_vma, fn): tail-enters fn(dst_vma,
 * src_vma) through a return, which IBT does not check, so fn needs no ENDBR.
 * fn returns straight to our caller, whose return address ftrace then sees.
 */
#include <linux/linkage.h>

	.text
SYM_FUNC_START(fl_x86_call_sealed)
	push	%rdx
	/* RET: the return thunk where mitigations want one; it returns to [rsp] */
	RET
SYM_FUNC_END(fl_x86_call_sealed)

/*
 * The push-and-return is deliberate.  Kbuild keeps objtool off this object,
 * but kernels that also check the linked module (IBT builds) need telling:
 * this is what STACK_FRAME_NON_STANDARD() emits for C functions.
 */
	.pushsection .discard.func_stack_frame_non_standard, "aw"
	.quad	fl_x86_call_sealed
	.popsection
