/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by gmp's KUnit suites (sched/ *_test.c): per-case
 * contexts that goroutines keep alive, waiting for a counter, and running
 * a test body in a goroutine that records failures for the KUnit thread
 * to report (KUNIT_* must not run in a goroutine: an assertion failure
 * there would abort the wrong thread).
 *
 * The rule: memory a goroutine may touch is owned by the goroutines, not
 * by the case. A case can end while its goroutines still run: a
 * KUNIT_ASSERT_*() ends the case's kthread on the spot, a timed-out wait
 * makes it return early. KUnit then frees the case's kunit_kzalloc()
 * memory, the kthread's stack goes with it, and the next case gets that
 * memory while the old goroutines still write to it. So:
 *
 *  - Everything a goroutine touches lives in a context from ct_alloc():
 *    never in a KUnit thread's stack frame, kunit_kzalloc() memory or a
 *    static. What the context points to (arrays, channels, task refs) is
 *    released by its destructor (ct_alloc_dtor()), never by the case.
 *  - Goroutines are started with ct_go(), ct_go_opts(), ct_go_n(),
 *    ct_run() or ct_run_val(): each holds a reference on the context
 *    until its function returns. Only the case's thread, or a goroutine
 *    holding a reference on the same context, may start them.
 *  - The case holds one more reference, dropped at case end by a KUnit
 *    resource, so also after a failed assertion: ct_release() waits (up
 *    to CT_RELEASE_MS) for the case's goroutines to finish, then drops
 *    it. If some still run, it says so and leaves the context to them:
 *    the last one to return frees it (and runs the destructor).
 *  - A goroutine may hand its own stack frame to goroutines it waits for
 *    without a bound (gmp_wg_wait()), as chan_test.c's bodies do: its
 *    frame cannot go away before they are done.
 */
#ifndef _GMP_KUNIT_UTIL_H
#define _GMP_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/llist.h>
#include <linux/printk.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stdarg.h>
#include <linux/string.h>

#include "sched/sched.h"

/* How long a test waits for goroutines before calling it a hang. */
#define WAIT_MS 60000

/* How long the end of a case waits for its goroutines to return. */
#define CT_RELEASE_MS 10000

/* Wait until *@v reaches @n, sleeping; false (and a dump) on timeout. */
#define wait_count(v, n)	ct_wait_count(v, n, __func__, __LINE__)

static inline bool ct_wait_count(atomic_t *v, int n, const char *fn, int line)
{
	char why[96];
	int i;

	for (i = 0; i < WAIT_MS && atomic_read(v) < n; i++)
		usleep_range(1000, 2000);
	if (atomic_read(v) >= n)
		return true;
	snprintf(why, sizeof(why), "%s:%d: counter at %d of %d after %d ms",
		 fn, line, atomic_read(v), n, WAIT_MS);
	gmp_debug_dump(why);
	return false;
}

/* What a goroutine test body reports back: done, and the first failure. */
struct ct {
	atomic_t done;
	atomic_t failed;
	char msg[192];
};

static inline __printf(2, 3) void ct_fail(struct ct *t, const char *fmt, ...)
{
	va_list ap;

	if (atomic_inc_return(&t->failed) != 1)
		return;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
}

/* Record a failure unless @cond; evaluates to @cond. */
#define CT_CHECK(t, cond, fmt, ...)					\
	({								\
		bool __ok = (cond);					\
		if (!__ok)						\
			ct_fail(t, "%s:%d: " fmt, __func__, __LINE__,	\
				##__VA_ARGS__);				\
		__ok;							\
	})

/* ---- contexts -------------------------------------------------------------- */

struct ct_hdr;

/* What ct_go() starts: @fn(@arg) holding a reference on @h. */
struct ct_tramp {
	gmp_fn_t fn;
	void *arg;
	struct ct_hdr *h;
	struct llist_node node;		/* on ct_hdr.free */
};

/*
 * Trampolines come from their context, a page at a time, and go back to
 * it when their G starts: a kmalloc() per spawn costs more than the spawn
 * itself on a kernel with kmemleak.
 */
#define CT_TRAMP_INLINE 8
#define CT_TRAMP_CHUNK \
	((PAGE_SIZE - sizeof(struct llist_node)) / sizeof(struct ct_tramp))

struct ct_tramp_chunk {
	struct llist_node node;		/* on ct_hdr.chunks */
	struct ct_tramp tramp[CT_TRAMP_CHUNK];
};

/* The hidden header in front of every ct_alloc() context. */
struct ct_hdr {
	refcount_t ref;			/* the case's, and one per goroutine */
	void (*dtor)(void *ctx);	/* may be NULL */
	struct ct t;			/* what ct_run() bodies report in */
	char name[48];			/* the case's, for the leak message */
	spinlock_t lock;		/* one llist_del_first() of free at a time */
	struct llist_head free;		/* trampolines; added to locklessly */
	struct llist_head chunks;	/* freed with the context */
	struct ct_tramp tramp[CT_TRAMP_INLINE];	/* the first ones */
	u8 data[] __aligned(ARCH_KMALLOC_MINALIGN);	/* the context */
};

static inline struct ct_hdr *ct_hdr(void *ctx)
{
	return container_of(ctx, struct ct_hdr, data);
}

/* The failure record of context @ctx, and back. */
static inline struct ct *ct_of(void *ctx)
{
	return &ct_hdr(ctx)->t;
}

static inline void *ct_ctx(struct ct *t)
{
	return container_of(t, struct ct_hdr, t)->data;
}

/* Drop a reference; the last one runs the destructor and frees. */
static inline void ct_put(struct ct_hdr *h)
{
	struct ct_tramp_chunk *c, *next;

	if (!refcount_dec_and_test(&h->ref))
		return;
	if (h->dtor)
		h->dtor(h->data);
	llist_for_each_entry_safe(c, next, llist_del_all(&h->chunks), node)
		kfree(c);
	kfree(h);
}

static inline int ct_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/* Case end (also after a failed assertion): the case lets go. */
static inline void ct_release(struct kunit_resource *res)
{
	struct ct_hdr *h = res->data;
	unsigned long end = jiffies + msecs_to_jiffies(CT_RELEASE_MS);
	char why[96];
	int n;

	while (refcount_read(&h->ref) > 1 && time_before(jiffies, end))
		usleep_range(1000, 2000);
	n = refcount_read(&h->ref) - 1;
	if (n > 0) {
		pr_err("gmp kunit: %d goroutine(s) of case %s still running; leaking its context on purpose\n",
		       n, h->name);
		snprintf(why, sizeof(why), "case %s ended with %d goroutine(s) running",
			 h->name, n);
		gmp_debug_dump(why);
	}
	ct_put(h);
}

/**
 * ct_alloc_dtor() - a zeroed per-case context that its goroutines keep alive
 * @test:	the case
 * @size:	bytes (0 is fine: ct_run() bodies use the failure record only)
 * @dtor:	called with the context before it is freed, or NULL; it may
 *		run in the case's cleanup or in the last goroutine of the
 *		context, after the case is over: free memory, put channels
 *
 * Return: the context, or NULL (then nothing was allocated).
 */
static inline void *ct_alloc_dtor(struct kunit *test, size_t size,
				  void (*dtor)(void *ctx))
{
	struct ct_hdr *h = kzalloc(struct_size(h, data, size), GFP_KERNEL);

	int i;

	if (!h)
		return NULL;
	refcount_set(&h->ref, 1);
	h->dtor = dtor;
	strscpy(h->name, test->name, sizeof(h->name));
	spin_lock_init(&h->lock);
	for (i = 0; i < CT_TRAMP_INLINE; i++)
		llist_add(&h->tramp[i].node, &h->free);
	if (!kunit_alloc_resource(test, ct_res_init, ct_release, GFP_KERNEL, h)) {
		kfree(h);
		return NULL;
	}
	return h->data;
}

static inline void *ct_alloc(struct kunit *test, size_t size)
{
	return ct_alloc_dtor(test, size, NULL);
}

/* ---- goroutines -------------------------------------------------------------- */

static inline void ct_tramp_put(struct ct_hdr *h, struct ct_tramp *tr)
{
	llist_add(&tr->node, &h->free);
}

static inline struct ct_tramp *ct_tramp_get(struct ct_hdr *h, gfp_t gfp)
{
	struct ct_tramp_chunk *c;
	struct llist_node *n;
	int i;

	spin_lock(&h->lock);
	n = llist_del_first(&h->free);
	spin_unlock(&h->lock);
	if (n)
		return llist_entry(n, struct ct_tramp, node);
	c = kmalloc(sizeof(*c), gfp);
	if (!c)
		return NULL;
	llist_add(&c->node, &h->chunks);
	for (i = 1; i < CT_TRAMP_CHUNK - 1; i++)
		c->tramp[i].node.next = &c->tramp[i + 1].node;
	llist_add_batch(&c->tramp[1].node, &c->tramp[CT_TRAMP_CHUNK - 1].node,
			&h->free);
	return &c->tramp[0];
}

static inline void ct_go_fn(void *arg)
{
	struct ct_tramp tr = *(struct ct_tramp *)arg;

	ct_tramp_put(tr.h, arg);
	tr.fn(tr.arg);
	ct_put(tr.h);
}

/*
 * gmp_go_opts(@fn, @arg, @opts) holding a reference on @ctx while @fn
 * runs. The G is named after @fn for gmp_debug_dump() unless @opts names
 * it (its fn is ct_go_fn()); inlined, so that "created by" in a dump is
 * the spawner. Return: as gmp_go_opts(), or -ENOMEM.
 */
static __always_inline int __ct_go(void *ctx, gmp_fn_t fn, void *arg,
				   const struct gmp_spawn_opts *opts,
				   const char *name)
{
	struct gmp_spawn_opts o = { .name = name };
	struct ct_hdr *h = ct_hdr(ctx);
	struct gmp_g *self = __gmp_self();
	struct ct_tramp *tr;
	int ret;

	if (!fn)
		return -EINVAL;
	if (opts) {
		o = *opts;
		if (!o.name)
			o.name = name;
	}
	/* No reclaim from a small stack (gmp_go() refuses to spawn there). */
	tr = ct_tramp_get(h, self && self->stack_class == GMP_STACK_SMALL ?
			     GFP_NOWAIT : GFP_KERNEL);
	if (!tr)
		return -ENOMEM;
	*tr = (struct ct_tramp){ .fn = fn, .arg = arg, .h = h };
	refcount_inc(&h->ref);
	ret = gmp_go_opts(ct_go_fn, tr, &o);
	if (ret) {
		ct_tramp_put(h, tr);
		ct_put(h);	/* not the last: the caller holds one */
	}
	return ret;
}

/* Start fn(arg) in a goroutine that keeps ctx (a ct_alloc() context) alive. */
#define ct_go(ctx, fn, arg)		__ct_go(ctx, fn, arg, NULL, #fn)
#define ct_go_opts(ctx, fn, arg, opts)	__ct_go(ctx, fn, arg, opts, #fn)

/*
 * Spawn @n goroutines fn(@arg) on the context of @t (a ct_run() body's
 * record); false (and a failure) if one did not start.
 */
#define ct_go_n(t, fn, arg, n)		__ct_go_n(t, fn, arg, n, #fn)

static inline bool __ct_go_n(struct ct *t, gmp_fn_t fn, void *arg, int n,
			     const char *name)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = __ct_go(ct_ctx(t), fn, arg, NULL, name);
		if (ret) {
			ct_fail(t, "gmp_go: %d", ret);
			return false;
		}
	}
	return true;
}

struct ct_main {
	struct ct *t;
	void (*body)(struct ct *t, void *arg);
	void *arg;
};

static inline void ct_main_fn(void *arg)
{
	struct ct_main m = *(struct ct_main *)arg;

	kfree(arg);
	m.body(m.t, m.arg);
	atomic_inc(&m.t->done);
}

/*
 * Run @body(t, @arg) in a goroutine holding @ctx (a ct_alloc() context,
 * or NULL for a new empty one), t being @ctx's record, and check it
 * recorded no failure. With @arg_is_ctx, @arg is @ctx.
 * Return: true if the goroutine finished (else it keeps @ctx alive).
 */
static inline bool __ct_run(struct kunit *test, void *ctx,
			    void (*body)(struct ct *, void *), void *arg,
			    bool arg_is_ctx, const char *name)
{
	struct ct_main *m;
	struct ct *t;
	int ret, want;

	if (!ctx)
		ctx = ct_alloc(test, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	t = ct_of(ctx);
	m = kmalloc(sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	*m = (struct ct_main){ .t = t, .body = body,
			       .arg = arg_is_ctx ? ctx : arg };
	want = atomic_read(&t->done) + 1;
	ret = __ct_go(ctx, ct_main_fn, m, NULL, name);
	if (ret)
		kfree(m);
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (!wait_count(&t->done, want)) {
		KUNIT_FAIL(test, "test goroutine hung (lost wakeup?): %s",
			   t->msg);
		return false;
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&t->failed), 0, "%s", t->msg);
	return true;
}

/* @body(t, @ctx), @ctx a ct_alloc() context (or NULL: a new empty one). */
#define ct_run(test, body, ctx)	__ct_run(test, ctx, body, NULL, true, #body)

/* @body(t, @arg) in a new empty context: @arg is a value, not memory. */
#define ct_run_val(test, body, arg)	\
	__ct_run(test, NULL, body, arg, false, #body)

#endif /* _GMP_KUNIT_UTIL_H */
