// SPDX-License-Identifier: GPL-2.0
/*
 * gmp cancellation: gmp_g_cancel() marks a G cancelled and ends the wait
 * it is parked in -- a gmp_sleep() timer (sched/time.c), or any wait a
 * primitive registered with gmp_g_wait_register() (the channels, through
 * struct gmp_waitcancel) -- and its later blocking calls fail at once
 * with -ECANCELED. The design essay is at the top of sched/proc.c.
 *
 * The race between a canceller and a G leaving its wait is closed under
 * gp->lock and by one barrier on each side (CW:A, CW:B): either the
 * canceller sees the registered wait and claims it through its ops, or
 * the G sees ->cancelled and waits out the canceller's lock before it
 * leaves the frame the wait lives in.
 */
#include <linux/hrtimer.h>

#include "sched.h"

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
	/* Claim a parked wait from its wakers (its ops, e.g. a channel's). */
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
