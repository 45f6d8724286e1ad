// SPDX-License-Identifier: GPL-2.0
/*
 * The chan job kind: producers and consumers over one channel.
 * uapi/gmp.h documents its parameters and result, dev/kind.c what the
 * kinds share. The design essay is at the top of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>

#include "dev.h"

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

const struct gmp_job_kind gmp_kind_chan = {
	.name = "chan", .nparams = 4, .prepare = chan_prepare,
	.root = chan_root, .finish = chan_finish,
	.release = chan_release,
};
