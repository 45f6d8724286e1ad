// SPDX-License-Identifier: GPL-2.0
/*
 * gmp mutex: Go's sync.Mutex for goroutines, on the semaphore of
 * sync/sema.c. The scheduler's design essay is at the top of sched/proc.c.
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

#include "sync.h"

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
