// SPDX-License-Identifier: GPL-2.0
/*
 * gmp semaphore: Go's runtime semaphore (sema.go) for goroutines, on which
 * the WaitGroup (sync/waitgroup.c) and the mutex (sync/mutex.c) sit. The
 * scheduler's design essay is at the top of sched/proc.c; the lock legend
 * (S) in sync/sync.h.
 *
 * DOC: semaphore
 *
 * A count and a FIFO of parked Gs. Acquire takes a token with a cmpxchg
 * if there is one; otherwise it counts itself in @nwait, looks again (a
 * release may have come in between) and parks. Release adds a token and
 * wakes the head of the queue only if @nwait says someone may be parked.
 * The race between the two is closed by a full barrier on each side:
 *
 *   acquire: nwait++ (SM:A, full barrier); read count; park if 0
 *   release: count++ (SM:B, full barrier); read nwait; wake if != 0
 *
 * so at least one of them sees the other's write. A woken G competes for
 * the token (a barging G may take it first, and it then parks again),
 * except after a handoff release, which takes the token on the woken G's
 * behalf (its ticket) and yields to it: that is sync.Mutex's starvation
 * mode. Unlike Go, which hashes addresses to 251 shared queues, each
 * semaphore carries its own queue.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/preempt.h>

#include "sync.h"

/**
 * gmp_sema_init() - initialise a semaphore
 * @s:		the semaphore
 * @count:	initial tokens
 *
 * Context: any.
 */
void gmp_sema_init(struct gmp_sema *s, unsigned int count)
{
	atomic_set(&s->count, count);
	atomic_set(&s->nwait, 0);
	raw_spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->waiters);
}
EXPORT_SYMBOL_GPL(gmp_sema_init);

/**
 * gmp_sema_tryacquire() - take a token if there is one (Go's cansemacquire)
 * @s: the semaphore
 *
 * Context: any, hardirq included.
 * Return: true if a token was taken.
 */
bool gmp_sema_tryacquire(struct gmp_sema *s)
{
	int v = atomic_read(&s->count);

	do {
		if (v <= 0)
			return false;
		/* Fully ordered on success: the token's acquire. */
	} while (!atomic_try_cmpxchg(&s->count, &v, v - 1));
	return true;
}
EXPORT_SYMBOL_GPL(gmp_sema_tryacquire);

static bool gmp_sema_park_commit(struct gmp_g *gp, void *arg)
	__releases(&((struct gmp_sema *)arg)->lock)
{
	struct gmp_sema *s = arg;

	raw_spin_unlock(&s->lock);
	return true;
}

/*
 * Queue @sw (at the head for @lifo) and park until a release dequeues it.
 * Entered with @s locked and interrupts saved in @flags.
 */
static void gmp_sema_park(struct gmp_sema *s, struct gmp_semawaiter *sw,
			  bool lifo, unsigned long flags)
	__releases(&s->lock)
{
	if (lifo)
		list_add(&sw->link, &s->waiters);
	else
		list_add_tail(&sw->link, &s->waiters);
	for (;;) {
		gmp_gopark(gmp_sema_park_commit, s, GMP_WAIT_SEMA);
		__release(&s->lock);	/* by gmp_sema_park_commit(), for sparse */
		/* The releaser dequeued us before readying us. */
		if (likely(list_empty(&sw->link)))
			break;
		WARN_ON_ONCE(1);	/* readied by a stranger: park again */
		raw_spin_lock(&s->lock);
		if (list_empty(&sw->link)) {
			raw_spin_unlock(&s->lock);
			break;
		}
	}
	local_irq_restore(flags);
}

/**
 * __gmp_sema_acquire() - Go's semacquire1: take a token, parking for one
 * @s:		the semaphore
 * @lifo:	queue at the head (a mutex waiter that already waited)
 *
 * Context: a goroutine (the caller checked).
 * Return: 0.
 */
int __gmp_sema_acquire(struct gmp_sema *s, bool lifo)
{
	struct gmp_semawaiter sw = { .g = __gmp_self() };
	unsigned long flags;

	if (gmp_sema_tryacquire(s))
		return 0;
	for (;;) {
		raw_spin_lock_irqsave(&s->lock, flags);
		/* Count ourselves first: a release now will look for us. */
		atomic_inc(&s->nwait);
		smp_mb__after_atomic();		/* SM:A, pairs with SM:B */
		if (gmp_sema_tryacquire(s)) {
			atomic_dec(&s->nwait);
			raw_spin_unlock_irqrestore(&s->lock, flags);
			return 0;
		}
		gmp_sema_park(s, &sw, lifo, flags);
		if (sw.ticket || gmp_sema_tryacquire(s))
			return 0;
	}
}

/**
 * gmp_sema_acquire() - take a token, parking while there is none
 * @s: the semaphore
 *
 * Waiters are woken in FIFO order, but a woken waiter may lose the token
 * to a goroutine that arrives meanwhile, and then waits again.
 *
 * Context: a goroutine. Parks the goroutine, not its kernel thread.
 * Return: 0, or -EPERM outside a goroutine.
 */
int gmp_sema_acquire(struct gmp_sema *s)
{
	if (!__gmp_self())
		return -EPERM;
	return __gmp_sema_acquire(s, false);
}
EXPORT_SYMBOL_GPL(gmp_sema_acquire);

/* The queue's head, counted out of nwait, or NULL if nobody waits. */
static struct gmp_semawaiter *gmp_sema_dequeue(struct gmp_sema *s)
{
	struct gmp_semawaiter *sw;
	unsigned long flags;

	/* Easy case, read after SM:B: nobody can be parked. */
	if (!atomic_read(&s->nwait))
		return NULL;
	raw_spin_lock_irqsave(&s->lock, flags);
	sw = list_first_entry_or_null(&s->waiters, struct gmp_semawaiter,
				      link);
	if (sw) {
		list_del_init(&sw->link);
		atomic_dec(&s->nwait);
	}
	raw_spin_unlock_irqrestore(&s->lock, flags);
	return sw;
}

/**
 * __gmp_sema_release() - Go's semrelease1: add a token, wake a waiter
 * @s:		the semaphore
 * @handoff:	take the token for the woken waiter and yield to it
 *
 * Context: any, hardirq included; yields only from a preemptible
 * goroutine.
 */
void __gmp_sema_release(struct gmp_sema *s, bool handoff)
{
	struct gmp_semawaiter *sw;
	bool ticket = false;
	struct gmp_g *gp;

	atomic_inc(&s->count);
	smp_mb__after_atomic();			/* SM:B, pairs with SM:A */
	sw = gmp_sema_dequeue(s);
	if (!sw)
		return;
	/* Dequeued, not yet readied: @sw and its G are ours. */
	gp = sw->g;
	if (handoff && gmp_sema_tryacquire(s)) {
		sw->ticket = true;
		ticket = true;
	}
	gmp_goready(gp);
	/* Go: let the waiter we handed the token to run at once. */
	if (ticket && __gmp_self() && preemptible())
		gmp_yield();
}

/**
 * gmp_sema_release() - add a token, waking the longest waiter
 * @s: the semaphore
 *
 * As with up(), the semaphore may still be touched after the token was
 * taken: free it only when no release can be in progress.
 *
 * Context: any, hardirq included.
 */
void gmp_sema_release(struct gmp_sema *s)
{
	__gmp_sema_release(s, false);
}
EXPORT_SYMBOL_GPL(gmp_sema_release);
