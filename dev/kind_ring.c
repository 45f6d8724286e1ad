// SPDX-License-Identifier: GPL-2.0
/*
 * The ring job kind: a token passed round n goroutines over unbuffered
 * channels. uapi/gmp.h documents its parameters and result, dev/kind.c
 * what the kinds share. The design essay is at the top of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/overflow.h>

#include "dev.h"

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

const struct gmp_job_kind gmp_kind_ring = {
	.name = "ring", .nparams = 2, .prepare = ring_prepare,
	.root = ring_root, .finish = ring_finish,
	.release = ring_release,
};
