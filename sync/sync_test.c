// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the semaphore, WaitGroup and mutex (sync/sema.c, sync/waitgroup.c, sync/mutex.c),
 * ported from Go's runtime/sema_test.go and sync's waitgroup_test.go and
 * mutex_test.go where Go has a test.
 *
 * Strategy: as in chan_test.c -- bodies run in goroutines, record the
 * first failure in a struct ct, and the KUnit thread waits for them with a
 * bounded timeout, so a lost wakeup fails the case instead of hanging the
 * boot. Counts are exact. The starvation test drives the mutex through a
 * fixed sequence from the KUnit thread and checks the order of owners.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <linux/stdarg.h>

#include "sched/sched.h"
#include "sync/kunit_util.h"

/* ---- helpers ---------------------------------------------------------- */

/* A one-shot hardirq callback: an hrtimer that runs @fn(@arg). */
struct hi_timer {
	struct hrtimer timer;
	void (*fn)(void *arg);
	void *arg;
	bool in_hardirq;
	atomic_t fired;
};

static enum hrtimer_restart hi_timer_fn(struct hrtimer *timer)
{
	struct hi_timer *h = container_of(timer, struct hi_timer, timer);

	h->in_hardirq = in_hardirq();
	h->fn(h->arg);
	atomic_set(&h->fired, 1);
	return HRTIMER_NORESTART;
}

static void hi_timer_start(struct hi_timer *h, void (*fn)(void *), void *arg)
{
	h->fn = fn;
	h->arg = arg;
	atomic_set(&h->fired, 0);
	hrtimer_init(&h->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	h->timer.function = hi_timer_fn;
	hrtimer_start(&h->timer, ms_to_ktime(2), HRTIMER_MODE_REL_HARD);
}

/* ---- semaphore ------------------------------------------------------------------ */

/* Tokens count down and up; blocking outside a goroutine is -EPERM. */
static void sema_counts_tokens_and_eperm_outside_goroutine(struct kunit *test)
{
	struct gmp_sema s;

	gmp_sema_init(&s, 2);
	KUNIT_EXPECT_TRUE(test, gmp_sema_tryacquire(&s));
	KUNIT_EXPECT_EQ(test, gmp_sema_acquire(&s), -EPERM);
	KUNIT_EXPECT_TRUE(test, gmp_sema_tryacquire(&s));
	KUNIT_EXPECT_FALSE(test, gmp_sema_tryacquire(&s));
	gmp_sema_release(&s);
	KUNIT_EXPECT_TRUE(test, gmp_sema_tryacquire(&s));
	KUNIT_EXPECT_FALSE(test, gmp_sema_tryacquire(&s));
	KUNIT_EXPECT_EQ(test, atomic_read(&s.nwait), 0);
}

struct sf_ctx;

struct sf_arg {
	struct sf_ctx *x;
	int id;
};

struct sf_ctx {
	struct gmp_sema s;
	atomic_t n;
	int order[8];
	struct sf_arg args[5];
};

static void sf_waiter(void *arg)
{
	struct sf_arg *a = arg;
	struct sf_ctx *x = a->x;

	gmp_sema_acquire(&x->s);
	x->order[atomic_read(&x->n)] = a->id;
	atomic_inc(&x->n);
}

/*
 * Parked acquirers are woken in the order they parked: five goroutines
 * queue one after the other, five releases (from a kthread) wake them
 * first to last.
 */
static void sema_wakes_waiters_in_fifo_order(struct kunit *test)
{
	struct sf_ctx *x = ct_alloc(test, sizeof(*x));
	struct sf_arg *args = x ? x->args : NULL;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, args);
	gmp_sema_init(&x->s, 0);
	for (i = 0; i < 5; i++) {
		args[i] = (struct sf_arg){ .x = x, .id = i };
		KUNIT_ASSERT_EQ(test, ct_go(x, sf_waiter, &args[i]), 0);
		KUNIT_ASSERT_TRUE(test, wait_count(&x->s.nwait, i + 1));
	}
	for (i = 0; i < 5; i++) {
		gmp_sema_release(&x->s);
		KUNIT_ASSERT_TRUE(test, wait_count(&x->n, i + 1));
		KUNIT_EXPECT_EQ(test, x->order[i], i);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&x->s.count), 0);
}

struct sc_ctx {
	struct ct *t;
	struct gmp_sema s;
	atomic_t inside;
	atomic_t total;
	atomic_t exited;
};

#define SC_TOKENS 3
#define SC_GS 8
#define SC_ITERS 300

static void sc_worker(void *arg)
{
	struct sc_ctx *x = arg;
	int i, in;

	for (i = 0; i < SC_ITERS; i++) {
		gmp_sema_acquire(&x->s);
		in = atomic_inc_return(&x->inside);
		CT_CHECK(x->t, in <= SC_TOKENS, "%d inside", in);
		if (i % 8 == 0)
			gmp_yield();
		atomic_dec(&x->inside);
		atomic_inc(&x->total);
		gmp_sema_release(&x->s);
	}
	atomic_inc(&x->exited);
}

static void sc_body(struct ct *t, void *arg)
{
	struct sc_ctx *x = arg;

	x->t = t;
	gmp_sema_init(&x->s, SC_TOKENS);
	if (!ct_go_n(t, sc_worker, x, SC_GS))
		return;
	CT_CHECK(t, wait_count(&x->exited, SC_GS), "workers hung");
	CT_CHECK(t, atomic_read(&x->total) == SC_GS * SC_ITERS, "total %d",
		 atomic_read(&x->total));
	CT_CHECK(t, atomic_read(&x->s.count) == SC_TOKENS, "%d tokens left",
		 atomic_read(&x->s.count));
}

/* 8 goroutines share 3 tokens 2,400 times: never more than 3 inside. */
static void sema_limits_concurrency_to_its_tokens(struct kunit *test)
{
	struct sc_ctx *x = ct_alloc(test, sizeof(*x));

	KUNIT_ASSERT_NOT_NULL(test, x);
	ct_run(test, sc_body, x);
}

struct sh_ctx {
	struct gmp_sema s;
	struct gmp_waitgroup wg;
	struct hi_timer h;
	atomic_t done;
};

static void sh_sema_waiter(void *arg)
{
	struct sh_ctx *x = arg;

	gmp_sema_acquire(&x->s);
	atomic_set(&x->done, 1);
}

static void sh_wg_waiter(void *arg)
{
	struct sh_ctx *x = arg;

	gmp_wg_wait(&x->wg);
	atomic_set(&x->done, 1);
}

static void sh_release(void *arg)
{
	gmp_sema_release(arg);
}

static void sh_done(void *arg)
{
	gmp_wg_done(arg);
}

/*
 * gmp_sema_release() and gmp_wg_done() from hardirq (an hrtimer) wake a
 * goroutine parked in gmp_sema_acquire() / gmp_wg_wait().
 */
static void sema_and_wg_release_from_hardirq_wake_goroutine(struct kunit *test)
{
	struct sh_ctx *x = ct_alloc(test, sizeof(*x));

	KUNIT_ASSERT_NOT_NULL(test, x);
	gmp_sema_init(&x->s, 0);
	KUNIT_ASSERT_EQ(test, ct_go(x, sh_sema_waiter, x), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(&x->s.nwait, 1));
	hi_timer_start(&x->h, sh_release, &x->s);
	KUNIT_EXPECT_TRUE(test, wait_count(&x->done, 1));
	KUNIT_EXPECT_TRUE(test, wait_count(&x->h.fired, 1));
	hrtimer_cancel(&x->h.timer);
	KUNIT_EXPECT_TRUE(test, x->h.in_hardirq);

	atomic_set(&x->done, 0);
	gmp_wg_init(&x->wg);
	gmp_wg_add(&x->wg, 1);
	KUNIT_ASSERT_EQ(test, ct_go(x, sh_wg_waiter, x), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(&x->wg.sema.nwait, 1));
	hi_timer_start(&x->h, sh_done, &x->wg);
	KUNIT_EXPECT_TRUE(test, wait_count(&x->done, 1));
	KUNIT_EXPECT_TRUE(test, wait_count(&x->h.fired, 1));
	hrtimer_cancel(&x->h.timer);
	KUNIT_EXPECT_TRUE(test, x->h.in_hardirq);
}

/* ---- WaitGroup --------------------------------------------------------------------- */

#define WG_N 16

struct wg_ctx {
	struct gmp_waitgroup wg1, wg2;
	struct gmp_chan *exited;
	atomic_t gone;
};

static void wg_member(void *arg)
{
	struct wg_ctx *x = arg;
	bool yes = true;

	gmp_wg_done(&x->wg1);
	gmp_wg_wait(&x->wg2);
	gmp_chan_send(x->exited, &yes);
	atomic_inc(&x->gone);
}

static void wg_body(struct ct *t, void *arg)
{
	struct wg_ctx *x = arg;
	int i;

	gmp_wg_init(&x->wg1);
	gmp_wg_init(&x->wg2);
	gmp_wg_add(&x->wg1, WG_N);
	gmp_wg_add(&x->wg2, WG_N);
	if (!ct_go_n(t, wg_member, x, WG_N))
		return;
	gmp_wg_wait(&x->wg1);
	for (i = 0; i < WG_N; i++) {
		CT_CHECK(t, gmp_chan_try_recv(x->exited, NULL, NULL) == -EAGAIN,
			 "WaitGroup released group too soon");
		gmp_wg_done(&x->wg2);
	}
	for (i = 0; i < WG_N; i++)
		gmp_chan_recv(x->exited, NULL, NULL);
	CT_CHECK(t, wait_count(&x->gone, WG_N), "members did not exit");
}

/* Once no goroutine is left to use it. */
static void wg_dtor(void *ctx)
{
	struct wg_ctx *x = ctx;

	ct_chan_put(x->exited);
}

/*
 * Go's TestWaitGroup: 16 goroutines pass a first WaitGroup and wait on a
 * second; none is released before its counter reaches 0, then all are.
 */
static void waitgroup_releases_all_waiters_only_at_zero(struct kunit *test)
{
	struct wg_ctx *x = ct_alloc_dtor(test, sizeof(*x), wg_dtor);

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->exited = gmp_chan_create(sizeof(bool), WG_N);
	KUNIT_ASSERT_FALSE(test, IS_ERR(x->exited));
	ct_run(test, wg_body, x);
}

#define WS_ROUNDS 30
#define WS_WORKERS 20
#define WS_WAITERS 3

struct ws_ctx {
	struct ct *t;
	struct gmp_waitgroup wg;
	atomic_t count;
	atomic_t round;
	atomic_t waited;
};

static void ws_worker(void *arg)
{
	struct ws_ctx *x = arg;

	atomic_inc(&x->count);
	if (atomic_read(&x->count) % 3 == 0)
		gmp_yield();
	gmp_wg_done(&x->wg);
}

static void ws_waiter(void *arg)
{
	struct ws_ctx *x = arg;
	int want = WS_WORKERS * (atomic_read(&x->round) + 1);

	gmp_wg_wait(&x->wg);
	CT_CHECK(x->t, atomic_read(&x->count) >= want, "woken at %d of %d",
		 atomic_read(&x->count), want);
	atomic_inc(&x->waited);
}

static void ws_body(struct ct *t, void *arg)
{
	struct ws_ctx *x = arg;
	int r, want;

	x->t = t;
	gmp_wg_init(&x->wg);
	for (r = 0; r < WS_ROUNDS && !atomic_read(&t->failed); r++) {
		atomic_set(&x->round, r);
		gmp_wg_add(&x->wg, WS_WORKERS);
		if (!ct_go_n(t, ws_waiter, x, WS_WAITERS) ||
		    !ct_go_n(t, ws_worker, x, WS_WORKERS))
			return;
		gmp_wg_wait(&x->wg);
		want = WS_WORKERS * (r + 1);
		CT_CHECK(t, atomic_read(&x->count) == want, "count %d, want %d",
			 atomic_read(&x->count), want);
		/* Every Wait returns before the next Add (Go's rule). */
		CT_CHECK(t, wait_count(&x->waited, WS_WAITERS * (r + 1)),
			 "waiters of round %d hung", r);
	}
}

/*
 * 30 rounds of 20 workers, 3 waiters and the body on one reused WaitGroup:
 * every waiter wakes only once all 20 of its round are done, and each
 * round counts exactly.
 */
static void waitgroup_reuse_rounds_exact_counts(struct kunit *test)
{
	struct ws_ctx *x = ct_alloc(test, sizeof(*x));

	KUNIT_ASSERT_NOT_NULL(test, x);
	ct_run(test, ws_body, x);
	KUNIT_EXPECT_EQ(test, atomic64_read(&x->wg.state), 0LL);
}

/* Wait outside a goroutine is -EPERM; a zero counter returns at once. */
static void waitgroup_wait_outside_goroutine_eperm(struct kunit *test)
{
	struct gmp_waitgroup wg;

	gmp_wg_init(&wg);
	KUNIT_EXPECT_EQ(test, gmp_wg_wait(&wg), -EPERM);
	KUNIT_EXPECT_EQ(test, gmp_wg_add(&wg, 2), 0);
	gmp_wg_done(&wg);
	gmp_wg_done(&wg);
	KUNIT_EXPECT_EQ(test, atomic64_read(&wg.state), 0LL);
}

/* ---- Mutex ------------------------------------------------------------------------- */

#define MX_GS 8
#define MX_ITERS 2000

struct mx_ctx {
	struct ct *t;
	struct gmp_mutex m;
	atomic_t inside;
	long counter;		/* protected by m */
	atomic_t exited;
};

/* Go's HammerMutex: a third trylocks, the rest lock. */
static void mx_hammer(void *arg)
{
	struct mx_ctx *x = arg;
	int i;

	for (i = 0; i < 1000; i++) {
		if (i % 3 == 0) {
			if (gmp_mutex_trylock(&x->m))
				gmp_mutex_unlock(&x->m);
			continue;
		}
		gmp_mutex_lock(&x->m);
		gmp_mutex_unlock(&x->m);
	}
	atomic_inc(&x->exited);
}

static void mx_counter(void *arg)
{
	struct mx_ctx *x = arg;
	int i;

	for (i = 0; i < MX_ITERS; i++) {
		gmp_mutex_lock(&x->m);
		CT_CHECK(x->t, atomic_inc_return(&x->inside) == 1,
			 "two owners");
		x->counter++;
		if (i % 64 == 0)
			gmp_yield();	/* park holders: build a queue */
		atomic_dec(&x->inside);
		gmp_mutex_unlock(&x->m);
	}
	atomic_inc(&x->exited);
}

static void mx_body(struct ct *t, void *arg)
{
	struct mx_ctx *x = arg;

	x->t = t;
	gmp_mutex_init(&x->m);
	gmp_mutex_lock(&x->m);
	CT_CHECK(t, !gmp_mutex_trylock(&x->m),
		 "TryLock succeeded with mutex locked");
	gmp_mutex_unlock(&x->m);
	CT_CHECK(t, gmp_mutex_trylock(&x->m),
		 "TryLock failed with mutex unlocked");
	gmp_mutex_unlock(&x->m);

	if (!ct_go_n(t, mx_hammer, x, 10))
		return;
	CT_CHECK(t, wait_count(&x->exited, 10), "hammers hung");
	atomic_set(&x->exited, 0);
	if (!ct_go_n(t, mx_counter, x, MX_GS))
		return;
	CT_CHECK(t, wait_count(&x->exited, MX_GS), "counters hung");
	gmp_mutex_lock(&x->m);
	CT_CHECK(t, x->counter == MX_GS * MX_ITERS, "counter %ld, want %d",
		 x->counter, MX_GS * MX_ITERS);
	gmp_mutex_unlock(&x->m);
	CT_CHECK(t, atomic_read(&x->m.state) == 0, "state %#x left",
		 atomic_read(&x->m.state));
}

/*
 * Go's TestMutex (TryLock, then 10 goroutines hammering), then 8 goroutines
 * incrementing a plain counter 2,000 times each under the mutex: one owner
 * at a time, exact count, state back to 0.
 */
static void mutex_excludes_and_counts_exactly(struct kunit *test)
{
	struct mx_ctx *x = ct_alloc(test, sizeof(*x));

	KUNIT_ASSERT_NOT_NULL(test, x);
	ct_run(test, mx_body, x);
}

/* Outside a goroutine: lock is -EPERM, trylock and unlock work. */
static void mutex_lock_outside_goroutine_eperm(struct kunit *test)
{
	struct gmp_mutex m;

	gmp_mutex_init(&m);
	KUNIT_EXPECT_EQ(test, gmp_mutex_lock(&m), -EPERM);
	KUNIT_EXPECT_EQ(test, atomic_read(&m.state), 0);
	KUNIT_EXPECT_TRUE(test, gmp_mutex_trylock(&m));
	KUNIT_EXPECT_FALSE(test, gmp_mutex_trylock(&m));
	gmp_mutex_unlock(&m);
	KUNIT_EXPECT_EQ(test, atomic_read(&m.state), 0);
}

struct mf_ctx {
	struct gmp_mutex m;
	atomic_t stop;
	atomic_t hog_done;
	atomic_t waiter_done;
};

static void mf_hog(void *arg)
{
	struct mf_ctx *x = arg;

	while (!atomic_read(&x->stop)) {
		gmp_mutex_lock(&x->m);
		usleep_range(100, 200);
		gmp_mutex_unlock(&x->m);
	}
	atomic_set(&x->hog_done, 1);
}

static void mf_waiter(void *arg)
{
	struct mf_ctx *x = arg;
	int i;

	for (i = 0; i < 10; i++) {
		usleep_range(100, 200);
		gmp_mutex_lock(&x->m);
		gmp_mutex_unlock(&x->m);
	}
	atomic_set(&x->waiter_done, 1);
}

/*
 * Go's TestMutexFairness: a goroutine that relocks at once after each
 * unlock cannot keep another from taking the mutex 10 times within 10 s.
 */
static void mutex_hog_cannot_starve_waiter(struct kunit *test)
{
	struct mf_ctx *x = ct_alloc(test, sizeof(*x));
	int i;

	KUNIT_ASSERT_NOT_NULL(test, x);
	gmp_mutex_init(&x->m);
	KUNIT_ASSERT_EQ(test, ct_go(x, mf_hog, x), 0);
	KUNIT_ASSERT_EQ(test, ct_go(x, mf_waiter, x), 0);
	for (i = 0; i < 10000 && !atomic_read(&x->waiter_done); i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_TRUE_MSG(test, atomic_read(&x->waiter_done),
			      "can't acquire the mutex in 10 seconds");
	atomic_set(&x->stop, 1);
	KUNIT_ASSERT_TRUE(test, wait_count(&x->waiter_done, 1));
	KUNIT_ASSERT_TRUE(test, wait_count(&x->hog_done, 1));
}

struct sv_ctx {
	struct gmp_mutex m;
	struct gmp_chan *go_a;	/* the KUnit thread's signals to A */
	atomic_t a_locked;
	atomic_t nlog;
	char log[8];
	atomic_t done;
};

static void sv_log(struct sv_ctx *x, char who)
{
	int i = atomic_inc_return(&x->nlog) - 1;

	if (i < ARRAY_SIZE(x->log) - 1)
		x->log[i] = who;
}

/* A: holds the mutex, barges back in after each signal. */
static void sv_a(void *arg)
{
	struct sv_ctx *x = arg;

	gmp_mutex_lock(&x->m);
	atomic_set(&x->a_locked, 1);
	gmp_chan_recv(x->go_a, NULL, NULL);
	gmp_mutex_unlock(&x->m);
	gmp_mutex_lock(&x->m);		/* barges past the woken W */
	sv_log(x, 'a');
	gmp_chan_recv(x->go_a, NULL, NULL);
	gmp_mutex_unlock(&x->m);	/* W starves by now: handoff */
	gmp_mutex_lock(&x->m);		/* must queue behind W and B */
	sv_log(x, 'A');
	gmp_mutex_unlock(&x->m);
	atomic_inc(&x->done);
}

static void sv_lock_log(struct sv_ctx *x, char who)
{
	gmp_mutex_lock(&x->m);
	sv_log(x, who);
	gmp_mutex_unlock(&x->m);
	atomic_inc(&x->done);
}

/*
 * W holds a starving mutex until A's relock has queued behind B, so
 * that A cannot take the token W hands off while A is still on its way
 * into the semaphore (Go's semacquire may steal a handoff in that window
 * too). The order asserted is then the queue's alone.
 */
static void sv_w(void *arg)
{
	struct sv_ctx *x = arg;
	int i;

	gmp_mutex_lock(&x->m);
	sv_log(x, 'W');
	for (i = 0; i < 50000; i++) {
		if (!(atomic_read(&x->m.state) & GMP_MUTEX_STARVING) ||
		    atomic_read(&x->m.sema.nwait) >= 2)
			break;
		gmp_sleep(100 * NSEC_PER_USEC);
	}
	gmp_mutex_unlock(&x->m);
	atomic_inc(&x->done);
}

static void sv_b(void *arg)
{
	sv_lock_log(arg, 'B');
}

/* Within 5 s: 1 once the mutex starves, 0 if W simply won, -1 neither. */
static int sv_starving_or_w_won(struct sv_ctx *x)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (atomic_read(&x->m.state) & GMP_MUTEX_STARVING)
			return 1;
		if (atomic_read(&x->nlog) && x->log[0] == 'W')
			return 0;
		usleep_range(1000, 2000);
	}
	return -1;
}

/*
 * One try of the starvation scenario. Returns 1 if it ran, 0 if W won the
 * first race (retry), -1 if the mutex never starved, -2 on a timeout.
 */
static int sv_try(struct kunit *test, struct sv_ctx *x)
{
	int one = 1, ret;

	gmp_mutex_init(&x->m);
	KUNIT_ASSERT_EQ(test, ct_go(x, sv_a, x), 0);
	if (!wait_count(&x->a_locked, 1))
		return -2;
	KUNIT_ASSERT_EQ(test, ct_go(x, sv_w, x), 0);
	if (!wait_count(&x->m.sema.nwait, 1))
		return -2;
	usleep_range(3000, 4000);	/* W has waited > 1 ms */
	gmp_chan_try_send(x->go_a, &one);
	ret = sv_starving_or_w_won(x);
	if (ret <= 0) {
		gmp_chan_try_send(x->go_a, &one);
		return wait_count(&x->done, 2) ? ret : -2;
	}
	/* W requeued at the front, starving; B arrives and queues. */
	KUNIT_ASSERT_EQ(test, ct_go(x, sv_b, x), 0);
	if (!wait_count(&x->m.sema.nwait, 2))
		return -2;
	gmp_chan_try_send(x->go_a, &one);
	return wait_count(&x->done, 3) ? 1 : -2;
}

/* The last try's channel, if a hang left it to the goroutines. */
static void sv_dtor(void *ctx)
{
	struct sv_ctx *x = ctx;

	ct_chan_put(x->go_a);
}

/*
 * sync.Mutex starvation mode: a waiter W that waited more than 1 ms and
 * lost the mutex to a barging holder A switches the mutex to starvation
 * mode; A's next unlock hands the mutex to W, so W owns it next even
 * though A relocks at once, and the newcomer B, then A, follow in queue
 * order. In normal mode A would barge past W again.
 */
static void mutex_starving_waiter_gets_lock_next(struct kunit *test)
{
	struct sv_ctx *x = ct_alloc_dtor(test, sizeof(*x), sv_dtor);
	int try, ret = 0;

	KUNIT_ASSERT_NOT_NULL(test, x);
	for (try = 0; try < 5 && ret == 0; try++) {
		memset(x, 0, sizeof(*x));
		x->go_a = gmp_chan_create(sizeof(int), 2);
		KUNIT_ASSERT_FALSE(test, IS_ERR(x->go_a));
		ret = sv_try(test, x);
		/* On a hang the goroutines may still use go_a: sv_dtor() puts it. */
		KUNIT_ASSERT_NE_MSG(test, ret, -2, "goroutines hung, log %s",
				    x->log);
		gmp_chan_put(x->go_a);
		x->go_a = NULL;
		KUNIT_ASSERT_NE_MSG(test, ret, -1,
				    "a waiter of > 1 ms did not starve the mutex, log %s",
				    x->log);
	}
	KUNIT_ASSERT_EQ_MSG(test, ret, 1, "W always won the first race");
	KUNIT_EXPECT_STREQ(test, x->log, "aWBA");
	KUNIT_EXPECT_EQ(test, atomic_read(&x->m.state), 0);
}

static struct kunit_case gmp_sync_cases[] = {
	KUNIT_CASE(sema_counts_tokens_and_eperm_outside_goroutine),
	KUNIT_CASE(sema_wakes_waiters_in_fifo_order),
	KUNIT_CASE(sema_limits_concurrency_to_its_tokens),
	KUNIT_CASE(sema_and_wg_release_from_hardirq_wake_goroutine),
	KUNIT_CASE(waitgroup_releases_all_waiters_only_at_zero),
	KUNIT_CASE(waitgroup_reuse_rounds_exact_counts),
	KUNIT_CASE(waitgroup_wait_outside_goroutine_eperm),
	KUNIT_CASE(mutex_lock_outside_goroutine_eperm),
	KUNIT_CASE(mutex_excludes_and_counts_exactly),
	KUNIT_CASE(mutex_hog_cannot_starve_waiter),
	KUNIT_CASE(mutex_starving_waiter_gets_lock_next),
	{}
};

struct kunit_suite gmp_sync_test_suite = {
	.name = "gmp_sync",
	.test_cases = gmp_sync_cases,
};
