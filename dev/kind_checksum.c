// SPDX-License-Identifier: GPL-2.0
/*
 * The checksum job kind: the CRC-32 of a user buffer, a goroutine per
 * chunk. uapi/gmp.h documents its parameters and result, dev/kind.c what
 * the kinds share. The design essay is at the top of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/crc32.h>
#include <linux/uaccess.h>

#include "dev.h"

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

const struct gmp_job_kind gmp_kind_checksum = {
	.name = "checksum", .nparams = 3, .prepare = csum_prepare,
	.root = csum_root, .finish = csum_finish,
	.release = csum_release,
};
