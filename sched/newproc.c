// SPDX-License-Identifier: GPL-2.0
/*
 * gmp newproc and goexit: how a G is made (from a free list or a new
 * stack, charged to its group), queued, and how it dies. The design essay
 * is at the top of sched/proc.c; stacks and free lists are sched/stack.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/sched/debug.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "sched.h"
#include "gmp_trace.h"

static u64 gmp_goid_next(struct gmp_p *p)
{
	if (!p)
		return atomic64_inc_return(&gmp_sched.goidgen);
	if (p->goidcache == p->goidcacheend) {
		/* Go's per-P batch: one atomic per GMP_GOID_BATCH goids. */
		p->goidcache = atomic64_add_return(GMP_GOID_BATCH,
						   &gmp_sched.goidgen);
		p->goidcacheend = p->goidcache;
		p->goidcache -= GMP_GOID_BATCH - 1;
	} else {
		p->goidcache++;
	}
	return p->goidcache;
}

static __always_inline struct gmp_p *gmp_current_p(void)
{
	struct gmp_g *self = getg();

	return self && self->m ? self->m->p : NULL;
}

/* The group of Gs spawned from outside any goroutine; see gmp_newproc(). */
static struct gmp_group *gmp_default_group;

/**
 * gmp_group_set_default() - the group for Gs spawned outside a goroutine
 * @grp: the group (its ops enforce, say, module-wide caps), or NULL
 *
 * Context: module init or exit, while no G is being spawned.
 */
void gmp_group_set_default(struct gmp_group *grp)
{
	WRITE_ONCE(gmp_default_group, grp);
}

/* The group a new G joins: the one asked for, else its spawner's. */
static __always_inline struct gmp_group *
gmp_spawn_group(const struct gmp_spawn_opts *opts, struct gmp_g *self)
{
	if (opts && opts->group)
		return opts->group;
	return self ? self->group : READ_ONCE(gmp_default_group);
}

/* Fill in a G from gmp_gfget()/gmp_malg() to run fn(arg) as new. */
static void gmp_g_init(struct gmp_g *gp, struct module *owner, gmp_fn_t fn,
		       void *arg)
{
	gmp_ctx_init(&gp->sched, gp->stack, gp->stack_size, fn, arg);
	gp->fn = fn;
	gp->arg = arg;
	gp->owner = owner;
	gp->preempt = false;
	gp->cancelled = false;
	gp->sleep_timer = NULL;
	gp->waitcancel = NULL;
	gp->waitreason = GMP_WAIT_NONE;
}

/* A G, its stack from a free list or freshly allocated; NULL if none. */
static struct gmp_g *gmp_g_get(unsigned int class)
{
	struct gmp_g *gp = gmp_gfget(gmp_current_p(), class);

	if (gp)
		return gp;
	gp = gmp_malg(class);
	if (!gp)
		return NULL;
	spin_lock(&gmp_sched.allglock);
	list_add_tail(&gp->allglink, &gmp_sched.allgs);
	spin_unlock(&gmp_sched.allglock);
	return gp;
}

/*
 * Count a new G alive and keep the exact high-water mark: one relaxed
 * read per spawn, a cmpxchg only when the count passes the peak.
 */
static __always_inline void gmp_ngalive_inc(void)
{
	int n = atomic_inc_return(&gmp_sched.ngalive);
	int peak = atomic_read(&gmp_sched.ngpeak);

	while (unlikely(n > peak) &&
	       !atomic_try_cmpxchg_relaxed(&gmp_sched.ngpeak, &peak, n))
		;
}

/**
 * gmp_newproc() - make a RUNNABLE G for fn(arg), not yet queued
 * @owner: module pinned until the G exits
 * @fn:	   the body
 * @arg:   its argument
 * @opts:  stack class, name and group, or NULL
 * @err:   the error when NULL is returned
 *
 * The G is charged to its group (struct gmp_group) before anything is
 * allocated, and attached to it last, so that the group's cancellation
 * reaches every G it has.
 *
 * Context: process context or a goroutine; may sleep.
 * Return: the G, or NULL with *@err set: -EPERM from a small-stack G,
 * -EINVAL, -ESHUTDOWN, -ENODEV (@owner going away), -ENOMEM, or what the
 * group's charge or attach returned (-EAGAIN or -ENOMEM at a limit,
 * -ECANCELED).
 */
struct gmp_g *gmp_newproc(struct module *owner, gmp_fn_t fn, void *arg,
			  const struct gmp_spawn_opts *opts, int *err)
{
	unsigned int class = opts ? opts->stack : GMP_STACK_DEFAULT;
	struct gmp_g *self = __gmp_self();
	struct gmp_group *grp;
	struct gmp_p *p;
	struct gmp_g *gp;
	int old;

	/* Spawning may vmalloc, and reclaim is too deep for a small stack. */
	*err = -EPERM;
	if (self && self->stack_class == GMP_STACK_SMALL)
		return NULL;
	*err = -EINVAL;
	if (class >= GMP_STACK_NR_CLASSES || !fn)
		return NULL;
	*err = -ESHUTDOWN;
	if (READ_ONCE(gmp_sched.stopping))
		return NULL;
	grp = gmp_spawn_group(opts, self);
	*err = grp ? grp->ops->charge(grp, class) : 0;
	if (*err)
		return NULL;
	*err = -ENODEV;
	if (!try_module_get(owner))
		goto uncharge;
	*err = -ENOMEM;
	gp = gmp_g_get(class);
	if (!gp)
		goto put;
	gmp_g_init(gp, owner, fn, arg);
	/* Last: from here on, cancelling the group reaches this G. */
	gp->group = grp;
	*err = grp ? grp->ops->attach(grp, gp) : 0;
	if (*err) {
		gp->group = NULL;
		gp->fn = NULL;
		gp->arg = NULL;
		gp->owner = NULL;
		gmp_gfput(gmp_current_p(), gp);
		goto put;
	}
	p = gmp_current_p();	/* again: gmp_malg() may have slept */
	gp->goid = gmp_goid_next(p);
	if (p)
		p->stats.created++;
	else
		atomic64_inc(&gmp_sched.created_remote);
	if (opts && opts->name)
		strscpy(gp->name, opts->name, sizeof(gp->name));
	else
		gp->name[0] = '\0';	/* most Gs: no strscpy() per spawn */
	gmp_ngalive_inc();
	old = atomic_read(&gp->status);
	gmp_g_casstatus(gp, old, GMP_G_RUNNABLE);
	trace_gmp_go_create(gp, p);
	return gp;

put:
	module_put(owner);
uncharge:
	if (grp)
		grp->ops->uncharge(grp, class);
	return NULL;
}

/* Queue a G made by gmp_newproc(): runnext of this P, or the global queue. */
void gmp_g_start(struct gmp_g *gp)
{
	struct gmp_p *p = gmp_current_p();

	if (p)
		gmp_runq_put(p, gp, true);		/* S1 */
	else
		gmp_globrunq_put(gp);			/* S1 */
	gmp_wakeup_after_submit();			/* S2, S3 */
}

int __gmp_go(struct module *owner, gmp_fn_t fn, void *arg,
	     const struct gmp_spawn_opts *opts)
{
	struct gmp_g *gp;
	int err;

	gmp_preempt_point();
	gp = gmp_newproc(owner, fn, arg, opts, &err);
	if (!gp)
		return err;
	gp->gopc = (unsigned long)__builtin_return_address(0);
	gmp_g_start(gp);
	return 0;
}
EXPORT_SYMBOL_GPL(__gmp_go);

/* ---- goexit ------------------------------------------------------------- */

static struct gmp_g *gmp_goexit0(struct gmp_g *gp)
{
	struct gmp_m *m = gp->m;
	struct module *owner = gp->owner;

	gmp_g_casstatus(gp, GMP_G_RUNNING, GMP_G_DEAD);
	trace_gmp_go_exit(gp, m->p);
	gmp_dropg(m, gp);
	gp->fn = NULL;
	gp->arg = NULL;
	gp->owner = NULL;
	if (m->p)
		m->p->stats.exited++;
	else
		atomic64_inc(&gmp_sched.exited_nop);
	gmp_gfput(m->p, gp);
	if (atomic_dec_and_test(&gmp_sched.ngalive))
		swake_up_one(&gmp_sched.gdone_wq);
	module_put(owner);
	return NULL;
}

/**
 * gmp_goexit() - finish the running G (Go's goexit1)
 *
 * Called by gmp_g_entry when the G's function returns.
 *
 * Context: a goroutine. Never returns.
 */
__visible __noreturn void gmp_goexit(void)
{
	struct gmp_g *gp = getg();

	/* Still on the G's stack, preemptible: leave the group. */
	if (gp->group) {
		gp->group->ops->exit(gp->group, gp);
		gp->group = NULL;
	}
	gmp_mcall_handoff(gp, gmp_goexit0);
	/* A dead G is never executed again. */
	WARN_ON_ONCE(1);
	for (;;)
		cpu_relax();
}

/* ---- who is running ----------------------------------------------------- */

/**
 * gmp_goid() - the running goroutine's id
 *
 * Context: any.
 * Return: the id (>= 1), or 0 outside a goroutine.
 */
u64 gmp_goid(void)
{
	struct gmp_g *gp = getg();

	return gp && !gmp_g_is_g0(gp) ? gp->goid : 0;
}
EXPORT_SYMBOL_GPL(gmp_goid);

/**
 * gmp_self() - the running goroutine
 *
 * Context: any.
 * Return: the G, to pass to gmp_ready() later, or NULL outside a goroutine.
 */
struct gmp_g *gmp_self(void)
{
	return __gmp_self();
}
EXPORT_SYMBOL_GPL(gmp_self);
