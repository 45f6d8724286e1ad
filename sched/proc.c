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
 * which makes getg() two loads (sched/gmp.h).
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
 * Lock order and field tags: the lock legend at the top of sched/gmp.h.
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

#include "gmp.h"
#include "gmp_trace.h"

struct gmp_sched gmp_sched;
unsigned long gmp_stack_cookie __read_mostly;

/* ---- G status ----------------------------------------------------------- */

/* The slow half of gmp_g_casstatus() (sched/gmp.h): say what went wrong. */
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
static void gmp_mcall(struct gmp_g *gp, gmp_mcall_fn fn)
{
	struct gmp_m *m = gp->m;
	unsigned long flags;

	local_irq_save(flags);
	m->mcall_fn = fn;
	m->mcall_g = gp;
	current->stack = m->kstack;
	gmp_switch(&gp->sched, &m->g0.sched);
	/* Running again, maybe on another M: see gmp_switch_finish(). */
	gmp_switch_finish(gp);
	local_irq_restore(flags);
}

/* Go's dropg: unlink the M and its current G. Executed on g0. */
static void gmp_dropg(struct gmp_m *m, struct gmp_g *gp)
{
	gp->m = NULL;
	WRITE_ONCE(m->curg, NULL);	/* sysmon and STW read it */
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
static struct gmp_g *gmp_execute(struct gmp_m *m, struct gmp_g *gp,
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
static noinline __no_sanitize_address void
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
		current->stack = next->stack;
		gmp_switch(&gp->sched, &next->sched);
	} else {
		current->stack = m->kstack;
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

/* ---- M park / unpark (Go's notes) -------------------------------------- */

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

static void gmp_m_wake(struct gmp_m *m)
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

/* Steps S2 and S3 of the parking protocol, after S1 published a G. */
static void gmp_wakeup_after_submit(void)
{
	/* PK:A: orders S1's publish before reading npidle/nmspinning. */
	smp_mb();
	if (atomic_read(&gmp_sched.npidle) && !atomic_read(&gmp_sched.nmspinning))
		gmp_wakep();
}

/* Go's resetspinning: a spinner found work; keep one spinner around. */
static void gmp_resetspinning(struct gmp_m *m)
{
	m->spinning = false;
	WARN_ON_ONCE(atomic_dec_return(&gmp_sched.nmspinning) < 0);
	gmp_wakep();
}

/* ---- steal order (Go's randomOrder) ------------------------------------ */

void gmp_steal_order_reset(struct gmp_steal_order *o, unsigned int count)
{
	unsigned int i;

	o->count = count;
	o->ncoprimes = 0;
	for (i = 1; i <= count; i++)
		if (gcd(i, count) == 1)
			o->coprimes[o->ncoprimes++] = i;
}

void gmp_steal_enum_start(struct gmp_steal_enum *e,
			  const struct gmp_steal_order *o, u32 rand)
{
	e->i = 0;
	e->count = o->count;
	e->pos = rand % o->count;
	e->inc = o->coprimes[rand / o->count % o->ncoprimes];
}

bool gmp_steal_enum_done(const struct gmp_steal_enum *e)
{
	return e->i == e->count;
}

unsigned int gmp_steal_enum_position(const struct gmp_steal_enum *e)
{
	return e->pos;
}

void gmp_steal_enum_next(struct gmp_steal_enum *e)
{
	e->i++;
	e->pos = (e->pos + e->inc) % e->count;
}

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

/* ---- stop-the-world, the M side (Go's gcstopm) ------------------------- */

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

/* ---- the G side: park, ready, yield, exit ------------------------------ */

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
static struct gmp_g *gmp_gosched_m(struct gmp_g *gp)
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
		wake_up_all(&gmp_sched.gdone_wq);
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
__visible void gmp_goexit(void)
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

/* ---- blocking kernel calls (Go's entersyscall / exitsyscall) ----------- */

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

/* ---- newproc ------------------------------------------------------------ */

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
	atomic_inc(&gmp_sched.ngalive);
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

/* ---- the public API ----------------------------------------------------- */

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

/* ---- M lifecycle -------------------------------------------------------- */

/*
 * Go's mstart: runs on the kthread's own stack, which becomes g0. Marks it
 * with a g0 header for getg(), then schedules until shutdown.
 */
static noinline void gmp_mstart_loop(struct gmp_m *m)
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

#if defined(CONFIG_STACKPROTECTOR) && defined(CONFIG_X86_64)
static unsigned long gmp_stack_canary __read_mostly;

/*
 * A G parked on one M may resume on another, that is in another task, so
 * every M runs with the same stack-protector canary: a frame that stored
 * the canary under one M is checked under another. The per-CPU copy the
 * compiler reads and the task's copy that context switches restore change
 * together, with preemption off. Only functions called after the change
 * (and returning before the restore) may carry a canary, so this runs in
 * gmp_mstart(), which has no protected locals.
 */
static __always_inline unsigned long gmp_m_canary_set(unsigned long canary)
{
	unsigned long old;

	preempt_disable();
	old = current->stack_canary;
	current->stack_canary = canary;
	this_cpu_write(fixed_percpu_data.stack_canary, canary);
	preempt_enable();
	return old;
}

static unsigned long gmp_stack_canary_value(void)
{
	return gmp_stack_canary;
}

static void gmp_stack_canary_init(void)
{
	gmp_stack_canary = get_random_canary();
}
#else
static __always_inline unsigned long gmp_m_canary_set(unsigned long canary)
{
	return 0;
}

static unsigned long gmp_stack_canary_value(void)
{
	return 0;
}

static void gmp_stack_canary_init(void)
{
}
#endif

/* The M's kthread function; see gmp_mstart_loop() and gmp_m_canary_set(). */
static int gmp_mstart(void *data)
{
	struct gmp_m *m = data;
	unsigned long own;

	own = gmp_m_canary_set(gmp_stack_canary_value());
	gmp_mstart_loop(m);
	gmp_m_canary_set(own);
	complete(&m->exited);
	return 0;
}

static struct gmp_m *gmp_newm(int cpu)
{
	unsigned long flags;
	struct gmp_m *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	m->cpu = cpu;
	m->rand = get_random_u32() | 1;
	init_completion(&m->exited);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	m->id = gmp_sched.mcount++;
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	/*
	 * Bound like a per-CPU kthread, but not marked as one: an M is not
	 * parked by CPU hotplug, gmp moves its P away itself.
	 */
	m->task = kthread_create_on_node(gmp_mstart, m, cpu_to_node(cpu),
					 "gmp_m%d/%d", m->id, cpu);
	if (IS_ERR(m->task)) {
		kfree(m);
		return NULL;
	}
	kthread_bind(m->task, cpu);
	get_task_struct(m->task);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	list_add_tail(&m->allmlink, &gmp_sched.allms);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	return m;
}

/* Start a new M that will run @p (may be NULL: it parks idle). */
int gmp_newm_start(struct gmp_p *p, int cpu, bool spinning)
{
	struct gmp_m *m = gmp_newm(cpu);

	if (!m)
		return -ENOMEM;
	m->nextp = NULL;
	if (p)
		gmp_acquirep(m, p);
	m->spinning = spinning;
	wake_up_process(m->task);
	return 0;
}

/* Create Ms for the Ps that startm() found no idle M for. */
static void gmp_newm_workfn(struct work_struct *work)
{
	unsigned long flags;
	struct gmp_p *p;

	for (;;) {
		raw_spin_lock_irqsave(&gmp_sched.lock, flags);
		p = gmp_sched.needm;
		if (p && !gmp_sched.stopping) {
			gmp_sched.needm = p->link;
			p->link = NULL;
		} else {
			p = NULL;
		}
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		if (!p)
			return;
		if (gmp_newm_start(p, p->cpu, false)) {
			pr_warn_ratelimited("cannot create an M for P%d\n", p->id);
			raw_spin_lock_irqsave(&gmp_sched.lock, flags);
			__gmp_pidleput(p);
			raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
			return;
		}
	}
}

/* ---- bootstrap and shutdown --------------------------------------------- */

struct gmp_p *gmp_p_alloc(int id, int cpu)
{
	struct gmp_p *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->id = id;
	p->cpu = cpu;
	p->status = GMP_P_STOPPED;
	gmp_runq_init(p);
	return p;
}

static int gmp_procresize_init(unsigned int nprocs)
{
	unsigned int i = 0;
	int cpu;

	/* Room for every CPU: GOMAXPROCS and hotplug only add Ps. */
	gmp_sched.allp = kcalloc(nr_cpu_ids, sizeof(*gmp_sched.allp), GFP_KERNEL);
	gmp_sched.steal_order.coprimes = kcalloc(nr_cpu_ids, sizeof(unsigned int),
						 GFP_KERNEL);
	if (!gmp_sched.allp || !gmp_sched.steal_order.coprimes)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		struct gmp_p *p;

		if (i == nprocs)
			break;
		p = gmp_p_alloc(i, cpu);
		if (!p)
			return -ENOMEM;
		p->status = GMP_P_RUNNING;
		gmp_sched.allp[i++] = p;
		gmp_sched.nallp = i;	/* what gmp_sched_free() frees */
		gmp_sched.gomaxprocs = i;
	}
	gmp_sched.maxprocs_target = nprocs;
	gmp_steal_order_reset(&gmp_sched.steal_order, i);
	return 0;
}

static void gmp_sched_free(void)
{
	struct gmp_m *m, *tmpm;
	int i;

	list_for_each_entry_safe(m, tmpm, &gmp_sched.allms, allmlink) {
		list_del(&m->allmlink);
		put_task_struct(m->task);
		kfree(m);
	}
	for (i = 0; gmp_sched.allp && i < gmp_sched.nallp; i++) {
		gmp_gfpurge(gmp_sched.allp[i]);
		kfree(gmp_sched.allp[i]);
	}
	gmp_gfree_all();
	/* Every G was dead and on a free list; gmp_g_free() unlinked it. */
	WARN_ON_ONCE(!list_empty(&gmp_sched.allgs));
	kfree(gmp_sched.allp);
	kfree(gmp_sched.steal_order.coprimes);
	gmp_sched.allp = NULL;
	gmp_sched.steal_order.coprimes = NULL;
	gmp_stack_cache_exit();
}

static void gmp_stop_ms(void)
{
	unsigned long flags;
	struct gmp_m *m;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	WRITE_ONCE(gmp_sched.stopping, true);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	/*
	 * The new-M work creates no M once it sees stopping; wait for one
	 * that looked before, so every M that will ever exist is listed.
	 */
	cancel_work_sync(&gmp_sched.newm_work);
	list_for_each_entry(m, &gmp_sched.allms, allmlink)
		gmp_m_wake(m);
	list_for_each_entry(m, &gmp_sched.allms, allmlink) {
		/* An M that does not stop is a gmp bug: say where it is. */
		while (!wait_for_completion_timeout(&m->exited, 10 * HZ)) {
			pr_warn("M%d (cpu %d, P %d) does not stop\n", m->id,
				m->cpu, m->p ? m->p->id : -1);
			sched_show_task(m->task);
			gmp_m_wake(m);
		}
		kthread_stop(m->task);
	}
	/*
	 * No M runs now, so nothing can queue the new-M work or a sysmon
	 * kick again: flush both, their code goes away with the module.
	 */
	cancel_work_sync(&gmp_sched.newm_work);
	gmp_sysmon_release();
}

/**
 * gmp_schedinit() - bring the scheduler up (Go's schedinit + procresize)
 * @maxprocs: GOMAXPROCS; 0 for one P per online CPU
 *
 * Builds the Ps, then one M per P bound to the P's CPU. Each M enters
 * schedule(), finds nothing and parks: an idle scheduler costs no CPU.
 *
 * Context: process context, module init.
 * Return: 0 or -ENOMEM; on error nothing is left behind.
 */
int gmp_schedinit(unsigned int maxprocs)
{
	unsigned int n = maxprocs ?: num_online_cpus();
	int i, ret;

	memset(&gmp_sched, 0, sizeof(gmp_sched));
	raw_spin_lock_init(&gmp_sched.lock);
	spin_lock_init(&gmp_sched.gflock);
	spin_lock_init(&gmp_sched.allglock);
	spin_lock_init(&gmp_sched.afterlock);
	INIT_LIST_HEAD(&gmp_sched.afters);
	INIT_LIST_HEAD(&gmp_sched.allms);
	INIT_LIST_HEAD(&gmp_sched.allgs);
	init_waitqueue_head(&gmp_sched.gdone_wq);
	INIT_WORK(&gmp_sched.newm_work, gmp_newm_workfn);
	gmp_stack_cookie = get_random_long() | 1;
	gmp_stack_canary_init();

	ret = gmp_stack_cache_init();
	if (ret)
		return ret;
	ret = gmp_procresize_init(min(n, num_online_cpus()));
	if (ret)
		goto fail;
	gmp_blockdetect_init();
	for (i = 0; i < gmp_sched.gomaxprocs; i++) {
		ret = gmp_newm_start(gmp_sched.allp[i], gmp_sched.allp[i]->cpu,
				     false);
		if (ret)
			goto fail_ms;
	}
	ret = gmp_sysmon_start();
	if (ret)
		goto fail_ms;
	ret = gmp_hotplug_init();
	if (ret)
		goto fail_sysmon;
	return 0;

fail_sysmon:
	gmp_sysmon_stop();
fail_ms:
	gmp_stop_ms();
	gmp_blockdetect_exit();
fail:
	gmp_sched_free();
	return ret;
}

/**
 * gmp_sched_shutdown() - wait for every G, stop every M, free everything
 *
 * Context: process context, module exit. Sleeps until all Gs exited.
 */
void gmp_sched_shutdown(void)
{
	int n;

	while (!wait_event_timeout(gmp_sched.gdone_wq,
				   !atomic_read(&gmp_sched.ngalive), 10 * HZ)) {
		n = atomic_read(&gmp_sched.ngalive);
		pr_info("unload waits for %d goroutine%s to exit\n", n,
			n == 1 ? "" : "s");
	}
	gmp_after_cancel_all();
	gmp_hotplug_exit();
	gmp_sysmon_stop();
	gmp_stop_ms();
	gmp_blockdetect_exit();
	gmp_sched_free();
}
