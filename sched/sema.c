// SPDX-License-Identifier: GPL-2.0
/*
 * gmp sync: Go's runtime semaphore (sema.go), and on top of it
 * sync.WaitGroup and sync.Mutex, for goroutines. The scheduler's design
 * essay is at the top of sched/proc.c; the lock legend (S) in sched/gmp.h.
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
 *
 * DOC: WaitGroup
 *
 * Go's: one 64-bit word, the counter in its high half and the number of
 * waiters in its low half. The Add that takes the counter to 0 releases
 * every counted waiter through the semaphore. Unlike Go's, a WaitGroup
 * may live in the waiter's frame: the release runs entirely under the
 * semaphore's lock, which a waiter passes before it returns.
 *
 * DOC: mutex
 *
 * sync.Mutex without spinning. Normal mode: waiters queue FIFO, but a
 * woken waiter competes with newly arriving Gs, which usually win (they
 * are already running), and requeues at the front if it loses. A waiter
 * that has waited more than 1 ms sets the starving bit: from then on
 * unlock hands the mutex straight to the queue's head, new arrivals do
 * not touch it and queue at the tail. The last waiter, or one that waited
 * less than 1 ms, switches back to normal mode. See sync/mutex.go for the
 * reasoning, which carries over unchanged.
 *
 * The mutex has no lockdep map: lockdep tracks locks per task, and every
 * G of an M is the same task.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/preempt.h>

#include "gmp.h"

/* A G parked on a semaphore: lives in the G's frame. */
struct gmp_semawaiter {
	struct list_head link;		/* S: on gmp_sema.waiters */
	struct gmp_g *g;		/* I */
	bool ticket;			/* handed the token by a handoff */
};

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

/* ---- WaitGroup ----------------------------------------------------------- */

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

/* ---- Mutex ---------------------------------------------------------------- */

/**
 * gmp_mutex_init() - initialise a mutex, unlocked
 * @m: the mutex
 *
 * Context: any.
 */
void gmp_mutex_init(struct gmp_mutex *m)
{
	atomic_set(&m->state, 0);
	gmp_sema_init(&m->sema, 0);
}
EXPORT_SYMBOL_GPL(gmp_mutex_init);

/* The state a lock attempt moves @old to (Go's lockSlow loop body). */
static int gmp_mutex_next(int old, bool starving, bool awoke)
{
	int new = old;

	/* A starving mutex belongs to the queue: arrivals only queue. */
	if (!(old & GMP_MUTEX_STARVING))
		new |= GMP_MUTEX_LOCKED;
	if (old & (GMP_MUTEX_LOCKED | GMP_MUTEX_STARVING))
		new += GMP_MUTEX_WAITER;
	/* Only if still locked: unlock expects a starving mutex to have waiters. */
	if (starving && (old & GMP_MUTEX_LOCKED))
		new |= GMP_MUTEX_STARVING;
	if (awoke) {
		/* We were the woken waiter: clear the flag either way. */
		WARN_ON_ONCE(!(new & GMP_MUTEX_WOKEN));
		new &= ~GMP_MUTEX_WOKEN;
	}
	return new;
}

/* Woken by a handoff: the mutex is ours, fix up the state (Go's lockSlow). */
static void gmp_mutex_take_handoff(struct gmp_mutex *m, int old, bool starving)
{
	int delta = GMP_MUTEX_LOCKED - GMP_MUTEX_WAITER;

	WARN_ON_ONCE(old & (GMP_MUTEX_LOCKED | GMP_MUTEX_WOKEN) ||
		     !(old >> GMP_MUTEX_WAITER_SHIFT));
	/*
	 * Leave starvation mode if we did not starve or are the last
	 * waiter: two Gs could otherwise hand it back and forth for ever.
	 */
	if (!starving || old >> GMP_MUTEX_WAITER_SHIFT == 1)
		delta -= GMP_MUTEX_STARVING;
	atomic_add(delta, &m->state);
}

static void gmp_mutex_lock_slow(struct gmp_mutex *m)
{
	bool starving = false, awoke = false, lifo;
	int old = atomic_read(&m->state);
	u64 wait_start = 0;

	for (;;) {
		/* Fully ordered: on success, the lock's acquire. */
		if (!atomic_try_cmpxchg(&m->state, &old,
					gmp_mutex_next(old, starving, awoke)))
			continue;
		if (!(old & (GMP_MUTEX_LOCKED | GMP_MUTEX_STARVING)))
			return;		/* locked it */
		/* A waiter that waited before goes back to the front. */
		lifo = wait_start != 0;
		if (!wait_start)
			wait_start = ktime_get_ns();
		__gmp_sema_acquire(&m->sema, lifo);
		starving = starving ||
			   ktime_get_ns() - wait_start > GMP_MUTEX_STARVE_NS;
		old = atomic_read(&m->state);
		if (old & GMP_MUTEX_STARVING) {
			gmp_mutex_take_handoff(m, old, starving);
			return;
		}
		awoke = true;
	}
}

/**
 * gmp_mutex_lock() - lock, parking the goroutine while it is held
 * @m: the mutex
 *
 * Go's sync.Mutex.Lock(), with its starvation mode: a goroutine that
 * waits more than 1 ms gets the mutex handed over ahead of newcomers.
 * Not recursive. Any goroutine (or process context) may unlock it.
 *
 * Context: a goroutine. Parks the goroutine, not its kernel thread.
 * Return: 0, or -EPERM outside a goroutine (the mutex is not taken).
 */
int gmp_mutex_lock(struct gmp_mutex *m)
{
	int zero = 0;

	if (!__gmp_self())
		return -EPERM;
	/* Fully ordered on success: the lock's acquire. */
	if (!atomic_try_cmpxchg(&m->state, &zero, GMP_MUTEX_LOCKED))
		gmp_mutex_lock_slow(m);
	return 0;
}
EXPORT_SYMBOL_GPL(gmp_mutex_lock);

/**
 * gmp_mutex_trylock() - lock if that needs no wait
 * @m: the mutex
 *
 * Fails on a starving mutex even when it is not locked: it belongs to the
 * queue.
 *
 * Context: any, hardirq included.
 * Return: true if locked.
 */
bool gmp_mutex_trylock(struct gmp_mutex *m)
{
	int old = atomic_read(&m->state);

	if (old & (GMP_MUTEX_LOCKED | GMP_MUTEX_STARVING))
		return false;
	/* Fully ordered on success; a waiter may be about to wake, we win. */
	return atomic_try_cmpxchg(&m->state, &old, old | GMP_MUTEX_LOCKED);
}
EXPORT_SYMBOL_GPL(gmp_mutex_trylock);

static void gmp_mutex_unlock_slow(struct gmp_mutex *m, int new)
{
	int old = new;

	if (WARN_ON_ONCE(!((new + GMP_MUTEX_LOCKED) & GMP_MUTEX_LOCKED))) {
		/* Unlock of an unlocked mutex: undo. */
		atomic_add(GMP_MUTEX_LOCKED, &m->state);
		return;
	}
	if (new & GMP_MUTEX_STARVING) {
		/* Hand it to the head waiter; it sets LOCKED itself. */
		__gmp_sema_release(&m->sema, true);
		return;
	}
	for (;;) {
		/* No waiters, or one is already woken or took the lock. */
		if (!(old >> GMP_MUTEX_WAITER_SHIFT) ||
		    old & (GMP_MUTEX_LOCKED | GMP_MUTEX_WOKEN |
			   GMP_MUTEX_STARVING))
			return;
		/* Take the right to wake one. */
		new = (old - GMP_MUTEX_WAITER) | GMP_MUTEX_WOKEN;
		if (atomic_try_cmpxchg(&m->state, &old, new)) {
			__gmp_sema_release(&m->sema, false);
			return;
		}
	}
}

/**
 * gmp_mutex_unlock() - unlock
 * @m: the mutex
 *
 * In starvation mode the mutex goes straight to the longest waiter, and a
 * goroutine caller yields to it. Like mutex_unlock(), this may still touch
 * @m after the next owner took it: do not free a mutex merely because you
 * could lock it (use a reference count).
 *
 * Context: a goroutine or process context; never sleeps, but yields the
 * goroutine as said.
 */
void gmp_mutex_unlock(struct gmp_mutex *m)
{
	/* Fully ordered: the lock's release. */
	int new = atomic_sub_return(GMP_MUTEX_LOCKED, &m->state);

	if (new)
		gmp_mutex_unlock_slow(m, new);
}
EXPORT_SYMBOL_GPL(gmp_mutex_unlock);
