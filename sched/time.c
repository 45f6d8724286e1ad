// SPDX-License-Identifier: GPL-2.0
/*
 * gmp timers: gmp_sleep() parks the G on an hrtimer, and gmp_g_cancel()
 * wakes a sleeping G early. The design essay is at the top of
 * sched/proc.c.
 *
 * The hrtimer lives on the sleeping G's stack (the stack stays valid while
 * the G is parked; DEBUG_OBJECTS accepts it because current->stack is the
 * G's stack). It is armed by the park's unlock function, on g0 after the
 * switch, so its callback -- gmp_ready() from hardirq, through a P's inbox
 * -- can never see a G that is still on its stack.
 *
 * Cancellation and the timer race under gp->lock: the arming side checks
 * ->cancelled and arms under the lock; gmp_g_cancel() sets ->cancelled and,
 * under the same lock, readies the G only if it removed the armed timer
 * before it fired. Exactly one of the timer and the canceller readies it.
 */
#include <linux/hrtimer.h>
#include <linux/delay.h>
#include <linux/slab.h>

#include "gmp.h"

struct gmp_sleeper {
	struct hrtimer timer;
	struct gmp_g *gp;
	u64 ns;
};

static enum hrtimer_restart gmp_sleep_wake(struct hrtimer *t)
{
	struct gmp_sleeper *s = container_of(t, struct gmp_sleeper, timer);

	gmp_ready(s->gp);
	return HRTIMER_NORESTART;
}

/* The park's unlock function: runs on g0, interrupts off. */
static bool gmp_sleep_arm(struct gmp_g *gp, void *arg)
{
	struct gmp_sleeper *s = arg;
	bool park = false;

	raw_spin_lock(&gp->lock);
	if (!gp->cancelled) {
		gp->sleep_timer = &s->timer;
		hrtimer_start(&s->timer, ns_to_ktime(s->ns), HRTIMER_MODE_REL);
		park = true;
	}
	raw_spin_unlock(&gp->lock);
	return park;
}

/**
 * gmp_sleep() - sleep the running goroutine for @ns nanoseconds
 * @ns: how long; the G wakes no earlier
 *
 * Parks the G, not the M: other goroutines run meanwhile. Outside a
 * goroutine it falls back to fsleep().
 *
 * Context: a goroutine, or any sleepable context.
 * Return: 0, or -ECANCELED if the G was cancelled (before or during).
 */
int gmp_sleep(u64 ns)
{
	struct gmp_g *gp = __gmp_self();
	struct gmp_sleeper s = { .ns = ns };
	unsigned long flags;

	if (!gp) {
		fsleep(div_u64(ns, NSEC_PER_USEC));
		return 0;
	}
	gmp_preempt_point();
	if (READ_ONCE(gp->cancelled))
		return -ECANCELED;
	s.gp = gp;
	hrtimer_init_on_stack(&s.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	s.timer.function = gmp_sleep_wake;
	gmp_gopark(gmp_sleep_arm, &s, GMP_WAIT_SLEEP);

	raw_spin_lock_irqsave(&gp->lock, flags);
	gp->sleep_timer = NULL;
	raw_spin_unlock_irqrestore(&gp->lock, flags);
	/* Fired or cancelled by now; wait out a callback still returning. */
	hrtimer_cancel(&s.timer);
	destroy_hrtimer_on_stack(&s.timer);
	return READ_ONCE(gp->cancelled) ? -ECANCELED : 0;
}
EXPORT_SYMBOL_GPL(gmp_sleep);

/**
 * gmp_g_cancel() - cancel a goroutine: its sleeps return -ECANCELED
 * @gp: the G; it must not exit before this returns (the caller holds
 *	whatever keeps it alive, e.g. the job that owns it)
 *
 * A G sleeping in gmp_sleep() or parked on a channel or in a select
 * wakes at once with -ECANCELED; later sleeps and parks fail at once.
 *
 * Context: any.
 */
void gmp_g_cancel(struct gmp_g *gp)
{
	struct gmp_waitcancel *wc;
	unsigned long flags;
	bool wake = false;

	raw_spin_lock_irqsave(&gp->lock, flags);
	WRITE_ONCE(gp->cancelled, true);
	/* CW:B: pairs with CW:A in gmp_g_wait_unregister(). */
	smp_mb();
	if (gp->sleep_timer && hrtimer_try_to_cancel(gp->sleep_timer) == 1) {
		gp->sleep_timer = NULL;
		wake = true;
	}
	/* Claim a parked wait from its wakers (the channels' plan, step 4). */
	wc = READ_ONCE(gp->waitcancel);
	if (wc && !wc->ops->claim(wc))
		wc = NULL;
	raw_spin_unlock_irqrestore(&gp->lock, flags);
	if (wake)
		gmp_ready(gp);
	if (wc)
		wc->ops->cancel(wc);	/* readies the G */
}

/**
 * gmp_g_wait_register() - publish @wc as @gp's cancellable wait
 * @gp: the running G, about to park
 * @wc: its wait's hook
 *
 * Under gp->lock, so gmp_g_cancel() either sees the wait and claims it,
 * or its flag is seen here and the G does not park.
 *
 * Context: a goroutine, interrupts off (the waiting primitive's locks may
 * be held: they come before gp->lock).
 * Return: true if gmp_g_cancel() was called on @gp (do not park).
 */
bool gmp_g_wait_register(struct gmp_g *gp, struct gmp_waitcancel *wc)
{
	bool cancelled;

	raw_spin_lock(&gp->lock);
	cancelled = READ_ONCE(gp->cancelled);
	if (!cancelled)
		gp->waitcancel = wc;
	raw_spin_unlock(&gp->lock);
	return cancelled;
}

/**
 * gmp_g_wait_unregister() - the G runs again: its wait is over
 * @gp: the running G
 *
 * After this no canceller can reach the wait, which typically lives in
 * the frame the G is about to leave. Uncancelled Gs (nearly all) pay one
 * barrier here, not a lock round trip.
 *
 * Context: a goroutine.
 */
void gmp_g_wait_unregister(struct gmp_g *gp)
{
	unsigned long flags;

	WRITE_ONCE(gp->waitcancel, NULL);
	/* CW:A: the store before the load; pairs with CW:B in gmp_g_cancel(). */
	smp_mb();
	if (likely(!READ_ONCE(gp->cancelled)))
		return;
	/* A canceller may still hold the old wait: let it finish. */
	raw_spin_lock_irqsave(&gp->lock, flags);
	raw_spin_unlock_irqrestore(&gp->lock, flags);
}

/**
 * gmp_cancelled() - has the running goroutine been cancelled?
 *
 * Long loops that never block should poll this (a cancelled goroutine's
 * blocking calls return -ECANCELED by themselves) and return when it is
 * true. Goroutines of a /dev/gmp job are cancelled with the job.
 *
 * Context: any.
 * Return: true in a cancelled goroutine; false elsewhere.
 */
bool gmp_cancelled(void)
{
	struct gmp_g *gp = __gmp_self();

	return gp && READ_ONCE(gp->cancelled);
}
EXPORT_SYMBOL_GPL(gmp_cancelled);

/* ---- time.After ------------------------------------------------------- */

/*
 * A pending gmp_after(): its hrtimer try-sends the time into a one-slot
 * channel, as Go's time.After does, so a select gets a timeout case by
 * receiving from it. Whoever takes it off gmp_sched.afters -- the callback
 * when it fires, or shutdown -- owns freeing it.
 */
struct gmp_after {
	struct hrtimer timer;
	struct gmp_chan *c;		/* the timer's own reference */
	struct list_head link;		/* AF: gmp_sched.afters */
};

static enum hrtimer_restart gmp_after_fire(struct hrtimer *t)
{
	struct gmp_after *a = container_of(t, struct gmp_after, timer);
	u64 now = ktime_get_ns();
	unsigned long flags;
	bool owned;

	/* One slot, one sender: never full. */
	gmp_chan_try_send(a->c, &now);
	spin_lock_irqsave(&gmp_sched.afterlock, flags);
	owned = !list_empty(&a->link);
	list_del_init(&a->link);
	spin_unlock_irqrestore(&gmp_sched.afterlock, flags);
	if (owned) {
		gmp_chan_put(a->c);
		kfree(a);
	}
	return HRTIMER_NORESTART;
}

/**
 * gmp_after() - a channel that receives the time after @ns (time.After)
 * @ns: delay in nanoseconds
 *
 * The channel has one slot of a u64: ktime_get_ns() when the timer fired.
 * Use it as a receive case of gmp_select() for a timeout. The caller owns
 * one reference and drops it with gmp_chan_put() whether or not the timer
 * fired; the timer holds its own until it fires.
 *
 * Context: process context or a goroutine (allocates).
 * Return: the channel, or ERR_PTR(-ENOMEM) / ERR_PTR(-ESHUTDOWN).
 */
struct gmp_chan *gmp_after(u64 ns)
{
	struct gmp_after *a;
	struct gmp_chan *c;

	if (READ_ONCE(gmp_sched.stopping))
		return ERR_PTR(-ESHUTDOWN);
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	c = gmp_chan_create(sizeof(u64), 1);
	if (IS_ERR(c)) {
		kfree(a);
		return c;
	}
	a->c = gmp_chan_get(c);
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	a->timer.function = gmp_after_fire;
	spin_lock_irq(&gmp_sched.afterlock);
	list_add_tail(&a->link, &gmp_sched.afters);
	spin_unlock_irq(&gmp_sched.afterlock);
	hrtimer_start(&a->timer, ns_to_ktime(ns), HRTIMER_MODE_REL_HARD);
	return c;
}
EXPORT_SYMBOL_GPL(gmp_after);

/**
 * gmp_after_cancel_all() - cancel every pending gmp_after() timer
 *
 * Context: process context, module exit, after every goroutine exited.
 */
void gmp_after_cancel_all(void)
{
	struct gmp_after *a;

	for (;;) {
		spin_lock_irq(&gmp_sched.afterlock);
		a = list_first_entry_or_null(&gmp_sched.afters,
					     struct gmp_after, link);
		if (a)
			list_del_init(&a->link);
		spin_unlock_irq(&gmp_sched.afterlock);
		if (!a)
			return;
		/* Waits for a running callback, which no longer owns @a. */
		hrtimer_cancel(&a->timer);
		gmp_chan_put(a->c);
		kfree(a);
	}
}
