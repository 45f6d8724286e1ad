// SPDX-License-Identifier: GPL-2.0
/*
 * gmp select: Go's select.go. Channels are in sync/chan.c, whose DOC
 * explains sudogs and how a wait is claimed; the lock legend is in
 * sched/sched.h.
 *
 * DOC: select
 *
 * gmp_select() runs Go's selectgo() in three passes over the cases whose
 * channel is not NULL (a nil channel's case is never ready):
 *
 *  0. Orders. The poll order is a uniformly random permutation (an
 *     inside-out Fisher-Yates shuffle, seeded once per call from
 *     get_random_u32()), so among ready cases each is equally likely. The
 *     lock order sorts the cases by channel address with a heap sort
 *     (O(n log n), constant stack), starting from the poll order so that
 *     cases on one channel queue in random order.
 *  1. Lock every channel in lock order, each once even if it appears in
 *     several cases, and take the first ready case in poll order. If none
 *     is ready and the caller gave a default (@block false), unlock and
 *     return -EAGAIN.
 *  2. Queue a sudog on every case's channel, all sharing one wait, and
 *     park; gmp_select_park_commit() unlocks in reverse order once the G
 *     is off its stack (Go's selparkcommit). The first waker to claim the
 *     wait completes its own case through that sudog and readies the G;
 *     wakers on other channels skip the claimed sudogs.
 *  3. Woken: lock everything again, take the losers' sudogs off their
 *     channels, unlock, and report the winner.
 *
 * Holding every channel lock at once is what makes a non-blocking select
 * act on the channels' state at one instant (TestNonblockSelectRace). A
 * send and a receive on the same unbuffered channel in one select never
 * pair up: only an arriving operation dequeues a parked sudog, and a G's
 * sudogs are all claimed together.
 *
 * Lockdep sees the channel locks, one class, taken in a batch: they are
 * acquired under a nest map (gmp_select_nest), as mm_take_all_locks() does
 * under mmap_lock, so lockdep neither calls the batch recursive locking nor
 * runs out of held-lock slots with many cases. The address order is what
 * makes the batch deadlock-free.
 *
 * Adding a timer case (time.After) needs no new wake path. Either the
 * timer is a channel its hrtimer callback try-sends to, as in Go, and the
 * case is an ordinary receive; or a dedicated direction adds a branch to
 * gmp_select_case_poll() (ready when expired), to gmp_select_park_commit()
 * (arm the hrtimer there, on g0, as gmp_sleep() does, so it cannot fire
 * before the G is parked; its callback then claims the wait with
 * gmp_chanwait_claim(), sets ->winner to the case's channel-less sudog and
 * readies the G) and to gmp_select_wakeup() (cancel the hrtimer).
 *
 * Small selects keep their orders and sudogs on the stack: goroutines may
 * run on one-page stacks, so the frame stays small, and a select of more
 * than GMP_SELECT_STACK_CASES cases allocates them.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "sync.h"

#define GMP_SELECT_STACK_CASES	4

/*
 * A select in progress: lives in gmp_select()'s frame, as one object so
 * that KASAN pads the frame once. Small selects use the buffers inside.
 */
struct gmp_selctx {
	struct gmp_select_case *cases;
	u16 *pollorder;
	u16 *lockorder;
	struct gmp_sudog *sg;		/* one per lock-order slot */
	int norder;			/* cases with a channel */
	struct gmp_chanwait w;
	struct gmp_sudog sgbuf[GMP_SELECT_STACK_CASES];
	u16 orderbuf[2 * GMP_SELECT_STACK_CASES];
};

#ifdef CONFIG_DEBUG_LOCK_ALLOC
/* Held by lockdep's bookkeeping only, never for mutual exclusion. */
static struct gmp_select_nest {
	struct lockdep_map dep_map;
} gmp_select_nest = {
	.dep_map = STATIC_LOCKDEP_MAP_INIT("gmp_select", &gmp_select_nest),
};

static void gmp_select_nest_acquire(void)
{
	lock_map_acquire(&gmp_select_nest.dep_map);
}

static void gmp_select_nest_release(void)
{
	lock_map_release(&gmp_select_nest.dep_map);
}
#else
static inline void gmp_select_nest_acquire(void) { }
static inline void gmp_select_nest_release(void) { }
#endif

static struct gmp_chan *gmp_selchan(const struct gmp_selctx *sc, u16 casi)
{
	return sc->cases[casi].c;
}

/* ---- pass 0: orders ----------------------------------------------------- */

static u32 gmp_select_rand(u32 *state)
{
	u32 x = *state;

	/* xorshift32, seeded per call from get_random_u32(); never 0. */
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return x;
}

/* Inside-out Fisher-Yates over the cases with a channel (Go's pollorder). */
static void gmp_select_pollorder(struct gmp_selctx *sc, int ncases)
{
	u32 seed = ncases > 1 ? get_random_u32() | 1 : 1;
	int i, j, n = 0;

	for (i = 0; i < ncases; i++) {
		if (!sc->cases[i].c)
			continue;
		/* Uniform in [0, n]: the high half of a 32x32 product. */
		j = ((u64)gmp_select_rand(&seed) * (n + 1)) >> 32;
		sc->pollorder[n] = sc->pollorder[j];
		sc->pollorder[j] = i;
		n++;
	}
	sc->norder = n;
}

/* Heap sort of the poll order by channel address into the lock order. */
static void gmp_select_lockorder(struct gmp_selctx *sc)
{
	u16 *lo = sc->lockorder;
	int i, j, k, n = sc->norder;
	unsigned long key;
	u16 o;

	for (i = 0; i < n; i++) {		/* build a max-heap */
		o = sc->pollorder[i];
		key = (unsigned long)gmp_selchan(sc, o);
		for (j = i; j > 0; j = (j - 1) / 2) {
			if ((unsigned long)gmp_selchan(sc, lo[(j - 1) / 2]) >= key)
				break;
			lo[j] = lo[(j - 1) / 2];
		}
		lo[j] = o;
	}
	for (i = n - 1; i > 0; i--) {		/* move the max to the end */
		o = lo[i];
		key = (unsigned long)gmp_selchan(sc, o);
		lo[i] = lo[0];
		for (j = 0; (k = 2 * j + 1) < i; j = k) {
			if (k + 1 < i && (unsigned long)gmp_selchan(sc, lo[k]) <
					 (unsigned long)gmp_selchan(sc, lo[k + 1]))
				k++;
			if (key >= (unsigned long)gmp_selchan(sc, lo[k]))
				break;
			lo[j] = lo[k];
		}
		lo[j] = o;
	}
}

/* ---- locking ------------------------------------------------------------ */

/*
 * Go's sellock. Interrupts are off. For sparse, the channel locks taken
 * in the loop count as one context, "sellock", which gmp_select_unlock()
 * (or the park commit) releases.
 */
static void gmp_select_lock(struct gmp_selctx *sc)
	__acquires(sellock)
{
	struct gmp_chan *c, *prev = NULL;
	int i;

	lockdep_assert_irqs_disabled();
	gmp_select_nest_acquire();
	for (i = 0; i < sc->norder; i++) {
		c = gmp_selchan(sc, sc->lockorder[i]);
		if (c != prev) {
			raw_spin_lock_nest_lock(&c->lock, &gmp_select_nest);
			__release(&c->lock);	/* counted in sellock */
		}
		prev = c;
	}
	__acquire(sellock);
}

/*
 * Go's selunlock: reverse order. Once one of its channels is unlocked, a
 * parked select may be readied and run on another M, but its pass 3 waits
 * for every lock; after the last unlock it may have returned, so nothing
 * in @sc is read after that.
 */
static void gmp_select_unlock(struct gmp_selctx *sc)
	__releases(sellock)
{
	struct gmp_chan *c;
	int i;

	for (i = sc->norder - 1; i >= 0; i--) {
		c = gmp_selchan(sc, sc->lockorder[i]);
		if (i > 0 && gmp_selchan(sc, sc->lockorder[i - 1]) == c)
			continue;	/* unlocked with its first occurrence */
		__acquire(&c->lock);	/* counted in sellock */
		raw_spin_unlock(&c->lock);
	}
	gmp_select_nest_release();
	__release(sellock);
}

static bool gmp_select_park_commit(struct gmp_g *gp, void *arg)
	__releases(sellock)
{
	gmp_select_unlock(arg);
	return true;
}

/* ---- passes 1 to 3 ------------------------------------------------------ */

/* One case, with its channel locked: 0, -EAGAIN or -EPIPE. */
static int gmp_select_case_poll(struct gmp_select_case *cas,
				struct gmp_g **readyp)
{
	int ret;

	if (cas->dir == GMP_SELECT_RECV)
		return __gmp_chan_tryrecv(cas->c, cas->elem, cas->ok, readyp);
	ret = __gmp_chan_trysend(cas->c, cas->elem, readyp);
	if (ret != -EAGAIN && cas->ok)
		*cas->ok = !ret;
	return ret;
}

/* Pass 1: the first ready case in poll order, or -EAGAIN. */
static int gmp_select_poll(struct gmp_selctx *sc, struct gmp_g **readyp)
{
	int i, ret;
	u16 casi;

	for (i = 0; i < sc->norder; i++) {
		casi = sc->pollorder[i];
		ret = gmp_select_case_poll(&sc->cases[casi], readyp);
		if (ret != -EAGAIN)
			return ret ?: casi;
	}
	return -EAGAIN;
}

/*
 * The wait and a sudog per channel, in lock order, before the wait is
 * published to cancellers (gmp_g_wait_register()), who walk the sudogs.
 */
static void gmp_select_wait_init(struct gmp_selctx *sc)
{
	struct gmp_select_case *cas;
	int i;

	gmp_chanwait_init(&sc->w, __gmp_self(), sc->sg, sc->norder);
	for (i = 0; i < sc->norder; i++) {
		cas = &sc->cases[sc->lockorder[i]];
		gmp_sudog_init(&sc->sg[i], &sc->w, cas->c, cas->elem);
	}
}

/* Pass 2: a sudog on every channel, in lock order. */
static void gmp_select_enqueue(struct gmp_selctx *sc)
{
	struct gmp_select_case *cas;
	int i;

	for (i = 0; i < sc->norder; i++) {
		cas = &sc->cases[sc->lockorder[i]];
		list_add_tail(&sc->sg[i].link, cas->dir == GMP_SELECT_RECV ?
			      &cas->c->recvq : &cas->c->sendq);
	}
}

/* Pass 3: dequeue the losers, then report the winner. */
static int gmp_select_wakeup(struct gmp_selctx *sc)
{
	struct gmp_sudog *win = sc->w.winner;
	struct gmp_select_case *cas;
	int i, casi = -ECANCELED;

	gmp_select_lock(sc);
	for (i = 0; i < sc->norder; i++) {
		if (&sc->sg[i] == win)
			casi = sc->lockorder[i];
		else if (!list_empty(&sc->sg[i].link))
			list_del_init(&sc->sg[i].link);
	}
	gmp_select_unlock(sc);
	if (casi < 0)
		return casi;
	cas = &sc->cases[casi];
	if (cas->ok)
		*cas->ok = win->success;	/* a close zeroed a receiver */
	if (cas->dir == GMP_SELECT_SEND && !win->success)
		return -EPIPE;
	return casi;
}

/* Pass 2 and the park; entered with everything locked. */
static int gmp_select_block(struct gmp_selctx *sc)
	__releases(sellock)
{
	gmp_select_enqueue(sc);
	for (;;) {
		gmp_gopark(gmp_select_park_commit, sc, GMP_WAIT_SELECT);
		__release(sellock);	/* by gmp_select_park_commit() */
		/* The claimer wrote ->done before readying us. */
		if (likely(atomic_read(&sc->w.done)))
			break;
		WARN_ON_ONCE(1);	/* readied by a stranger: park again */
		gmp_select_lock(sc);
	}
	return gmp_select_wakeup(sc);
}

static int __gmp_select(struct gmp_selctx *sc, int ncases, bool block)
{
	struct gmp_g *ready = NULL;
	unsigned long flags;
	int ret;

	gmp_select_pollorder(sc, ncases);
	if (!sc->norder)
		return block ? gmp_chan_block(GMP_WAIT_SELECT) : -EAGAIN;
	gmp_select_lockorder(sc);

	local_irq_save(flags);
	gmp_select_lock(sc);
	ret = gmp_select_poll(sc, &ready);
	if (ret == -EAGAIN && block) {
		gmp_select_wait_init(sc);
		if (gmp_g_wait_register(__gmp_self(), &sc->w.wc))
			ret = -ECANCELED;
	}
	if (ret == -EAGAIN && block) {
		ret = gmp_select_block(sc);
		gmp_g_wait_unregister(__gmp_self());
	} else {
		gmp_select_unlock(sc);
	}
	local_irq_restore(flags);
	if (ready)
		gmp_goready(ready);
	return ret;
}

static int gmp_select_check(struct gmp_select_case *cases, int ncases,
			    bool block)
{
	int i;

	if (ncases < 0 || ncases > GMP_SELECT_MAX_CASES || (ncases && !cases))
		return -EINVAL;
	for (i = 0; i < ncases; i++) {
		if (cases[i].dir != GMP_SELECT_SEND &&
		    cases[i].dir != GMP_SELECT_RECV)
			return -EINVAL;
		if (cases[i].dir == GMP_SELECT_SEND && cases[i].c &&
		    cases[i].c->elemsize && !cases[i].elem)
			return -EINVAL;
	}
	if (block && !__gmp_self())
		return -EPERM;
	return 0;
}

/**
 * gmp_select() - Go's select statement
 * @cases:	the cases; a case with a NULL channel is never ready
 * @ncases:	how many, 0 to GMP_SELECT_MAX_CASES
 * @block:	false adds a default case: return at once if none is ready
 *
 * Waits until one case can proceed and performs it; when several can,
 * chooses one uniformly at random. The same channel may appear in several
 * cases, in both directions; a send and a receive of the same select never
 * pair with each other. With no case and @block, parks forever, as Go's
 * empty select.
 *
 * Context: a goroutine if @block; any context otherwise, hardirq
 * included (a select of more than 4 cases then allocates with GFP_ATOMIC
 * when it cannot sleep; on PREEMPT_RT, whose allocator takes sleeping
 * locks, it cannot allocate there and returns -ENOMEM).
 * Return: the index of the case performed (see &struct gmp_select_case
 * for its @ok); -EAGAIN if @block is false and no case was ready; -EPIPE
 * if the case chosen sends on a closed channel (Go panics; its @ok is set
 * to false); -EINVAL for a bad @ncases, direction, or a NULL send value;
 * -EPERM for @block outside a goroutine; -ENOMEM; -ECANCELED instead of
 * blocking if the goroutine was cancelled (gmp_g_cancel()).
 */
int gmp_select(struct gmp_select_case *cases, int ncases, bool block)
{
	gfp_t gfp = block || preemptible() ? GFP_KERNEL : GFP_ATOMIC;
	struct gmp_selctx sc;
	void *mem = NULL;
	int ret;

	ret = gmp_select_check(cases, ncases, block);
	if (ret)
		return ret;
	sc.cases = cases;
	sc.sg = sc.sgbuf;
	sc.pollorder = sc.orderbuf;
	if (ncases > GMP_SELECT_STACK_CASES) {
		if (IS_ENABLED(CONFIG_PREEMPT_RT) && gfp == GFP_ATOMIC)
			return -ENOMEM;
		/* Sudogs first: they need the stricter alignment. */
		mem = kmalloc_array(ncases, sizeof(*sc.sg) + 2 * sizeof(u16),
				    gfp);
		if (!mem)
			return -ENOMEM;
		sc.sg = mem;
		sc.pollorder = (u16 *)(sc.sg + ncases);
	}
	sc.lockorder = sc.pollorder + ncases;
	ret = __gmp_select(&sc, ncases, block);
	kfree(mem);
	return ret;
}
EXPORT_SYMBOL_GPL(gmp_select);
