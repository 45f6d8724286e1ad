/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp goroutine context switch, x86-64.
 *
 * Registers: %rdi = from (struct gmp_ctx *), %rsi = to. The callee-saved
 * registers %rbp %rbx %r12-%r15 are pushed in the order that makes the
 * stack look like struct gmp_switch_frame (arch/x86/gmp_switch.h -- must
 * match). Everything else is caller-saved in the C ABI, so the compiler
 * has already saved what it needs around the call.
 *
 * Unlike __switch_to_asm this stays inside one task: no stack canary to
 * swap (it is per task), and no RSB stuffing (the return stack buffer only
 * ever holds kernel addresses here). The caller updates current->stack
 * with interrupts off around the call, see gmp_mcall() and gmp_execute().
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>
#include <asm/nospec-branch.h>
#include <linux/objtool.h>
#include "include/gmp_compat.h"
#include "gmp-asm-offsets.h"

/* The six pushes below must build struct gmp_switch_frame up to ->ret. */
.if GMP_FRAME_r15 != 0 || GMP_FRAME_rbp != 5 * 8 || GMP_FRAME_ret != 6 * 8
.error "struct gmp_switch_frame does not match gmp_switch"
.endif

	.text

/* void gmp_switch(struct gmp_ctx *from, struct gmp_ctx *to) */
SYM_FUNC_START(gmp_switch)
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15

	/* Switch stacks: load the new sp from memory, as __switch_to_asm. */
	movq	%rsp, GMP_CTX_sp(%rdi)
	movq	GMP_CTX_sp(%rsi), %rsp

	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	RET
SYM_FUNC_END(gmp_switch)

/*
 * First entry of a new goroutine, reached by gmp_switch()'s RET on a stack
 * built by gmp_ctx_init(): %r12 = fn, %rbx = arg. This is the bottom frame
 * of every G stack, so unwinding stops here. gmp_g_boot() finishes the
 * switch in C (the half of gmp_mcall() a new G never returns through).
 */
SYM_CODE_START(gmp_g_entry)
	UNWIND_HINT_END_OF_STACK
	ANNOTATE_NOENDBR	/* reached by RET, never by an indirect call */
	call	gmp_g_boot
	movq	%rbx, %rdi
	CALL_NOSPEC r12
	call	gmp_goexit
	int3			/* gmp_goexit() never returns */
SYM_CODE_END(gmp_g_entry)
