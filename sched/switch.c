// SPDX-License-Identifier: GPL-2.0
/*
 * gmp switching: how a G gives its M to g0 or straight to the next G (Go's
 * mcall, execute/gogo, gopark/goready and Gosched), including the direct
 * G-to-G hand-off. The stack switch itself is arch/x86/switch_64.S. The
 * design essay is at the top of sched/proc.c; the G status rules and the
 * lock legend are in sched/sched.h.
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

/* ---- G status ----------------------------------------------------------- */

/* The slow half of gmp_g_casstatus() (sched/sched.h): say what went wrong. */
bool gmp_g_casstatus_fail(struct gmp_g *gp, int old, int new)
{
	WARN_ONCE(!gmp_g_legal(old, new),
		  "gmp: illegal G status transition %d -> %d\n", old, new);
	WARN_ONCE(gmp_g_legal(old, new),
		  "gmp: goroutine %llu in status %d, expected %d\n",
		  gp->goid, atomic_read(&gp->status), old);
	return false;
}

/* ---- switching ---------------------------------------------------------- */

static void gmp_switch_finish(struct gmp_g *self);

/**
 * gmp_g_boot() - first C code on a new G's stack
 *
 * A resumed G returns through gmp_mcall() and restores the interrupt state
 * saved there; a new G starts in gmp_g_entry instead, so it does that half
 * here, after finishing the previous G's switch if it was switched to
 * directly (gmp_mcall_handoff()). gmp_execute() always runs on g0 with
 * interrupts enabled.
 *
 * Context: called only by gmp_g_entry, with interrupts disabled.
 */
asmlinkage __visible void gmp_g_boot(void)
{
	lockdep_assert_irqs_disabled();
	gmp_switch_finish(getg());
	local_irq_enable();
}

/*
 * Go's mcall: switch from the running G to g0, which runs @fn(gp) and then
 * carries on scheduling. Returns when the G is next executed, with the
 * interrupt state it had here. Executed only on a G's stack.
 *
 * current->stack follows the stack pointer so that unwinders and
 * end_of_stack() see the right stack; interrupts are off across the pair
 * (here and in gmp_execute()) so that no unwinder observes them apart.
 */
void gmp_mcall(struct gmp_g *gp, gmp_mcall_fn fn)
{
	struct gmp_m *m = gp->m;
	unsigned long flags;

	local_irq_save(flags);
	m->mcall_fn = fn;
	m->mcall_g = gp;
	gmp_arch_current()->stack = m->kstack;
	gmp_switch(&gp->sched, &m->g0.sched);
	/* Running again, maybe on another M: see gmp_switch_finish(). */
	gmp_switch_finish(gp);
	local_irq_restore(flags);
}

/* Go's execute, minus gogo: make @gp @m's running G. Interrupts off. */
static bool __gmp_execute_prepare(struct gmp_m *m, struct gmp_g *gp,
				  bool inherit_time)
{
	struct gmp_p *p = m->p;

	if (!gmp_g_casstatus(gp, GMP_G_RUNNABLE, GMP_G_RUNNING))
		return false;
	gp->m = m;
	WRITE_ONCE(m->curg, gp);	/* sysmon and STW read it */
	WRITE_ONCE(gp->preempt, false);
	/* Sysmon reads it (retake): a marked write, owner-only otherwise. */
	if (!inherit_time)
		WRITE_ONCE(p->schedtick, p->schedtick + 1);
	p->stats.switches++;
	trace_gmp_go_start(gp, p);
	return true;
}

/*
 * Go's execute + gogo: run @gp on @m until a G switches back to g0, then
 * run what that G asked for (its mcall function). The G that comes back
 * need not be @gp: Gs may hand the M to each other directly
 * (gmp_mcall_handoff()). Executed on g0.
 * Returns the next G to run right away, or NULL to schedule.
 *
 * The mcall function runs before interrupts are re-enabled: a G may park
 * holding an IRQ-safe lock (a channel's) that its unlock function drops,
 * and no interrupt on this CPU may spin on that lock meanwhile.
 */
struct gmp_g *gmp_execute(struct gmp_m *m, struct gmp_g *gp,
			  bool inherit_time)
{
	unsigned long flags;
	gmp_mcall_fn fn;
	struct gmp_g *next;

	local_irq_save(flags);
	if (!__gmp_execute_prepare(m, gp, inherit_time)) {
		local_irq_restore(flags);
		return NULL;
	}
	m->ndirect = 0;
	current->stack = gp->stack;
	gmp_switch(&m->g0.sched, &gp->sched);

	/* Back on g0, interrupts still off: some G called gmp_mcall(). */
	fn = m->mcall_fn;
	gp = m->mcall_g;
	m->mcall_fn = NULL;
	m->mcall_g = NULL;
	next = fn(gp);
	if (unlikely(m->handoff_g)) {
		/* gmp_mcall_handoff() took it for us: it runs first. */
		if (next)
			gmp_runq_put(m->p, next, true);
		next = m->handoff_g;
		m->handoff_g = NULL;
	}
	local_irq_restore(flags);
	return next;
}

/* ---- direct hand-off ---------------------------------------------------- */

/*
 * DOC: switching from G to G without g0
 *
 * A G that parks or exits switches to g0, which runs park_m/goexit0 and
 * schedule(), which most often takes runnext and switches again: two
 * switches and a trip through the scheduler per hand-off, on every channel
 * ping-pong. When the M's P has a G ready locally, gmp_mcall_handoff()
 * skips g0 instead, as Linux's own context switch does: it takes the next
 * G from the P's runnext or ring, makes it running and switches straight
 * to it; the new G then runs the old G's mcall function on its own stack
 * (gmp_switch_finish(), like finish_task_switch()), so a waker still never
 * sees a G that is on its stack. Interrupts stay off from before the
 * switch until the mcall function is done, as on the g0 path.
 *
 * The M goes through g0 anyway (gmp_direct_next()) when schedule() has
 * something to do first: a stop-the-world or shutdown is waiting, the P's
 * inbox has readies, the 61st tick is due with Gs on the global queue, the
 * P moved to another CPU, Linux wants the CPU (need_resched()), or
 * GMP_DIRECT_MAX hand-offs in a row have gone by, so that g0's
 * cond_resched() and RCU quiescent state come round often enough.
 *
 * The next G's stack must have room for the old G's mcall function: a G
 * on a one-page stack (GMP_STACK_SMALL) is not switched to directly; g0
 * runs the function and then that G (m->handoff_g).
 */
#define GMP_DIRECT_MAX	64

/* The P's next G for a direct hand-off, or NULL to go through g0. */
static struct gmp_g *gmp_direct_next(struct gmp_m *m, bool *inherit_time)
{
	struct gmp_p *p = m->p;

	if (!p || m->ndirect >= GMP_DIRECT_MAX || p->cpu != m->cpu ||
	    READ_ONCE(gmp_sched.gcwaiting) || READ_ONCE(gmp_sched.stopping) ||
	    need_resched() || !llist_empty(&p->inbox) ||
	    (p->schedtick % 61 == 0 && READ_ONCE(gmp_sched.runqsize)))
		return NULL;
	return gmp_runq_get(p, inherit_time);
}

/*
 * gmp_mcall() for a G that parks or exits: switch straight to the P's
 * next G if it has one (see the DOC above), else to g0. Executed only on
 * a G's stack.
 *
 * Not instrumented by KASAN: an exiting G never returns from this frame,
 * so the redzones KASAN would poison around its locals would stay
 * poisoned on the stack when the next G reuses it (and an interrupt frame
 * read there, as tick_sched_timer() reads its pt_regs, would be reported
 * out of bounds). gmp_mcall() has no address-taken locals, so no
 * redzones.
 */
noinline __no_sanitize_address void
gmp_mcall_handoff(struct gmp_g *gp, gmp_mcall_fn fn)
{
	struct gmp_m *m = gp->m;
	unsigned long flags;
	bool inherit_time;
	struct gmp_g *next;

	local_irq_save(flags);
	m->mcall_fn = fn;
	m->mcall_g = gp;
	next = gmp_direct_next(m, &inherit_time);
	if (next && next->stack_class == GMP_STACK_SMALL) {
		/* No room for @fn on a one-page stack: g0 runs @next. */
		m->handoff_g = next;
		next = NULL;
	}
	if (next && __gmp_execute_prepare(m, next, inherit_time)) {
		m->ndirect++;
		gmp_arch_current()->stack = next->stack;
		gmp_switch(&gp->sched, &next->sched);
	} else {
		gmp_arch_current()->stack = m->kstack;
		gmp_switch(&gp->sched, &m->g0.sched);
	}
	gmp_switch_finish(gp);
	local_irq_restore(flags);
}

/*
 * The first thing a G does when it runs again, or starts: if it was
 * switched to directly, run the mcall function the previous G left in
 * its M, here on this G's stack. Interrupts off.
 */
static void gmp_switch_finish(struct gmp_g *self)
{
	struct gmp_m *m = self->m;
	struct gmp_g *prev = m->mcall_g;
	gmp_mcall_fn fn = m->mcall_fn;

	if (!prev)	/* came through g0, which ran it already */
		return;
	m->mcall_fn = NULL;
	m->mcall_g = NULL;
	prev = fn(prev);	/* its gmp_dropg() unlinked m->curg */
	WRITE_ONCE(m->curg, self);
	if (prev)		/* the park was called off: run it next */
		gmp_runq_put(m->p, prev, true);
}

/* ---- park, ready, yield ------------------------------------------------- */

static struct gmp_g *gmp_park_m(struct gmp_g *gp)
{
	struct gmp_m *m = gp->m;
	bool (*unlockf)(struct gmp_g *gp, void *arg) = m->waitunlockf;

	if (!gmp_g_casstatus(gp, GMP_G_RUNNING, GMP_G_WAITING))
		return gp;
	trace_gmp_go_park(gp, m->p);
	gmp_dropg(m, gp);
	if (m->p)
		m->p->stats.parks++;
	m->waitunlockf = NULL;
	/* After the switch: a waker can never see a G still on its stack. */
	if (unlockf && !unlockf(gp, m->waitlock)) {
		gmp_g_casstatus(gp, GMP_G_WAITING, GMP_G_RUNNABLE);
		trace_gmp_go_ready(gp, m->p, GMP_READY_DIRECT);
		return gp;	/* don't park after all: run it again now */
	}
	return NULL;
}

/**
 * gmp_gopark() - park the running G until gmp_goready() (Go's gopark)
 * @unlockf: if not NULL, called on g0 (or on the next G's stack, after a
 *	     direct hand-off) once the G is off its stack, with @arg and
 *	     interrupts disabled; returning false cancels the park.
 *	     It typically unlocks the lock under which the G published
 *	     itself to its waker. It must not sleep.
 * @arg:     passed to @unlockf
 * @reason:  shown in goroutine dumps
 *
 * Context: a goroutine. Sleeps (the G, not the M).
 */
void gmp_gopark(bool (*unlockf)(struct gmp_g *gp, void *arg), void *arg,
		enum gmp_wait_reason reason)
{
	struct gmp_g *gp = getg();

	if (WARN_ON_ONCE(!gp || gmp_g_is_g0(gp)))
		return;
	if (!unlockf)
		might_sleep();
	gp->m->waitunlockf = unlockf;
	gp->m->waitlock = arg;
	gp->waitreason = reason;
	gp->waitsince = jiffies;	/* cheaper than a clock read, per park */
	gmp_mcall_handoff(gp, gmp_park_m);
	gp->waitreason = GMP_WAIT_NONE;
}

/**
 * gmp_goready() - make a parked G runnable (Go's goready)
 * @gp: a WAITING G
 *
 * From a G (or g0) holding a P, @gp goes to runnext, so it runs next on
 * this P. From anywhere else (hardirq, softirq, another kthread) it goes
 * to a P's inbox, never straight onto a ring another M owns.
 *
 * Context: any.
 */
void gmp_goready(struct gmp_g *gp)
{
	struct gmp_g *self = getg();
	struct gmp_p *p = self && self->m ? self->m->p : NULL;
	struct gmp_p *target;

	if (!gmp_g_casstatus(gp, GMP_G_WAITING, GMP_G_RUNNABLE))
		return;
	if (p) {
		p->stats.readies++;
		trace_gmp_go_ready(gp, p, GMP_READY_RUNNEXT);
		gmp_runq_put(p, gp, true);		/* S1 */
	} else {
		target = gmp_sched.allp[raw_smp_processor_id() %
					READ_ONCE(gmp_sched.gomaxprocs)];
		trace_gmp_go_ready(gp, target, GMP_READY_INBOX);
		llist_add(&gp->readylink, &target->inbox);	/* S1 */
		atomic64_inc(&gmp_sched.readies_remote);
	}
	gmp_wakeup_after_submit();			/* S2, S3 */
}

/*
 * Go's goschedImpl: the G goes to the global queue, then S2-S3 as for any
 * submission. The wakeup is not only for the idle Ps' sake: the M may
 * hold no P (sysmon retook it while the G slept unannounced in the
 * kernel, gmp_m_block_end() lost the race), and then this M parks in
 * gmp_findrunnable() without looking at any queue. Without S2-S3 nobody
 * was woken for the G: with every other M parked, it stayed on the
 * global queue for good (a mutex unlock in starvation mode yields right
 * after such a sleep). model/park.pml checks this path
 * (BUG_YIELD_NO_WAKE).
 */
struct gmp_g *gmp_gosched_m(struct gmp_g *gp)
{
	struct gmp_m *m = gp->m;

	if (!gmp_g_casstatus(gp, GMP_G_RUNNING, GMP_G_RUNNABLE))
		return gp;
	gmp_dropg(m, gp);
	gmp_globrunq_put(gp);				/* S1 */
	gmp_wakeup_after_submit();			/* S2, S3 */
	return NULL;
}

/**
 * gmp_gosched() - yield the CPU to other Gs (Go's Gosched)
 *
 * The G goes to the global run queue, so every P gets a chance at it and
 * it does not just run again at once from runnext.
 *
 * Context: a goroutine; no-op elsewhere.
 */
void gmp_gosched(void)
{
	struct gmp_g *gp = getg();

	if (!gp || gmp_g_is_g0(gp))
		return;
	trace_gmp_go_yield(gp, gp->m->p, GMP_YIELD_GOSCHED);
	gmp_mcall(gp, gmp_gosched_m);
}

/**
 * gmp_yield() - let other goroutines run (Go's runtime.Gosched)
 *
 * Context: a goroutine; a no-op elsewhere.
 */
void gmp_yield(void)
{
	gmp_gosched();
}
EXPORT_SYMBOL_GPL(gmp_yield);

/**
 * gmp_park() - park the running goroutine until gmp_ready()
 * @unlockf: called after the G is off its stack, with @arg and interrupts
 *	     disabled, on the M's own stack or on the full-size stack of the
 *	     G that runs next (a direct hand-off, never a one-page stack);
 *	     it must not sleep. If it
 *	     returns false the G does not park. Use it to drop the lock under
 *	     which the G made itself known to its waker, so the waker cannot
 *	     ready it before it is parked. May be NULL if the waker cannot
 *	     run before the park completes.
 * @arg:     passed to @unlockf
 * @reason:  shown in goroutine dumps
 *
 * Context: a goroutine. Sleeps the goroutine, not its kernel thread.
 */
void gmp_park(bool (*unlockf)(struct gmp_g *gp, void *arg), void *arg,
	      enum gmp_wait_reason reason)
{
	gmp_gopark(unlockf, arg, reason);
}
EXPORT_SYMBOL_GPL(gmp_park);

/**
 * gmp_ready() - make a goroutine parked by gmp_park() runnable
 * @gp: the parked G
 *
 * Context: any, including hardirq and softirq.
 */
void gmp_ready(struct gmp_g *gp)
{
	gmp_goready(gp);
}
EXPORT_SYMBOL_GPL(gmp_ready);
