// SPDX-License-Identifier: GPL-2.0
/*
 * gmp sysmon: the M without a P that keeps the scheduler fair and live
 * (Go's sysmon), and the preempt notifier that catches Ms blocking in the
 * kernel without saying so. The design essay is at the top of
 * sched/proc.c.
 *
 * Sysmon polls every P: a P whose schedtick has not moved for a time
 * slice has a G running too long, which is asked to yield at its next
 * preemption point (preemptone); a P in SYSCALL whose M has been blocked
 * past the grace period, while there is work for it, is retaken and
 * handed to another M (retake -> handoffp -> startm). Its poll period
 * starts at 20 us and doubles after 50 idle rounds up to 10 ms, as Go's
 * does; when every P is idle it sleeps until a P gets busy, so an idle
 * module causes no periodic wakeups.
 *
 * There is no asynchronous preemption: nothing interrupts a G from IRQ
 * context. A G that never reaches a preemption point (gmp_checkpoint()
 * or any gmp call that can block) keeps its P; Linux can still preempt
 * the M's kthread itself, as it can any kthread.
 *
 * Unannounced blocking (Go has no equivalent: its syscalls are explicit):
 * a preempt notifier on every M sees the kthread scheduled out to sleep
 * (taken off the runqueue, not merely preempted) with a G on it, i.e.
 * sleeping in msleep(), mutex_lock(), wait_event() or I/O. It does what
 * gmp_enter_blocking() does -- the P goes to SYSCALL -- and, when the
 * kthread is scheduled back in, tries to take the P back. The notifier
 * runs with the runqueue lock held, so it only flips a status and, if
 * sysmon is in backoff, queues an irq_work that wakes sysmon; the retake
 * itself is sysmon's. Every kernel gmp is tested on has
 * CONFIG_PREEMPT_NOTIFIERS; a kernel without it gets no detection
 * (annotate with gmp_enter_blocking()), and the stats say which applies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/sched/clock.h>

#include "include/gmp_compat.h"
#include "sched.h"
#include "gmp_trace.h"

unsigned int gmp_timeslice_us = 10000;
unsigned int gmp_handoff_grace_us = 200;

#define GMP_SYSMON_MIN_US	20
#define GMP_SYSMON_MAX_US	10000
#define GMP_SYSCALL_IDLE_NS	(10 * NSEC_PER_MSEC)

/* Go's preemptone: ask the G running on @p to yield. */
static void gmp_preemptone(struct gmp_p *p)
{
	/* Racy reads: Ms and Gs are never freed while sysmon runs. */
	struct gmp_m *m = READ_ONCE(p->m);
	struct gmp_g *gp = m ? READ_ONCE(m->curg) : NULL;

	if (!gp)
		return;
	WRITE_ONCE(gp->preempt, true);
	atomic64_inc(&gmp_sched.preempts);
}

/**
 * gmp_handoffp() - find an M for a P whose M blocked (Go's handoffp)
 * @p: a P sysmon just took out of SYSCALL; no M holds it
 *
 * Context: sysmon (process context).
 */
void gmp_handoffp(struct gmp_p *p)
{
	unsigned long flags;
	int zero = 0;

	trace_gmp_handoff(p);
	/* It has local work, or there is global work: start an M for it. */
	if (!gmp_runq_empty(p) || !llist_empty(&p->inbox) ||
	    READ_ONCE(gmp_sched.runqsize)) {
		gmp_startm(p, false);
		return;
	}
	/* No spinning and no idle M: start a spinner on it. */
	if (!atomic_read(&gmp_sched.nmspinning) &&
	    !atomic_read(&gmp_sched.npidle) &&
	    atomic_try_cmpxchg(&gmp_sched.nmspinning, &zero, 1)) {
		gmp_startm(p, true);
		return;
	}
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	if (gmp_sched.runqsize) {
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		gmp_startm(p, false);
		return;
	}
	__gmp_pidleput(p);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
}

/* Should sysmon take @p from its blocked M now? (Go's retake rules) */
static bool gmp_retake_syscall(struct gmp_p *p, u64 now)
{
	struct gmp_sysmontick *pd = &p->sysmontick;
	u32 t = READ_ONCE(p->syscalltick);

	if (pd->syscalltick != t) {
		pd->syscalltick = t;
		pd->syscallwhen = now;
		return false;
	}
	if (now - pd->syscallwhen < gmp_handoff_grace_us * NSEC_PER_USEC)
		return false;
	/* Nothing for it to run and other Ms can take new work: let it be. */
	if (gmp_runq_empty(p) && llist_empty(&p->inbox) &&
	    !READ_ONCE(gmp_sched.runqsize) &&
	    atomic_read(&gmp_sched.nmspinning) + atomic_read(&gmp_sched.npidle) > 0 &&
	    now - pd->syscallwhen < GMP_SYSCALL_IDLE_NS)
		return false;
	/* BL:C: pairs with BL:A/BL:B; the winner owns the P. */
	return cmpxchg_acquire(&p->status, GMP_P_SYSCALL, GMP_P_IDLE) ==
	       GMP_P_SYSCALL;
}

/* Go's retake: preempt long runners, take Ps from blocked Ms. */
static int gmp_retake(u64 now)
{
	u64 slice = (u64)gmp_timeslice_us * NSEC_PER_USEC;
	int i, n = 0;

	for (i = 0; i < READ_ONCE(gmp_sched.gomaxprocs); i++) {
		struct gmp_p *p = gmp_sched.allp[i];
		struct gmp_sysmontick *pd = &p->sysmontick;
		int s = READ_ONCE(p->status);
		u32 t;

		if (s != GMP_P_RUNNING && s != GMP_P_SYSCALL)
			continue;
		t = READ_ONCE(p->schedtick);
		if (pd->schedtick != t) {
			pd->schedtick = t;
			pd->schedwhen = now;
		} else if (now - pd->schedwhen >= slice) {
			gmp_preemptone(p);
		}
		if (s == GMP_P_SYSCALL && gmp_retake_syscall(p, now)) {
			atomic64_inc(&gmp_sched.handoffs);
			gmp_handoffp(p);
			n++;
		}
	}
	return n;
}

/*
 * How long the scheduler must stay idle before sysmon frees the dead Gs
 * on the global free lists (Go's scavenger is lazy too): a burst that
 * follows a short pause still finds its stacks.
 */
#define GMP_SCAVENGE_IDLE	(2 * HZ)

/* Every P's schedtick, summed: moves whenever any P runs a new G. */
static u32 gmp_schedticks(void)
{
	u32 sum = 0;
	int i;

	for (i = 0; i < READ_ONCE(gmp_sched.gomaxprocs); i++)
		sum += READ_ONCE(gmp_sched.allp[i]->schedtick);
	return sum;
}

static bool gmp_all_idle(void)
{
	return atomic_read(&gmp_sched.npidle) == READ_ONCE(gmp_sched.gomaxprocs);
}

#define GMP_STUCK_RECHECK	HZ

/*
 * The stuck-G watchdog: every P idle, yet a G queued. Nobody will run it
 * -- a lost wakeup, a gmp bug -- unless a submitter is still between its
 * S1 and S3. So look again a second later: if no P ran anything in
 * between and the work is still there, report once (naming every live G,
 * gmp_debug_dump()), and recover by waking an M. Checked when sysmon's
 * idle sleep frees the free lists, so it costs an idle scheduler nothing.
 */
static void gmp_sysmon_stuck_check(void)
{
	long t = GMP_STUCK_RECHECK;
	u32 ticks = gmp_schedticks();

	if (!gmp_any_work())
		return;
	while (t && gmp_all_idle() && !kthread_should_stop())
		t = schedule_timeout_idle(t);
	if (t || !gmp_all_idle() || gmp_schedticks() != ticks || !gmp_any_work())
		return;
	WARN_ONCE(1, "gmp: a goroutine stays queued while every P is idle (lost wakeup)\n");
	gmp_debug_dump("queued with every P idle");
	gmp_wakep();
}

/*
 * Sleep until every P is idle no more. Returns early on kthread_stop().
 * One wakeup after GMP_SCAVENGE_IDLE of idleness gives the free lists
 * back; after that, an idle scheduler causes no wakeups at all.
 */
static void gmp_sysmon_idle_wait(void)
{
	long timeout = GMP_SCAVENGE_IDLE;

	WRITE_ONCE(gmp_sched.sysmonwait, true);
	/* Pairs with the smp_mb() in gmp_startm() before it reads sysmonwait. */
	smp_mb();
	for (;;) {
		set_current_state(TASK_IDLE);
		if (!gmp_all_idle() || kthread_should_stop())
			break;
		if (!timeout) {
			schedule();
			continue;
		}
		timeout = schedule_timeout(timeout);
		if (!timeout) {
			__set_current_state(TASK_RUNNING);
			gmp_gfree_trim(ULONG_MAX);
			gmp_sysmon_stuck_check();
		}
	}
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(gmp_sched.sysmonwait, false);
}

static int gmp_sysmon(void *unused)
{
	unsigned int delay = GMP_SYSMON_MIN_US;
	int idle = 0;
	ktime_t kt;

	while (!kthread_should_stop()) {
		if (idle == 0)
			delay = GMP_SYSMON_MIN_US;
		else if (idle > 50)
			delay = min(delay * 2, GMP_SYSMON_MAX_US);
		WRITE_ONCE(gmp_sched.sysmon_delay_us, delay);
		kt = ktime_set(0, delay * NSEC_PER_USEC);
		set_current_state(TASK_IDLE);
		if (!kthread_should_stop())
			schedule_hrtimeout_range(&kt, delay * NSEC_PER_USEC / 4,
						 HRTIMER_MODE_REL);
		__set_current_state(TASK_RUNNING);
		/*
		 * Kicked (gmp_sysmon_kick_fn() reset the delay): leave the
		 * backoff, or the next poll, 10 ms away, would again find a
		 * blocked P's syscalltick moved on and never retake it.
		 */
		if (READ_ONCE(gmp_sched.sysmon_delay_us) != delay)
			idle = 0;
		if (gmp_all_idle()) {
			gmp_sysmon_idle_wait();
			idle = 0;
			continue;
		}
		if (gmp_retake(local_clock()))
			idle = 0;
		else
			idle++;
	}
	return 0;
}

static void gmp_sysmon_kick_fn(struct irq_work *work)
{
	WRITE_ONCE(gmp_sched.sysmon_delay_us, GMP_SYSMON_MIN_US);
	wake_up_process(gmp_sched.sysmon);
}

/**
 * gmp_sysmon_wake() - wake sysmon from its sleep, soon
 *
 * Context: any, including with the runqueue lock held (it goes through an
 * irq_work).
 */
void gmp_sysmon_wake(void)
{
	if (gmp_sched.sysmon)
		irq_work_queue(&gmp_sched.sysmon_kick);
}

int gmp_sysmon_start(void)
{
	struct task_struct *t;

	init_irq_work(&gmp_sched.sysmon_kick, gmp_sysmon_kick_fn);
	t = kthread_create(gmp_sysmon, NULL, "gmp_sysmon");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	gmp_sched.sysmon = t;
	wake_up_process(t);
	return 0;
}

/* Stop the kthread; Ms may still kick it (a no-op) until gmp_sysmon_release(). */
void gmp_sysmon_stop(void)
{
	if (gmp_sched.sysmon)
		kthread_stop(gmp_sched.sysmon);
}

/*
 * Once no M runs: no kick can be queued any more, so wait for the last
 * one (its code is ours) and drop the task.
 */
void gmp_sysmon_release(void)
{
	struct task_struct *t = gmp_sched.sysmon;

	if (!t)
		return;
	irq_work_sync(&gmp_sched.sysmon_kick);
	gmp_sched.sysmon = NULL;
	put_task_struct(t);
}

/* ---- the blocking detector ------------------------------------------- */

#ifdef CONFIG_PREEMPT_NOTIFIERS
/*
 * Runs in __schedule() (prepare_task_switch()) with the runqueue lock
 * held, current still the M's kthread. Only a G's kthread going to sleep
 * counts: preemption, g0 parking its M (no curg), and announced blocking
 * (in_syscall) do not.
 *
 * A sleep is told from a preemption by ->on_rq, not by ->__state. A task
 * preempted between set_current_state() and schedule() -- by an
 * interrupt or a preempt_enable() with a reschedule pending, or in
 * cond_resched(), all __schedule(SM_PREEMPT) -- still has a sleeping
 * state, but it stays queued and runs again without a wakeup: handing its
 * P off would leave a running G without one. __schedule() dequeues prev (deactivate_task()
 * with DEQUEUE_SLEEP: on_rq = 0) only for a sleep, before it calls us.
 * Since 6.12 EEVDF may delay that dequeue (DELAY_DEQUEUE): prev stays
 * queued, marked se.sched_delayed, which gmp_task_is_runnable() reads as
 * asleep; without it, most sleeps of a busy M went unseen. A sleep that
 * signal_pending_state() cancels is set TASK_RUNNING and
 * stays queued. While we hold the runqueue lock nothing else moves
 * prev's on_rq: a wakeup requeues it only under that lock, and a running
 * task is never migrated (TASK_ON_RQ_MIGRATING marks only queued tasks
 * that are not running).
 */
static void gmp_m_sched_out(struct preempt_notifier *pn,
			    struct task_struct *next)
{
	struct gmp_m *m = container_of(pn, struct gmp_m, pn);

	if (gmp_task_is_runnable(current) || !m->curg || m->in_syscall || !m->p)
		return;
	m->auto_blocked = true;
	atomic64_inc(&gmp_sched.auto_blocks);
	gmp_m_block_start(m);
}

static void gmp_m_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct gmp_m *m = container_of(pn, struct gmp_m, pn);

	if (!m->auto_blocked)
		return;
	m->auto_blocked = false;
	gmp_m_block_end(m);
}

static struct preempt_ops gmp_m_preempt_ops = {
	.sched_in = gmp_m_sched_in,
	.sched_out = gmp_m_sched_out,
};

/* Called by the M itself in mstart: notifiers attach to current. */
void gmp_m_notifier_register(struct gmp_m *m)
{
	preempt_notifier_init(&m->pn, &gmp_m_preempt_ops);
	preempt_notifier_register(&m->pn);
}

void gmp_m_notifier_unregister(struct gmp_m *m)
{
	preempt_notifier_unregister(&m->pn);
}

void gmp_blockdetect_init(void)
{
	preempt_notifier_inc();
}

/*
 * The preempt-notifier static key is left enabled at unload, on purpose.
 * Each 0 <-> 1 transition patches __schedule() with text_poke_bp() while
 * every CPU schedules; under QEMU TCG that livelocked a CPU on the int3 in
 * __schedule() (seen in the insmod/rmmod cycles of make check). Leaving
 * it on costs an empty-list check per context switch after gmp is gone
 * and patches once per boot instead of twice per load.
 */
void gmp_blockdetect_exit(void)
{
}

const char *gmp_blockdetect_mechanism(void)
{
	return "preempt_notifier";
}
#else
void gmp_m_notifier_register(struct gmp_m *m) { }
void gmp_m_notifier_unregister(struct gmp_m *m) { }
void gmp_blockdetect_init(void) { }
void gmp_blockdetect_exit(void) { }

const char *gmp_blockdetect_mechanism(void)
{
	return "none (annotate with gmp_enter_blocking)";
}
#endif
