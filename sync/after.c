// SPDX-License-Identifier: GPL-2.0
/*
 * gmp timer channels: gmp_after() is Go's time.After, a one-slot channel
 * that an hrtimer sends the time into; a select with it as a case gets a
 * timeout. Built on the channels (sync/chan.c) and on Linux's hrtimers,
 * not on the scheduler's own timers (gmp_sleep(), sched/time.c). Lock
 * legend: AF below; the others in sync/sync.h.
 */
#include <linux/hrtimer.h>
#include <linux/slab.h>

#include "sync.h"

/*
 * A pending gmp_after(): its hrtimer try-sends the time into a one-slot
 * channel, as Go's time.After does, so a select gets a timeout case by
 * receiving from it. Whoever takes it off gmp_afters -- the callback
 * when it fires, or shutdown -- owns freeing it.
 */
struct gmp_after {
	struct hrtimer timer;
	struct gmp_chan *c;		/* the timer's own reference */
	struct list_head link;		/* AF: gmp_afters */
};

/*
 * AF: the pending timers; IRQ-safe (the callbacks take it). A sleeping
 * lock on PREEMPT_RT, which is why the timers are not _HARD: there the
 * callback runs in softirq context, where it may also free.
 */
static DEFINE_SPINLOCK(gmp_afterlock);
static LIST_HEAD(gmp_afters);		/* AF */

static enum hrtimer_restart gmp_after_fire(struct hrtimer *t)
{
	struct gmp_after *a = container_of(t, struct gmp_after, timer);
	u64 now = ktime_get_ns();
	unsigned long flags;
	bool owned;

	/* One slot, one sender: never full. */
	gmp_chan_try_send(a->c, &now);
	spin_lock_irqsave(&gmp_afterlock, flags);
	owned = !list_empty(&a->link);
	list_del_init(&a->link);
	spin_unlock_irqrestore(&gmp_afterlock, flags);
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
	/* Expires in hardirq context, except on PREEMPT_RT (AF above). */
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	a->timer.function = gmp_after_fire;
	spin_lock_irq(&gmp_afterlock);
	list_add_tail(&a->link, &gmp_afters);
	spin_unlock_irq(&gmp_afterlock);
	hrtimer_start(&a->timer, ns_to_ktime(ns), HRTIMER_MODE_REL);
	return c;
}
EXPORT_SYMBOL_GPL(gmp_after);

/**
 * gmp_after_cancel_all() - cancel every pending gmp_after() timer
 *
 * Context: process context, module exit, once the scheduler is shut down
 * (every goroutine exited; gmp_after() returns -ESHUTDOWN).
 */
void gmp_after_cancel_all(void)
{
	struct gmp_after *a;

	for (;;) {
		spin_lock_irq(&gmp_afterlock);
		a = list_first_entry_or_null(&gmp_afters,
					     struct gmp_after, link);
		if (a)
			list_del_init(&a->link);
		spin_unlock_irq(&gmp_afterlock);
		if (!a)
			return;
		/* Waits for a running callback, which no longer owns @a. */
		hrtimer_cancel(&a->timer);
		gmp_chan_put(a->c);
		kfree(a);
	}
}
