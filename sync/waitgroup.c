// SPDX-License-Identifier: GPL-2.0
/*
 * gmp WaitGroup: Go's sync.WaitGroup for goroutines, on the semaphore of
 * sync/sema.c. The scheduler's design essay is at the top of sched/proc.c.
 *
 * DOC: WaitGroup
 *
 * Go's: one 64-bit word, the counter in its high half and the number of
 * waiters in its low half. The Add that takes the counter to 0 releases
 * every counted waiter through the semaphore. Unlike Go's, a WaitGroup
 * may live in the waiter's frame: the release runs entirely under the
 * semaphore's lock, which a waiter passes before it returns.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/preempt.h>

#include "sync.h"

#define GMP_WG_COUNT_SHIFT	32

/**
 * gmp_wg_init() - initialise a WaitGroup (counter 0)
 * @wg: the WaitGroup
 *
 * Context: any.
 */
void gmp_wg_init(struct gmp_waitgroup *wg)
{
	atomic64_set(&wg->state, 0);
	gmp_sema_init(&wg->sema, 0);
}
EXPORT_SYMBOL_GPL(gmp_wg_init);

/*
 * The counter hit zero with @waiters counted: release them all. Unlike Go
 * (where the garbage collector keeps a WaitGroup alive), a WaitGroup here
 * typically lives in the waiter's frame, like an on-stack completion. So
 * every access to @wg happens under the semaphore's lock, and a waiter
 * passes that lock before it returns (gmp_wg_sync()): once any waiter
 * returns, this function is done with @wg. Parked waiters get their token
 * as a ticket; counted waiters that have not parked yet find a token.
 */
static void gmp_wg_wake(struct gmp_waitgroup *wg, s64 state, u32 waiters)
{
	struct gmp_sema *s = &wg->sema;
	struct gmp_gqueue ready = {};
	struct gmp_semawaiter *sw;
	unsigned long flags;
	struct gmp_g *gp;

	raw_spin_lock_irqsave(&s->lock, flags);
	/* Adds must not race with the last Wait's wakeup (Go panics). */
	WARN_ON_ONCE(atomic64_read(&wg->state) != state);
	atomic64_set(&wg->state, 0);
	while (waiters) {
		sw = list_first_entry_or_null(&s->waiters,
					      struct gmp_semawaiter, link);
		if (!sw)
			break;
		list_del_init(&sw->link);
		atomic_dec(&s->nwait);
		sw->ticket = true;
		/* Ours to link: dequeued, parked (Go's glist). */
		gmp_gqueue_push(&ready, sw->g);
		waiters--;
	}
	atomic_add(waiters, &s->count);
	raw_spin_unlock_irqrestore(&s->lock, flags);	/* last touch of @wg */
	while ((gp = gmp_gqueue_pop(&ready)))
		gmp_goready(gp);
}

/* A waiter's last step: pass the lock gmp_wg_wake() holds throughout. */
static void gmp_wg_sync(struct gmp_waitgroup *wg)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&wg->sema.lock, flags);
	raw_spin_unlock_irqrestore(&wg->sema.lock, flags);
}

/*
 * Counter 0 but waiters counted: a gmp_wg_wake() is on its way. Wait
 * until it reset the state under the lock, so it is done with @wg.
 */
static void gmp_wg_sync_wake(struct gmp_waitgroup *wg)
{
	unsigned long flags;
	s64 state;

	for (;;) {
		raw_spin_lock_irqsave(&wg->sema.lock, flags);
		state = atomic64_read(&wg->state);
		raw_spin_unlock_irqrestore(&wg->sema.lock, flags);
		if (!(u32)state || state >> GMP_WG_COUNT_SHIFT)
			return;
		gmp_yield();	/* the waker may be a G of this very M */
	}
}

/**
 * gmp_wg_add() - add @delta, maybe negative, to the counter
 * @wg:		the WaitGroup
 * @delta:	the change; the counter must not go below 0
 *
 * When the counter reaches 0, every goroutine in gmp_wg_wait() is woken.
 * As in Go, calls with a positive @delta that start from 0 must happen
 * before gmp_wg_wait().
 *
 * Context: any, hardirq included.
 * Return: 0, or -EINVAL (with a warning, the counter left unchanged) if
 * the counter would go negative.
 */
int gmp_wg_add(struct gmp_waitgroup *wg, int delta)
{
	s64 d = (s64)((u64)(s64)delta << GMP_WG_COUNT_SHIFT);
	s64 state;
	s32 v;
	u32 w;

	/* Fully ordered: Done()'s writes happen before Wait() returns. */
	state = atomic64_add_return(d, &wg->state);
	v = state >> GMP_WG_COUNT_SHIFT;
	w = (u32)state;
	if (WARN_ON_ONCE(v < 0)) {
		atomic64_sub(d, &wg->state);
		return -EINVAL;
	}
	/* Go's "Add called concurrently with Wait" misuse check. */
	WARN_ON_ONCE(w && delta > 0 && v == delta);
	if (v > 0 || !w)
		return 0;
	gmp_wg_wake(wg, state, w);
	return 0;
}
EXPORT_SYMBOL_GPL(gmp_wg_add);

/**
 * gmp_wg_done() - gmp_wg_add(@wg, -1)
 * @wg: the WaitGroup
 *
 * Context: any, hardirq included.
 */
void gmp_wg_done(struct gmp_waitgroup *wg)
{
	gmp_wg_add(wg, -1);
}
EXPORT_SYMBOL_GPL(gmp_wg_done);

/**
 * gmp_wg_wait() - park until the counter is 0
 * @wg: the WaitGroup
 *
 * Returns only once the gmp_wg_add()/gmp_wg_done() that released it is
 * done with @wg, so, like an on-stack completion, the WaitGroup may live
 * in the waiter's frame.
 *
 * Context: a goroutine. Parks the goroutine, not its kernel thread.
 * Return: 0, or -EPERM outside a goroutine.
 */
int gmp_wg_wait(struct gmp_waitgroup *wg)
{
	s64 state;

	if (!__gmp_self())
		return -EPERM;
	state = atomic64_read(&wg->state);
	for (;;) {
		if (!(state >> GMP_WG_COUNT_SHIFT)) {
			if ((u32)state)
				gmp_wg_sync_wake(wg);
			return 0;
		}
		/* Count a waiter; fully ordered, pairs with gmp_wg_add(). */
		if (atomic64_try_cmpxchg(&wg->state, &state, state + 1))
			break;
	}
	__gmp_sema_acquire(&wg->sema, false);
	gmp_wg_sync(wg);
	/* Go's "WaitGroup is reused before previous Wait has returned". */
	WARN_ON_ONCE(atomic64_read(&wg->state));
	return 0;
}
EXPORT_SYMBOL_GPL(gmp_wg_wait);
