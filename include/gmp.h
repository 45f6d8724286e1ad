/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp: goroutines for kernel code -- the in-kernel API.
 *
 * Build a module against gmp with KBUILD_EXTRA_SYMBOLS=<gmp>/Module.symvers
 * and include this header. A goroutine (G) is a function run on its own
 * small stack by gmp's M:N scheduler (see sched/proc.c for the design).
 * A G may call anything that sleeps, but should give the scheduler a
 * chance (gmp_checkpoint()) in long loops, and must not hold a spinlock,
 * a kernel mutex or an RCU read lock across gmp_yield()/gmp_park(): other
 * Gs run on the same kernel thread meanwhile.
 */
#ifndef _GMP_H
#define _GMP_H

#include <linux/types.h>
#include <linux/module.h>

struct gmp_g;

typedef void (*gmp_fn_t)(void *arg);

/* Stack classes for gmp_spawn_opts.stack. */
enum gmp_stack_class {
	GMP_STACK_DEFAULT = 0,	/* THREAD_SIZE, like a kthread */
	GMP_STACK_SMALL = 1,	/* one page: for mass fan-out of shallow Gs */
	GMP_STACK_NR_CLASSES
};

/**
 * struct gmp_spawn_opts - optional settings for gmp_go_opts()
 * @stack:	a &enum gmp_stack_class
 * @name:	shown in goroutine dumps; copied, may be NULL
 */
struct gmp_spawn_opts {
	unsigned int stack;
	const char *name;
};

/* Why a G is parked (shown in dumps, like Go's waitReason). */
enum gmp_wait_reason {
	GMP_WAIT_NONE = 0,
	GMP_WAIT_PARK,		/* gmp_park() by a user of the API */
	GMP_WAIT_CHAN_SEND,
	GMP_WAIT_CHAN_RECV,
	GMP_WAIT_SELECT,
	GMP_WAIT_SLEEP,
	GMP_WAIT_SEMA,
	GMP_WAIT_NR
};

int __gmp_go(struct module *owner, gmp_fn_t fn, void *arg,
	     const struct gmp_spawn_opts *opts);

/**
 * gmp_go() - start a goroutine running fn(arg)
 * @fn:		the goroutine's body; when it returns, the G exits
 * @arg:	passed to @fn
 *
 * The calling module is pinned (try_module_get()) until the G exits, so a
 * driver cannot be unloaded under its own goroutines.
 *
 * Context: process context or a goroutine. May sleep to allocate a stack.
 * Return: 0, -ENOMEM, -ENODEV when the calling module is going away, or
 * -ESHUTDOWN when gmp itself is stopping.
 */
#define gmp_go(fn, arg)			__gmp_go(THIS_MODULE, fn, arg, NULL)

/**
 * gmp_go_opts() - gmp_go() with a stack class and a name
 * @fn:		the goroutine's body
 * @arg:	passed to @fn
 * @opts:	&struct gmp_spawn_opts; an unknown stack class is -EINVAL
 *
 * Context: as gmp_go().
 * Return: as gmp_go(), or -EINVAL.
 */
#define gmp_go_opts(fn, arg, opts)	__gmp_go(THIS_MODULE, fn, arg, opts)

void gmp_yield(void);
void gmp_checkpoint(void);
u64 gmp_goid(void);
struct gmp_g *gmp_self(void);
void gmp_park(bool (*unlockf)(struct gmp_g *gp, void *arg), void *arg,
	      enum gmp_wait_reason reason);
void gmp_ready(struct gmp_g *gp);

#endif /* _GMP_H */
