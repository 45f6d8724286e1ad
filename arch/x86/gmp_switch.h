/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 goroutine context: what gmp_switch() saves, defined once.
 *
 * gmp_switch(from, to) pushes the callee-saved registers on the current
 * stack, in the order of struct gmp_switch_frame (lowest address first),
 * stores %rsp in from->sp, loads to->sp and pops the same frame. A new G's
 * stack is built to look like a switched-out one whose return address is
 * gmp_g_entry (see gmp_ctx_init()). arch/x86/switch_64.S must match this
 * struct; its offsets come from asm-offsets.c, never hand-written numbers.
 */
#ifndef _GMP_ARCH_X86_SWITCH_H
#define _GMP_ARCH_X86_SWITCH_H

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <linux/linkage.h>
#include <linux/string.h>
#include <linux/build_bug.h>
#include <asm/current.h>
#include <asm/percpu.h>
#include "include/gmp_compat.h"

/*
 * The task this CPU runs, read afresh at every call. A G may resume on
 * another M, i.e. in another task, after any call that can switch, while
 * get_current() is a "stable" per-CPU read that the compiler may keep in
 * a register across calls within one function: a G that read current
 * before it moved would then see its old M's task, and that task's
 * ->stack, which is another G's. this_cpu_read() is a volatile read.
 */
static __always_inline struct task_struct *gmp_arch_current(void)
{
	return this_cpu_read(gmp_current_task);
}

/* A switched-out context: just its stack pointer. */
struct gmp_ctx {
	unsigned long sp;
};

/* The frame gmp_switch() leaves at ctx->sp. Must match switch_64.S. */
struct gmp_switch_frame {
	unsigned long r15;
	unsigned long r14;
	unsigned long r13;
	unsigned long r12;	/* first entry: fn */
	unsigned long rbx;	/* first entry: arg */
	unsigned long rbp;
	unsigned long ret;	/* where gmp_switch() returns to */
};

asmlinkage void gmp_switch(struct gmp_ctx *from, struct gmp_ctx *to);
asmlinkage void gmp_g_entry(void);
asmlinkage __visible void gmp_g_boot(void);

/*
 * Build the first frame of a new G on [stack, stack + size) so that the
 * first gmp_switch() to it "returns" into gmp_g_entry, which calls
 * fn(arg) and then gmp_goexit() -- the way Go's gostartcall() places
 * goexit under fn. After the RET, %rsp is 16-byte aligned, as the ABI
 * wants before a call.
 */
static inline void gmp_ctx_init(struct gmp_ctx *ctx, void *stack,
				unsigned int size, void (*fn)(void *),
				void *arg)
{
	unsigned long top = (unsigned long)stack + size;
	struct gmp_switch_frame *f;

	/* Two spare words above the frame; the frame ends 16-aligned. */
	f = (struct gmp_switch_frame *)(top - 16 - sizeof(*f));
	BUILD_BUG_ON(sizeof(*f) % 16 != 8);
	memset(f, 0, sizeof(*f));
	f->r12 = (unsigned long)fn;
	f->rbx = (unsigned long)arg;
	f->ret = (unsigned long)gmp_g_entry;
	ctx->sp = (unsigned long)f;
}
#endif /* __ASSEMBLY__ */

#endif /* _GMP_ARCH_X86_SWITCH_H */
