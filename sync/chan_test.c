// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for channels and select (sync/chan.c, sync/select.c),
 * most of them ports of Go's runtime/chan_test.go.
 *
 * Strategy: a case runs its body in a goroutine (blocking channel calls
 * need one) and waits for it with a bounded timeout, so a lost wakeup
 * fails the case instead of hanging the boot. Goroutines record the first
 * failure in a struct ct and never call KUNIT_ASSERT (it would end the
 * M's kthread); the KUnit thread checks the record. Every goroutine a body
 * starts holds its own channel references and one on the case's context
 * (kunit_util.h), and is waited for before the body returns; on a timeout
 * the goroutines keep the context, so no memory a stuck one may still use
 * is freed.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <linux/stdarg.h>

#include "sched/sched.h"
#include "sync/kunit_util.h"

/* ---- helpers --------------------------------------------------------------- */

static struct gmp_chan *ct_chan(struct ct *t, size_t size, unsigned int cap)
{
	struct gmp_chan *c = gmp_chan_create(size, cap);

	if (IS_ERR(c)) {
		ct_fail(t, "gmp_chan_create(%zu, %u): %ld", size, cap,
			PTR_ERR(c));
		return NULL;
	}
	return c;
}

static int ct_recv_int(struct gmp_chan *c, bool *ok)
{
	int v = -1;

	if (gmp_chan_recv(c, &v, ok))
		return -2;
	return v;
}

/* Is a G queued on @q? (Tests peek at the channel under its lock.) */
static bool ct_queued(struct gmp_chan *c, struct list_head *q)
{
	unsigned long flags;
	bool ret;

	raw_spin_lock_irqsave(&c->lock, flags);
	ret = !list_empty(q);
	raw_spin_unlock_irqrestore(&c->lock, flags);
	return ret;
}

static int ct_qlen(struct gmp_chan *c, struct list_head *q)
{
	unsigned long flags;
	struct list_head *pos;
	int n = 0;

	raw_spin_lock_irqsave(&c->lock, flags);
	list_for_each(pos, q)
		n++;
	raw_spin_unlock_irqrestore(&c->lock, flags);
	return n;
}

/* Wait (sleeping) until @n sudogs are queued on @q; false on timeout. */
static bool ct_wait_queued_n(struct gmp_chan *c, struct list_head *q, int n)
{
	int i;

	for (i = 0; i < WAIT_MS && ct_qlen(c, q) < n; i++)
		usleep_range(1000, 2000);
	if (ct_qlen(c, q) >= n)
		return true;
	gmp_debug_dump("chan_test: sudogs never queued on a channel");
	return false;
}

static bool ct_wait_queued(struct gmp_chan *c, struct list_head *q)
{
	return ct_wait_queued_n(c, q, 1);
}

/* A helper goroutine's argument: what each sub-test needs. */
struct ct_arg {
	struct ct *t;
	struct gmp_chan *c;
	struct gmp_chan *c2;
	struct gmp_waitgroup *wg;
	atomic_t *flag;
	atomic_t *counts;
	void *ctx;		/* case-specific; outlives the goroutine */
	int n;
	int p;
};

/*
 * Start fn(@a) holding references to @a->c and @a->c2, counted in @a->wg
 * (the starter waits on that before @a, often in its frame, goes away),
 * and on the context of @a->t, as ct_go() does.
 */
#define ct_arg_go(a, fn)	__ct_arg_go(a, fn, #fn)

static int __ct_arg_go(struct ct_arg *a, gmp_fn_t fn, const char *name)
{
	int ret;

	if (!a->wg) {
		ct_fail(a->t, "%s() without a WaitGroup", __func__);
		return -EINVAL;
	}
	gmp_chan_get(a->c);
	gmp_chan_get(a->c2);
	gmp_wg_add(a->wg, 1);
	ret = __ct_go(ct_ctx(a->t), fn, a, NULL, name);
	if (ret) {
		ct_fail(a->t, "gmp_go: %d", ret);
		gmp_chan_put(a->c);
		gmp_chan_put(a->c2);
		gmp_wg_done(a->wg);
	}
	return ret;
}

/* The end of a helper goroutine started by ct_arg_go(): @a is dead after it. */
static void ct_exit(struct ct_arg *a)
{
	gmp_chan_put(a->c);
	gmp_chan_put(a->c2);
	gmp_wg_done(a->wg);
}

/* ---- TestChan ---------------------------------------------------------------- */

static const unsigned int chan_caps[] = { 0, 1, 2, 3, 5, 10, 50, 100, 200 };

static void tc_recv_flag(void *arg)
{
	struct ct_arg *a = arg;
	bool ok;

	if (a->p)
		gmp_chan_recv(a->c, NULL, &ok);
	else
		gmp_chan_recv(a->c, NULL, NULL);
	atomic_set(&a->flag[a->p], 1);
	ct_exit(a);
}

/* A receive from an empty channel blocks; a non-blocking one does not. */
static void tc_empty_blocks(struct ct *t, unsigned int cap)
{
	struct gmp_select_case cs = { .dir = GMP_SELECT_RECV };
	struct gmp_waitgroup wg;
	struct ct_arg a[2] = {};
	atomic_t flag[2] = {};
	int i, v = 0;
	bool ok;

	gmp_wg_init(&wg);
	cs.c = ct_chan(t, sizeof(int), cap);
	if (!cs.c)
		return;
	for (i = 0; i < 2; i++) {
		a[i] = (struct ct_arg){ .t = t, .c = cs.c, .wg = &wg,
					.flag = flag, .p = i };
		ct_arg_go(&a[i], tc_recv_flag);
	}
	usleep_range(1000, 2000);
	CT_CHECK(t, !atomic_read(&flag[0]) && !atomic_read(&flag[1]),
		 "chan[%u]: receive from empty chan", cap);
	CT_CHECK(t, gmp_chan_try_recv(cs.c, &v, NULL) == -EAGAIN,
		 "chan[%u]: try_recv from empty chan", cap);
	CT_CHECK(t, gmp_chan_try_recv(cs.c, &v, &ok) == -EAGAIN,
		 "chan[%u]: try_recv/ok from empty chan", cap);
	CT_CHECK(t, gmp_select(&cs, 1, false) == -EAGAIN,
		 "chan[%u]: select recv from empty chan", cap);
	gmp_chan_send(cs.c, &v);
	gmp_chan_send(cs.c, &v);
	gmp_wg_wait(&wg);
	gmp_chan_put(cs.c);
}

static void tc_send_flag(void *arg)
{
	struct ct_arg *a = arg;
	int v = 0;

	gmp_chan_send(a->c, &v);
	atomic_set(a->flag, 1);
	ct_exit(a);
}

/* A send to a full channel blocks; a non-blocking one does not. */
static void tc_full_blocks(struct ct *t, unsigned int cap)
{
	struct gmp_select_case cs = { .dir = GMP_SELECT_SEND };
	struct gmp_waitgroup wg;
	atomic_t sent = ATOMIC_INIT(0);
	struct ct_arg a = {};
	int i, v = 0;

	gmp_wg_init(&wg);
	cs.c = ct_chan(t, sizeof(int), cap);
	if (!cs.c)
		return;
	cs.elem = &v;
	for (i = 0; i < cap; i++)
		gmp_chan_send(cs.c, &i);
	a = (struct ct_arg){ .t = t, .c = cs.c, .wg = &wg, .flag = &sent };
	ct_arg_go(&a, tc_send_flag);
	usleep_range(1000, 2000);
	CT_CHECK(t, !atomic_read(&sent), "chan[%u]: send to full chan", cap);
	CT_CHECK(t, gmp_chan_try_send(cs.c, &v) == -EAGAIN,
		 "chan[%u]: try_send to full chan", cap);
	CT_CHECK(t, gmp_select(&cs, 1, false) == -EAGAIN,
		 "chan[%u]: select send to full chan", cap);
	gmp_chan_recv(cs.c, NULL, NULL);
	gmp_wg_wait(&wg);
	gmp_chan_put(cs.c);
}

/* Buffered values drain after close, then zero values with ok = false. */
static void tc_closed_drains(struct ct *t, unsigned int cap)
{
	struct gmp_chan *c = ct_chan(t, sizeof(int), cap);
	int i, v;
	bool ok;

	if (!c)
		return;
	for (i = 0; i < cap; i++)
		gmp_chan_send(c, &i);
	gmp_chan_close(c);
	for (i = 0; i < cap; i++) {
		v = ct_recv_int(c, &ok);
		CT_CHECK(t, v == i && ok, "chan[%u]: received %d/%d, expected %d",
			 cap, v, ok, i);
	}
	v = ct_recv_int(c, NULL);
	CT_CHECK(t, v == 0, "chan[%u]: received %d, expected 0", cap, v);
	v = ct_recv_int(c, &ok);
	CT_CHECK(t, v == 0 && !ok, "chan[%u]: received %d/%d, expected 0/0",
		 cap, v, ok);
	gmp_chan_put(c);
}

static void tc_recv_report(void *arg)
{
	struct ct_arg *a = arg;
	bool ok = true, good;
	int v = -1;

	gmp_chan_recv(a->c, &v, &ok);
	good = v == 0 && !ok;
	gmp_chan_send(a->c2, &good);
	ct_exit(a);
}

/* close() readies a parked receiver with the zero value and ok = false. */
static void tc_close_unblocks(struct ct *t, unsigned int cap)
{
	struct gmp_waitgroup wg;
	struct ct_arg a = { .t = t, .wg = &wg };
	bool good = false;

	gmp_wg_init(&wg);
	a.c = ct_chan(t, sizeof(int), cap);
	a.c2 = ct_chan(t, sizeof(bool), 0);
	if (a.c && a.c2 && !ct_arg_go(&a, tc_recv_report)) {
		usleep_range(1000, 2000);
		gmp_chan_close(a.c);
		gmp_chan_recv(a.c2, &good, NULL);
		CT_CHECK(t, good, "chan[%u]: received non zero from closed chan",
			 cap);
	}
	gmp_wg_wait(&wg);
	gmp_chan_put(a.c);
	gmp_chan_put(a.c2);
}

static void tc_send_n(void *arg)
{
	struct ct_arg *a = arg;
	int i;

	for (i = 0; i < a->n; i++)
		gmp_chan_send(a->c, &i);
	ct_exit(a);
}

static void tc_recv_count(void *arg)
{
	struct ct_arg *a = arg;
	bool one = true;
	int i, v;

	for (i = 0; i < a->n; i++) {
		v = ct_recv_int(a->c, NULL);
		if (CT_CHECK(a->t, v >= 0 && v < a->n, "received %d", v))
			atomic_inc(&a->counts[v]);
	}
	gmp_chan_send(a->c2, &one);
	ct_exit(a);
}

/* 100 values arrive intact and in FIFO order, with and without ok. */
static void tc_fifo(struct ct *t, struct gmp_chan *c, unsigned int cap)
{
	struct gmp_waitgroup wg;
	struct ct_arg a = { .t = t, .c = c, .wg = &wg, .n = 100 };
	int pass, i, v;
	bool ok;

	gmp_wg_init(&wg);
	for (pass = 0; pass < 2; pass++) {
		if (ct_arg_go(&a, tc_send_n))
			return;
		for (i = 0; i < 100; i++) {
			v = ct_recv_int(c, pass ? &ok : NULL);
			CT_CHECK(t, v == i && (!pass || ok),
				 "chan[%u]: received %d, expected %d", cap, v, i);
		}
		gmp_wg_wait(&wg);
	}
}

/* 4 senders and 4 receivers of 1000 values each: nothing lost or doubled. */
static void tc_many(struct ct *t, struct gmp_chan *c, unsigned int cap)
{
	enum { P = 4, L = 1000 };
	struct gmp_waitgroup wg;
	struct ct_arg snd = { .t = t, .c = c, .wg = &wg, .n = L };
	struct ct_arg rcv = { .t = t, .c = c, .wg = &wg, .n = L };
	atomic_t *counts;
	int p, k;

	gmp_wg_init(&wg);
	counts = kcalloc(L, sizeof(*counts), GFP_KERNEL);
	rcv.c2 = ct_chan(t, sizeof(bool), 0);
	rcv.counts = counts;
	if (!counts || !rcv.c2)
		goto out;
	for (p = 0; p < P; p++)
		ct_arg_go(&snd, tc_send_n);
	for (p = 0; p < P; p++)
		ct_arg_go(&rcv, tc_recv_count);
	for (p = 0; p < P; p++)
		gmp_chan_recv(rcv.c2, NULL, NULL);
	gmp_wg_wait(&wg);
	for (k = 0; k < L; k++)
		if (!CT_CHECK(t, atomic_read(&counts[k]) == P,
			      "chan[%u]: value %d received %d times", cap, k,
			      atomic_read(&counts[k])))
			break;
out:
	gmp_chan_put(rcv.c2);
	kfree(counts);
}

static void tc_len_cap(struct ct *t, unsigned int cap)
{
	struct gmp_chan *c = ct_chan(t, sizeof(int), cap);
	int i;

	if (!c)
		return;
	CT_CHECK(t, gmp_chan_len(c) == 0 && gmp_chan_cap(c) == cap,
		 "chan[%u]: len/cap %u/%u", cap, gmp_chan_len(c),
		 gmp_chan_cap(c));
	for (i = 0; i < cap; i++)
		gmp_chan_send(c, &i);
	CT_CHECK(t, gmp_chan_len(c) == cap && gmp_chan_cap(c) == cap,
		 "chan[%u]: len/cap %u/%u", cap, gmp_chan_len(c),
		 gmp_chan_cap(c));
	gmp_chan_put(c);
}

static void chan_body(struct ct *t, void *arg)
{
	struct gmp_chan *c;
	unsigned int cap;
	int i;

	for (i = 0; i < ARRAY_SIZE(chan_caps) && !atomic_read(&t->failed); i++) {
		cap = chan_caps[i];
		tc_empty_blocks(t, cap);
		tc_full_blocks(t, cap);
		tc_closed_drains(t, cap);
		tc_close_unblocks(t, cap);
		c = ct_chan(t, sizeof(int), cap);
		if (c) {
			tc_fifo(t, c, cap);
			tc_many(t, c, cap);
		}
		gmp_chan_put(c);
		tc_len_cap(t, cap);
	}
}

/*
 * Go's TestChan, over capacities 0 to 200: blocking and non-blocking
 * operations, close and drain, FIFO order, 4x1000 senders and receivers,
 * len and cap.
 */
static void chan_ops_block_drain_fifo_over_capacities(struct kunit *test)
{
	ct_run(test, chan_body, NULL);
}

/* ---- element sizes, errors, nil channels ------------------------------------ */

static const size_t elem_sizes[] = { 0, 1, 3, 8, 100, 4096,
				     GMP_CHAN_MAX_ELEM };

static void es_fill(u8 *buf, size_t size, int seq)
{
	size_t i;

	for (i = 0; i < size; i++)
		buf[i] = (u8)(i * 7 + seq * 13 + 1);
}

static void es_sender(void *arg)
{
	struct ct_arg *a = arg;
	size_t size = a->n;
	u8 *buf = kmalloc(size + 1, GFP_KERNEL);
	int seq;

	for (seq = 0; buf && seq < 3; seq++) {
		es_fill(buf, size, seq);
		CT_CHECK(a->t, !gmp_chan_send(a->c, size ? buf : NULL),
			 "send of %zu bytes failed", size);
	}
	kfree(buf);
	ct_exit(a);
}

static void es_body(struct ct *t, void *arg)
{
	struct ct_arg a = { .t = t };
	struct gmp_waitgroup wg;
	u8 *want, *got;
	int i, cap, seq;
	size_t size;

	gmp_wg_init(&wg);
	a.wg = &wg;
	want = kmalloc(GMP_CHAN_MAX_ELEM, GFP_KERNEL);
	got = kmalloc(GMP_CHAN_MAX_ELEM, GFP_KERNEL);
	for (i = 0; want && got && i < ARRAY_SIZE(elem_sizes); i++) {
		size = elem_sizes[i];
		for (cap = 0; cap < 3; cap += 2) {
			a.c = ct_chan(t, size, cap);
			a.n = size;
			if (!a.c || ct_arg_go(&a, es_sender))
				break;
			for (seq = 0; seq < 3; seq++) {
				memset(got, 0xa5, size);
				gmp_chan_recv(a.c, size ? got : NULL, NULL);
				es_fill(want, size, seq);
				CT_CHECK(t, !memcmp(want, got, size),
					 "size %zu cap %d: element %d corrupted",
					 size, cap, seq);
			}
			gmp_wg_wait(&wg);
			gmp_chan_put(a.c);
		}
	}
	kfree(want);
	kfree(got);
}

/* Elements of 0 to GMP_CHAN_MAX_ELEM bytes are copied whole, both ways. */
static void chan_any_elem_size_copies_whole_elements(struct kunit *test)
{
	ct_run(test, es_body, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gmp_chan_create(GMP_CHAN_MAX_ELEM + 1, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gmp_chan_create(4096, UINT_MAX)), -EINVAL);
}

/* Outside a goroutine: blocking calls -EPERM, try calls work; nil and closed. */
static void chan_errors_outside_goroutine_and_on_nil_and_closed(struct kunit *test)
{
	struct gmp_select_case cs[2] = {};
	struct gmp_chan *c;
	bool ok = true;
	int v = 7;

	c = gmp_chan_create(sizeof(int), 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_EQ(test, gmp_chan_send(c, &v), -EPERM);
	KUNIT_EXPECT_EQ(test, gmp_chan_recv(c, &v, NULL), -EPERM);
	KUNIT_EXPECT_EQ(test, gmp_chan_try_send(c, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, gmp_chan_try_send(c, &v), 0);
	KUNIT_EXPECT_EQ(test, gmp_chan_try_send(c, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, gmp_chan_len(c), 1U);

	/* nil: never ready, no length */
	KUNIT_EXPECT_EQ(test, gmp_chan_try_send(NULL, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, gmp_chan_try_recv(NULL, &v, &ok), -EAGAIN);
	KUNIT_EXPECT_EQ(test, gmp_chan_close(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, gmp_chan_len(NULL), 0U);
	KUNIT_EXPECT_EQ(test, gmp_chan_cap(NULL), 0U);
	cs[0] = (struct gmp_select_case){ .dir = GMP_SELECT_RECV };
	cs[1] = (struct gmp_select_case){ .dir = GMP_SELECT_SEND, .elem = &v };
	KUNIT_EXPECT_EQ(test, gmp_select(cs, 2, false), -EAGAIN);
	KUNIT_EXPECT_EQ(test, gmp_select(cs, 0, false), -EAGAIN);
	KUNIT_EXPECT_EQ(test, gmp_select(cs, 2, true), -EPERM);

	/* bad arguments */
	cs[1].dir = 0;
	KUNIT_EXPECT_EQ(test, gmp_select(cs, 2, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, gmp_select(cs, GMP_SELECT_MAX_CASES + 1, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gmp_select(cs, -1, false), -EINVAL);
	cs[1] = (struct gmp_select_case){ .c = c, .dir = GMP_SELECT_SEND };
	KUNIT_EXPECT_EQ(test, gmp_select(cs, 2, false), -EINVAL);

	/* closed: the value drains, then zero and !ok; sends -EPIPE */
	KUNIT_EXPECT_EQ(test, gmp_chan_close(c), 0);
	KUNIT_EXPECT_EQ(test, gmp_chan_close(c), -EPIPE);
	KUNIT_EXPECT_EQ(test, gmp_chan_try_send(c, &v), -EPIPE);
	cs[1] = (struct gmp_select_case){ .c = c, .dir = GMP_SELECT_SEND,
					  .elem = &v, .ok = &ok };
	KUNIT_EXPECT_EQ(test, gmp_select(cs, 2, false), -EPIPE);
	KUNIT_EXPECT_FALSE(test, ok);
	v = 0;
	KUNIT_EXPECT_EQ(test, gmp_chan_try_recv(c, &v, &ok), 0);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, v, 7);
	v = 5;
	KUNIT_EXPECT_EQ(test, gmp_chan_try_recv(c, &v, &ok), 0);
	KUNIT_EXPECT_FALSE(test, ok);
	KUNIT_EXPECT_EQ(test, v, 0);
	gmp_chan_put(c);
}

static void ce_send_report(void *arg)
{
	struct ct_arg *a = arg;
	int v = 1, ret;

	ret = gmp_chan_send(a->c, &v);
	gmp_chan_send(a->c2, &ret);
	ct_exit(a);
}

static void ce_select_send_report(void *arg)
{
	struct ct_arg *a = arg;
	bool ok = true;
	int v = 1, ret;
	struct gmp_select_case cs[2] = {
		{ .c = NULL, .dir = GMP_SELECT_RECV },
		{ .c = a->c, .dir = GMP_SELECT_SEND, .elem = &v, .ok = &ok },
	};

	ret = gmp_select(cs, 2, true);
	if (ret == -EPIPE && ok)
		ret = -EIO;		/* ok should say which case failed */
	gmp_chan_send(a->c2, &ret);
	ct_exit(a);
}

/* A parked sender (plain or in a select) gets -EPIPE when the channel closes. */
static void ce_body(struct ct *t, void *arg)
{
	gmp_fn_t fns[2] = { ce_send_report, ce_select_send_report };
	struct gmp_waitgroup wg;
	struct ct_arg a = { .t = t, .wg = &wg };
	int i, ret, v = 0;

	gmp_wg_init(&wg);
	for (i = 0; i < 2; i++) {
		a.c = ct_chan(t, sizeof(int), 0);
		a.c2 = ct_chan(t, sizeof(int), 0);
		if (a.c && a.c2 && !ct_arg_go(&a, fns[i])) {
			ct_wait_queued(a.c, &a.c->sendq);
			gmp_chan_close(a.c);
			ret = 0;
			gmp_chan_recv(a.c2, &ret, NULL);
			CT_CHECK(t, ret == -EPIPE, "sender %d got %d", i, ret);
		}
		gmp_wg_wait(&wg);
		gmp_chan_put(a.c);
		gmp_chan_put(a.c2);
	}
	a.c = ct_chan(t, sizeof(int), 0);
	if (a.c) {
		CT_CHECK(t, gmp_chan_send(a.c, NULL) == -EINVAL, "NULL elem");
		gmp_chan_close(a.c);
		CT_CHECK(t, gmp_chan_send(a.c, &v) == -EPIPE, "send on closed");
	}
	gmp_chan_put(a.c);
}

static void chan_send_on_closed_returns_epipe(struct kunit *test)
{
	ct_run(test, ce_body, NULL);
}

#define FIFO_WAITERS 6

static void fw_recv(void *arg)
{
	struct ct_arg *a = arg;
	int *got = a->ctx;

	got[a->p] = ct_recv_int(a->c, NULL);
	ct_exit(a);
}

static void fw_send(void *arg)
{
	struct ct_arg *a = arg;

	gmp_chan_send(a->c, &a->p);
	ct_exit(a);
}

static void fw_body(struct ct *t, void *arg)
{
	struct ct_arg a[FIFO_WAITERS];
	int i, got[FIFO_WAITERS], v;
	struct gmp_waitgroup wg;
	struct gmp_chan *c;

	gmp_wg_init(&wg);
	c = ct_chan(t, sizeof(int), 0);
	/* Receivers park one after the other, then take values in order. */
	for (i = 0; c && i < FIFO_WAITERS; i++) {
		got[i] = -1;
		a[i] = (struct ct_arg){ .t = t, .c = c, .wg = &wg, .p = i,
					.ctx = got };
		if (ct_arg_go(&a[i], fw_recv) || !ct_wait_queued_n(c, &c->recvq, i + 1))
			break;
	}
	for (v = 0; v < i; v++)
		gmp_chan_send(c, &v);
	gmp_wg_wait(&wg);
	for (v = 0; v < i; v++)
		CT_CHECK(t, got[v] == v, "receiver %d got %d", v, got[v]);
	/* Senders likewise: the receiver sees them in the order they parked. */
	for (i = 0; c && i < FIFO_WAITERS; i++) {
		a[i] = (struct ct_arg){ .t = t, .c = c, .wg = &wg, .p = i };
		if (ct_arg_go(&a[i], fw_send) || !ct_wait_queued_n(c, &c->sendq, i + 1))
			break;
	}
	for (v = 0; v < i; v++)
		CT_CHECK(t, ct_recv_int(c, NULL) == v, "sender %d out of order", v);
	gmp_wg_wait(&wg);
	gmp_chan_put(c);
}

/* Parked receivers, and parked senders, are served in the order they parked. */
static void chan_parked_waiters_served_fifo(struct kunit *test)
{
	ct_run(test, fw_body, NULL);
}

static void ns_select(void *arg)
{
	struct ct_arg *a = arg;
	int v = -1, ret;
	struct gmp_select_case cs[3] = {
		{ .c = NULL, .dir = GMP_SELECT_RECV, .elem = &v },
		{ .c = a->c, .dir = GMP_SELECT_RECV, .elem = &v },
		{ .c = NULL, .dir = GMP_SELECT_SEND, .elem = &v },
	};

	ret = gmp_select(cs, 3, true);
	CT_CHECK(a->t, ret == 1 && v == 42, "select returned %d, v %d", ret, v);
	atomic_set(a->flag, 1);
	ct_exit(a);
}

static void ns_body(struct ct *t, void *arg)
{
	atomic_t returned = ATOMIC_INIT(0);
	struct gmp_waitgroup wg;
	struct ct_arg a = { .t = t, .wg = &wg, .flag = &returned };
	int v = 42;

	gmp_wg_init(&wg);
	a.c = ct_chan(t, sizeof(int), 0);
	if (!a.c || ct_arg_go(&a, ns_select))
		goto out;
	ct_wait_queued(a.c, &a.c->recvq);
	msleep(20);
	CT_CHECK(t, !atomic_read(&returned), "select took a nil case");
	gmp_chan_send(a.c, &v);
	gmp_wg_wait(&wg);
	CT_CHECK(t, atomic_read(&returned), "select did not return");
out:
	gmp_chan_put(a.c);
}

/* A blocking select waits on its real channel; nil cases never fire. */
static void select_nil_cases_never_ready(struct kunit *test)
{
	ct_run(test, ns_body, NULL);
}

/* ---- TestNonblockRecvRace, TestNonblockSelectRace(2) --------------------- */

#define RACE_ITERS 2000

static void nr_select(void *arg)
{
	struct ct_arg *a = arg;
	struct gmp_select_case cs = { .c = a->c, .dir = GMP_SELECT_RECV };

	CT_CHECK(a->t, gmp_select(&cs, 1, false) == 0, "chan is not ready");
	ct_exit(a);
}

static void nr_body(struct ct *t, void *arg)
{
	struct gmp_waitgroup wg;
	struct ct_arg *args;
	struct gmp_chan *c;
	int i, v = 1;

	gmp_wg_init(&wg);
	args = kcalloc(RACE_ITERS, sizeof(*args), GFP_KERNEL);
	for (i = 0; args && i < RACE_ITERS && !atomic_read(&t->failed); i++) {
		c = ct_chan(t, sizeof(int), 1);
		if (!c)
			break;
		gmp_chan_send(c, &v);
		args[i] = (struct ct_arg){ .t = t, .c = c, .wg = &wg };
		ct_arg_go(&args[i], nr_select);
		gmp_chan_close(c);
		gmp_chan_recv(c, NULL, NULL);
		gmp_chan_put(c);
	}
	gmp_wg_wait(&wg);
	kfree(args);
}

/*
 * Go's TestNonblockRecvRace: a non-blocking receive racing with close()
 * and a receive always finds the value or the close, never "not ready".
 */
static void nonblock_recv_races_close_never_default(struct kunit *test)
{
	ct_run(test, nr_body, NULL);
}

static void nsr_select(void *arg)
{
	struct ct_arg *a = arg;
	struct gmp_select_case cs[2] = {
		{ .c = a->c, .dir = GMP_SELECT_RECV },
		{ .c = a->c2, .dir = GMP_SELECT_RECV },
	};
	bool got = gmp_select(cs, 2, false) >= 0;

	gmp_chan_send(a->ctx, &got);
	ct_exit(a);
}

static void nsr_body(struct ct *t, void *arg)
{
	struct gmp_select_case c1case = { .dir = GMP_SELECT_RECV };
	bool race2 = arg, got;
	struct gmp_waitgroup wg;
	struct gmp_chan *done;
	struct ct_arg *args;
	int i, v = 1;

	gmp_wg_init(&wg);
	done = ct_chan(t, sizeof(bool), 1);
	args = kcalloc(RACE_ITERS, sizeof(*args), GFP_KERNEL);
	for (i = 0; done && args && i < RACE_ITERS; i++) {
		args[i] = (struct ct_arg){ .t = t, .wg = &wg, .ctx = done };
		args[i].c = ct_chan(t, sizeof(int), 1);
		args[i].c2 = ct_chan(t, sizeof(int), race2 ? 0 : 1);
		if (!args[i].c || !args[i].c2 || atomic_read(&t->failed))
			goto put;
		gmp_chan_send(args[i].c, &v);
		if (ct_arg_go(&args[i], nsr_select))
			goto put;
		if (race2)
			gmp_chan_close(args[i].c2);
		else
			gmp_chan_send(args[i].c2, &v);
		c1case.c = args[i].c;
		gmp_select(&c1case, 1, false);
		got = false;
		gmp_chan_recv(done, &got, NULL);
		CT_CHECK(t, got, "iteration %d: no chan is ready", i);
put:
		gmp_chan_put(args[i].c);
		gmp_chan_put(args[i].c2);
	}
	gmp_wg_wait(&wg);
	gmp_chan_put(done);
	kfree(args);
}

/*
 * Go's TestNonblockSelectRace: from the select's start one of its two
 * channels is always ready, so a non-blocking select never takes the
 * default, however the other goroutine races with it.
 */
static void nonblock_select_sees_one_instant_never_default(struct kunit *test)
{
	ct_run_val(test, nsr_body, (void *)false);
}

/* Go's TestNonblockSelectRace2: the same, with close() making c2 ready. */
static void nonblock_select_races_close_never_default(struct kunit *test)
{
	ct_run_val(test, nsr_body, (void *)true);
}

/* ---- TestSelfSelect, TestSelectStress ------------------------------------ */

static void ss_worker(void *arg)
{
	struct ct_arg *a = arg;
	struct gmp_select_case cs[2];
	int i, v, ret, snd = a->p;

	for (i = 0; i < 1000; i++) {
		struct gmp_select_case s = { .c = a->c, .dir = GMP_SELECT_SEND,
					     .elem = &snd };
		struct gmp_select_case r = { .c = a->c, .dir = GMP_SELECT_RECV,
					     .elem = &v };

		cs[0] = a->p == 0 || i % 2 == 0 ? s : r;
		cs[1] = a->p == 0 || i % 2 == 0 ? r : s;
		v = -1;
		ret = gmp_select(cs, 2, true);
		if (!CT_CHECK(a->t, ret >= 0, "select: %d", ret))
			break;
		if (!CT_CHECK(a->t, cs[ret].dir == GMP_SELECT_SEND || a->n ||
			      v != a->p, "self receive"))
			break;
	}
	ct_exit(a);
}

static void ss_body(struct ct *t, void *arg)
{
	static const int caps[] = { 0, 10 };
	struct gmp_waitgroup wg;
	struct ct_arg a[2];
	struct gmp_chan *c;
	int i, p;

	gmp_wg_init(&wg);
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		c = ct_chan(t, sizeof(int), caps[i]);
		for (p = 0; c && p < 2; p++) {
			a[p] = (struct ct_arg){ .t = t, .c = c, .wg = &wg,
						.p = p, .n = caps[i] };
			ct_arg_go(&a[p], ss_worker);
		}
		gmp_wg_wait(&wg);
		gmp_chan_put(c);
	}
}

/*
 * Go's TestSelfSelect: two goroutines select on sending to and receiving
 * from the same channel; no deadlock, and on an unbuffered channel a
 * select never receives its own send.
 */
static void self_select_never_receives_own_send(struct kunit *test)
{
	ct_run(test, ss_body, NULL);
}

#define STRESS_N 2500

static void st_send(void *arg)
{
	struct ct_arg *a = arg;
	int i, v = 0;

	for (i = 0; i < STRESS_N; i++)
		gmp_chan_send(a->c, &v);
	ct_exit(a);
}

static void st_recv(void *arg)
{
	struct ct_arg *a = arg;
	int i;

	for (i = 0; i < STRESS_N; i++)
		gmp_chan_recv(a->c, NULL, NULL);
	ct_exit(a);
}

/* One select over all four channels, dropping each once it did N. */
static void st_select(void *arg)
{
	static const int send_order[] = { 3, 2, 0, 1 };
	struct gmp_chan **chans = ((struct ct_arg *)arg)->ctx;
	struct ct_arg *a = arg;
	struct gmp_select_case cs[4];
	int i, k, ret, n[4] = {}, v = 0;

	for (k = 0; k < 4; k++) {
		cs[k].c = chans[a->p ? k : send_order[k]];
		cs[k].dir = a->p ? GMP_SELECT_RECV : GMP_SELECT_SEND;
		cs[k].elem = &v;
		cs[k].ok = NULL;
	}
	for (i = 0; i < 4 * STRESS_N; i++) {
		ret = gmp_select(cs, 4, true);
		if (!CT_CHECK(a->t, ret >= 0 && ret < 4, "select: %d", ret))
			break;
		if (++n[ret] == STRESS_N)
			cs[ret].c = NULL;
	}
	ct_exit(a);
}

static void st_body(struct ct *t, void *arg)
{
	static const int caps[4] = { 0, 0, 2, 3 };
	struct gmp_chan *chans[4] = {};
	struct gmp_waitgroup wg;
	struct ct_arg a[10];
	int k;

	gmp_wg_init(&wg);
	for (k = 0; k < 4; k++) {
		chans[k] = ct_chan(t, sizeof(int), caps[k]);
		if (!chans[k])
			goto out;
	}
	for (k = 0; k < 4; k++) {
		a[2 * k] = (struct ct_arg){ .t = t, .c = chans[k], .wg = &wg };
		a[2 * k + 1] = a[2 * k];
		ct_arg_go(&a[2 * k], st_send);
		ct_arg_go(&a[2 * k + 1], st_recv);
	}
	for (k = 0; k < 2; k++) {
		a[8 + k] = (struct ct_arg){ .t = t, .wg = &wg, .ctx = chans,
					    .p = k };
		ct_arg_go(&a[8 + k], st_select);
	}
	gmp_wg_wait(&wg);
out:
	for (k = 0; k < 4; k++)
		gmp_chan_put(chans[k]);
}

/*
 * Go's TestSelectStress: plain senders and receivers on four channels
 * interact chaotically with one select sending on all of them and one
 * receiving from all of them; everything completes, nothing deadlocks.
 */
static void select_stress_completes_without_deadlock(struct kunit *test)
{
	ct_run(test, st_body, NULL);
}

/* ---- TestSelectFairness, TestPseudoRandomSend ------------------------------ */

#define FAIR_TRIALS 10000

struct fair_ctx {
	struct gmp_chan *c[4];
	struct gmp_chan *out;
	struct gmp_chan *done;
};

static void fair_select(void *arg)
{
	struct ct_arg *a = arg;
	struct fair_ctx *f = a->ctx;
	u8 b = 0;
	struct gmp_select_case in[4] = {
		{ .c = f->c[2], .dir = GMP_SELECT_RECV, .elem = &b },
		{ .c = f->c[3], .dir = GMP_SELECT_RECV, .elem = &b },
		{ .c = f->c[0], .dir = GMP_SELECT_RECV, .elem = &b },
		{ .c = f->c[1], .dir = GMP_SELECT_RECV, .elem = &b },
	};
	struct gmp_select_case out[2] = {
		{ .c = f->out, .dir = GMP_SELECT_SEND, .elem = &b },
		{ .c = f->done, .dir = GMP_SELECT_RECV },
	};

	for (;;) {
		if (!CT_CHECK(a->t, gmp_select(in, 4, true) >= 0, "select in"))
			break;
		if (gmp_select(out, 2, true) != 0)
			break;
	}
	ct_exit(a);
}

static void fair_body(struct ct *t, void *arg)
{
	struct gmp_waitgroup wg;
	struct fair_ctx f = {};
	struct ct_arg a = { .t = t, .wg = &wg, .ctx = &f };
	int i, cnt[3] = {};
	u8 b;

	gmp_wg_init(&wg);
	for (i = 0; i < 4; i++)
		f.c[i] = ct_chan(t, 1, i < 2 ? FAIR_TRIALS + 1 : 0);
	f.out = ct_chan(t, 1, 0);
	f.done = ct_chan(t, 1, 0);
	if (!f.c[0] || !f.c[1] || !f.c[2] || !f.c[3] || !f.out || !f.done)
		goto out;
	for (i = 0; i < FAIR_TRIALS + 1; i++) {
		b = 1;
		gmp_chan_send(f.c[0], &b);
		b = 2;
		gmp_chan_send(f.c[1], &b);
	}
	if (ct_arg_go(&a, fair_select))
		goto out;
	for (i = 0; i < FAIR_TRIALS; i++) {
		b = 0;
		gmp_chan_recv(f.out, &b, NULL);
		if (!CT_CHECK(t, b == 1 || b == 2, "unexpected value %d", b))
			break;
		cnt[b]++;
	}
	gmp_chan_close(f.done);
	gmp_wg_wait(&wg);
	/* sigma = sqrt(n p (1 - p)) = 50; allow 10 sigma, as Go does. */
	CT_CHECK(t, abs(cnt[1] - FAIR_TRIALS / 2) <= 10 * 50,
		 "unfair select: %d and %d of %d", cnt[1], cnt[2], FAIR_TRIALS);
	CT_CHECK(t, cnt[1] > FAIR_TRIALS / 10 && cnt[2] > FAIR_TRIALS / 10,
		 "a ready case starved: %d and %d", cnt[1], cnt[2]);
out:
	for (i = 0; i < 4; i++)
		gmp_chan_put(f.c[i]);
	gmp_chan_put(f.out);
	gmp_chan_put(f.done);
}

/*
 * Go's TestSelectFairness: of two always-ready cases (with two never-ready
 * ones), each fires within 10 sigma of half the time over 10,000 selects.
 */
static void select_fairness_uniform_within_10_sigma(struct kunit *test)
{
	ct_run(test, fair_body, NULL);
}

static void prs_recv(void *arg)
{
	struct ct_arg *a = arg;
	int *l = a->ctx, i;

	for (i = 0; i < a->n; i++) {
		gmp_yield();
		l[i] = ct_recv_int(a->c, NULL);
	}
	ct_exit(a);
}

static void prs_body(struct ct *t, void *arg)
{
	static const int caps[] = { 0, 100 };
	struct gmp_waitgroup wg;
	int i, k, n0, n1, *l, one = 1, zero = 0;
	const int n = 100;
	struct ct_arg a = { .t = t, .wg = &wg, .n = n };
	struct gmp_select_case cs[2] = {
		{ .dir = GMP_SELECT_SEND, .elem = &one },
		{ .dir = GMP_SELECT_SEND, .elem = &zero },
	};

	gmp_wg_init(&wg);
	l = kcalloc(n, sizeof(*l), GFP_KERNEL);
	for (k = 0; l && k < ARRAY_SIZE(caps); k++) {
		a.ctx = l;
		a.c = ct_chan(t, sizeof(int), caps[k]);
		if (!a.c || ct_arg_go(&a, prs_recv))
			break;
		cs[0].c = a.c;
		cs[1].c = a.c;
		for (i = 0; i < n; i++)
			gmp_select(cs, 2, true);
		gmp_wg_wait(&wg);
		for (i = 0, n0 = 0, n1 = 0; i < n; i++) {
			n0 += l[i] == 0;
			n1 += l[i] == 1;
		}
		CT_CHECK(t, n0 > n / 10 && n1 > n / 10 && n0 + n1 == n,
			 "want pseudorandom, got %d zeros and %d ones (cap %d)",
			 n0, n1, caps[k]);
		gmp_chan_put(a.c);
		a.c = NULL;
	}
	gmp_chan_put(a.c);
	kfree(l);
}

/*
 * Go's TestPseudoRandomSend: a select with two send cases on the same
 * channel sends each value more than 10% of the time.
 */
static void select_two_sends_same_chan_pseudorandom(struct kunit *test)
{
	ct_run(test, prs_body, NULL);
}

/* ---- TestMultiConsumer ---------------------------------------------------- */

#define MC_NWORK 23
#define MC_NITER 271828

static const int mc_pn[] = { 2, 3, 7, 11, 13, 17, 19, 23, 27, 31 };

struct mc_ctx {
	struct gmp_waitgroup workers;
};

static void mc_worker(void *arg)
{
	struct ct_arg *a = arg;
	bool ok;
	int v;

	while (!gmp_chan_recv(a->c, &v, &ok) && ok) {
		/* mess with the FIFO-ish nature of the loop */
		if (mc_pn[a->p % ARRAY_SIZE(mc_pn)] == v)
			gmp_yield();
		gmp_chan_send(a->c2, &v);
	}
	ct_exit(a);
}

static void mc_feeder(void *arg)
{
	struct ct_arg *a = arg;
	struct mc_ctx *mc = a->ctx;
	int i;

	for (i = 0; i < MC_NITER; i++)
		gmp_chan_send(a->c, &mc_pn[i % ARRAY_SIZE(mc_pn)]);
	gmp_chan_close(a->c);		/* no more work */
	gmp_wg_wait(&mc->workers);	/* workers done */
	gmp_chan_close(a->c2);		/* so there can be no more results */
	ct_exit(a);
}

static void mc_body(struct ct *t, void *arg)
{
	struct ct_arg *args = kcalloc(MC_NWORK + 1, sizeof(*args), GFP_KERNEL);
	struct gmp_chan *q, *r;
	struct gmp_waitgroup wg;
	long n = 0, s = 0, expect = 0;
	struct mc_ctx mc;
	bool ok;
	int i, v;

	gmp_wg_init(&wg);
	gmp_wg_init(&mc.workers);
	q = ct_chan(t, sizeof(int), MC_NWORK * 3);
	r = ct_chan(t, sizeof(int), MC_NWORK * 3);
	if (!args || !q || !r)
		goto out;
	for (i = 0; i < MC_NWORK; i++) {
		args[i] = (struct ct_arg){ .t = t, .c = q, .c2 = r,
					   .wg = &mc.workers, .p = i };
		ct_arg_go(&args[i], mc_worker);
	}
	args[i] = (struct ct_arg){ .t = t, .c = q, .c2 = r, .wg = &wg,
				   .ctx = &mc };
	ct_arg_go(&args[i], mc_feeder);
	for (i = 0; i < MC_NITER; i++)
		expect += mc_pn[i % ARRAY_SIZE(mc_pn)];
	while (!gmp_chan_recv(r, &v, &ok) && ok) {
		n++;
		s += v;
	}
	gmp_wg_wait(&wg);
	CT_CHECK(t, n == MC_NITER && s == expect,
		 "expected sum %ld (got %ld) from %d iter (saw %ld)", expect, s,
		 MC_NITER, n);
out:
	gmp_chan_put(q);
	gmp_chan_put(r);
	kfree(args);
}

/*
 * Go's TestMultiConsumer: 23 workers range over a work channel and
 * forward 271,828 items to a result channel, closed once a WaitGroup says
 * all workers are done; the exact count and sum arrive.
 */
static void multi_consumer_exact_sum(struct kunit *test)
{
	ct_run(test, mc_body, NULL);
}

/* ---- TestSelectDuplicateChannel, TestChanSendBarrier ----------------------- */

struct dup_ctx {
	struct gmp_chan *c, *d, *e;
};

static void dup_a(void *arg)
{
	struct ct_arg *a = arg;
	struct dup_ctx *dc = a->ctx;
	int v = 9;
	struct gmp_select_case cs[3] = {
		{ .c = dc->c, .dir = GMP_SELECT_RECV },
		{ .c = dc->c, .dir = GMP_SELECT_RECV },
		{ .c = dc->d, .dir = GMP_SELECT_RECV },
	};

	CT_CHECK(a->t, gmp_select(cs, 3, true) == 2, "A woken by the wrong case");
	gmp_chan_send(dc->e, &v);
	ct_exit(a);
}

static void dup_b(void *arg)
{
	struct ct_arg *a = arg;
	struct dup_ctx *dc = a->ctx;

	CT_CHECK(a->t, ct_recv_int(dc->c, NULL) == 8, "B got the wrong value");
	ct_exit(a);
}

static void dup_body(struct ct *t, void *arg)
{
	struct dup_ctx dc = {};
	struct gmp_waitgroup wg;
	struct ct_arg a = { .t = t, .wg = &wg, .ctx = &dc };
	int v;

	gmp_wg_init(&wg);
	dc.c = ct_chan(t, sizeof(int), 0);
	dc.d = ct_chan(t, sizeof(int), 0);
	dc.e = ct_chan(t, sizeof(int), 0);
	if (!dc.c || !dc.d || !dc.e || ct_arg_go(&a, dup_a))
		goto out;
	/* A is queued first on c, twice; then B. */
	ct_wait_queued_n(dc.c, &dc.c->recvq, 2);
	if (ct_arg_go(&a, dup_b))
		goto out;
	ct_wait_queued_n(dc.c, &dc.c->recvq, 3);
	v = 7;
	gmp_chan_send(dc.d, &v);	/* wake A; it dequeues itself from c */
	CT_CHECK(t, ct_recv_int(dc.e, NULL) == 9, "A did not finish");
	CT_CHECK(t, ct_qlen(dc.c, &dc.c->recvq) == 1, "c's recvq: %d sudogs",
		 ct_qlen(dc.c, &dc.c->recvq));
	v = 8;
	gmp_chan_send(dc.c, &v);	/* must wake B, not the gone A */
out:
	gmp_wg_wait(&wg);
	gmp_chan_put(dc.c);
	gmp_chan_put(dc.d);
	gmp_chan_put(dc.e);
}

/*
 * Go's TestSelectDuplicateChannel: a G queued twice on one channel by a
 * select, woken through another channel, leaves that channel's queue
 * intact for the next receiver.
 */
static void select_duplicate_channel_keeps_queue_intact(struct kunit *test)
{
	ct_run(test, dup_body, NULL);
}

#define BARRIER_OUTER 10
#define BARRIER_INNER 1000
#define BARRIER_MAGIC 0x6d79457272ULL	/* "myErr" */

struct sb_req {
	u64 magic;
	u8 pad[56];
};

static void sb_sender(void *arg)
{
	struct ct_arg *a = arg;
	struct sb_req *req;
	int i, ret;
	struct gmp_select_case cs[2] = {
		{ .c = a->c, .dir = GMP_SELECT_SEND, .elem = &req },
		{ .c = a->c2, .dir = GMP_SELECT_RECV },
	};

	for (i = 0; i < a->n; i++) {
		req = kmalloc(sizeof(*req), GFP_KERNEL);
		if (!CT_CHECK(a->t, req, "no memory"))
			break;
		req->magic = BARRIER_MAGIC;
		if (a->p)
			ret = gmp_select(cs, 2, true);
		else
			ret = gmp_chan_send(a->c, &req);
		if (!CT_CHECK(a->t, ret == 0, "send: %d", ret)) {
			kfree(req);
			break;
		}
	}
	ct_exit(a);
}

static void sb_worker(void *arg)
{
	struct ct_arg *a = arg;
	struct gmp_waitgroup wg;
	struct ct_arg snd = { .t = a->t, .wg = &wg, .n = BARRIER_INNER,
			      .p = a->p };
	struct sb_req *req;
	void *garbage = NULL;
	int i;

	gmp_wg_init(&wg);
	snd.c = ct_chan(a->t, sizeof(req), 0);
	snd.c2 = ct_chan(a->t, 0, 0);
	if (!snd.c || !snd.c2 || ct_arg_go(&snd, sb_sender))
		goto out;
	for (i = 0; i < BARRIER_INNER; i++) {
		req = NULL;
		if (gmp_chan_recv(snd.c, &req, NULL) || !req)
			break;
		gmp_yield();
		CT_CHECK(a->t, req->magic == BARRIER_MAGIC, "corrupted request");
		kfree(req);
		kfree(garbage);
		garbage = kmalloc(1024, GFP_KERNEL);
	}
	kfree(garbage);
	gmp_wg_wait(&wg);
out:
	gmp_chan_put(snd.c);
	gmp_chan_put(snd.c2);
	ct_exit(a);
}

static void sb_body(struct ct *t, void *arg)
{
	struct ct_arg a[BARRIER_OUTER];
	struct gmp_waitgroup wg;
	int i;

	gmp_wg_init(&wg);
	for (i = 0; i < BARRIER_OUTER; i++) {
		a[i] = (struct ct_arg){ .t = t, .wg = &wg, .p = (long)arg };
		ct_arg_go(&a[i], sb_worker);
	}
	gmp_wg_wait(&wg);
}

/*
 * Go's TestChanSendBarrier: ten workers each take 1,000 freshly allocated
 * requests across an unbuffered channel from their own sender; every
 * direct copy (parked receiver or parked sender) delivers an intact
 * pointer (KASAN watches the memory).
 */
static void chan_send_barrier_direct_copies_intact(struct kunit *test)
{
	ct_run_val(test, sb_body, (void *)0L);
}

/* Go's TestChanSendSelectBarrier: the same, sending through a select. */
static void chan_send_select_barrier_direct_copies_intact(struct kunit *test)
{
	ct_run_val(test, sb_body, (void *)1L);
}

/* ---- hardirq ------------------------------------------------------------------ */

struct hi_ctx {
	struct hrtimer timer;
	struct gmp_chan *c;
	bool recv;		/* the timer receives (else it sends) */
	int timer_val;
	int timer_ret;
	int tries;
	bool timer_in_hardirq;
	atomic_t fired;
	int g_val;
	int g_ret;
	bool g_ok;
	atomic_t g_done;
};

static enum hrtimer_restart hi_timer_fn(struct hrtimer *timer)
{
	struct hi_ctx *h = container_of(timer, struct hi_ctx, timer);

	h->timer_in_hardirq = in_hardirq();
	if (h->recv)
		h->timer_ret = gmp_chan_try_recv(h->c, &h->timer_val, NULL);
	else
		h->timer_ret = gmp_chan_try_send(h->c, &h->timer_val);
	if (h->timer_ret == -EAGAIN && ++h->tries < 10000) {
		hrtimer_forward_now(timer, ms_to_ktime(1));
		return HRTIMER_RESTART;
	}
	atomic_set(&h->fired, 1);
	return HRTIMER_NORESTART;
}

static void hi_g(void *arg)
{
	struct hi_ctx *h = arg;

	h->g_val = 99;
	if (h->recv)
		h->g_ret = gmp_chan_send(h->c, &h->g_val);
	else
		h->g_ret = gmp_chan_recv(h->c, &h->g_val, &h->g_ok);
	atomic_set(&h->g_done, 1);
}

/* Park a G on an unbuffered channel, then complete it from an hrtimer. */
static void hi_run(struct kunit *test, struct hi_ctx *h, bool recv)
{
	h->recv = recv;
	h->timer_val = recv ? 0 : 1234;
	h->c = gmp_chan_create(sizeof(int), 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->c));
	KUNIT_ASSERT_EQ(test, ct_go(h, hi_g, h), 0);
	KUNIT_ASSERT_TRUE(test, ct_wait_queued(h->c, recv ? &h->c->sendq :
						       &h->c->recvq));
	hrtimer_init(&h->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	h->timer.function = hi_timer_fn;
	hrtimer_start(&h->timer, ms_to_ktime(2), HRTIMER_MODE_REL_HARD);
	KUNIT_ASSERT_TRUE(test, wait_count(&h->g_done, 1));
	KUNIT_EXPECT_TRUE(test, wait_count(&h->fired, 1));
	hrtimer_cancel(&h->timer);
	KUNIT_EXPECT_TRUE(test, h->timer_in_hardirq);
	KUNIT_EXPECT_EQ(test, h->timer_ret, 0);
	KUNIT_EXPECT_EQ(test, h->g_ret, 0);
	if (recv) {
		KUNIT_EXPECT_EQ(test, h->timer_val, 99);
	} else {
		KUNIT_EXPECT_EQ(test, h->g_val, 1234);
		KUNIT_EXPECT_TRUE(test, h->g_ok);
	}
	gmp_chan_put(h->c);
	h->c = NULL;
}

/* After a failed run: the timer may still be armed, the G parked on c. */
static void hi_dtor(void *ctx)
{
	struct hi_ctx *h = ctx;

	if (h->timer.function)
		hrtimer_cancel(&h->timer);
	ct_chan_put(h->c);
}

/*
 * gmp_chan_try_send() from hardirq (an hrtimer callback) hands the value
 * to a G parked in gmp_chan_recv() and readies it; gmp_chan_try_recv()
 * from hardirq takes a parked sender's value and readies the sender.
 */
static void try_ops_from_hardirq_ready_parked_g(struct kunit *test)
{
	struct hi_ctx *h = ct_alloc_dtor(test, sizeof(*h), hi_dtor);

	KUNIT_ASSERT_NOT_NULL(test, h);
	hi_run(test, h, false);
	memset(h, 0, sizeof(*h));
	hi_run(test, h, true);
}

/* ---- cancellation ------------------------------------------------------------ */

struct cx_ctx {
	struct gmp_chan *c1, *c2;
	bool select;
	int ret;
	atomic_t done;
};

static void cx_g(void *arg)
{
	struct cx_ctx *x = arg;
	int v = 5;
	struct gmp_select_case cs[2] = {
		{ .c = x->c1, .dir = GMP_SELECT_RECV, .elem = &v },
		{ .c = x->c2, .dir = GMP_SELECT_SEND, .elem = &v },
	};

	if (x->select)
		x->ret = gmp_select(cs, 2, true);
	else
		x->ret = gmp_chan_recv(x->c1, &v, NULL);
	atomic_set(&x->done, 1);
}

/* The parked G's wait, found through c1's queue (no other party runs). */
static struct gmp_chanwait *cx_find_wait(struct gmp_chan *c)
{
	struct gmp_chanwait *w = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&c->lock, flags);
	if (!list_empty(&c->recvq))
		w = list_first_entry(&c->recvq, struct gmp_sudog, link)->w;
	raw_spin_unlock_irqrestore(&c->lock, flags);
	return w;
}

static void cx_run(struct kunit *test, struct cx_ctx *x)
{
	struct gmp_chanwait *w;
	int v = 1;

	x->c1 = gmp_chan_create(sizeof(int), 0);
	x->c2 = gmp_chan_create(sizeof(int), 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(x->c1) || IS_ERR(x->c2));
	KUNIT_ASSERT_EQ(test, ct_go(x, cx_g, x), 0);
	KUNIT_ASSERT_TRUE(test, ct_wait_queued(x->c1, &x->c1->recvq));
	if (x->select)
		KUNIT_ASSERT_TRUE(test, ct_wait_queued(x->c2, &x->c2->sendq));
	w = cx_find_wait(x->c1);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_EXPECT_TRUE(test, gmp_chanwait_cancel(w));
	KUNIT_ASSERT_TRUE(test, wait_count(&x->done, 1));
	KUNIT_EXPECT_EQ(test, x->ret, -ECANCELED);
	KUNIT_EXPECT_FALSE(test, ct_queued(x->c1, &x->c1->recvq));
	KUNIT_EXPECT_FALSE(test, ct_queued(x->c2, &x->c2->sendq));
	/* Nobody is left to take a value. */
	KUNIT_EXPECT_EQ(test, gmp_chan_try_send(x->c1, &v), -EAGAIN);
	KUNIT_EXPECT_EQ(test, gmp_chan_try_recv(x->c2, &v, NULL), -EAGAIN);
	gmp_chan_put(x->c1);
	gmp_chan_put(x->c2);
	x->c1 = NULL;
	x->c2 = NULL;
}

/* The channels of a run that failed, once its G is gone. */
static void cx_dtor(void *ctx)
{
	struct cx_ctx *x = ctx;

	ct_chan_put(x->c1);
	ct_chan_put(x->c2);
}

/*
 * The cancellation hook: gmp_chanwait_cancel() on a G parked in a receive,
 * then in a select, dequeues all its sudogs and makes the call return
 * -ECANCELED.
 */
static void cancel_parked_recv_and_select_return_ecanceled(struct kunit *test)
{
	struct cx_ctx *x = ct_alloc_dtor(test, sizeof(*x), cx_dtor);

	KUNIT_ASSERT_NOT_NULL(test, x);
	cx_run(test, x);
	memset(x, 0, sizeof(*x));
	x->select = true;
	cx_run(test, x);
}

struct cb_ctx {
	struct gmp_g *g;
	struct gmp_chan *c;	/* buffered, one value in it */
	struct gmp_chan *u;	/* unbuffered, nobody on the other side */
	atomic_t go;
	atomic_t done;
	int ret[6];
};

static void cb_g(void *arg)
{
	struct cb_ctx *x = arg;
	struct gmp_select_case cs = { .c = x->u, .dir = GMP_SELECT_RECV };
	int v = 0, i;

	WRITE_ONCE(x->g, gmp_self());
	for (i = 0; i < WAIT_MS && !atomic_read(&x->go); i++)
		usleep_range(1000, 2000);
	x->ret[0] = gmp_chan_recv(x->c, &v, NULL);	/* ready: completes */
	x->ret[1] = gmp_chan_recv(x->c, &v, NULL);	/* empty now */
	x->ret[2] = gmp_chan_send(x->u, &v);
	x->ret[3] = gmp_select(&cs, 1, true);
	x->ret[4] = gmp_chan_recv(NULL, &v, NULL);	/* nil: forever */
	x->ret[5] = gmp_select(&cs, 1, false);		/* default: -EAGAIN */
	atomic_set(&x->done, 1);
}

/* Once the G is gone: it may have been parked on them. */
static void cb_dtor(void *ctx)
{
	struct cb_ctx *x = ctx;

	ct_chan_put(x->c);
	ct_chan_put(x->u);
}

/*
 * A goroutine cancelled by gmp_g_cancel() gets -ECANCELED from every
 * channel call that would park it, nil channels included; calls that
 * complete without parking still complete.
 */
static void cancelled_goroutine_blocking_ops_return_ecanceled(struct kunit *test)
{
	struct cb_ctx *x = ct_alloc_dtor(test, sizeof(*x), cb_dtor);
	int i, v = 3;

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->c = gmp_chan_create(sizeof(int), 1);
	x->u = gmp_chan_create(sizeof(int), 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(x->c) || IS_ERR(x->u));
	KUNIT_ASSERT_EQ(test, gmp_chan_try_send(x->c, &v), 0);
	KUNIT_ASSERT_EQ(test, ct_go(x, cb_g, x), 0);
	for (i = 0; i < WAIT_MS && !READ_ONCE(x->g); i++)
		usleep_range(1000, 2000);
	KUNIT_ASSERT_NOT_NULL(test, READ_ONCE(x->g));
	gmp_g_cancel(x->g);	/* the G is alive: it waits for go */
	atomic_set(&x->go, 1);
	KUNIT_ASSERT_TRUE(test, wait_count(&x->done, 1));
	KUNIT_EXPECT_EQ(test, x->ret[0], 0);
	KUNIT_EXPECT_EQ(test, x->ret[1], -ECANCELED);
	KUNIT_EXPECT_EQ(test, x->ret[2], -ECANCELED);
	KUNIT_EXPECT_EQ(test, x->ret[3], -ECANCELED);
	KUNIT_EXPECT_EQ(test, x->ret[4], -ECANCELED);
	KUNIT_EXPECT_EQ(test, x->ret[5], -EAGAIN);
	KUNIT_EXPECT_FALSE(test, ct_queued(x->c, &x->c->recvq));
	KUNIT_EXPECT_FALSE(test, ct_queued(x->u, &x->u->sendq));
	KUNIT_EXPECT_FALSE(test, ct_queued(x->u, &x->u->recvq));
}

/* ---- big selects ---------------------------------------------------------------- */

#define BIG_N 21

static void big_sender(void *arg)
{
	struct ct_arg *a = arg;
	struct gmp_chan **chans = a->ctx;
	int v = 13;

	/* Wait until the select is queued on all its channels. */
	CT_CHECK(a->t, ct_wait_queued(chans[BIG_N - 2], &chans[BIG_N - 2]->recvq),
		 "select never parked");
	gmp_chan_send(chans[13], &v);
	ct_exit(a);
}

static void big_body(struct ct *t, void *arg)
{
	struct gmp_select_case *cs = kcalloc(GMP_SELECT_MAX_CASES, sizeof(*cs),
					     GFP_KERNEL);
	struct gmp_chan *chans[BIG_N] = {};
	struct gmp_waitgroup wg;
	struct ct_arg a = { .t = t, .wg = &wg, .ctx = chans };
	int i, ret, v = -1;

	gmp_wg_init(&wg);
	for (i = 0; cs && i < BIG_N - 1; i++)
		chans[i] = ct_chan(t, sizeof(int), 1);
	chans[BIG_N - 1] = chans[5];	/* a duplicate */
	for (i = 0; cs && i < BIG_N; i++)
		cs[i] = (struct gmp_select_case){ .c = chans[i],
						  .dir = GMP_SELECT_RECV,
						  .elem = &v };
	if (!cs || atomic_read(&t->failed) || ct_arg_go(&a, big_sender))
		goto out;
	ret = gmp_select(cs, BIG_N, true);
	CT_CHECK(t, ret == 13 && v == 13, "select: %d, v %d", ret, v);
	gmp_wg_wait(&wg);
	for (i = 0; i < BIG_N - 1; i++)
		CT_CHECK(t, !ct_queued(chans[i], &chans[i]->recvq),
			 "chan %d still has a sudog", i);
	/* 64 cases, only the last one ready, without blocking. */
	for (i = 0; i < GMP_SELECT_MAX_CASES; i++)
		cs[i] = (struct gmp_select_case){ .c = chans[i % (BIG_N - 1)],
						  .dir = GMP_SELECT_RECV };
	cs[GMP_SELECT_MAX_CASES - 1].c = chans[BIG_N - 2];
	cs[GMP_SELECT_MAX_CASES - 1].elem = &v;
	for (i = 0; i < GMP_SELECT_MAX_CASES - 1; i++)
		if (cs[i].c == chans[BIG_N - 2])
			cs[i].c = NULL;
	v = 77;
	gmp_chan_send(chans[BIG_N - 2], &v);
	v = -1;
	ret = gmp_select(cs, GMP_SELECT_MAX_CASES, false);
	CT_CHECK(t, ret == GMP_SELECT_MAX_CASES - 1 && v == 77,
		 "64-case select: %d, v %d", ret, v);
out:
	for (i = 0; i < BIG_N - 1; i++)
		gmp_chan_put(chans[i]);
	kfree(cs);
}

/*
 * A select of more cases than fit on the stack (21 with a duplicate, then
 * 64): the blocking one wakes on the right case and leaves no sudog on
 * the 19 other channels.
 */
static void select_many_cases_dequeues_all_losers(struct kunit *test)
{
	ct_run(test, big_body, NULL);
}

/* ---- the README's example ------------------------------------------------- */

/* The fan-out/fan-in example of README.md, as it is there (names prefixed). */
#define RM_NWORKERS 8

struct rm_fan {				/* in rm_job_main()'s frame */
	struct gmp_chan *work;		/* int */
	struct gmp_chan *results;	/* long */
	struct gmp_waitgroup wg;
};

struct rm_job {
	int n;
	long sum;
	struct completion done;
};

static void rm_square_worker(void *arg)
{
	struct rm_fan *f = arg;
	bool ok;
	int v;

	/* Go's `for v := range work`: ok turns false once work is closed. */
	while (!gmp_chan_recv(f->work, &v, &ok) && ok) {
		long sq = (long)v * v;

		gmp_chan_send(f->results, &sq);
	}
	gmp_wg_done(&f->wg);
}

static void rm_job_main(void *arg)		/* a goroutine */
{
	struct rm_job *job = arg;
	int i, ret, v, started = 0, sent = 0, got = 0;
	long sq, sum = 0;
	struct gmp_select_case cs[2] = {
		{ .dir = GMP_SELECT_SEND, .elem = &v },
		{ .dir = GMP_SELECT_RECV, .elem = &sq },
	};
	struct rm_fan f;

	f.work = gmp_chan_create(sizeof(int), 64);
	f.results = gmp_chan_create(sizeof(long), 64);
	if (IS_ERR(f.work) || IS_ERR(f.results))
		goto out;
	gmp_wg_init(&f.wg);
	for (i = 0; i < RM_NWORKERS; i++) {
		gmp_wg_add(&f.wg, 1);
		if (gmp_go(rm_square_worker, &f))
			gmp_wg_done(&f.wg);
		else
			started++;
	}
	cs[1].c = f.results;
	while (started && got < job->n) {
		cs[0].c = sent < job->n ? f.work : NULL;  /* nil: case off */
		v = sent + 1;
		ret = gmp_select(cs, 2, true);
		if (ret == 0) {
			sent++;
		} else if (ret == 1) {
			sum += sq;
			got++;
		} else {
			break;				/* cancelled */
		}
	}
	gmp_chan_close(f.work);		/* the workers drain it and leave */
	gmp_wg_wait(&f.wg);		/* ... all of them */
	job->sum = got == job->n ? sum : -1;
out:
	if (!IS_ERR(f.work))
		gmp_chan_put(f.work);
	if (!IS_ERR(f.results))
		gmp_chan_put(f.results);
	complete(&job->done);
}

/* In the driver, process context: sum of the squares of 1..n. */
static long rm_sum_of_squares(int n)
{
	struct rm_job job = { .n = n, .sum = -1 };

	init_completion(&job.done);
	if (gmp_go(rm_job_main, &job))
		return -1;
	wait_for_completion(&job.done);
	return job.sum;		/* n (n + 1) (2n + 1) / 6 */
}

/* README.md's fan-out/fan-in example computes the sum of squares exactly. */
static void readme_fan_out_fan_in_sums_squares(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rm_sum_of_squares(1000), 333833500L);
	KUNIT_EXPECT_EQ(test, rm_sum_of_squares(1), 1L);
}

static struct kunit_case gmp_chan_cases[] = {
	KUNIT_CASE(chan_errors_outside_goroutine_and_on_nil_and_closed),
	KUNIT_CASE(chan_send_on_closed_returns_epipe),
	KUNIT_CASE(chan_any_elem_size_copies_whole_elements),
	KUNIT_CASE(chan_ops_block_drain_fifo_over_capacities),
	KUNIT_CASE(chan_parked_waiters_served_fifo),
	KUNIT_CASE(select_nil_cases_never_ready),
	KUNIT_CASE(nonblock_recv_races_close_never_default),
	KUNIT_CASE(nonblock_select_sees_one_instant_never_default),
	KUNIT_CASE(nonblock_select_races_close_never_default),
	KUNIT_CASE(self_select_never_receives_own_send),
	KUNIT_CASE(select_stress_completes_without_deadlock),
	KUNIT_CASE(select_fairness_uniform_within_10_sigma),
	KUNIT_CASE(select_two_sends_same_chan_pseudorandom),
	KUNIT_CASE(multi_consumer_exact_sum),
	KUNIT_CASE(select_duplicate_channel_keeps_queue_intact),
	KUNIT_CASE(chan_send_barrier_direct_copies_intact),
	KUNIT_CASE(chan_send_select_barrier_direct_copies_intact),
	KUNIT_CASE(try_ops_from_hardirq_ready_parked_g),
	KUNIT_CASE(cancel_parked_recv_and_select_return_ecanceled),
	KUNIT_CASE(cancelled_goroutine_blocking_ops_return_ecanceled),
	KUNIT_CASE(select_many_cases_dequeues_all_losers),
	KUNIT_CASE(readme_fan_out_fan_in_sums_squares),
	{}
};

struct kunit_suite gmp_chan_test_suite = {
	.name = "gmp_chan",
	.test_cases = gmp_chan_cases,
};
