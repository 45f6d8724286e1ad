// SPDX-License-Identifier: GPL-2.0
/*
 * The job kinds built into gmp: small programs written the way Go code is
 * (goroutines, channels), each with a result userspace can check against
 * a closed form. uapi/gmp.h documents the parameters and results; the
 * benchmark suite runs the same programs as Go code.
 *
 * Every kind unwinds when its job is cancelled: blocking calls return
 * -ECANCELED, busy loops poll gmp_cancelled(). A goroutine that cannot
 * start another calls gmp_job_fail(), which cancels the rest. State a
 * kind allocates lives until release(), after the last goroutine exited.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/completion.h>

#include "gmp.h"
#include "job.h"

/* Enough busy work per unit to dwarf a checkpoint, not a time slice. */
#define GMP_BUSY_ITERS	2048

/* One unit of busy work: an xorshift chain the compiler cannot drop. */
u64 gmp_busy_unit(u64 x)
{
	int i;

	for (i = 0; i < GMP_BUSY_ITERS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

static void gmp_kind_kfree_state(struct gmp_job *job)
{
	kvfree(job->state);
	job->state = NULL;
}

/* ---- spawn: n goroutines that do nothing ---------------------------- */

static int spawn_prepare(struct gmp_job *job)
{
	struct spawn_state *st;

	if (!job->p.spawn.n)
		job->p.spawn.n = 1000;
	if (job->p.spawn.n > GMP_JOB_MAX_N)
		return -EINVAL;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	job->state = st;
	return st ? 0 : -ENOMEM;
}

static void spawn_leaf(void *arg)
{
	struct spawn_state *st = arg;

	atomic64_inc(&st->ran);
}

static void spawn_root(void *arg)
{
	struct gmp_job *job = arg;
	u64 i;
	int err;

	for (i = 0; i < job->p.spawn.n; i++) {
		err = gmp_job_go(job, spawn_leaf, job->state);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

static void spawn_release(struct gmp_job *job)
{
	struct spawn_state *st = job->state;

	if (st)
		kvfree(st->works);
	gmp_kind_kfree_state(job);
}

static void spawn_finish(struct gmp_job *job)
{
	struct spawn_state *st = job->state;

	job->result = atomic64_read(&st->ran);
}

/* ---- skynet: a tree of goroutines summing their ids --------------------- */

/*
 * Go's skynet: goroutine (num, size) with size 1 sends num to its parent;
 * otherwise it starts branch children over equal parts of [num, num+size)
 * (the first size % branch get one more), and sends the sum of what they
 * send it over an unbuffered channel. The root is the job's first
 * goroutine and stores the sum in the job.
 */
struct sky_arg {
	struct gmp_chan *out;	/* a reference of its own; NULL for the root */
	u64 num;
	u64 size;
};

static struct kmem_cache *sky_cache;

static int skynet_prepare(struct gmp_job *job)
{
	if (!job->p.skynet.size)
		job->p.skynet.size = 1000000;
	if (!job->p.skynet.branch)
		job->p.skynet.branch = 10;
	if (job->p.skynet.size > GMP_JOB_MAX_ITERS ||
	    job->p.skynet.branch < 2 || job->p.skynet.branch > 1024)
		return -EINVAL;
	return 0;
}

static void sky_fn(void *arg);

/* Start the children of @s; returns how many started. */
static u64 sky_spawn(struct gmp_job *job, struct sky_arg *s,
		     struct gmp_chan *rc)
{
	u64 branch = job->p.skynet.branch, off = s->num, n, q, r, sub;
	struct sky_arg *c;
	int err = 0;

	q = div64_u64_rem(s->size, branch, &r);
	for (n = 0; n < branch; n++) {
		sub = q + (n < r);
		if (!sub)
			break;
		c = kmem_cache_alloc(sky_cache, GFP_KERNEL);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->out = gmp_chan_get(rc);
		c->num = off;
		c->size = sub;
		/* Leaves only send: they may take small stacks. */
		if (sub == 1)
			err = gmp_job_go(job, sky_fn, c);
		else
			err = gmp_job_go_inner(job, sky_fn, c);
		if (err) {
			gmp_chan_put(rc);
			kmem_cache_free(sky_cache, c);
			break;
		}
		off += sub;
	}
	if (err)
		gmp_job_fail(job, err);
	return n;
}

static void sky_fn(void *arg)
{
	struct gmp_job *job = gmp_job_current();
	struct sky_arg *s = arg;
	struct gmp_chan *rc;
	u64 sum = 0, v = 0, n, i;
	int err = 0;

	if (s->size == 1) {
		sum = s->num;
		goto out;
	}
	rc = gmp_chan_create(sizeof(u64), 0);
	if (IS_ERR(rc)) {
		gmp_job_fail(job, PTR_ERR(rc));
		goto free;
	}
	n = sky_spawn(job, s, rc);
	for (i = 0; i < n && !err; i++) {
		err = gmp_chan_recv(rc, &v, NULL);
		sum += v;
	}
	gmp_chan_put(rc);
	if (err)
		goto free;
out:
	if (s->out)
		gmp_chan_send(s->out, &sum);	/* fails only if cancelled */
	else
		job->result = sum;
free:
	if (s->out)
		gmp_chan_put(s->out);
	kmem_cache_free(sky_cache, s);
}

static void skynet_root(void *arg)
{
	struct gmp_job *job = arg;
	struct sky_arg *s = kmem_cache_alloc(sky_cache, GFP_KERNEL);

	if (!s) {
		gmp_job_fail(job, -ENOMEM);
		return;
	}
	s->out = NULL;
	s->num = 0;
	s->size = job->p.skynet.size;
	sky_fn(s);
}

static void skynet_finish(struct gmp_job *job)
{
	/* The baselines' root goroutine only starts the tree's root task. */
	job->aux[0] = job->created - (job->p.mode != GMP_MODE_GOROUTINE);
}

static void gmp_kind_no_state(struct gmp_job *job)
{
}

/* ---- pingpong: two goroutines, an unbuffered channel each way ---------- */

static void pp_release(struct gmp_job *job)
{
	struct pp_state *st = job->state;

	if (!st)
		return;
	if (!IS_ERR_OR_NULL(st->ping))
		gmp_chan_put(st->ping);
	if (!IS_ERR_OR_NULL(st->pong))
		gmp_chan_put(st->pong);
	gmp_kind_kfree_state(job);
}

static int pp_prepare(struct gmp_job *job)
{
	struct pp_state *st;

	if (!job->p.pingpong.iters)
		job->p.pingpong.iters = 10000;
	if (job->p.pingpong.iters > GMP_JOB_MAX_ITERS)
		return -EINVAL;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	job->state = st;
	init_completion(&st->c_ping);
	init_completion(&st->c_pong);
	st->ping = gmp_chan_create(sizeof(u64), 0);
	st->pong = gmp_chan_create(sizeof(u64), 0);
	if (IS_ERR(st->ping) || IS_ERR(st->pong)) {
		pp_release(job);
		return -ENOMEM;
	}
	return 0;
}

static void pp_ponger(void *arg)
{
	struct pp_state *st = arg;
	bool ok;
	u64 v;

	for (;;) {
		if (gmp_chan_recv(st->ping, &v, &ok) || !ok)
			return;
		if (gmp_chan_send(st->pong, &v))
			return;
	}
}

static void pp_root(void *arg)
{
	struct gmp_job *job = arg;
	struct pp_state *st = job->state;
	u64 i, v, t0;
	int err;

	err = gmp_job_go(job, pp_ponger, st);
	if (err) {
		gmp_job_fail(job, err);
		return;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < job->p.pingpong.iters; i++) {
		if (gmp_chan_send(st->ping, &i) ||
		    gmp_chan_recv(st->pong, &v, NULL))
			break;
		if (v != i) {
			gmp_job_fail(job, -EPROTO);
			break;
		}
	}
	st->ns = i ? div64_u64(ktime_get_ns() - t0, i) : 0;
	st->done = i;
	gmp_chan_close(st->ping);
}

static void pp_finish(struct gmp_job *job)
{
	struct pp_state *st = job->state;

	job->result = st->done;
	job->aux[0] = st->ns;
}

/* ---- ring: a token passed round n goroutines ------------------------- */

#define RING_STOP	U64_MAX

struct ring_state {
	u64 n;
	u64 total;		/* hops to make: n * laps */
	u64 hops;		/* R: what the token counted */
	struct gmp_chan *ch[];	/* goroutine i receives on ch[i] */
};

static void ring_release(struct gmp_job *job)
{
	struct ring_state *st = job->state;
	u64 i;

	if (!st)
		return;
	for (i = 0; i < st->n; i++)
		if (!IS_ERR_OR_NULL(st->ch[i]))
			gmp_chan_put(st->ch[i]);
	gmp_kind_kfree_state(job);
}

static int ring_prepare(struct gmp_job *job)
{
	struct ring_state *st;
	u64 n, i;

	if (!job->p.ring.n)
		job->p.ring.n = 100;
	if (!job->p.ring.laps)
		job->p.ring.laps = 10;
	n = job->p.ring.n;
	if (n < 2 || n > GMP_JOB_MAX_N ||
	    job->p.ring.laps > div64_u64(GMP_JOB_MAX_ITERS, n))
		return -EINVAL;
	if (n > READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(struct_size(st, ch, n), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	job->state = st;
	st->n = n;
	st->total = n * job->p.ring.laps;
	for (i = 0; i < n; i++) {
		st->ch[i] = gmp_chan_create(sizeof(u64), 0);
		if (IS_ERR(st->ch[i])) {
			ring_release(job);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Goroutine i: pass the token on, one more each hop. Whoever receives
 * the last hop records it and sends RING_STOP round; each goroutine
 * passes that on and exits, and the one that started it exits when it
 * comes back.
 */
static void ring_fn(void *arg)
{
	struct ring_state *st = gmp_job_current()->state;
	u64 i = (unsigned long)arg, v;
	struct gmp_chan *in = st->ch[i];
	struct gmp_chan *out = st->ch[i + 1 == st->n ? 0 : i + 1];
	bool stopper = false;

	for (;;) {
		if (gmp_chan_recv(in, &v, NULL))
			return;
		if (v == RING_STOP) {
			if (!stopper)
				gmp_chan_send(out, &v);
			return;
		}
		if (v == st->total) {
			st->hops = v;
			stopper = true;
			v = RING_STOP;
		} else {
			v++;
		}
		if (gmp_chan_send(out, &v))
			return;
	}
}

static void ring_root(void *arg)
{
	struct gmp_job *job = arg;
	struct ring_state *st = job->state;
	u64 i, token = 0;
	int err;

	for (i = 0; i < st->n; i++) {
		err = gmp_job_go(job, ring_fn, (void *)(unsigned long)i);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
	gmp_chan_send(st->ch[0], &token);
}

static void ring_finish(struct gmp_job *job)
{
	struct ring_state *st = job->state;

	job->result = st->hops;
}

/* ---- cpu: n busy goroutines, and how evenly they progress --------------- */

struct cpu_state {
	u64 n;
	u64 work;
	atomic_t first_done;
	u64 min_at_first;	/* R */
	u64 sink;
	u64 progress[];		/* written by goroutine i only */
};

static int cpu_prepare(struct gmp_job *job)
{
	struct cpu_state *st;

	if (!job->p.cpu.n)
		job->p.cpu.n = 4;
	if (!job->p.cpu.work)
		job->p.cpu.work = 100;
	if (job->p.cpu.n > GMP_JOB_MAX_N ||
	    job->p.cpu.work > div64_u64(GMP_JOB_MAX_ITERS, job->p.cpu.n))
		return -EINVAL;
	if (job->p.cpu.n > READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(struct_size(st, progress, job->p.cpu.n), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->n = job->p.cpu.n;
	st->work = job->p.cpu.work;
	job->state = st;
	return 0;
}

static void cpu_fn(void *arg)
{
	struct cpu_state *st = gmp_job_current()->state;
	u64 i = (unsigned long)arg, u, x = i + 1, min;

	for (u = 0; u < st->work && !gmp_cancelled(); u++) {
		x = gmp_busy_unit(x);
		WRITE_ONCE(st->progress[i], u + 1);
		gmp_checkpoint();
	}
	WRITE_ONCE(st->sink, x);
	if (u < st->work || atomic_cmpxchg(&st->first_done, 0, 1))
		return;
	/* The first to finish: how far behind is the slowest? */
	min = u;
	for (i = 0; i < st->n; i++)
		min = min(min, READ_ONCE(st->progress[i]));
	st->min_at_first = min;
}

static void cpu_root(void *arg)
{
	struct gmp_job *job = arg;
	struct cpu_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < st->n; i++) {
		err = gmp_job_go(job, cpu_fn, (void *)(unsigned long)i);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

static void cpu_finish(struct gmp_job *job)
{
	struct cpu_state *st = job->state;
	u64 i, sum = 0;

	for (i = 0; i < st->n; i++)
		sum += st->progress[i];
	job->result = sum;
	job->aux[0] = st->min_at_first;
	job->aux[1] = div64_u64(1000 * (st->work - st->min_at_first),
				st->work);
}

/* ---- sleep: n goroutines on timers, and how late they wake ------------- */

static int sleep_prepare(struct gmp_job *job)
{
	struct sleep_state *st;

	if (!job->p.sleep.n)
		job->p.sleep.n = 100;
	if (!job->p.sleep.ns)
		job->p.sleep.ns = NSEC_PER_MSEC;
	if (job->p.sleep.n > GMP_JOB_MAX_N ||
	    job->p.sleep.ns > GMP_JOB_MAX_SLEEP_NS)
		return -EINVAL;
	if (job->p.sleep.n > READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(struct_size(st, late, job->p.sleep.n), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->n = job->p.sleep.n;
	st->ns = job->p.sleep.ns;
	job->state = st;
	return 0;
}

static void sleep_fn(void *arg)
{
	struct sleep_state *st = gmp_job_current()->state;
	u64 i = (unsigned long)arg, t0, dt;

	t0 = ktime_get_ns();
	if (gmp_sleep(st->ns))
		return;
	dt = ktime_get_ns() - t0;
	st->late[i] = dt > st->ns ? dt - st->ns : 0;
}

static void sleep_root(void *arg)
{
	struct gmp_job *job = arg;
	struct sleep_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < st->n; i++) {
		err = gmp_job_go(job, sleep_fn, (void *)(unsigned long)i);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

static void sleep_release(struct gmp_job *job)
{
	struct sleep_state *st = job->state;

	if (st)
		kvfree(st->works);
	gmp_kind_kfree_state(job);
}

static int gmp_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void sleep_finish(struct gmp_job *job)
{
	struct sleep_state *st = job->state;
	u64 n = st->n;

	sort(st->late, n, sizeof(u64), gmp_cmp_u64, NULL);
	job->result = n;
	job->aux[0] = st->late[div64_u64(n * 50, 100)];
	job->aux[1] = st->late[min(div64_u64(n * 99, 100), n - 1)];
	job->aux[2] = st->late[n - 1];
}

/* ---- block: blocking kernel calls beside a CPU-bound goroutine ---------- */

struct block_state {
	u64 deadline;
	atomic64_t calls;
	u64 units;		/* R: the CPU goroutine's */
	u64 run_ns;		/* R */
	u64 sink;
};

static int block_prepare(struct gmp_job *job)
{
	struct block_state *st;

	if (!job->p.block.n)
		job->p.block.n = 4;
	if (!job->p.block.duration_ms)
		job->p.block.duration_ms = 200;
	if (job->p.block.n > GMP_JOB_MAX_N ||
	    job->p.block.duration_ms > GMP_JOB_MAX_BLOCK_MS ||
	    job->p.block.markers > GMP_BLOCK_UNMARKED)
		return -EINVAL;
	if (job->p.block.n >= READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	job->state = st;
	return st ? 0 : -ENOMEM;
}

static void block_cpu_fn(void *arg)
{
	struct block_state *st = arg;
	u64 t0 = ktime_get_ns(), x = t0, units = 0;

	/* At least one unit: a sibling that ran late still has a rate. */
	do {
		x = gmp_busy_unit(x);
		units++;
		gmp_checkpoint();
	} while (ktime_get_ns() < st->deadline && !gmp_cancelled());
	st->sink = x;
	st->units = units;
	st->run_ns = ktime_get_ns() - t0;
}

/* Even goroutines use the markers in GMP_BLOCK_MIXED. */
static void block_fn(void *arg)
{
	struct gmp_job *job = gmp_job_current();
	struct block_state *st = job->state;
	u64 i = (unsigned long)arg;
	bool marked;

	marked = job->p.block.markers == GMP_BLOCK_MARKED ||
		 (job->p.block.markers == GMP_BLOCK_MIXED && !(i & 1));
	while (ktime_get_ns() < st->deadline && !gmp_cancelled()) {
		if (marked)
			gmp_enter_blocking();
		usleep_range(1000, 2000);
		if (marked)
			gmp_exit_blocking();
		atomic64_inc(&st->calls);
	}
}

static void block_root(void *arg)
{
	struct gmp_job *job = arg;
	struct block_state *st = job->state;
	u64 i;
	int err;

	st->deadline = ktime_get_ns() +
		       job->p.block.duration_ms * NSEC_PER_MSEC;
	err = gmp_job_go(job, block_cpu_fn, st);
	for (i = 0; i < job->p.block.n && !err; i++)
		err = gmp_job_go_inner(job, block_fn,
				       (void *)(unsigned long)i);
	if (err)
		gmp_job_fail(job, err);
}

static void block_finish(struct gmp_job *job)
{
	struct block_state *st = job->state;

	job->result = st->run_ns ?
		      div64_u64(st->units * NSEC_PER_SEC, st->run_ns) : 0;
	job->aux[0] = atomic64_read(&st->calls);
}

/* ---- chan: producers and consumers over one channel ------------------ */

struct chan_state {
	struct gmp_chan *c;
	atomic_t producers_left;
	atomic64_t sum;
	atomic64_t count;
};

static void chan_release(struct gmp_job *job)
{
	struct chan_state *st = job->state;

	if (!st)
		return;
	if (!IS_ERR_OR_NULL(st->c))
		gmp_chan_put(st->c);
	gmp_kind_kfree_state(job);
}

static int chan_prepare(struct gmp_job *job)
{
	struct chan_state *st;

	if (!job->p.chan.producers)
		job->p.chan.producers = 4;
	if (!job->p.chan.consumers)
		job->p.chan.consumers = 4;
	if (!job->p.chan.items)
		job->p.chan.items = 100000;
	if (job->p.chan.producers > 65536 || job->p.chan.consumers > 65536 ||
	    job->p.chan.items > GMP_JOB_MAX_ITERS ||
	    job->p.chan.cap > 65536)
		return -EINVAL;
	if (job->p.chan.producers + job->p.chan.consumers >=
	    READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	job->state = st;
	st->c = gmp_chan_create(sizeof(u64), job->p.chan.cap);
	if (IS_ERR(st->c)) {
		chan_release(job);
		return -ENOMEM;
	}
	atomic_set(&st->producers_left, job->p.chan.producers);
	return 0;
}

/* Producer j sends j+1, j+1+P, j+1+2P, ... up to items. */
static void chan_producer(void *arg)
{
	struct gmp_job *job = gmp_job_current();
	struct chan_state *st = job->state;
	u64 v;

	for (v = (unsigned long)arg + 1; v <= job->p.chan.items;
	     v += job->p.chan.producers)
		if (gmp_chan_send(st->c, &v))
			break;
	if (atomic_dec_and_test(&st->producers_left))
		gmp_chan_close(st->c);
}

static void chan_consumer(void *arg)
{
	struct chan_state *st = arg;
	u64 v, sum = 0, count = 0;
	bool ok;

	while (!gmp_chan_recv(st->c, &v, &ok) && ok) {
		sum += v;
		count++;
	}
	atomic64_add(sum, &st->sum);
	atomic64_add(count, &st->count);
}

static void chan_root(void *arg)
{
	struct gmp_job *job = arg;
	struct chan_state *st = job->state;
	int err = 0;
	u64 i;

	for (i = 0; i < job->p.chan.consumers && !err; i++)
		err = gmp_job_go(job, chan_consumer, st);
	for (i = 0; i < job->p.chan.producers && !err; i++)
		err = gmp_job_go(job, chan_producer, (void *)(unsigned long)i);
	if (err)
		gmp_job_fail(job, err);
}

static void chan_finish(struct gmp_job *job)
{
	struct chan_state *st = job->state;

	job->result = atomic64_read(&st->sum);
	job->aux[0] = atomic64_read(&st->count);
}

/* ---- checksum: CRC-32 of a user buffer, a goroutine per chunk ---------- */

struct csum_state {
	u8 *buf;		/* the copy of the user's buffer */
	u64 len;
	u64 chunk;
	u64 nchunks;
	u32 crc[];		/* written by goroutine i only */
};

static void csum_release(struct gmp_job *job)
{
	struct csum_state *st = job->state;

	if (!st)
		return;
	if (st->buf) {
		kvfree(st->buf);
		gmp_job_uncharge_buf(job, st->len);
	}
	gmp_kind_kfree_state(job);
}

static int csum_prepare(struct gmp_job *job)
{
	u64 len = job->p.checksum.len, chunk, nchunks;
	struct csum_state *st;
	int err;

	if (!job->p.checksum.chunk)
		job->p.checksum.chunk = SZ_64K;
	chunk = job->p.checksum.chunk;
	if (!len || !job->p.checksum.buf)
		return len ? -EFAULT : -EINVAL;
	if (len > READ_ONCE(gmp_max_job_bytes))
		return -ENOMEM;
	if (chunk < 64 || chunk > len)
		chunk = min_t(u64, max_t(u64, chunk, 64), len);
	job->p.checksum.chunk = chunk;
	nchunks = div64_u64(len + chunk - 1, chunk);
	if (nchunks > READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(struct_size(st, crc, nchunks), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	job->state = st;
	st->chunk = chunk;
	st->nchunks = nchunks;
	err = gmp_job_charge_buf(job, len);
	if (err)
		goto fail;
	st->buf = kvmalloc(len, GFP_KERNEL);
	if (!st->buf) {
		gmp_job_uncharge_buf(job, len);
		err = -ENOMEM;
		goto fail;
	}
	st->len = len;
	if (copy_from_user(st->buf, u64_to_user_ptr(job->p.checksum.buf),
			   len)) {
		err = -EFAULT;
		goto fail;
	}
	return 0;
fail:
	csum_release(job);
	return err;
}

static void csum_fn(void *arg)
{
	struct csum_state *st = gmp_job_current()->state;
	u64 i = (unsigned long)arg, off = i * st->chunk;
	u64 len = min(st->chunk, st->len - off);

	/* zlib's CRC-32 starts from ~0; the rest are combined in order. */
	st->crc[i] = crc32_le(i ? 0 : ~0U, st->buf + off, len);
}

static void csum_root(void *arg)
{
	struct gmp_job *job = arg;
	struct csum_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < st->nchunks; i++) {
		err = gmp_job_go(job, csum_fn, (void *)(unsigned long)i);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

static void csum_finish(struct gmp_job *job)
{
	struct csum_state *st = job->state;
	u32 crc = st->crc[0];
	u64 i;

	for (i = 1; i < st->nchunks; i++)
		crc = crc32_le_combine(crc, st->crc[i],
				       min(st->chunk, st->len - i * st->chunk));
	job->result = ~crc;
	job->aux[0] = st->nchunks;
}

/* ---- fanout: workers and a WaitGroup ---------------------------------- */

static void fanout_release(struct gmp_job *job)
{
	struct fanout_state *st = job->state;

	if (st)
		kvfree(st->works);
	gmp_kind_kfree_state(job);
}

static int fanout_prepare(struct gmp_job *job)
{
	struct fanout_state *st;

	if (!job->p.fanout.n)
		job->p.fanout.n = 1000;
	if (!job->p.fanout.work)
		job->p.fanout.work = 1;
	if (job->p.fanout.n > GMP_JOB_MAX_N || job->p.fanout.n > INT_MAX ||
	    job->p.fanout.work > div64_u64(GMP_JOB_MAX_ITERS, job->p.fanout.n))
		return -EINVAL;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	gmp_wg_init(&st->wg);
	init_completion(&st->all_done);
	atomic_set(&st->left, job->p.fanout.n);
	job->state = st;
	return 0;
}

static void fanout_worker(void *arg)
{
	struct gmp_job *job = gmp_job_current();
	struct fanout_state *st = arg;
	u64 u, x = (unsigned long)st;

	for (u = 0; u < job->p.fanout.work && !gmp_cancelled(); u++) {
		x = gmp_busy_unit(x);
		gmp_checkpoint();	/* else a long job owns every CPU */
	}
	WRITE_ONCE(st->sink, x);
	atomic64_inc(&st->finished);
	gmp_wg_done(&st->wg);
}

static void fanout_root(void *arg)
{
	struct gmp_job *job = arg;
	struct fanout_state *st = job->state;
	int n = job->p.fanout.n, i, err = 0;

	gmp_wg_add(&st->wg, n);
	for (i = 0; i < n; i++) {
		err = gmp_job_go(job, fanout_worker, st);
		if (err)
			break;
	}
	if (err) {
		gmp_wg_add(&st->wg, -(n - i));	/* the ones never started */
		gmp_job_fail(job, err);
	}
	gmp_wg_wait(&st->wg);
}

static void fanout_finish(struct gmp_job *job)
{
	struct fanout_state *st = job->state;

	job->result = atomic64_read(&st->finished);
}

/* ---- park: n goroutines parked on a channel --------------------------- */

static void park_release(struct gmp_job *job)
{
	struct park_state *st = job->state;

	if (st && !IS_ERR_OR_NULL(st->c))
		gmp_chan_put(st->c);
	gmp_kind_kfree_state(job);
}

static int park_prepare(struct gmp_job *job)
{
	struct park_state *st;

	if (!job->p.park.n)
		job->p.park.n = 1000;
	if (!job->p.park.hold_ms)
		job->p.park.hold_ms = 1000;
	if (job->p.park.n > GMP_JOB_MAX_N ||
	    job->p.park.hold_ms > GMP_JOB_MAX_BLOCK_MS)
		return -EINVAL;
	if (job->p.park.n >= READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	job->state = st;
	init_completion(&st->release);
	st->c = gmp_chan_create(sizeof(u64), 0);
	if (IS_ERR(st->c)) {
		park_release(job);
		return -ENOMEM;
	}
	return 0;
}

static void park_fn(void *arg)
{
	struct park_state *st = arg;
	bool ok = true;

	if (!gmp_chan_recv(st->c, NULL, &ok) && !ok)
		atomic64_inc(&st->woken);
}

static void park_root(void *arg)
{
	struct gmp_job *job = arg;
	struct park_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < job->p.park.n; i++) {
		err = gmp_job_go(job, park_fn, st);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
	if (!gmp_sleep(job->p.park.hold_ms * NSEC_PER_MSEC))
		gmp_chan_close(st->c);
}

static void park_finish(struct gmp_job *job)
{
	struct park_state *st = job->state;

	job->result = atomic64_read(&st->woken);
}

/* ---- the table -------------------------------------------------------- */

const struct gmp_job_kind gmp_job_kinds[GMP_JOB_NR_KINDS] = {
	[GMP_JOB_SPAWN] = {
		.name = "spawn", .nparams = 1, .prepare = spawn_prepare,
		.root = spawn_root, .finish = spawn_finish,
		.root_mode = { [GMP_MODE_KTHREAD] = spawn_root_kthread,
			       [GMP_MODE_WORKQUEUE] = spawn_root_wq },
		.release = spawn_release,
	},
	[GMP_JOB_SKYNET] = {
		.name = "skynet", .nparams = 2, .prepare = skynet_prepare,
		.root = skynet_root, .finish = skynet_finish,
		.root_mode = { [GMP_MODE_KTHREAD] = skynet_root_kthread,
			       [GMP_MODE_WORKQUEUE] = skynet_root_wq },
		.release = gmp_kind_no_state,
	},
	[GMP_JOB_PINGPONG] = {
		.name = "pingpong", .nparams = 1, .prepare = pp_prepare,
		.root = pp_root, .finish = pp_finish, .release = pp_release,
		.root_mode = { [GMP_MODE_KTHREAD] = pp_root_kthread,
			       [GMP_MODE_WORKQUEUE] = pp_root_wq },
	},
	[GMP_JOB_RING] = {
		.name = "ring", .nparams = 2, .prepare = ring_prepare,
		.root = ring_root, .finish = ring_finish,
		.release = ring_release,
	},
	[GMP_JOB_CPU] = {
		.name = "cpu", .nparams = 2, .prepare = cpu_prepare,
		.root = cpu_root, .finish = cpu_finish,
		.release = gmp_kind_kfree_state,
	},
	[GMP_JOB_SLEEP] = {
		.name = "sleep", .nparams = 2, .prepare = sleep_prepare,
		.root = sleep_root, .finish = sleep_finish,
		.root_mode = { [GMP_MODE_KTHREAD] = sleep_root_kthread,
			       [GMP_MODE_WORKQUEUE] = sleep_root_wq },
		.release = sleep_release,
	},
	[GMP_JOB_BLOCK] = {
		.name = "block", .nparams = 3, .prepare = block_prepare,
		.root = block_root, .finish = block_finish,
		.release = gmp_kind_kfree_state,
	},
	[GMP_JOB_CHAN] = {
		.name = "chan", .nparams = 4, .prepare = chan_prepare,
		.root = chan_root, .finish = chan_finish,
		.release = chan_release,
	},
	[GMP_JOB_CHECKSUM] = {
		.name = "checksum", .nparams = 3, .prepare = csum_prepare,
		.root = csum_root, .finish = csum_finish,
		.release = csum_release,
	},
	[GMP_JOB_FANOUT] = {
		.name = "fanout", .nparams = 2, .prepare = fanout_prepare,
		.root = fanout_root, .finish = fanout_finish,
		.root_mode = { [GMP_MODE_KTHREAD] = fanout_root_kthread,
			       [GMP_MODE_WORKQUEUE] = fanout_root_wq },
		.release = fanout_release,
	},
	[GMP_JOB_PARK] = {
		.name = "park", .nparams = 2, .prepare = park_prepare,
		.root = park_root, .finish = park_finish,
		.root_mode = { [GMP_MODE_KTHREAD] = park_root_kthread },
		.release = park_release,
	},
};

struct workqueue_struct *gmp_bench_wq;

int gmp_jobkinds_init(void)
{
	sky_cache = KMEM_CACHE(sky_arg, 0);
	if (!sky_cache)
		return -ENOMEM;
	/* Per-CPU, so a work item runs where it was queued, as Gs do. */
	gmp_bench_wq = alloc_workqueue("gmp_bench", 0, 0);
	if (!gmp_bench_wq) {
		kmem_cache_destroy(sky_cache);
		return -ENOMEM;
	}
	return 0;
}

/* After every goroutine has exited: runs what work is left, then frees. */
void gmp_jobkinds_exit(void)
{
	destroy_workqueue(gmp_bench_wq);
	kmem_cache_destroy(sky_cache);
}
