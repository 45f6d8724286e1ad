/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp sync private header: the channel, select, semaphore, WaitGroup,
 * mutex and timer-channel internals (sync/). The sync layer sits on the
 * scheduler (sched/, whose private header it includes) and under the
 * device layer (dev/); its public API is in include/gmp.h. The
 * scheduler's design essay is at the top of sched/proc.c.
 */
#ifndef _GMP_SYNC_H
#define _GMP_SYNC_H

#include "sched/sched.h"

/*
 * Lock legend of the sync layer, used as a tag on the fields below; A, I
 * and G are the scheduler's (sched/sched.h):
 *
 *  C: the channel's lock, gmp_chan.lock: raw and IRQ-safe (the try-ops run
 *     in hardirq), always taken with interrupts off. A select holds several
 *     at once, in ascending address order, each channel once.
 *  W: written only by whoever claimed the wait: the first to move
 *     gmp_chanwait.done from 0 to 1 (a sender, receiver or closer under C,
 *     or gmp_chanwait_claim()). The waiting G reads them once readied.
 *  S: a semaphore's lock, gmp_sema.lock: raw and IRQ-safe.
 *
 * Lock order: channel locks by ascending address, under the lockdep nest
 * map of select.c; gmp_chan_nilwait_lock alone; at most one S, never
 * together with C. None of them is held while a G is readied, so none
 * nests outside gmp_sched.lock either. A G parks holding C (or S), which
 * its unlock function drops on g0 (gmp_chan_park_commit(),
 * gmp_select_park_commit(), gmp_sema_park_commit()).
 */

/**
 * struct gmp_chan - a channel (Go's hchan)
 *
 * Invariants (Go's): at least one of @recvq and @sendq is empty, not
 * counting claimed sudogs that their select has not dequeued yet; a
 * buffered channel with @qcount > 0 has no receiver queued, and one with
 * @qcount < @dataqsiz has no sender queued.
 */
struct gmp_chan {
	raw_spinlock_t lock;		/* C: see the tags above */
	unsigned int qcount;		/* C; read racily by the try fast paths */
	unsigned int dataqsiz;		/* I: capacity, in elements */
	unsigned int elemsize;		/* I */
	unsigned int sendx;		/* C: next slot to fill */
	unsigned int recvx;		/* C: next slot to empty */
	bool closed;			/* C; read racily by the try fast paths */
	struct list_head recvq;		/* C: sudogs of parked receivers, FIFO */
	struct list_head sendq;		/* C: sudogs of parked senders, FIFO */
	refcount_t ref;			/* A */
	struct rcu_head rcu;		/* frees it: gmp_chan_put() from any context */
	u8 buf[];			/* C: dataqsiz * elemsize bytes */
};

struct gmp_sudog;

/**
 * struct gmp_chanwait - one blocking channel operation of a G
 *
 * A send, a receive, a select or a block on nil channels. Go keeps this in
 * the G (g.waiting, g.param, g.selectDone); gmp keeps it in the waiting
 * G's frame, which stays put while the G is parked. Whoever claims @done
 * owns the wakeup: it sets @winner and readies @g.
 */
struct gmp_chanwait {
	struct gmp_waitcancel wc;	/* I: gmp_chanwait_cancel_ops */
	struct gmp_g *g;		/* I */
	atomic_t done;			/* A: 0 while armed, 1 once claimed */
	struct gmp_sudog *sg;		/* I: the G's sudogs, @nsg of them */
	unsigned int nsg;		/* I */
	struct gmp_sudog *winner;	/* W: what completed; NULL if cancelled */
};

/**
 * struct gmp_sudog - a G queued on one channel (Go's sudog)
 *
 * Lives in the waiting G's frame; a select has one per case with a
 * channel, all pointing at the same wait.
 */
struct gmp_sudog {
	struct list_head link;		/* C: recvq/sendq; empty once dequeued */
	struct gmp_chanwait *w;		/* I */
	struct gmp_chan *c;		/* I */
	void *elem;			/* I: value to send, or receive buffer */
	bool success;			/* W: false when woken by close */
};

/* gmp_mutex.state: Go's sync.Mutex bits, ints as in Go (not BIT()). */
#define GMP_MUTEX_LOCKED	0x1
#define GMP_MUTEX_WOKEN		0x2	/* a woken waiter is on its way */
#define GMP_MUTEX_STARVING	0x4	/* hand off to the queue's head */
#define GMP_MUTEX_WAITER_SHIFT	3	/* the rest counts waiters */
#define GMP_MUTEX_WAITER	0x8	/* one waiter */
#define GMP_MUTEX_STARVE_NS	NSEC_PER_MSEC

void gmp_chanwait_init(struct gmp_chanwait *w, struct gmp_g *gp,
		       struct gmp_sudog *sg, unsigned int nsg);
void gmp_sudog_init(struct gmp_sudog *sg, struct gmp_chanwait *w,
		    struct gmp_chan *c, void *elem);
int __gmp_chan_trysend(struct gmp_chan *c, const void *elem,
		       struct gmp_g **readyp);
int __gmp_chan_tryrecv(struct gmp_chan *c, void *elem, bool *ok,
		       struct gmp_g **readyp);
int gmp_chan_block(enum gmp_wait_reason reason);
bool gmp_chanwait_claim(struct gmp_chanwait *w);
void gmp_chanwait_cancel_claimed(struct gmp_chanwait *w);
bool gmp_chanwait_cancel(struct gmp_chanwait *w);
/* A G parked on a semaphore: lives in the G's frame (sync/sema.c). */
struct gmp_semawaiter {
	struct list_head link;		/* S: on gmp_sema.waiters */
	struct gmp_g *g;		/* I */
	bool ticket;			/* handed the token by a handoff */
};

int __gmp_sema_acquire(struct gmp_sema *s, bool lifo);
void __gmp_sema_release(struct gmp_sema *s, bool handoff);

/* after.c */
void gmp_after_cancel_all(void);

#if IS_ENABLED(CONFIG_KUNIT)
/* The sync layer's KUnit suites (sync/ *_test.c), for gmp_kunit.c. */
struct kunit_suite;
extern struct kunit_suite gmp_chan_test_suite;
extern struct kunit_suite gmp_sync_test_suite;
extern struct kunit_suite gmp_after_test_suite;
#endif

#endif /* _GMP_SYNC_H */
