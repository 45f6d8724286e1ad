// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutine scheduler: Go's G/M/P model inside the kernel.
 *
 * The scheduler's job is to distribute ready-to-run goroutines over
 * kernel worker threads. It follows Go's runtime (src/runtime/proc.go),
 * and uses its names where a reader who knows proc.go gains from them.
 *
 * The main concepts are:
 *
 *  G - goroutine: a function with its own small stack (sched/stack.c),
 *      switched by arch/x86/switch_64.S without entering Linux's scheduler.
 *  M - worker thread, or machine: a kthread bound to one CPU. Its own
 *      kthread stack is g0's stack: schedule() runs there, and a G gives
 *      the CPU back by switching to g0 (gmp_mcall()).
 *  P - processor: the right to run Gs, and their local run queue. There
 *      are exactly GOMAXPROCS Ps, one per CPU in use. An M must hold a P
 *      to run Gs.
 *
 * While a G runs, current->stack points at the G's stack, so every kernel
 * facility that unwinds or checks "the task's stack" (WARN, lockdep,
 * hung-task reports, /proc/PID/stack, SCHED_STACK_END_CHECK) sees the G.
 * Each gmp stack starts with STACK_END_MAGIC and a header naming its G,
 * which makes getg() two loads (sched/sched.h).
 *
 * Worker thread parking/unparking.
 *
 * We need to balance between keeping enough running Ms to use the CPUs
 * and parking excessive Ms to save CPU and power. This is not simple for
 * two reasons: (1) the scheduler state is intentionally distributed (in
 * particular, per-P run rings), so it is not possible to compute global
 * fast paths; (2) for optimal thread management we would need to know the
 * future (don't park an M when a new G will be readied in the near future).
 *
 * Three rejected approaches that would work badly:
 *
 * 1. Centralize all scheduler state: one locked queue. Kills scalability;
 *    it is what a single-threaded workqueue pool does.
 * 2. Direct handoff: unpark an idle M and give it the new G whenever a G
 *    is readied and there is an idle P. This thrashes Ms: the readying G
 *    very often blocks right after, and its own M could have run the new
 *    G; it also destroys locality.
 * 3. Unpark an additional M whenever a G is readied and there is an idle
 *    P, but no handoff. Excessive park/unpark, as the new M finds nothing
 *    to do and parks again.
 *
 * The approach taken, Go's: an M is "spinning" when it is out of local
 * work and is looking for work in the global queue, in the inboxes and in
 * other Ps' rings. Spinning Ms are counted in gmp_sched.nmspinning. We
 * unpark an additional M when we ready a G, there is an idle P and there
 * are no spinning Ms. A spinning M that finds work stops spinning and, if
 * it was the last spinner, unparks a new spinning M (gmp_resetspinning()).
 * So at most one M is woken per burst of readies, and at most
 * (busy Ps) / 2 Ms spin (gmp_findrunnable()).
 *
 * The race this must close is a submitter readying a G while the last
 * spinner gives up. Both sides are written as numbered steps; the SPIN
 * model in model/park.pml checks them:
 *
 *   Submitter (gmp_goready(), gmp_g_start(), gmp_ready()):
 *     S1. publish the G: a run ring, the global queue or a P inbox;
 *     S2. full barrier (smp_mb() in gmp_wakeup_after_submit(), PK:A);
 *     S3. if npidle != 0 and nmspinning == 0: wakep(), which claims the
 *         one spinning slot with cmpxchg(nmspinning, 0, 1) and startm()s.
 *
 *   Spinner giving up (gmp_findrunnable(), "stop" path):
 *     G1. release its P to pidle under gmp_sched.lock (npidle++);
 *     G2. nmspinning-- with a fully ordered atomic (PK:B);
 *     G3. re-check every P's ring, runnext and inbox, and the global
 *         queue; if any has work, take an idle P back and spin again;
 *     G4. only then park (gmp_stopm()).
 *
 * Either S3 sees nmspinning == 0 and npidle != 0 (so it wakes an M), or
 * G3 sees the published G: S1-S2-S3 and G1-G2-G3 are each separated by a
 * full barrier, so they cannot both read the other's old value.
 * This protocol is model-checked by model/park.pml (scripts/spin-check.sh,
 * run by make check); the model names the functions it stands for.
 *
 * A startm() that finds an idle P but no idle M (the M that released the
 * P is between G1 and G4) queues the P on gmp_sched.needm: gmp_stopm()
 * takes a needm P instead of sleeping, and a work item creates a new M if
 * nobody did. A startm() that wakes nobody drops wakep()'s spinning claim
 * inside that same critical section, never after it: otherwise S3 can see
 * a claim whose M does not exist (__gmp_startm_unclaim()).
 *
 * Lock order and field tags: the lock legend at the top of sched/sched.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/gcd.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/sched/debug.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "sched.h"
#include "gmp_trace.h"

struct gmp_sched gmp_sched;
unsigned long gmp_stack_cookie __read_mostly;

/* ---- idle P and M lists ------------------------------------------------- */

void __gmp_pidleput(struct gmp_p *p)
	__must_hold(&gmp_sched.lock)
{
	lockdep_assert_held(&gmp_sched.lock);
	WARN_ON_ONCE(!gmp_runq_empty(p));
	WRITE_ONCE(p->m, NULL);
	if (gmp_sched.gcwaiting) {
		/* A stop-the-world is waiting for this P: stop it instead. */
		__gmp_p_stopped(p);
		return;
	}
	WRITE_ONCE(p->status, GMP_P_IDLE);
	p->link = gmp_sched.pidle;
	gmp_sched.pidle = p;
	atomic_inc(&gmp_sched.npidle);
}

struct gmp_p *__gmp_pidleget(void)
	__must_hold(&gmp_sched.lock)
{
	struct gmp_p *p = gmp_sched.pidle;

	lockdep_assert_held(&gmp_sched.lock);
	if (p) {
		gmp_sched.pidle = p->link;
		p->link = NULL;
		WRITE_ONCE(p->status, GMP_P_RUNNING);
		atomic_dec(&gmp_sched.npidle);
	}
	return p;
}

/* Take an idle M, preferring one bound to @cpu. */
static struct gmp_m *__gmp_mget(int cpu)
	__must_hold(&gmp_sched.lock)
{
	struct gmp_m **link, **best = NULL, *m;

	lockdep_assert_held(&gmp_sched.lock);
	for (link = &gmp_sched.midle; *link; link = &(*link)->schedlink) {
		if (!best || (*link)->cpu == cpu)
			best = link;
		if ((*link)->cpu == cpu)
			break;
	}
	if (!best)
		return NULL;
	m = *best;
	*best = m->schedlink;
	m->schedlink = NULL;
	gmp_sched.nmidle--;
	return m;
}

void gmp_acquirep(struct gmp_m *m, struct gmp_p *p)
{
	WARN_ON_ONCE(m->p || p->m);
	m->p = p;
	WRITE_ONCE(p->m, m);
	WRITE_ONCE(p->status, GMP_P_RUNNING);
}

/* ---- M park / unpark (Go's notes) --------------------------------------- */

/* Sleep until gmp_m_wake(). TASK_IDLE: not load, not a hung task. */
static void gmp_m_park(struct gmp_m *m)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		/* Pairs with the full barrier in wake_up_process(). */
		if (READ_ONCE(m->wakeup))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(m->wakeup, 0);
}

void gmp_m_wake(struct gmp_m *m)
{
	WRITE_ONCE(m->wakeup, 1);
	/* Full barrier before the state check: pairs with set_current_state(). */
	wake_up_process(m->task);
}

/*
 * Go's stopm: park @m on the idle list until startm() hands it a P.
 * Returns with m->p set, or with none when gmp is stopping.
 */
void gmp_stopm(struct gmp_m *m)
{
	unsigned long flags;
	struct gmp_p *p;

	WARN_ON_ONCE(m->p || m->spinning);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	if (gmp_sched.stopping) {
		/* Shutting down: a wakeup may already have been spent. */
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		return;
	}
	p = gmp_sched.needm;
	if (p) {
		/* A startm() found no idle M for this P: take it, don't sleep. */
		gmp_sched.needm = p->link;
		p->link = NULL;
		m->spinning = false;
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		gmp_acquirep(m, p);
		return;
	}
	m->schedlink = gmp_sched.midle;
	gmp_sched.midle = m;
	gmp_sched.nmidle++;
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);

	do {
		gmp_m_park(m);
		raw_spin_lock_irqsave(&gmp_sched.lock, flags);
		p = m->nextp;
		m->nextp = NULL;
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	} while (!p && !READ_ONCE(gmp_sched.stopping));
	if (p)
		gmp_acquirep(m, p);
}

/*
 * Drop wakep()'s spinning claim when startm() wakes nobody. It must happen
 * inside the critical section that found no P or no M, as Go's wakep()
 * does: a submitter that saw the claim read nmspinning before this store,
 * so its G was published before it too, and every P that goes idle or
 * leaves needm afterwards does so in a later critical section, whose M
 * then runs G1-G3 and sees the G. Dropped after the unlock instead, the
 * claim outlives the P's hand-over: the M that took the P may already be
 * past G3 while a new submitter's S3 still sees nmspinning != 0, and the
 * G is stranded. model/park.pml found that lost wakeup (BUG_STALE_CLAIM,
 * model/README.md).
 */
static void __gmp_startm_unclaim(bool spinning)
	__must_hold(&gmp_sched.lock)
{
	lockdep_assert_held(&gmp_sched.lock);
	if (spinning)
		WARN_ON_ONCE(atomic_dec_return(&gmp_sched.nmspinning) < 0);
}

/*
 * Go's startm: give an idle M the P @p (or any idle P) to run.
 * @spinning: the caller already counted the M in nmspinning (wakep).
 * Context: any (IRQ-safe).
 */
void gmp_startm(struct gmp_p *p, bool spinning)
{
	unsigned long flags;
	struct gmp_m *nm;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	if (!p) {
		p = __gmp_pidleget();
		if (!p) {
			/* No P after all: undo wakep()'s claim, under the lock. */
			__gmp_startm_unclaim(spinning);
			raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
			return;
		}
	}
	nm = __gmp_mget(p->cpu);
	if (!nm) {
		/*
		 * The M that released @p has not parked yet, or all Ms are
		 * busy: leave @p for the next gmp_stopm() or a new M. The
		 * spinning claim is dropped here, under the lock; the M that
		 * takes @p (later, under the same lock) re-checks every queue
		 * before it can park.
		 */
		p->link = gmp_sched.needm;
		gmp_sched.needm = p;
		__gmp_startm_unclaim(spinning);
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		schedule_work(&gmp_sched.newm_work);
		return;
	}
	nm->spinning = spinning;
	nm->nextp = p;
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	gmp_m_wake(nm);
	/* A P just got busy: sysmon must watch it. Pairs with its smp_mb(). */
	smp_mb();
	if (READ_ONCE(gmp_sched.sysmonwait))
		gmp_sysmon_wake();
}

/**
 * gmp_wakep() - wake an M to spin, if a P is idle and nobody spins
 *
 * Step S3 of the parking protocol (top of this file).
 *
 * Context: any (IRQ-safe).
 */
void gmp_wakep(void)
{
	int zero = 0;

	if (!atomic_read(&gmp_sched.npidle))
		return;
	/* Be conservative about spinning Ms: claim the only slot. */
	if (atomic_read(&gmp_sched.nmspinning) ||
	    !atomic_try_cmpxchg(&gmp_sched.nmspinning, &zero, 1))
		return;
	gmp_startm(NULL, true);
}

/* Go's resetspinning: a spinner found work; keep one spinner around. */
static void gmp_resetspinning(struct gmp_m *m)
{
	m->spinning = false;
	WARN_ON_ONCE(atomic_dec_return(&gmp_sched.nmspinning) < 0);
	gmp_wakep();
}

/* ---- stop-the-world, the M side (Go's gcstopm) -------------------------- */

/*
 * Stop @p for a waiting stop-the-world: count it, wake the stopper when
 * it was the last one.
 */
void __gmp_p_stopped(struct gmp_p *p)
	__must_hold(&gmp_sched.lock)
{
	lockdep_assert_held(&gmp_sched.lock);
	WRITE_ONCE(p->status, GMP_P_STOPPED);
	if (--gmp_sched.stopwait == 0)
		complete(&gmp_sched.stopnote);
}

/* Give up the P to a stop-the-world, then park. Executed on g0. */
void gmp_gcstopm(struct gmp_m *m)
{
	struct gmp_p *p = m->p;
	unsigned long flags;

	if (!p)
		return;
	if (m->spinning) {
		m->spinning = false;
		WARN_ON_ONCE(atomic_dec_return(&gmp_sched.nmspinning) < 0);
	}
	m->p = NULL;
	WRITE_ONCE(p->m, NULL);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	__gmp_p_stopped(p);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	gmp_stopm(m);
}

/*
 * Ms follow their P's CPU: after a resize or a hotplug event a P may sit
 * on another CPU than the M that picked it up. Executed on g0.
 */
void gmp_m_follow_p(struct gmp_m *m)
{
	if (likely(m->p->cpu == m->cpu))
		return;
	m->cpu = m->p->cpu;
	set_cpus_allowed_ptr(current, cpumask_of(m->cpu));
}

/* ---- finding work ------------------------------------------------------- */

static u32 gmp_fastrand(struct gmp_m *m)
{
	u32 x = m->rand;

	/* xorshift32: per-M, no locking, good enough for victim choice. */
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	m->rand = x;
	return x;
}

/*
 * Go's runqgrab backoff: a running P whose only G is in runnext most likely
 * readied it just before blocking (a channel hand-off) and is about to run
 * it. Stealing it now would bounce the pair of Gs between CPUs on every
 * exchange; sleep a little first and let the owner take it. Go sleeps
 * 3 us; a switch under emulation costs about that much, so a bit more.
 */
static void gmp_runnext_backoff(struct gmp_p *p2, bool steal_runnext)
{
	if (steal_runnext && READ_ONCE(p2->runnext) &&
	    READ_ONCE(p2->status) == GMP_P_RUNNING && !gmp_runq_len(p2))
		usleep_range(3, 10);
}

/*
 * Go's stealWork: 4 rounds over all Ps in random order, taking half of a
 * victim's ring (and, in the last round, its runnext). Inboxes are taken
 * whole: their Gs were readied from other contexts and may be waiting
 * behind a long-running G on their P.
 */
static struct gmp_g *gmp_stealwork(struct gmp_m *m, struct gmp_p *p,
				   bool *inherit_time)
{
	struct gmp_steal_enum e;
	struct gmp_p *p2;
	struct gmp_g *gp;
	int round;

	for (round = 0; round < 4; round++) {
		bool steal_runnext = round == 3;

		gmp_steal_enum_start(&e, &gmp_sched.steal_order, gmp_fastrand(m));
		for (; !gmp_steal_enum_done(&e); gmp_steal_enum_next(&e)) {
			if (READ_ONCE(gmp_sched.stopping) ||
			    READ_ONCE(gmp_sched.gcwaiting))
				return NULL;
			p2 = gmp_sched.allp[gmp_steal_enum_position(&e)];
			if (p2 == p)
				continue;
			if (gmp_inbox_drain(p2, p)) {
				/* A thief may beat us to them: then go on. */
				gp = gmp_runq_get(p, inherit_time);
				if (gp)
					return gp;
			}
			p->stats.steal_attempts++;
			gmp_runnext_backoff(p2, steal_runnext);
			gp = gmp_runq_steal(p, p2, steal_runnext);
			if (gp) {
				*inherit_time = false;
				return gp;
			}
		}
	}
	return NULL;
}

/*
 * Readies that raced with a GOMAXPROCS decrease may land in the inbox of a
 * P beyond gomaxprocs (gmp_goready() read the old count): take them.
 */
static bool gmp_dead_inboxes_drain(struct gmp_p *p)
{
	int i, n = READ_ONCE(gmp_sched.nallp);
	bool any = false;

	for (i = READ_ONCE(gmp_sched.gomaxprocs); i < n; i++)
		any |= gmp_inbox_drain(gmp_sched.allp[i], p);
	return any;
}

/*
 * G3: does any P or the global queue have work? Fully ordered after G2.
 * Sysmon's stuck-G watchdog asks it too.
 */
bool gmp_any_work(void)
{
	int i;

	if (READ_ONCE(gmp_sched.runqsize))
		return true;
	for (i = 0; i < READ_ONCE(gmp_sched.nallp); i++) {
		struct gmp_p *p2 = gmp_sched.allp[i];

		if (!gmp_runq_empty(p2) || !llist_empty(&p2->inbox))
			return true;
	}
	return false;
}

/*
 * Go's findRunnable "stop" path: give up the P, stop spinning (G1, G2),
 * re-check (G3), and park (G4) unless work appeared. Returns with a P
 * again, or without one when stopping.
 */
static void gmp_findrunnable_stop(struct gmp_m *m, struct gmp_p *p)
{
	bool was_spinning = m->spinning;
	unsigned long flags;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	m->p = NULL;
	__gmp_pidleput(p);				/* G1 */
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);

	if (was_spinning) {
		m->spinning = false;
		/* G2, PK:B: fully ordered; pairs with PK:A. */
		WARN_ON_ONCE(atomic_dec_return(&gmp_sched.nmspinning) < 0);
	} else {
		smp_mb();	/* PK:B for a non-spinner too */
	}

	if (gmp_any_work() && !READ_ONCE(gmp_sched.stopping)) {	/* G3 */
		raw_spin_lock_irqsave(&gmp_sched.lock, flags);
		p = __gmp_pidleget();
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		if (p) {
			gmp_acquirep(m, p);
			if (was_spinning) {
				m->spinning = true;
				atomic_inc(&gmp_sched.nmspinning);
			}
			return;
		}
	}
	if (READ_ONCE(gmp_sched.stopping))
		return;
	gmp_stopm(m);					/* G4 */
}

/* Global queue, under the lock. */
static struct gmp_g *gmp_globrunq_get(struct gmp_p *p, int max)
{
	unsigned long flags;
	struct gmp_g *gp;

	if (!READ_ONCE(gmp_sched.runqsize))
		return NULL;
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	gp = __gmp_globrunq_get(p, max);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	return gp;
}

/*
 * Go's findRunnable: local ring, inbox, global queue, stealing, then
 * stop. Blocks until there is work. Returns NULL only when stopping.
 */
static struct gmp_g *gmp_findrunnable(struct gmp_m *m, bool *inherit_time)
{
	struct gmp_p *p;
	struct gmp_g *gp;
	int busy;

	for (;;) {
		if (READ_ONCE(gmp_sched.stopping))
			return NULL;
		if (unlikely(READ_ONCE(gmp_sched.gcwaiting)) && m->p) {
			gmp_gcstopm(m);
			continue;	/* re-check stopping before parking again */
		}
		p = m->p;
		if (!p) {	/* woken from stopm() without a P */
			gmp_stopm(m);
			continue;
		}
		gmp_m_follow_p(m);
		gp = gmp_runq_get(p, inherit_time);
		if (gp)
			return gp;
		if (gmp_inbox_drain(p, p))
			continue;
		*inherit_time = false;
		gp = gmp_globrunq_get(p, 0);
		if (gp)
			return gp;

		/* Limit spinners to half the busy Ps. */
		busy = gmp_sched.gomaxprocs - atomic_read(&gmp_sched.npidle);
		if (m->spinning ||
		    2 * atomic_read(&gmp_sched.nmspinning) < busy) {
			if (!m->spinning) {
				m->spinning = true;
				atomic_inc(&gmp_sched.nmspinning);
			}
			gp = gmp_stealwork(m, p, inherit_time);
			if (gp)
				return gp;
			if (gmp_dead_inboxes_drain(p))
				continue;
		}
		gmp_findrunnable_stop(m, p);
	}
}

/*
 * Go's schedule(), minus execute: the global queue every 61st tick (so
 * two Gs readying each other cannot starve it), the inbox, the local
 * ring, then findrunnable. Executed on g0.
 */
static struct gmp_g *gmp_schedule(struct gmp_m *m, bool *inherit_time)
{
	struct gmp_p *p = m->p;
	struct gmp_g *gp = NULL;

	*inherit_time = false;
	/* A stop-the-world waits: findrunnable() stops this M first. */
	if (p && !READ_ONCE(gmp_sched.gcwaiting)) {
		if (p->schedtick % 61 == 0)
			gp = gmp_globrunq_get(p, 1);
		if (!gp && !llist_empty(&p->inbox))
			gmp_inbox_drain(p, p);
		if (!gp)
			gp = gmp_runq_get(p, inherit_time);
	}
	if (!gp)
		gp = gmp_findrunnable(m, inherit_time);
	if (gp && m->spinning)
		gmp_resetspinning(m);
	return gp;
}

/* ---- the M's loop (Go's mstart) ----------------------------------------- */

/*
 * Go's mstart: runs on the kthread's own stack, which becomes g0. Marks it
 * with a g0 header for getg(), then schedules until shutdown. Called by
 * the M's kthread function, gmp_mstart() (sched/m.c).
 */
noinline void gmp_mstart_loop(struct gmp_m *m)
{
	struct gmp_stack_hdr *h;
	bool inherit_time;
	struct gmp_g *gp = NULL;

	m->kstack = current->stack;
	m->g0.m = m;
	m->g0.stack = m->kstack;
	gmp_stack_hdr_init(m->kstack, &m->g0);
	gmp_m_notifier_register(m);

	for (;;) {
		if (gp && unlikely(!m->p)) {
			/*
			 * A G whose M lost its P in an unannounced sleep
			 * called off its park: it must wait for a P.
			 */
			gmp_globrunq_put(gp);
			gmp_wakeup_after_submit();
			gp = NULL;
		}
		if (!gp)
			gp = gmp_schedule(m, &inherit_time);
		else
			inherit_time = true;	/* park called off, or a hand-off */
		if (!gp)
			break;
		gmp_m_follow_p(m);
		gp = gmp_execute(m, gp, inherit_time);
		cond_resched();
	}

	gmp_m_notifier_unregister(m);
	/* The kthread stack outlives us in the stack cache: unmark it. */
	h = m->kstack;
	h->g = NULL;
	h->cookie = 0;
}

