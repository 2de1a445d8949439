/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fl_x86_tcallN(arg1..argN, fn): enters fn(arg1..argN) through a return.
 * With IBT the kernel seals (drops the ENDBR of) functions whose address is
 * never taken, and most functions forklab reaches through kallsyms are such,
 * so an indirect call would trap with #CP on CET hardware; a return is not
 * checked.  fn is the last argument: the register or stack slot after the
 * real ones, which fn ignores.  fn returns straight to our caller, whose
 * return address ftrace sees (the redirect relies on that, see redirect.c).
 */
#include <linux/linkage.h>

.macro FL_TCALL_REG n, reg
SYM_FUNC_START(fl_x86_tcall\n)
	push	\reg
	/* RET: the return thunk where mitigations want one; it returns to [rsp] */
	RET
SYM_FUNC_END(fl_x86_tcall\n)
	/* deliberate push-and-return: what STACK_FRAME_NON_STANDARD() emits */
	.pushsection .discard.func_stack_frame_non_standard, "aw"
	.quad	fl_x86_tcall\n
	.popsection
.endm

/* Beyond six arguments fn sits on the stack, above the return address and
 * the stack arguments: push a copy of it. */
.macro FL_TCALL_STACK n, off
SYM_FUNC_START(fl_x86_tcall\n)
	push	\off(%rsp)
	RET
SYM_FUNC_END(fl_x86_tcall\n)
	.pushsection .discard.func_stack_frame_non_standard, "aw"
	.quad	fl_x86_tcall\n
	.popsection
.endm

	.text
FL_TCALL_REG	0, %rdi
FL_TCALL_REG	1, %rsi
FL_TCALL_REG	2, %rdx
FL_TCALL_REG	3, %rcx
FL_TCALL_REG	4, %r8
FL_TCALL_REG	5, %r9
FL_TCALL_STACK	6, 8
FL_TCALL_STACK	7, 16
