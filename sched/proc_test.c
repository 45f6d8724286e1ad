// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the live scheduler (sched/proc.c), many ported from Go's
 * runtime tests (proc_test.go).
 *
 * Strategy: each case spawns real goroutines (with ct_go(): they share a
 * ct_alloc() context that outlives a failed case, see kunit_util.h), waits
 * for them with a counter (bounded by a timeout, so a lost wakeup fails
 * the case instead of hanging the boot), and checks exact counts.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/sort.h>
#include <linux/stacktrace.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "sched.h"
#include "kunit_util.h"

/* ---- spawn ------------------------------------------------------------- */

struct spawn_ctx {
	u8 *ran;		/* per-G run count */
	struct spawn_item *items;
	atomic_t done;
	atomic_t dups;
	int n;
};

struct spawn_item {
	struct spawn_ctx *c;
	int idx;
};

static void spawn_leaf(void *arg)
{
	struct spawn_item *it = arg;
	struct spawn_ctx *c = it->c;

	if (cmpxchg(&c->ran[it->idx], 0, 1) != 0)
		atomic_inc(&c->dups);
	atomic_inc(&c->done);
}

static void spawn_root(void *arg)
{
	struct spawn_item *items = arg;
	struct spawn_ctx *c = items[0].c;
	struct gmp_spawn_opts opts = { .stack = GMP_STACK_SMALL };
	int i;

	for (i = 0; i < c->n; i++) {
		while (ct_go_opts(c, spawn_leaf, &items[i], &opts))
			gmp_yield();
		/* Keep at most ~4k Gs alive: bounded memory under TCG. */
		while (i - atomic_read(&c->done) > 4096)
			gmp_yield();
	}
}

/* Once every G has exited: they point at both arrays. */
static void spawn_dtor(void *ctx)
{
	struct spawn_ctx *c = ctx;

	kvfree(c->items);
	kvfree(c->ran);
}

static void spawn_100k_each_run_exactly_once(struct kunit *test)
{
	struct spawn_ctx *c = ct_alloc_dtor(test, sizeof(*c), spawn_dtor);
	struct spawn_item *items;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->n = 100000;
	c->ran = kvzalloc(c->n, GFP_KERNEL);
	items = kvcalloc(c->n, sizeof(*items), GFP_KERNEL);
	c->items = items;
	KUNIT_ASSERT_NOT_NULL(test, c->ran);
	KUNIT_ASSERT_NOT_NULL(test, items);
	for (i = 0; i < c->n; i++) {
		items[i].c = c;
		items[i].idx = i;
	}
	KUNIT_ASSERT_EQ(test, ct_go(c, spawn_root, items), 0);
	KUNIT_EXPECT_TRUE(test, wait_count(&c->done, c->n));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->done), c->n);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->dups), 0);
	for (i = 0; i < c->n; i++)
		if (c->ran[i] != 1)
			break;
	KUNIT_EXPECT_EQ(test, i, c->n);
}

/* ---- nested spawns -------------------------------------------------------- */

struct tree_ctx {
	atomic_t leaves;
	atomic_t nodes;
};

struct tree_node {
	struct tree_ctx *c;
	int depth;
};

static void tree_fn(void *arg);

static void tree_spawn(struct tree_ctx *c, int depth)
{
	struct tree_node *n = kmalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return;
	n->c = c;
	n->depth = depth;
	if (ct_go(c, tree_fn, n))
		kfree(n);
}

static void tree_fn(void *arg)
{
	struct tree_node *n = arg;
	struct tree_ctx *c = n->c;
	int depth = n->depth, i;

	kfree(n);
	atomic_inc(&c->nodes);
	if (depth == 0) {
		atomic_inc(&c->leaves);
		return;
	}
	for (i = 0; i < 8; i++)
		tree_spawn(c, depth - 1);
}

static void nested_spawns_build_the_whole_tree(struct kunit *test)
{
	struct tree_ctx *c = ct_alloc(test, sizeof(*c));

	KUNIT_ASSERT_NOT_NULL(test, c);
	tree_spawn(c, 4);	/* 8^4 leaves, 4681 nodes */
	KUNIT_EXPECT_TRUE(test, wait_count(&c->nodes, 4681));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->leaves), 4096);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nodes), 4681);
}

/* ---- parallelism ----------------------------------------------------------- */

struct par_ctx {
	atomic_t started;
	atomic_t finished;
	atomic_t all_seen;
	int n;
};

static void par_fn(void *arg)
{
	struct par_ctx *c = arg;
	unsigned long end = jiffies + 20 * HZ;

	atomic_inc(&c->started);
	/* Spin (no yield) until every G is running at the same time. */
	while (atomic_read(&c->started) < c->n && time_before(jiffies, end))
		cpu_relax();
	if (atomic_read(&c->started) >= c->n)
		atomic_inc(&c->all_seen);
	atomic_inc(&c->finished);
}

/* Go's TestGoroutineParallelism: GOMAXPROCS spinning Gs all run at once. */
static void all_ps_run_gs_in_parallel(struct kunit *test)
{
	struct par_ctx *c = ct_alloc(test, sizeof(*c));
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->n = gmp_sched.gomaxprocs;
	for (i = 0; i < c->n; i++)
		KUNIT_ASSERT_EQ(test, ct_go(c, par_fn, c), 0);
	KUNIT_EXPECT_TRUE(test, wait_count(&c->finished, c->n));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->all_seen), c->n);
}

/* ---- yield ------------------------------------------------------------------- */

struct yield_ctx {
	atomic_t stop;
	atomic_t done;
	atomic_long_t yields;
};

static void yield_spinner(void *arg)
{
	struct yield_ctx *c = arg;

	while (!atomic_read(&c->stop)) {
		gmp_yield();
		atomic_long_inc(&c->yields);
	}
	atomic_inc(&c->done);
}

static void yield_setter(void *arg)
{
	struct yield_ctx *c = arg;

	atomic_set(&c->stop, 1);
}

/*
 * Go's TestYieldProgress: a G that only yields keeps getting the CPU and
 * sees another goroutine's progress; with more spinners than Ps, the
 * setter still gets to run.
 */
static void yield_lets_others_progress(struct kunit *test)
{
	struct yield_ctx *c = ct_alloc(test, sizeof(*c));
	int i, n = gmp_sched.gomaxprocs + 1;

	KUNIT_ASSERT_NOT_NULL(test, c);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, ct_go(c, yield_spinner, c), 0);
	msleep(20);
	KUNIT_ASSERT_EQ(test, ct_go(c, yield_setter, c), 0);
	KUNIT_EXPECT_TRUE(test, wait_count(&c->done, n));
	KUNIT_EXPECT_GT(test, atomic_long_read(&c->yields), 0L);
}

/* ---- park / ready ----------------------------------------------------------- */

struct pingpong {
	spinlock_t lock;	/* protects waiter and turn */
	struct gmp_g *waiter;
	int turn;
	int iters;
	atomic_t done;
	long count[2];
};

static bool pp_unlock(struct gmp_g *gp, void *arg)
	__releases(&((struct pingpong *)arg)->lock)
{
	struct pingpong *pp = arg;

	spin_unlock(&pp->lock);
	return true;
}

static void pp_fn(struct pingpong *pp, int me)
{
	struct gmp_g *w;
	int i;

	for (i = 0; i < pp->iters; i++) {
		spin_lock(&pp->lock);
		while (pp->turn != me) {
			pp->waiter = gmp_self();
			gmp_park(pp_unlock, pp, GMP_WAIT_PARK);
			__release(&pp->lock);	/* by pp_unlock(), for sparse */
			spin_lock(&pp->lock);
		}
		pp->count[me]++;
		pp->turn = !me;
		w = pp->waiter;
		pp->waiter = NULL;
		spin_unlock(&pp->lock);
		if (w)
			gmp_ready(w);
	}
	atomic_inc(&pp->done);
}

static void pp_ping(void *arg)
{
	pp_fn(arg, 0);
}

static void pp_pong(void *arg)
{
	pp_fn(arg, 1);
}

static void park_ready_pingpong_alternates(struct kunit *test)
{
	struct pingpong *pp = ct_alloc(test, sizeof(*pp));

	KUNIT_ASSERT_NOT_NULL(test, pp);
	pp->iters = 10000;
	spin_lock_init(&pp->lock);
	KUNIT_ASSERT_EQ(test, ct_go(pp, pp_ping, pp), 0);
	KUNIT_ASSERT_EQ(test, ct_go(pp, pp_pong, pp), 0);
	KUNIT_EXPECT_TRUE(test, wait_count(&pp->done, 2));
	KUNIT_EXPECT_EQ(test, pp->count[0], 10000L);
	KUNIT_EXPECT_EQ(test, pp->count[1], 10000L);
}

/* ---- goids, free list, stack traces, idle Ms ------------------------------ */

struct goid_ctx {
	u64 *ids;
	atomic_t next;
	atomic_t done;
};

static void goid_fn(void *arg)
{
	struct goid_ctx *c = arg;

	c->ids[atomic_inc_return(&c->next) - 1] = gmp_goid();
	atomic_inc(&c->done);
}

static void goid_dtor(void *ctx)
{
	struct goid_ctx *c = ctx;

	kfree(c->ids);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void goids_are_unique_and_nonzero(struct kunit *test)
{
	struct goid_ctx *c = ct_alloc_dtor(test, sizeof(*c), goid_dtor);
	const int n = 5000;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->ids = kcalloc(n, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->ids);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, ct_go(c, goid_fn, c), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(&c->done, n));
	sort(c->ids, n, sizeof(u64), cmp_u64, NULL);
	KUNIT_EXPECT_NE(test, c->ids[0], 0ULL);
	for (i = 1; i < n; i++)
		KUNIT_ASSERT_NE(test, c->ids[i], c->ids[i - 1]);
	KUNIT_EXPECT_EQ(test, gmp_goid(), 0ULL);	/* not a goroutine */
}

static void count_fn(void *arg)
{
	atomic_inc(arg);
}

/* Dead Gs and their stacks are reused: no new stack memory in round 2. */
static void freelist_reuses_dead_gs(struct kunit *test)
{
	atomic_t *done = ct_alloc(test, sizeof(*done));
	long before;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, done);
	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_EQ(test, ct_go(done, count_fn, done), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(done, 200));
	msleep(20);
	before = atomic_long_read(&gmp_sched.stack_bytes);
	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_EQ(test, ct_go(done, count_fn, done), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(done, 400));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&gmp_sched.stack_bytes), before);
}

struct trace_ctx {
	char found[KSYM_SYMBOL_LEN];
	bool has_self;
	bool on_g_stack;
	atomic_t done;
};

static noinline void trace_fn(void *arg)
{
	struct trace_ctx *c = arg;
	unsigned long entries[32];
	unsigned int n, i;
	char buf[KSYM_SYMBOL_LEN];

	sprint_symbol_no_offset(c->found, (unsigned long)trace_fn);
	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	for (i = 0; i < n; i++) {
		sprint_symbol_no_offset(buf, entries[i]);
		if (!strcmp(buf, c->found))
			c->has_self = true;
	}
	c->on_g_stack = object_is_on_stack(&n) &&
			current->stack == gmp_self()->stack;
	atomic_inc(&c->done);
}

static void stack_trace_in_g_shows_g_function(struct kunit *test)
{
	struct trace_ctx *c = ct_alloc(test, sizeof(*c));

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, ct_go(c, trace_fn, c), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(&c->done, 1));
	KUNIT_EXPECT_TRUE(test, c->has_self);
	KUNIT_EXPECT_TRUE(test, c->on_g_stack);
}

static u64 ms_cpu_time(void)
{
	unsigned long flags;
	struct gmp_m *m;
	u64 sum = 0;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	list_for_each_entry(m, &gmp_sched.allms, allmlink)
		sum += READ_ONCE(m->task->se.sum_exec_runtime);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	return sum;
}

/* An idle scheduler costs no CPU: Ms sleep, with no polling loop. */
static void idle_ms_park_and_use_no_cpu(struct kunit *test)
{
	u64 before;

	msleep(200);	/* let the previous cases' Ms park */
	before = ms_cpu_time();
	msleep(1000);
	KUNIT_EXPECT_LT(test, ms_cpu_time() - before, 2ULL * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, atomic_read(&gmp_sched.nmspinning), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&gmp_sched.npidle), gmp_sched.gomaxprocs);
}

struct pin_ctx {
	struct gmp_g *parked;
	atomic_t done;
};

/* Publish the G only once it is off its stack: then it may be readied. */
static bool pin_unlock(struct gmp_g *gp, void *arg)
{
	struct pin_ctx *c = arg;

	/* Pairs with the test's load-acquire: the G is parked by now. */
	smp_store_release(&c->parked, gp);
	return true;
}

static void pin_fn(void *arg)
{
	struct pin_ctx *c = arg;

	gmp_park(pin_unlock, c, GMP_WAIT_PARK);
	atomic_inc(&c->done);
}

/*
 * A G pins the module that spawned it until it exits; and a G parked by
 * gmp_park() is readied from a plain kthread (this test's), through a
 * P's inbox.
 */
static void spawn_pins_module_and_ready_from_kthread_works(struct kunit *test)
{
	struct pin_ctx *c = ct_alloc(test, sizeof(*c));
	int before, i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	/*
	 * Gs of earlier cases may still be exiting, each holding a pin: count
	 * from when none is alive. goexit0() drops the pin right after the
	 * count, on the same M with interrupts off, so a short wait covers it.
	 */
	for (i = 0; i < WAIT_MS && atomic_read(&gmp_sched.ngalive); i++)
		usleep_range(1000, 2000);
	KUNIT_ASSERT_EQ(test, atomic_read(&gmp_sched.ngalive), 0);
	msleep(20);
	before = module_refcount(THIS_MODULE);
	KUNIT_ASSERT_EQ(test, ct_go(c, pin_fn, c), 0);
	/* Pairs with the store-release in pin_unlock(). */
	for (i = 0; i < WAIT_MS && !smp_load_acquire(&c->parked); i++)
		usleep_range(1000, 2000);
	KUNIT_ASSERT_NOT_NULL(test, READ_ONCE(c->parked));
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), before + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->parked->status), GMP_G_WAITING);
	gmp_ready(c->parked);
	KUNIT_EXPECT_TRUE(test, wait_count(&c->done, 1));
	for (i = 0; i < WAIT_MS && module_refcount(THIS_MODULE) != before; i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), before);
}

static void spawn_rejects_bad_options(struct kunit *test)
{
	struct gmp_spawn_opts opts = { .stack = GMP_STACK_NR_CLASSES };
	atomic_t *done = ct_alloc(test, sizeof(*done));

	KUNIT_ASSERT_NOT_NULL(test, done);
	KUNIT_EXPECT_EQ(test, ct_go_opts(done, count_fn, done, &opts), -EINVAL);
	KUNIT_EXPECT_EQ(test, gmp_go(NULL, NULL), -EINVAL);
	opts.stack = GMP_STACK_SMALL;
	opts.name = "a-name-longer-than-sixteen-bytes";
	KUNIT_EXPECT_EQ(test, ct_go_opts(done, count_fn, done, &opts), 0);
	KUNIT_EXPECT_TRUE(test, wait_count(done, 1));
}

struct small_spawn {
	atomic_t done;
	int ret;
};

/* On a small stack: spawning must be refused, not go deep into vmalloc. */
static void small_spawner(void *arg)
{
	struct small_spawn *s = arg;

	s->ret = ct_go(s, count_fn, &s->done);
	atomic_inc(&s->done);
}

static void small_stack_g_cannot_spawn(struct kunit *test)
{
	struct gmp_spawn_opts opts = { .stack = GMP_STACK_SMALL };
	struct small_spawn *s = ct_alloc(test, sizeof(*s));

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->ret = 1;
	KUNIT_ASSERT_EQ(test, ct_go_opts(s, small_spawner, s, &opts), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(&s->done, 1));
	KUNIT_EXPECT_EQ(test, s->ret, -EPERM);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->done), 1);
}

static struct kunit_case gmp_proc_cases[] = {
	KUNIT_CASE(small_stack_g_cannot_spawn),
	KUNIT_CASE(spawn_pins_module_and_ready_from_kthread_works),
	KUNIT_CASE(spawn_rejects_bad_options),
	KUNIT_CASE(spawn_100k_each_run_exactly_once),
	KUNIT_CASE(nested_spawns_build_the_whole_tree),
	KUNIT_CASE(all_ps_run_gs_in_parallel),
	KUNIT_CASE(yield_lets_others_progress),
	KUNIT_CASE(park_ready_pingpong_alternates),
	KUNIT_CASE(goids_are_unique_and_nonzero),
	KUNIT_CASE(freelist_reuses_dead_gs),
	KUNIT_CASE(stack_trace_in_g_shows_g_function),
	KUNIT_CASE(idle_ms_park_and_use_no_cpu),
	{}
};

struct kunit_suite gmp_proc_test_suite = {
	.name = "gmp_proc",
	.test_cases = gmp_proc_cases,
};
