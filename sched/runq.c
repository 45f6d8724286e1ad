// SPDX-License-Identifier: GPL-2.0
/*
 * gmp run queues: the per-P lock-free ring with runnext, the global queue
 * and the per-P inbox for readies from other contexts. The design essay is
 * at the top of sched/proc.c.
 *
 * DOC: the per-P ring
 *
 * A 256-slot ring indexed by free-running u32 head and tail. Only the
 * owner M (the one holding the P) puts, so tail has a single writer; the
 * owner and any number of thieves take, so head moves only by CAS. A taker
 * reads the slots first and then CASes head past them: if the CAS wins,
 * the slots it read were not yet reused, because the owner only writes a
 * slot after reading a head that is past it.
 *
 *  - owner put: load-acquire head (RQ:A, pairs with the takers' CAS-release
 *    RQ:C, so the slot it reuses is no longer being read), write the slot,
 *    store-release tail (RQ:B, pairs with the takers' load-acquire of tail
 *    RQ:D, publishing the slot).
 *  - take: load-acquire head, load-acquire tail (RQ:D), read the slots,
 *    CAS-release head (RQ:C).
 *
 * runnext is a single slot that the owner fills with the G just readied
 * (runqput(next=true)), so a ping-pong pair runs back to back; it is taken
 * with cmpxchg by the owner and, in the last stealing round, by thieves.
 */
#include <linux/gcd.h>
#include <linux/kernel.h>
#include <linux/atomic.h>

#include "sched.h"
#include "gmp_trace.h"

void gmp_runq_init(struct gmp_p *p)
{
	p->runqhead = 0;
	p->runqtail = 0;
	p->runnext = NULL;
	init_llist_head(&p->inbox);
}

/**
 * gmp_runq_len() - number of Gs in the ring (not counting runnext)
 * @p: any P
 *
 * Context: any; racy unless called by the owner with no thieves about.
 * Return: the length seen by one consistent read of head and tail.
 */
u32 gmp_runq_len(struct gmp_p *p)
{
	u32 h, t;

	for (;;) {
		/* Acquire both ends: a snapshot in the order thieves read them. */
		h = smp_load_acquire(&p->runqhead);
		t = smp_load_acquire(&p->runqtail);	/* RQ:D, pairs with RQ:B */
		/* Re-read head: tail was read after it, so this pair is sane. */
		if (h == READ_ONCE(p->runqhead))
			return t - h;
	}
}

/**
 * gmp_runq_empty() - true if the P has no G in its ring nor in runnext
 * @p: any P
 *
 * Go's TestSchedLocalQueueEmpty: a racing put-then-get by the owner must
 * never make this return a false "empty". runqput() fills the ring before
 * runqget() takes runnext, so reading head, tail, runnext, then checking
 * tail did not move, sees at least one of them.
 *
 * Context: any.
 */
bool gmp_runq_empty(struct gmp_p *p)
{
	u32 h, t;
	struct gmp_g *next;

	for (;;) {
		/* Same order as gmp_runq_grab(): head, then tail (RQ:D). */
		h = smp_load_acquire(&p->runqhead);
		t = smp_load_acquire(&p->runqtail);	/* RQ:D, pairs with RQ:B */
		next = READ_ONCE(p->runnext);
		if (t == READ_ONCE(p->runqtail))
			return h == t && !next;
	}
}

void gmp_gqueue_push(struct gmp_gqueue *q, struct gmp_g *gp)
{
	gp->schedlink = NULL;
	if (q->tail)
		q->tail->schedlink = gp;
	else
		q->head = gp;
	q->tail = gp;
}

void gmp_gqueue_push_head(struct gmp_gqueue *q, struct gmp_g *gp)
{
	gp->schedlink = q->head;
	q->head = gp;
	if (!q->tail)
		q->tail = gp;
}

struct gmp_g *gmp_gqueue_pop(struct gmp_gqueue *q)
{
	struct gmp_g *gp = q->head;

	if (gp) {
		q->head = gp->schedlink;
		if (!q->head)
			q->tail = NULL;
		gp->schedlink = NULL;
	}
	return gp;
}

/* The global queue. Caller holds gmp_sched.lock. */
void __gmp_globrunq_put(struct gmp_g *gp)
	__must_hold(&gmp_sched.lock)
{
	lockdep_assert_held(&gmp_sched.lock);
	gmp_gqueue_push(&gmp_sched.runq, gp);
	/* Read without the lock (schedule, findrunnable): marked write. */
	WRITE_ONCE(gmp_sched.runqsize, gmp_sched.runqsize + 1);
}

void __gmp_globrunq_putbatch(struct gmp_gqueue *batch, int n)
	__must_hold(&gmp_sched.lock)
{
	lockdep_assert_held(&gmp_sched.lock);
	if (!batch->head)
		return;
	if (gmp_sched.runq.tail)
		gmp_sched.runq.tail->schedlink = batch->head;
	else
		gmp_sched.runq.head = batch->head;
	gmp_sched.runq.tail = batch->tail;
	WRITE_ONCE(gmp_sched.runqsize, gmp_sched.runqsize + n);
}

/**
 * gmp_globrunq_put() - put a G on the global run queue
 * @gp: a RUNNABLE G
 *
 * Context: any (the lock is IRQ-safe).
 */
void gmp_globrunq_put(struct gmp_g *gp)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	__gmp_globrunq_put(gp);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
}

/**
 * __gmp_globrunq_get() - take a batch from the global queue (Go's globrunqget)
 * @p:	the caller's P; all but the returned G go onto its ring
 * @max: at most this many (0: no limit beyond the fair share)
 *
 * Takes a fair share: runqsize/gomaxprocs + 1, at most half a ring.
 *
 * Context: the owner of @p, holding gmp_sched.lock.
 * Return: a G to run, or NULL if the global queue is empty.
 */
struct gmp_g *__gmp_globrunq_get(struct gmp_p *p, int max)
	__must_hold(&gmp_sched.lock)
{
	struct gmp_g *gp;
	int n;

	lockdep_assert_held(&gmp_sched.lock);
	if (!gmp_sched.runqsize)
		return NULL;
	n = min(gmp_sched.runqsize, gmp_sched.runqsize / gmp_sched.gomaxprocs + 1);
	if (max > 0 && n > max)
		n = max;
	n = min(n, GMP_RUNQ_SIZE / 2);
	WRITE_ONCE(gmp_sched.runqsize, gmp_sched.runqsize - n);
	gp = gmp_gqueue_pop(&gmp_sched.runq);
	while (--n > 0)
		gmp_runq_put(p, gmp_gqueue_pop(&gmp_sched.runq), false);
	p->stats.glob_get++;
	return gp;
}

/*
 * Slow path of runqput: the ring is full, so move half of it plus @gp to
 * the global queue in one lock round trip. Returns false if a thief moved
 * head meanwhile (the caller retries the fast path).
 */
static bool gmp_runq_put_slow(struct gmp_p *p, struct gmp_g *gp, u32 h, u32 t)
{
	struct gmp_gqueue batch = {};
	unsigned long flags;
	u32 n = (t - h) / 2, i;

	WARN_ON_ONCE(n != GMP_RUNQ_SIZE / 2);
	/* RQ:C (as a taker): commits the take; pairs with RQ:A. */
	if (cmpxchg_release(&p->runqhead, h, h + n) != h)
		return false;
	/*
	 * Link the Gs only now that they are ours. Before the CAS a thief
	 * may take them, run them and put them on a free list, which is
	 * threaded through the same ->schedlink. The slots still hold them:
	 * only the owner (us) writes slots.
	 */
	for (i = 0; i < n; i++)
		gmp_gqueue_push(&batch, p->runq[(h + i) % GMP_RUNQ_SIZE]);
	gmp_gqueue_push(&batch, gp);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	__gmp_globrunq_putbatch(&batch, n + 1);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	return true;
}

/**
 * gmp_runq_put() - put a G on a P's local run queue (Go's runqput)
 * @p:	 the caller's P
 * @gp:	 a RUNNABLE G
 * @next: put it in runnext, kicking the old runnext to the ring tail
 *
 * If the ring is full, half of it moves to the global queue.
 *
 * Context: executed only by the owner of @p.
 */
void gmp_runq_put(struct gmp_p *p, struct gmp_g *gp, bool next)
{
	struct gmp_g *old;
	u32 h, t;

	p->stats.runq_put++;
	if (next) {
		old = READ_ONCE(p->runnext);
		/* Full barrier on success; a thief may take runnext too. */
		while (!try_cmpxchg(&p->runnext, &old, gp))
			;
		if (!old)
			return;
		gp = old;	/* the old runnext goes to the ring */
	}
	for (;;) {
		/* RQ:A: pairs with the takers' CAS-release RQ:C. */
		h = smp_load_acquire(&p->runqhead);
		t = p->runqtail;	/* only the owner writes it */
		if (t - h < GMP_RUNQ_SIZE) {
			WRITE_ONCE(p->runq[t % GMP_RUNQ_SIZE], gp);
			/* RQ:B: publishes the slot; pairs with RQ:D. */
			smp_store_release(&p->runqtail, t + 1);
			return;
		}
		if (gmp_runq_put_slow(p, gp, h, t))
			return;
	}
}

/**
 * gmp_runq_get() - take a G from a P's local run queue (Go's runqget)
 * @p:		  the caller's P
 * @inherit_time: set true if the G came from runnext, which inherits the
 *		  current time slice (so a ping-pong pair cannot starve others)
 *
 * Context: executed only by the owner of @p.
 * Return: a G, or NULL if the ring and runnext are empty.
 */
struct gmp_g *gmp_runq_get(struct gmp_p *p, bool *inherit_time)
{
	struct gmp_g *next = READ_ONCE(p->runnext);
	struct gmp_g *gp;
	u32 h, t;

	/* A thief may take runnext concurrently: cmpxchg, not a plain store. */
	if (next && cmpxchg(&p->runnext, next, NULL) == next) {
		*inherit_time = true;
		p->stats.runq_get++;
		return next;
	}
	*inherit_time = false;
	for (;;) {
		/* Pairs with thieves' CAS-release RQ:C. */
		h = smp_load_acquire(&p->runqhead);
		t = p->runqtail;
		if (t == h)
			return NULL;
		gp = READ_ONCE(p->runq[h % GMP_RUNQ_SIZE]);
		/* RQ:C: commits the take; pairs with the owner's RQ:A. */
		if (cmpxchg_release(&p->runqhead, h, h + 1) == h) {
			p->stats.runq_get++;
			return gp;
		}
	}
}

/**
 * gmp_runq_grab() - take half of @p's Gs into @batch (Go's runqgrab)
 * @p:		 the victim
 * @batch:	 a ring of GMP_RUNQ_SIZE slots (the thief's own ring)
 * @batch_head:	 where in @batch to start writing
 * @steal_runnext: also take runnext when the ring is empty
 *
 * Context: any M; thieves race with the owner and with each other.
 * Return: the number of Gs grabbed.
 */
u32 gmp_runq_grab(struct gmp_p *p, struct gmp_g **batch, u32 batch_head,
		  bool steal_runnext)
{
	struct gmp_g *next;
	u32 h, t, n, i;

	for (;;) {
		/* Pairs with other takers' CAS-release RQ:C. */
		h = smp_load_acquire(&p->runqhead);
		/* RQ:D: pairs with the owner's store-release RQ:B. */
		t = smp_load_acquire(&p->runqtail);
		n = t - h;
		n = n - n / 2;
		if (!n) {
			if (!steal_runnext)
				return 0;
			next = READ_ONCE(p->runnext);
			if (!next || cmpxchg(&p->runnext, next, NULL) != next)
				return 0;
			batch[batch_head % GMP_RUNQ_SIZE] = next;
			return 1;
		}
		if (n > GMP_RUNQ_SIZE / 2)
			continue;	/* head and tail read inconsistently */
		for (i = 0; i < n; i++)
			batch[(batch_head + i) % GMP_RUNQ_SIZE] =
				READ_ONCE(p->runq[(h + i) % GMP_RUNQ_SIZE]);
		/* RQ:C: commits the take; pairs with the owner's RQ:A. */
		if (cmpxchg_release(&p->runqhead, h, h + n) == h)
			return n;
	}
}

/**
 * gmp_runq_steal() - steal half of @p2's Gs onto @p (Go's runqsteal)
 * @p:		  the thief's own P
 * @p2:		  the victim
 * @steal_runnext: passed to gmp_runq_grab()
 *
 * Context: executed only by the owner of @p.
 * Return: one of the stolen Gs, to run now, or NULL.
 */
struct gmp_g *gmp_runq_steal(struct gmp_p *p, struct gmp_p *p2,
			     bool steal_runnext)
{
	u32 t = p->runqtail, h, n;
	struct gmp_g *gp;

	n = gmp_runq_grab(p2, p->runq, t, steal_runnext);
	if (!n)
		return NULL;
	p->stats.steals++;
	trace_gmp_steal(p, p2, n);
	n--;
	gp = p->runq[(t + n) % GMP_RUNQ_SIZE];
	if (!n)
		return gp;
	/* Pairs with thieves' RQ:C: only they move our head meanwhile. */
	h = smp_load_acquire(&p->runqhead);
	WARN_ON_ONCE(t - h + n >= GMP_RUNQ_SIZE);
	/* RQ:B: publishes the stolen slots. */
	smp_store_release(&p->runqtail, t + n);
	return gp;
}

/**
 * gmp_inbox_drain() - move the Gs readied from other contexts onto a ring
 * @p:	whose inbox to empty
 * @to:	the caller's own P (== @p for the owner, another P for a thief)
 *
 * llist_del_all() is an xchg, safe against concurrent llist_add() from
 * any context and against other drainers.
 *
 * Context: executed only by the owner of @to.
 * Return: true if any G was moved.
 */
bool gmp_inbox_drain(struct gmp_p *p, struct gmp_p *to)
{
	struct llist_node *first;
	struct gmp_g *gp, *tmp;

	if (llist_empty(&p->inbox))
		return false;
	first = llist_del_all(&p->inbox);
	if (!first)
		return false;
	/* llist is LIFO: reverse to keep FIFO order among readies. */
	first = llist_reverse_order(first);
	llist_for_each_entry_safe(gp, tmp, first, readylink)
		gmp_runq_put(to, gp, false);
	return true;
}

/* ---- steal order (Go's randomOrder) ------------------------------------- */

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
