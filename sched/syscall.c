// SPDX-License-Identifier: GPL-2.0
/*
 * gmp blocking kernel calls (Go's entersyscall/exitsyscall): the P of an M
 * that sleeps in the kernel is handed off by sysmon (sched/sysmon.c), and
 * is taken back, or replaced, when the sleep ends. Also the preemption
 * points where a G gives its M up when asked. The design essay is at the
 * top of sched/proc.c.
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

/**
 * gmp_m_block_start() - hand the P over while the M blocks (entersyscall)
 * @m: the M, about to sleep in the kernel with a G on it
 *
 * The P goes to SYSCALL with no M. If the M is still blocked after the
 * grace period and the P has work, sysmon retakes it (gmp_handoffp()).
 *
 * Context: executed by @m itself: from gmp_enter_blocking(), or from the
 * preempt notifier with the runqueue lock held -- so nothing here may
 * sleep, print or take a lock.
 */
void gmp_m_block_start(struct gmp_m *m)
{
	struct gmp_p *p = m->p;

	if (!p)
		return;
	WRITE_ONCE(p->syscalltick, p->syscalltick + 1);	/* sysmon reads it */
	m->oldp = p;
	m->p = NULL;
	WRITE_ONCE(p->m, NULL);
	/* BL:A: publishes the above; pairs with sysmon's cmpxchg BL:C. */
	smp_store_release(&p->status, GMP_P_SYSCALL);
	/* A sysmon in backoff would notice too late: kick it (irq_work). */
	if (READ_ONCE(gmp_sched.sysmon_delay_us) > gmp_handoff_grace_us)
		gmp_sysmon_wake();
}

/**
 * gmp_m_block_end() - take the P back if sysmon has not (exitsyscallfast)
 * @m: the M, running again
 *
 * On failure the M carries on without a P; its G gets one (or is queued)
 * at its next gmp call, see gmp_exitsyscall_slow().
 *
 * Context: executed by @m itself; like gmp_m_block_start().
 */
void gmp_m_block_end(struct gmp_m *m)
{
	struct gmp_p *p = m->oldp;

	if (m->p || !p)
		return;
	m->oldp = NULL;
	/* BL:B: whoever wins the cmpxchg owns the P; pairs with BL:C. */
	if (cmpxchg_acquire(&p->status, GMP_P_SYSCALL, GMP_P_RUNNING) ==
	    GMP_P_SYSCALL) {
		m->p = p;
		WRITE_ONCE(p->m, m);
	}
}

/* No P to come back to: queue the G globally and let the M stop. */
static struct gmp_g *gmp_exitsyscall0(struct gmp_g *gp)
{
	if (!gmp_g_casstatus(gp, GMP_G_RUNNING, GMP_G_RUNNABLE))
		return gp;
	trace_gmp_go_yield(gp, gp->m->p, GMP_YIELD_NO_P);
	gmp_dropg(gp->m, gp);
	gmp_globrunq_put(gp);
	gmp_wakeup_after_submit();
	return NULL;	/* the M, with no P, parks in findrunnable() */
}

/* Go's exitsyscall slow path: an idle P, else give up the CPU. */
static void gmp_exitsyscall_slow(struct gmp_g *gp)
{
	struct gmp_m *m = gp->m;
	unsigned long flags;
	struct gmp_p *p;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	p = __gmp_pidleget();
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	if (p) {
		gmp_acquirep(m, p);
		return;
	}
	gmp_mcall(gp, gmp_exitsyscall0);
}

/**
 * gmp_enter_blocking() - announce a blocking kernel call (Go's entersyscall)
 *
 * Until gmp_exit_blocking(), this G's P may be handed to another M, so
 * the other Gs keep running while this one sleeps in the kernel. Calls
 * that sleep without these markers are caught by a preempt notifier
 * (see sched/sysmon.c), so the markers are an optimisation and a
 * statement of intent, not a requirement.
 *
 * Context: a goroutine; a no-op elsewhere. Pair with gmp_exit_blocking().
 */
void gmp_enter_blocking(void)
{
	struct gmp_g *gp = getg();
	struct gmp_m *m;

	if (!gp || gmp_g_is_g0(gp))
		return;
	m = gp->m;
	if (WARN_ON_ONCE(m->in_syscall))
		return;
	gmp_g_casstatus(gp, GMP_G_RUNNING, GMP_G_SYSCALL);
	m->in_syscall = true;
	gmp_m_block_start(m);
}
EXPORT_SYMBOL_GPL(gmp_enter_blocking);

/**
 * gmp_exit_blocking() - the blocking call is over (Go's exitsyscall)
 *
 * Reacquires the old P if sysmon did not retake it, else an idle P, else
 * queues this G on the global run queue and parks the M until a P is
 * free. Returns once the G runs with a P again.
 *
 * Context: a goroutine, after gmp_enter_blocking(); a no-op elsewhere.
 */
void gmp_exit_blocking(void)
{
	struct gmp_g *gp = getg();
	struct gmp_m *m;

	if (!gp || gmp_g_is_g0(gp))
		return;
	m = gp->m;
	if (WARN_ON_ONCE(!m->in_syscall))
		return;
	m->in_syscall = false;
	gmp_m_block_end(m);
	gmp_g_casstatus(gp, GMP_G_SYSCALL, GMP_G_RUNNING);
	if (!m->p)
		gmp_exitsyscall_slow(gp);
}
EXPORT_SYMBOL_GPL(gmp_exit_blocking);

/* ---- preemption points -------------------------------------------------- */

static struct gmp_g *gmp_preempt_m(struct gmp_g *gp)
{
	trace_gmp_preempt(gp, gp->m->p);
	if (gp->m->p)
		gp->m->p->stats.preempts++;
	return gmp_gosched_m(gp);
}

/**
 * gmp_preempt_point() - where a G gives up the CPU if asked to
 *
 * A G that lost its P while it slept unannounced gets one back (or
 * waits for one); a G that sysmon marked for preemption goes to the
 * global run queue, as Go's gopreempt_m does.
 *
 * Context: a goroutine; a no-op elsewhere.
 */
void gmp_preempt_point(void)
{
	struct gmp_g *gp = getg();

	if (!gp || gmp_g_is_g0(gp))
		return;
	if (unlikely(!gp->m->p) && !gp->m->in_syscall)
		gmp_exitsyscall_slow(gp);
	if (unlikely(READ_ONCE(gp->preempt)))
		gmp_mcall(gp, gmp_preempt_m);
}

/**
 * gmp_checkpoint() - a preemption point for long-running goroutines
 *
 * Yields if the scheduler asked this G to (its time slice is over), and
 * lets Linux run other tasks if it wants the CPU. Put it in long loops.
 *
 * Context: a goroutine, or any sleepable context.
 */
void gmp_checkpoint(void)
{
	gmp_preempt_point();
	cond_resched();
}
EXPORT_SYMBOL_GPL(gmp_checkpoint);
