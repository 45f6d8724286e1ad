// SPDX-License-Identifier: GPL-2.0
/*
 * gmp channels: Go's chan.go for goroutines in the kernel. The scheduler's
 * design essay is at the top of sched/proc.c; the lock legend, with the C
 * and W tags used here, is in sched/sched.h. select is in sync/select.c.
 *
 * DOC: channels
 *
 * A channel is a lock, a ring buffer of @dataqsiz elements and two FIFO
 * wait queues of sudogs, one per parked sender or receiver. Everything
 * happens under the channel lock, as in Go:
 *
 *  - send: a receiver is queued -> copy the value straight into its
 *    buffer (Go's sendDirect: the only place one G writes another's
 *    stack) and ready it; else room in the buffer -> enqueue the value;
 *    else park on sendq with the value's address in the sudog.
 *  - recv: a sender is queued -> take its value (unbuffered) or take the
 *    buffer's head and put the sender's value at the tail (the buffer is
 *    full, so both are the same slot) and ready it; else a buffered value
 *    -> take it; else closed -> a zeroed element and ok = false; else park.
 *  - close: mark closed and ready every queued G; receivers get a zeroed
 *    element and ok = false, senders -EPIPE (Go panics instead). Values
 *    still in the buffer are received first.
 *
 * The waker copies and sets the result under the lock, drops it, and only
 * then readies the G (Go's rule: never change another G's status under a
 * channel lock), so no channel lock nests outside gmp_sched.lock.
 *
 * The lock is a raw spinlock taken with interrupts off, since
 * gmp_chan_try_send()/gmp_chan_try_recv() may run in hardirq; a G parks
 * holding it and gmp_chan_park_commit() drops it on g0 once the G is off
 * its stack, so no waker can see a half-parked G. The G's interrupt state
 * comes back with the local_irq_restore() after gmp_gopark() returns.
 *
 * DOC: claiming a wait, and how cancellation plugs in
 *
 * Every blocking operation -- a send, a receive, a select, a block on nil
 * channels -- is a struct gmp_chanwait in the waiting G's frame, with one
 * sudog per channel it is queued on. Whoever ends the wait first claims it
 * with one fully ordered cmpxchg of ->done from 0 to 1: a sender, receiver
 * or closer (under the channel lock, in gmp_waitq_dequeue()), or a
 * canceller (gmp_chanwait_claim()). The claimer alone writes the result
 * (->winner, the sudog's ->success) and readies the G. A sudog whose wait
 * was claimed through another channel is skipped and dropped from the
 * queue by whoever finds it (Go's selectDone); the select removes the
 * rest itself once it runs again.
 *
 * A G already cancelled by gmp_g_cancel() (gp->cancelled) gets
 * -ECANCELED instead of parking; an operation that completes without
 * blocking still completes. A wait that is already parked is ended through
 * the core's cancellation hook (struct gmp_waitcancel, embedded in the
 * wait), under gp->lock as gmp_sleep() does:
 *
 *  1. struct gmp_g has `struct gmp_waitcancel *waitcancel`, tagged G.
 *  2. Before parking, with the channel locks or the nil lock held,
 *     gmp_g_wait_register() takes gp->lock, checks ->cancelled and sets
 *     gp->waitcancel = &w->wc under it. Lock order: channel locks, then
 *     gp->lock.
 *  3. Once the G runs again: gp->waitcancel = NULL, a full barrier (CW:A),
 *     then gp->cancelled is read; only if it is set does the G take and
 *     drop gp->lock, to wait out a canceller that may still be looking at
 *     the wait (gmp_g_wait_unregister()).
 *  4. gmp_g_cancel(): under gp->lock, gp->cancelled = true, a full barrier
 *     (CW:B), wc = gp->waitcancel and, if set, its claim op:
 *     gmp_chanwait_claim(w). After dropping gp->lock, if the claim won, its
 *     cancel op: gmp_chanwait_cancel_claimed(w).
 *
 * CW:A and CW:B order each side's store before its load, so either the
 * canceller reads waitcancel == NULL, or the G reads cancelled and waits for
 * the canceller's lock: the canceller holds gp->lock while it claims, so
 * the G cannot leave the wait under it; after a won claim only the
 * canceller can ready the G, so the wait stays in place; after a lost one
 * it does not touch the wait again. gmp_chanwait_cancel_claimed() takes the
 * channel locks without gp->lock, so the two lock orders never meet, and
 * taking a channel lock also proves the G has finished parking: its unlock
 * function released that lock. Waits on nil channels park under
 * gmp_chan_nilwait_lock for the same reason.
 *
 * Semaphore waits (sync/sema.c) are not cancellable.
 */
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "sync.h"

/* Orders a nil-channel park before its cancellation; see the DOC. */
static DEFINE_RAW_SPINLOCK(gmp_chan_nilwait_lock);

/* ---- waits and sudogs ---------------------------------------------------- */

static const struct gmp_waitcancel_ops gmp_chanwait_cancel_ops;

void gmp_chanwait_init(struct gmp_chanwait *w, struct gmp_g *gp,
		       struct gmp_sudog *sg, unsigned int nsg)
{
	w->wc.ops = &gmp_chanwait_cancel_ops;
	w->g = gp;
	atomic_set(&w->done, 0);
	w->sg = sg;
	w->nsg = nsg;
	w->winner = NULL;
}

void gmp_sudog_init(struct gmp_sudog *sg, struct gmp_chanwait *w,
		    struct gmp_chan *c, void *elem)
{
	INIT_LIST_HEAD(&sg->link);
	sg->w = w;
	sg->c = c;
	sg->elem = elem;
	sg->success = false;
}

/*
 * Go's waitq.dequeue: the first sudog on @q whose wait we can claim.
 * Sudogs of waits claimed elsewhere (another case of a select won, or a
 * cancel) are dropped from the queue on the way.
 */
static __always_inline struct gmp_sudog *
gmp_waitq_dequeue(struct gmp_chan *c, struct list_head *q)
	__must_hold(&c->lock)
{
	struct gmp_sudog *sg;
	int zero;

	lockdep_assert_held(&c->lock);
	while ((sg = list_first_entry_or_null(q, struct gmp_sudog, link))) {
		list_del_init(&sg->link);
		zero = 0;
		/*
		 * Fully ordered; pairs with the other claimers' cmpxchg
		 * (other channels' wakers, gmp_chanwait_claim()): exactly
		 * one of them owns the wakeup.
		 */
		if (atomic_try_cmpxchg(&sg->w->done, &zero, 1))
			return sg;
	}
	return NULL;
}

/* The claimer's last word: the result. Returns the G to ready. */
static struct gmp_g *gmp_sudog_complete(struct gmp_sudog *sg, bool success)
{
	struct gmp_chanwait *w = sg->w;

	sg->success = success;
	w->winner = sg;
	/*
	 * No barrier here: gmp_goready()'s fully ordered status cmpxchg
	 * publishes these writes to whichever M executes the G next.
	 */
	return w->g;
}

/* ---- the buffer --------------------------------------------------------- */

static void *gmp_chan_slot(struct gmp_chan *c, unsigned int i)
{
	return c->buf + (size_t)i * c->elemsize;
}

/*
 * Element copies are on every hand-off: the common word-sized elements
 * get an inline move instead of a call to memcpy().
 */
static __always_inline void gmp_chan_copy(struct gmp_chan *c, void *dst,
					  const void *src)
{
	if (!dst)
		return;
	switch (c->elemsize) {
	case 0:
		break;
	case sizeof(u32):
		memcpy(dst, src, sizeof(u32));
		break;
	case sizeof(u64):
		memcpy(dst, src, sizeof(u64));
		break;
	default:
		memcpy(dst, src, c->elemsize);
	}
}

static void gmp_chan_zero(struct gmp_chan *c, void *dst)
{
	if (dst && c->elemsize)
		memset(dst, 0, c->elemsize);
}

static void gmp_chan_set_ok(bool *ok, bool val)
{
	if (ok)
		*ok = val;
}

static void __gmp_chan_bufput(struct gmp_chan *c, const void *elem)
	__must_hold(&c->lock)
{
	gmp_chan_copy(c, gmp_chan_slot(c, c->sendx), elem);
	if (++c->sendx == c->dataqsiz)
		c->sendx = 0;
	/* Racy readers: the try fast paths and gmp_chan_len(). */
	WRITE_ONCE(c->qcount, c->qcount + 1);
}

static void __gmp_chan_bufget(struct gmp_chan *c, void *elem)
	__must_hold(&c->lock)
{
	gmp_chan_copy(c, elem, gmp_chan_slot(c, c->recvx));
	if (++c->recvx == c->dataqsiz)
		c->recvx = 0;
	WRITE_ONCE(c->qcount, c->qcount - 1);
}

/* ---- send and receive under the lock ------------------------------------ */

/* Go's send(): hand @elem to the parked receiver @sg. */
static __always_inline struct gmp_g *
__gmp_chan_send_direct(struct gmp_chan *c, struct gmp_sudog *sg,
		       const void *elem)
	__must_hold(&c->lock)
{
	gmp_chan_copy(c, sg->elem, elem);
	return gmp_sudog_complete(sg, true);
}

/*
 * Go's recv(): take a value from the parked sender @sg. Unbuffered: its
 * own value. Buffered (so the buffer is full): the head of the buffer, and
 * the sender's value goes to the tail, which is the same slot.
 */
static __always_inline struct gmp_g *
__gmp_chan_recv_direct(struct gmp_chan *c, struct gmp_sudog *sg, void *elem)
	__must_hold(&c->lock)
{
	void *slot;

	if (!c->dataqsiz) {
		gmp_chan_copy(c, elem, sg->elem);
	} else {
		slot = gmp_chan_slot(c, c->recvx);
		gmp_chan_copy(c, elem, slot);
		gmp_chan_copy(c, slot, sg->elem);
		if (++c->recvx == c->dataqsiz)
			c->recvx = 0;
		c->sendx = c->recvx;
	}
	return gmp_sudog_complete(sg, true);
}

/**
 * gmp_chan_trysend_locked() - a send that does not block, under the lock
 * @c:		the channel, locked
 * @elem:	the value
 * @readyp:	set to a G the caller must gmp_goready() after unlocking
 *
 * Context: any, with @c->lock held.
 * Return: 0 when sent, -EAGAIN when it would block, -EPIPE when closed.
 */
static __always_inline int gmp_chan_trysend_locked(struct gmp_chan *c,
						   const void *elem,
						   struct gmp_g **readyp)
	__must_hold(&c->lock)
{
	struct gmp_sudog *sg;

	lockdep_assert_held(&c->lock);
	if (c->closed)
		return -EPIPE;
	sg = gmp_waitq_dequeue(c, &c->recvq);
	if (sg) {
		*readyp = __gmp_chan_send_direct(c, sg, elem);
		return 0;
	}
	if (c->qcount < c->dataqsiz) {
		__gmp_chan_bufput(c, elem);
		return 0;
	}
	return -EAGAIN;
}

/**
 * gmp_chan_tryrecv_locked() - a receive that does not block, under the lock
 * @c:		the channel, locked
 * @elem:	where to store the value, or NULL
 * @ok:		set to false for a closed and drained channel, else true; or
 *		NULL
 * @readyp:	set to a G the caller must gmp_goready() after unlocking
 *
 * Context: any, with @c->lock held.
 * Return: 0 when something was received (maybe the zero value of a
 * closed channel), -EAGAIN when it would block.
 */
static __always_inline int gmp_chan_tryrecv_locked(struct gmp_chan *c,
						   void *elem, bool *ok,
						   struct gmp_g **readyp)
	__must_hold(&c->lock)
{
	struct gmp_sudog *sg;

	lockdep_assert_held(&c->lock);
	if (c->closed && !c->qcount) {
		gmp_chan_zero(c, elem);
		gmp_chan_set_ok(ok, false);
		return 0;
	}
	sg = gmp_waitq_dequeue(c, &c->sendq);
	if (sg)
		*readyp = __gmp_chan_recv_direct(c, sg, elem);
	else if (c->qcount)
		__gmp_chan_bufget(c, elem);
	else
		return -EAGAIN;
	gmp_chan_set_ok(ok, true);
	return 0;
}

/*
 * __gmp_chan_trysend(), __gmp_chan_tryrecv(): the two above, out of line
 * for select (sync/select.c); send and receive inline them, since every
 * channel operation starts with one.
 */
int __gmp_chan_trysend(struct gmp_chan *c, const void *elem,
		       struct gmp_g **readyp)
	__must_hold(&c->lock)
{
	return gmp_chan_trysend_locked(c, elem, readyp);
}

int __gmp_chan_tryrecv(struct gmp_chan *c, void *elem, bool *ok,
		       struct gmp_g **readyp)
	__must_hold(&c->lock)
{
	return gmp_chan_tryrecv_locked(c, elem, ok, readyp);
}

/* ---- parking ------------------------------------------------------------ */

/* Runs on g0 once the G is off its stack; interrupts stay off. */
static bool gmp_chan_park_commit(struct gmp_g *gp, void *arg)
	__releases(&((struct gmp_chan *)arg)->lock)
{
	struct gmp_chan *c = arg;

	raw_spin_unlock(&c->lock);
	return true;
}

/*
 * Queue the running G on @q and park until a waker claims the wait.
 * Entered with @c locked and interrupts saved in @flags; returns with
 * both released.
 */
static void gmp_chan_park(struct gmp_chan *c, struct list_head *q,
			  struct gmp_chanwait *w, struct gmp_sudog *sg,
			  unsigned long flags, enum gmp_wait_reason reason)
	__releases(&c->lock)
{
	list_add_tail(&sg->link, q);
	for (;;) {
		gmp_gopark(gmp_chan_park_commit, c, reason);
		__release(&c->lock);	/* by gmp_chan_park_commit(), for sparse */
		/* The claimer wrote ->done before readying us (see above). */
		if (likely(atomic_read(&w->done)))
			break;
		/* Readied by someone who does not own the wait: park again. */
		WARN_ON_ONCE(1);
		raw_spin_lock(&c->lock);
		if (atomic_read(&w->done)) {
			raw_spin_unlock(&c->lock);
			break;
		}
	}
	local_irq_restore(flags);
}

static int gmp_chan_send_slow(struct gmp_g *gp, struct gmp_chan *c,
			      const void *elem, unsigned long flags)
	__releases(&c->lock)
{
	struct gmp_chanwait w;
	struct gmp_sudog sg;

	/* Whole before it is published: a canceller walks its sudogs. */
	gmp_chanwait_init(&w, gp, &sg, 1);
	gmp_sudog_init(&sg, &w, c, (void *)elem);
	if (gmp_g_wait_register(w.g, &w.wc)) {
		raw_spin_unlock_irqrestore(&c->lock, flags);
		return -ECANCELED;
	}
	gmp_chan_park(c, &c->sendq, &w, &sg, flags, GMP_WAIT_CHAN_SEND);
	gmp_g_wait_unregister(w.g);
	if (!w.winner)
		return -ECANCELED;
	return sg.success ? 0 : -EPIPE;
}

static int gmp_chan_recv_slow(struct gmp_g *gp, struct gmp_chan *c,
			      void *elem, bool *ok, unsigned long flags)
	__releases(&c->lock)
{
	struct gmp_chanwait w;
	struct gmp_sudog sg;

	/* Whole before it is published: a canceller walks its sudogs. */
	gmp_chanwait_init(&w, gp, &sg, 1);
	gmp_sudog_init(&sg, &w, c, elem);
	if (gmp_g_wait_register(w.g, &w.wc)) {
		raw_spin_unlock_irqrestore(&c->lock, flags);
		return -ECANCELED;
	}
	gmp_chan_park(c, &c->recvq, &w, &sg, flags, GMP_WAIT_CHAN_RECV);
	gmp_g_wait_unregister(w.g);
	if (!w.winner)
		return -ECANCELED;
	/* A close zeroed *elem (gmp_chan_close()). */
	gmp_chan_set_ok(ok, sg.success);
	return 0;
}

static bool gmp_chan_nilwait_commit(struct gmp_g *gp, void *arg)
	__releases(&gmp_chan_nilwait_lock)
{
	raw_spin_unlock(&gmp_chan_nilwait_lock);
	return true;
}

/**
 * gmp_chan_block() - park forever: a nil channel, or a select with none
 * @reason: shown in goroutine dumps
 *
 * Go's block(). Only a cancellation can end it: a G already cancelled
 * returns at once, a parked one needs the plan in the DOC at the top.
 *
 * Context: a goroutine.
 * Return: -ECANCELED, if it ever returns.
 */
int gmp_chan_block(enum gmp_wait_reason reason)
{
	struct gmp_chanwait w;
	unsigned long flags;

	gmp_chanwait_init(&w, __gmp_self(), NULL, 0);
	raw_spin_lock_irqsave(&gmp_chan_nilwait_lock, flags);
	if (gmp_g_wait_register(w.g, &w.wc)) {
		raw_spin_unlock_irqrestore(&gmp_chan_nilwait_lock, flags);
		return -ECANCELED;
	}
	for (;;) {
		gmp_gopark(gmp_chan_nilwait_commit, NULL, reason);
		__release(&gmp_chan_nilwait_lock);	/* by the commit, for sparse */
		if (likely(atomic_read(&w.done)))
			break;
		WARN_ON_ONCE(1);	/* readied by a stranger: park again */
		raw_spin_lock(&gmp_chan_nilwait_lock);
	}
	local_irq_restore(flags);
	gmp_g_wait_unregister(w.g);
	return -ECANCELED;
}

/**
 * gmp_chanwait_claim() - claim a wait for a canceller
 * @w: the wait
 *
 * Context: any; the caller must know @w is alive (see the DOC above).
 * Return: true if the wait was still armed: the G now stays parked until
 * gmp_chanwait_cancel_claimed(). False if a waker got there first.
 */
bool gmp_chanwait_claim(struct gmp_chanwait *w)
{
	int zero = 0;

	/* Fully ordered; pairs with the claim in gmp_waitq_dequeue(). */
	return atomic_try_cmpxchg(&w->done, &zero, 1);
}

/**
 * gmp_chanwait_cancel_claimed() - end a wait claimed for cancellation
 * @w: the wait, claimed with gmp_chanwait_claim()
 *
 * Takes every sudog off its channel and readies the G; its blocking call
 * returns -ECANCELED (->winner stays NULL).
 *
 * Context: any, holding no channel lock (takes them one at a time).
 */
void gmp_chanwait_cancel_claimed(struct gmp_chanwait *w)
{
	struct gmp_sudog *sg;
	unsigned long flags;
	unsigned int i;

	/* Ours: the G stays parked, its frame in place, until we ready it. */
	for (i = 0; i < w->nsg; i++) {
		sg = &w->sg[i];
		raw_spin_lock_irqsave(&sg->c->lock, flags);
		if (!list_empty(&sg->link))
			list_del_init(&sg->link);
		raw_spin_unlock_irqrestore(&sg->c->lock, flags);
	}
	if (!w->nsg) {
		/* Wait for the nil park's unlock function to be done. */
		raw_spin_lock_irqsave(&gmp_chan_nilwait_lock, flags);
		raw_spin_unlock_irqrestore(&gmp_chan_nilwait_lock, flags);
	}
	gmp_goready(w->g);
}

/**
 * gmp_chanwait_cancel() - end a parked channel wait with -ECANCELED
 * @w: the wait
 *
 * gmp_chanwait_claim() then gmp_chanwait_cancel_claimed(): does nothing if
 * a waker claimed @w first.
 *
 * Context: any, holding no channel lock. @w must stay valid for the call,
 * i.e. the caller must know the G cannot return from the wait meanwhile.
 * Return: true if this call ended the wait.
 */
bool gmp_chanwait_cancel(struct gmp_chanwait *w)
{
	if (!gmp_chanwait_claim(w))
		return false;
	gmp_chanwait_cancel_claimed(w);
	return true;
}

static bool gmp_chanwait_wc_claim(struct gmp_waitcancel *wc)
{
	return gmp_chanwait_claim(container_of(wc, struct gmp_chanwait, wc));
}

static void gmp_chanwait_wc_cancel(struct gmp_waitcancel *wc)
{
	gmp_chanwait_cancel_claimed(container_of(wc, struct gmp_chanwait, wc));
}

/* Step 4 of the plan: how gmp_g_cancel() reaches a parked channel wait. */
static const struct gmp_waitcancel_ops gmp_chanwait_cancel_ops = {
	.claim = gmp_chanwait_wc_claim,
	.cancel = gmp_chanwait_wc_cancel,
};

/* ---- lifetime ----------------------------------------------------------- */

/**
 * gmp_chan_create() - make a channel (Go's make(chan T, cap))
 * @elem_size:	bytes per element, 0 to GMP_CHAN_MAX_ELEM (0 makes a pure
 *		signalling channel, Go's chan struct{})
 * @cap:	buffered elements; 0 for an unbuffered channel
 *
 * Context: process context or a goroutine; may sleep.
 * Return: the channel, holding one reference, or ERR_PTR(-EINVAL) for a
 * bad size, ERR_PTR(-ENOMEM).
 */
struct gmp_chan *gmp_chan_create(size_t elem_size, unsigned int cap)
{
	struct gmp_chan *c;
	size_t bytes;

	if (elem_size > GMP_CHAN_MAX_ELEM ||
	    check_mul_overflow(elem_size, (size_t)cap, &bytes) ||
	    check_add_overflow(bytes, sizeof(*c), &bytes) || bytes > INT_MAX)
		return ERR_PTR(-EINVAL);
	c = kvzalloc(bytes, GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	raw_spin_lock_init(&c->lock);
	c->dataqsiz = cap;
	c->elemsize = elem_size;
	INIT_LIST_HEAD(&c->recvq);
	INIT_LIST_HEAD(&c->sendq);
	refcount_set(&c->ref, 1);
	return c;
}
EXPORT_SYMBOL_GPL(gmp_chan_create);

/**
 * gmp_chan_get() - take a reference to a channel
 * @c: the channel, or NULL
 *
 * Context: any.
 * Return: @c.
 */
struct gmp_chan *gmp_chan_get(struct gmp_chan *c)
{
	if (c)
		refcount_inc(&c->ref);
	return c;
}
EXPORT_SYMBOL_GPL(gmp_chan_get);

/**
 * gmp_chan_put() - drop a reference; the last one frees the channel
 * @c: the channel, or NULL
 *
 * Values still buffered are dropped with it. A G must not be parked on
 * the channel then: each blocked caller holds a reference.
 *
 * Context: any, hardirq included (the memory goes after an RCU grace
 * period).
 */
void gmp_chan_put(struct gmp_chan *c)
{
	if (!c || !refcount_dec_and_test(&c->ref))
		return;
	/* A parked G would never wake: leak the channel rather than free it. */
	if (WARN_ON_ONCE(!list_empty(&c->recvq) || !list_empty(&c->sendq)))
		return;
	kvfree_rcu(c, rcu);
}
EXPORT_SYMBOL_GPL(gmp_chan_put);

/* ---- the API ------------------------------------------------------------ */

/**
 * gmp_chan_send() - send a value, blocking while the channel is full
 * @c:		the channel; NULL blocks forever, as in Go
 * @elem:	the value, elem_size bytes (may be NULL if that is 0)
 *
 * The value is copied before this returns: straight into a waiting
 * receiver's buffer, into the channel's buffer, or by the receiver that
 * takes it from this parked goroutine.
 *
 * Context: a goroutine. Parks the goroutine, not its kernel thread.
 * Return: 0 once sent; -EPIPE if the channel is closed, or gets closed
 * while this waits (Go panics); -EPERM outside a goroutine; -EINVAL for a
 * NULL @elem with a non-zero element size; -ECANCELED instead of blocking
 * if the goroutine was cancelled (gmp_g_cancel()).
 */
int gmp_chan_send(struct gmp_chan *c, const void *elem)
{
	struct gmp_g *gp = __gmp_self(), *ready = NULL;
	unsigned long flags;
	int ret;

	if (!gp)
		return -EPERM;
	if (!c)
		return gmp_chan_block(GMP_WAIT_CHAN_SEND);
	if (!elem && c->elemsize)
		return -EINVAL;
	raw_spin_lock_irqsave(&c->lock, flags);
	ret = gmp_chan_trysend_locked(c, elem, &ready);
	if (ret == -EAGAIN)
		return gmp_chan_send_slow(gp, c, elem, flags);
	raw_spin_unlock_irqrestore(&c->lock, flags);
	if (ready)
		gmp_goready(ready);
	return ret;
}
EXPORT_SYMBOL_GPL(gmp_chan_send);

/**
 * gmp_chan_recv() - receive a value, blocking while the channel is empty
 * @c:		the channel; NULL blocks forever, as in Go
 * @elem:	where to store the value (elem_size bytes), or NULL to drop it
 * @ok:		if not NULL: true for a value sent, false for the zero value
 *		of a closed and drained channel (Go's v, ok := <-c)
 *
 * Context: a goroutine. Parks the goroutine, not its kernel thread.
 * Return: 0 (see @ok), -EPERM outside a goroutine, or -ECANCELED instead
 * of blocking if the goroutine was cancelled (gmp_g_cancel()).
 */
int gmp_chan_recv(struct gmp_chan *c, void *elem, bool *ok)
{
	struct gmp_g *gp = __gmp_self(), *ready = NULL;
	unsigned long flags;
	int ret;

	if (!gp)
		return -EPERM;
	if (!c)
		return gmp_chan_block(GMP_WAIT_CHAN_RECV);
	raw_spin_lock_irqsave(&c->lock, flags);
	ret = gmp_chan_tryrecv_locked(c, elem, ok, &ready);
	if (ret == -EAGAIN)
		return gmp_chan_recv_slow(gp, c, elem, ok, flags);
	raw_spin_unlock_irqrestore(&c->lock, flags);
	if (ready)
		gmp_goready(ready);
	return ret;
}
EXPORT_SYMBOL_GPL(gmp_chan_recv);

/*
 * Go's full(): a send would block, if the channel is not closed. Racy by
 * design: each read is a single word, and the caller acts as if it
 * observed the channel at that moment.
 */
static bool gmp_chan_full(struct gmp_chan *c)
{
	if (!c->dataqsiz)
		return list_empty(&c->recvq);	/* READ_ONCE() of ->next */
	return READ_ONCE(c->qcount) == c->dataqsiz;
}

/* Go's empty(): a receive would block, if the channel is not closed. */
static bool gmp_chan_empty(struct gmp_chan *c)
{
	if (!c->dataqsiz)
		return list_empty(&c->sendq);
	return !READ_ONCE(c->qcount);
}

/**
 * gmp_chan_try_send() - send a value if that does not block
 * @c:		the channel; NULL is never ready
 * @elem:	the value
 *
 * Go's select with one send case and a default. A receiver it hands the
 * value to is readied; from hardirq that goes through a P's inbox.
 *
 * Context: any, hardirq included.
 * Return: 0 once sent, -EAGAIN if it would block, -EPIPE if the channel
 * is closed, -EINVAL for a NULL @elem with a non-zero element size.
 */
int gmp_chan_try_send(struct gmp_chan *c, const void *elem)
{
	struct gmp_g *ready = NULL;
	unsigned long flags;
	int ret;

	if (!c)
		return -EAGAIN;
	if (!elem && c->elemsize)
		return -EINVAL;
	/*
	 * Go's fast path: not closed, then not ready. A closed channel never
	 * becomes ready again, so in either read order the two observations
	 * imply a moment when it was open and full.
	 */
	if (!READ_ONCE(c->closed) && gmp_chan_full(c))
		return -EAGAIN;
	raw_spin_lock_irqsave(&c->lock, flags);
	ret = gmp_chan_trysend_locked(c, elem, &ready);
	raw_spin_unlock_irqrestore(&c->lock, flags);
	if (ready)
		gmp_goready(ready);
	return ret;
}
EXPORT_SYMBOL_GPL(gmp_chan_try_send);

/* Go's fast path of a non-blocking receive; true if it would block. */
static bool gmp_chan_recv_would_block(struct gmp_chan *c)
{
	if (!gmp_chan_empty(c))
		return false;
	/*
	 * Empty, then not closed: as it cannot reopen, it was open when it
	 * was seen empty. The read order matters: pairs with the lock
	 * release/acquire chain that orders a sender's qcount (or queue)
	 * update before a later close.
	 */
	smp_rmb();
	return !READ_ONCE(c->closed);
}

/**
 * gmp_chan_try_recv() - receive a value if that does not block
 * @c:		the channel; NULL is never ready
 * @elem:	where to store the value, or NULL
 * @ok:		as for gmp_chan_recv()
 *
 * Context: any, hardirq included.
 * Return: 0 when something was received (see @ok), -EAGAIN if it would
 * block.
 */
int gmp_chan_try_recv(struct gmp_chan *c, void *elem, bool *ok)
{
	struct gmp_g *ready = NULL;
	unsigned long flags;
	int ret;

	if (!c || gmp_chan_recv_would_block(c))
		return -EAGAIN;
	raw_spin_lock_irqsave(&c->lock, flags);
	ret = gmp_chan_tryrecv_locked(c, elem, ok, &ready);
	raw_spin_unlock_irqrestore(&c->lock, flags);
	if (ready)
		gmp_goready(ready);
	return ret;
}
EXPORT_SYMBOL_GPL(gmp_chan_try_recv);

/* Claim every sudog on @q for close(): zero receivers' buffers. */
static void __gmp_chan_release_all(struct gmp_chan *c, struct list_head *q,
				   bool zero, struct gmp_gqueue *ready)
	__must_hold(&c->lock)
{
	struct gmp_sudog *sg;

	while ((sg = gmp_waitq_dequeue(c, q))) {
		if (zero)
			gmp_chan_zero(c, sg->elem);
		/* Ours to link: a claimed, parked G (Go's glist). */
		gmp_gqueue_push(ready, gmp_sudog_complete(sg, false));
	}
}

/**
 * gmp_chan_close() - close a channel (Go's close(c))
 * @c: the channel
 *
 * Readies every parked G: receivers get the zero value with ok = false
 * once the buffer is drained, senders get -EPIPE.
 *
 * Context: any, hardirq included.
 * Return: 0, -EINVAL for a NULL channel, -EPIPE if it was already closed
 * (both panic in Go).
 */
int gmp_chan_close(struct gmp_chan *c)
{
	struct gmp_gqueue ready = {};
	unsigned long flags;
	struct gmp_g *gp;

	if (!c)
		return -EINVAL;
	raw_spin_lock_irqsave(&c->lock, flags);
	if (c->closed) {
		raw_spin_unlock_irqrestore(&c->lock, flags);
		return -EPIPE;
	}
	WRITE_ONCE(c->closed, true);	/* racy readers: the try fast paths */
	__gmp_chan_release_all(c, &c->recvq, true, &ready);
	__gmp_chan_release_all(c, &c->sendq, false, &ready);
	raw_spin_unlock_irqrestore(&c->lock, flags);
	while ((gp = gmp_gqueue_pop(&ready)))
		gmp_goready(gp);
	return 0;
}
EXPORT_SYMBOL_GPL(gmp_chan_close);

/**
 * gmp_chan_len() - values queued in the buffer (Go's len(c))
 * @c: the channel, or NULL (0)
 *
 * Context: any. A snapshot: it may change before the caller looks.
 * Return: the number of buffered values.
 */
unsigned int gmp_chan_len(struct gmp_chan *c)
{
	return c ? READ_ONCE(c->qcount) : 0;
}
EXPORT_SYMBOL_GPL(gmp_chan_len);

/**
 * gmp_chan_cap() - the buffer's capacity (Go's cap(c))
 * @c: the channel, or NULL (0)
 *
 * Context: any.
 * Return: the capacity given to gmp_chan_create().
 */
unsigned int gmp_chan_cap(struct gmp_chan *c)
{
	return c ? c->dataqsiz : 0;
}
EXPORT_SYMBOL_GPL(gmp_chan_cap);
