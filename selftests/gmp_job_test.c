// SPDX-License-Identifier: GPL-2.0
/*
 * Jobs selftests (kselftest_harness): GMP_IOC_SUBMIT, GMP_IOC_WAIT,
 * GMP_IOC_CANCEL and poll() on /dev/gmp, ownership of jobs by the open
 * file, and the per-file and global limits (module parameters).
 *
 * Strategy:
 *  - every kind runs with small parameters (FIXTURE_VARIANT table `kind`)
 *    and its result is checked against the closed form in uapi/gmp.h;
 *    checksum against a CRC-32 computed here;
 *  - bad input: each documented -EINVAL/-E2BIG/-EFAULT/-ENOENT case, and
 *    that a failed SUBMIT leaves no job and no goroutine behind;
 *  - the job's life: WAIT timeouts, WAIT_ANY, poll(), CANCEL of every
 *    kind that can run long, a signal during WAIT;
 *  - ownership: close(), kill -9 of the submitter, several processes;
 *  - limits: parameters lowered in /sys/module/gmp/parameters/ (skipped
 *    when absent) and restored in the teardown, even after a failure.
 *
 * Every test ends (FIXTURE_TEARDOWN) by closing its fds and waiting until
 * STATS reports no live goroutine, so a test that leaks goroutines fails
 * itself rather than the next one. Parameters are small enough for a TCG
 * VM, 20-50 times slower than native: at SMP 2 the binary takes about 15 s
 * on Debian's kernel and under two minutes on the KASAN kernel, most of it
 * in the four processes' 80 skynets. Needs root and the gmp module loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gmp_test.h"

#define PARAM_DIR	"/sys/module/gmp/parameters/"
#define MAX_SAVED	8
#define DRAIN_MS	20000		/* closed jobs' goroutines are gone by then */

/* ---- helpers ------------------------------------------------------------ */

/* @len pseudo-random bytes (xorshift64) from @seed. */
static void fill_random(__u8 *p, size_t len, __u64 seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		p[i] = seed >> 24;
	}
}

/* Goroutines in a skynet tree, split as dev/kind_skynet.c does. */
static __u64 skynet_nodes(__u64 size, __u64 branch)
{
	__u64 q = size / branch, r = size % branch, n, nodes = 1;

	if (size == 1)
		return 1;
	for (n = 0; n < branch && q + (n < r); n++)
		nodes += skynet_nodes(q + (n < r), branch);
	return nodes;
}

/* ---- module parameters -------------------------------------------------- */

static int param_read(const char *name, unsigned long *v)
{
	char path[128];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%lu", v);
	fclose(f);
	return n == 1 ? 0 : -EIO;
}

static int param_write(const char *name, unsigned long v)
{
	char path[128], buf[32];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%lu\n", v);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* ---- the fixture every test but the kind table uses ------------------- */

/* Module parameters a test changed, with the values to restore. */
struct param_saves {
	int n;
	struct {
		const char *name;
		unsigned long value;
	} s[MAX_SAVED];
};

FIXTURE(job) {
	int fd;
	struct param_saves saves;
};

/*
 * gmp_test_open() into *@fd, then wait until no goroutine of the test
 * before is left.
 */
static void gmp_open_or_skip(struct __test_metadata *_metadata, int *fd)
{
	*fd = gmp_test_open(_metadata);
	if (*fd < 0)
		return;
	/* A test starts with no goroutine left over from the one before. */
	ASSERT_EQ(0, goroutines_drain(*fd, DRAIN_MS));
}

/* Close @fd and check that every goroutine it had has exited. */
static void gmp_close_and_drain(struct __test_metadata *_metadata, int fd)
{
	int sfd;

	if (fd >= 0)
		close(fd);
	sfd = open(GMP_DEV, O_RDWR | O_CLOEXEC);
	if (sfd < 0)
		return;
	EXPECT_EQ(0, goroutines_drain(sfd, DRAIN_MS))
		TH_LOG("goroutines still alive %d s after the test ended",
		       DRAIN_MS / 1000);
	close(sfd);
}

FIXTURE_SETUP(job)
{
	gmp_open_or_skip(_metadata, &self->fd);
}

FIXTURE_TEARDOWN(job)
{
	struct param_saves *ps = &self->saves;
	int i;

	for (i = 0; i < ps->n; i++)
		EXPECT_EQ(0, param_write(ps->s[i].name, ps->s[i].value))
			TH_LOG("restoring %s", ps->s[i].name);
	gmp_close_and_drain(_metadata, self->fd);
}

/*
 * Set module parameter @name to @v, saving in @ps the value it had for the
 * teardown to restore. -ENOENT when the module has no such parameter.
 */
static int param_set(struct param_saves *ps, const char *name,
		     unsigned long v)
{
	unsigned long old;
	int i, err;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->s[i].name, name))
			return param_write(name, v);
	if (ps->n == MAX_SAVED)
		return -ENOSPC;
	err = param_read(name, &old);
	if (err)
		return err;
	ps->s[ps->n].name = name;
	ps->s[ps->n].value = old;
	ps->n++;
	return param_write(name, v);
}

/* Put parameter @name back as it was before param_set(). */
static int param_restore(struct param_saves *ps, const char *name)
{
	int i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->s[i].name, name))
			return param_write(name, ps->s[i].value);
	return -ENOENT;
}

/* ---- every kind, checked against its closed form ------------------------ */

FIXTURE(kind) {
	int fd;
};

/* One job of the table: what to submit. */
struct kind_case {
	__u64 kind;
	__u64 flags;
	__u64 mode;
	__u64 p[4];
};

FIXTURE_VARIANT(kind) {
	struct kind_case c;
};

FIXTURE_SETUP(kind)
{
	gmp_open_or_skip(_metadata, &self->fd);
}

FIXTURE_TEARDOWN(kind)
{
	gmp_close_and_drain(_metadata, self->fd);
}

FIXTURE_VARIANT_ADD(kind, skynet_10000_branch_10) {
	.c = { .kind = GMP_JOB_SKYNET, .p = { 10000, 10 } },
};

FIXTURE_VARIANT_ADD(kind, skynet_1000_branch_7) {
	.c = { .kind = GMP_JOB_SKYNET, .p = { 1000, 7 } },
};

FIXTURE_VARIANT_ADD(kind, skynet_small_stack) {
	.c = { .kind = GMP_JOB_SKYNET,
	       .flags = GMP_SUBMIT_SMALL_STACK, .p = { 2000, 10 } },
};

FIXTURE_VARIANT_ADD(kind, spawn_1000) {
	.c = { .kind = GMP_JOB_SPAWN, .p = { 1000 } },
};

FIXTURE_VARIANT_ADD(kind, spawn_default_n) {
	.c = { .kind = GMP_JOB_SPAWN },
};

FIXTURE_VARIANT_ADD(kind, spawn_small_stack) {
	.c = { .kind = GMP_JOB_SPAWN,
	       .flags = GMP_SUBMIT_SMALL_STACK, .p = { 1000 } },
};

FIXTURE_VARIANT_ADD(kind, pingpong_1000) {
	.c = { .kind = GMP_JOB_PINGPONG, .p = { 1000 } },
};

FIXTURE_VARIANT_ADD(kind, ring_50_laps_20) {
	.c = { .kind = GMP_JOB_RING, .p = { 50, 20 } },
};

FIXTURE_VARIANT_ADD(kind, cpu_4_work_50) {
	.c = { .kind = GMP_JOB_CPU, .p = { 4, 50 } },
};

FIXTURE_VARIANT_ADD(kind, sleep_50_1ms) {
	.c = { .kind = GMP_JOB_SLEEP, .p = { 50, 1 * MS } },
};

FIXTURE_VARIANT_ADD(kind, block_2_300ms_mixed) {
	.c = { .kind = GMP_JOB_BLOCK, .p = { 2, 300, GMP_BLOCK_MIXED } },
};

FIXTURE_VARIANT_ADD(kind, block_2_300ms_marked) {
	.c = { .kind = GMP_JOB_BLOCK, .p = { 2, 300, GMP_BLOCK_MARKED } },
};

FIXTURE_VARIANT_ADD(kind, block_2_300ms_unmarked) {
	.c = { .kind = GMP_JOB_BLOCK, .p = { 2, 300, GMP_BLOCK_UNMARKED } },
};

FIXTURE_VARIANT_ADD(kind, chan_3x5_10000_cap_16) {
	.c = { .kind = GMP_JOB_CHAN, .p = { 3, 5, 10000, 16 } },
};

FIXTURE_VARIANT_ADD(kind, chan_3x5_10000_unbuffered) {
	.c = { .kind = GMP_JOB_CHAN, .p = { 3, 5, 10000, 0 } },
};

FIXTURE_VARIANT_ADD(kind, fanout_100_work_10) {
	.c = { .kind = GMP_JOB_FANOUT, .p = { 100, 10 } },
};

FIXTURE_VARIANT_ADD(kind, park_100_100ms) {
	.c = { .kind = GMP_JOB_PARK, .p = { 100, 100 } },
};

/* The baselines: the same programs with kthreads and work items. */
FIXTURE_VARIANT_ADD(kind, spawn_kthread) {
	.c = { .kind = GMP_JOB_SPAWN, .mode = GMP_MODE_KTHREAD, .p = { 50 } },
};

FIXTURE_VARIANT_ADD(kind, spawn_workqueue) {
	.c = { .kind = GMP_JOB_SPAWN,
	       .mode = GMP_MODE_WORKQUEUE, .p = { 1000 } },
};

FIXTURE_VARIANT_ADD(kind, skynet_kthread) {
	.c = { .kind = GMP_JOB_SKYNET,
	       .mode = GMP_MODE_KTHREAD, .p = { 100, 10 } },
};

FIXTURE_VARIANT_ADD(kind, skynet_workqueue) {
	.c = { .kind = GMP_JOB_SKYNET,
	       .mode = GMP_MODE_WORKQUEUE, .p = { 1000, 7 } },
};

FIXTURE_VARIANT_ADD(kind, pingpong_kthread) {
	.c = { .kind = GMP_JOB_PINGPONG,
	       .mode = GMP_MODE_KTHREAD, .p = { 200 } },
};

FIXTURE_VARIANT_ADD(kind, pingpong_workqueue) {
	.c = { .kind = GMP_JOB_PINGPONG,
	       .mode = GMP_MODE_WORKQUEUE, .p = { 200 } },
};

FIXTURE_VARIANT_ADD(kind, sleep_kthread) {
	.c = { .kind = GMP_JOB_SLEEP,
	       .mode = GMP_MODE_KTHREAD, .p = { 20, 1 * MS } },
};

FIXTURE_VARIANT_ADD(kind, sleep_workqueue) {
	.c = { .kind = GMP_JOB_SLEEP,
	       .mode = GMP_MODE_WORKQUEUE, .p = { 50, 1 * MS } },
};

FIXTURE_VARIANT_ADD(kind, fanout_kthread) {
	.c = { .kind = GMP_JOB_FANOUT,
	       .mode = GMP_MODE_KTHREAD, .p = { 50, 10 } },
};

FIXTURE_VARIANT_ADD(kind, fanout_workqueue) {
	.c = { .kind = GMP_JOB_FANOUT,
	       .mode = GMP_MODE_WORKQUEUE, .p = { 100, 10 } },
};

FIXTURE_VARIANT_ADD(kind, park_kthread) {
	.c = { .kind = GMP_JOB_PARK,
	       .mode = GMP_MODE_KTHREAD, .p = { 20, 100 } },
};

/*
 * The goroutines a goroutine-mode job starts: its root and what the root
 * starts (uapi/gmp.h). @n: workers besides the root.
 */
static void expect_goroutines(struct __test_metadata *_metadata,
			      const struct kind_case *v,
			      const struct gmp_job_wait *jw, __u64 n)
{
	if (v->mode == GMP_MODE_GOROUTINE)
		EXPECT_EQ(n + 1, jw->goroutines);
}

static void check_cpu(struct __test_metadata *_metadata,
		      const struct kind_case *v,
		      const struct gmp_job_wait *jw)
{
	__u64 n = v->p[0], work = v->p[1];

	EXPECT_EQ(n * work, jw->result);
	EXPECT_LE(jw->aux[0], work);		/* least progress */
	EXPECT_LE(jw->aux[1], 1000);		/* spread, per mille */
	EXPECT_EQ(1000 * (work - jw->aux[0]) / work, jw->aux[1]);
	expect_goroutines(_metadata, v, jw, n);
}

static void check_sleep(struct __test_metadata *_metadata,
			const struct kind_case *v,
			const struct gmp_job_wait *jw)
{
	EXPECT_EQ(v->p[0], jw->result);
	EXPECT_LE(jw->aux[0], jw->aux[1]);	/* p50 <= p99 */
	EXPECT_LE(jw->aux[1], jw->aux[2]);	/* p99 <= max */
	EXPECT_LE(v->p[1], jw->elapsed_ns);	/* no one woke early */
	expect_goroutines(_metadata, v, jw, v->p[0]);
}

static void check_block(struct __test_metadata *_metadata,
			const struct kind_case *v,
			const struct gmp_job_wait *jw)
{
	EXPECT_LT(0, jw->result) TH_LOG("the CPU goroutine did no work");
	EXPECT_LT(0, jw->aux[0]) TH_LOG("no blocking call was made");
	EXPECT_LE(v->p[1] * MS, jw->elapsed_ns);
	expect_goroutines(_metadata, v, jw, v->p[0] + 1);
}

static void check_kind(struct __test_metadata *_metadata,
		       const struct kind_case *v,
		       const struct gmp_job_wait *jw)
{
	const __u64 *p = v->p;

	switch (v->kind) {
	case GMP_JOB_SPAWN:
		EXPECT_EQ(p[0] ? p[0] : 1000, jw->result);
		expect_goroutines(_metadata, v, jw, p[0] ? p[0] : 1000);
		break;
	case GMP_JOB_SKYNET:
		EXPECT_EQ(p[0] * (p[0] - 1) / 2, jw->result);
		EXPECT_EQ(skynet_nodes(p[0], p[1]), jw->aux[0]);
		expect_goroutines(_metadata, v, jw, jw->aux[0] - 1);
		break;
	case GMP_JOB_PINGPONG:
		EXPECT_EQ(p[0], jw->result);
		EXPECT_LT(0, jw->aux[0]);	/* ns per round trip */
		expect_goroutines(_metadata, v, jw, 1);
		break;
	case GMP_JOB_RING:
		EXPECT_EQ(p[0] * p[1], jw->result);
		expect_goroutines(_metadata, v, jw, p[0]);
		break;
	case GMP_JOB_CPU:
		check_cpu(_metadata, v, jw);
		break;
	case GMP_JOB_SLEEP:
		check_sleep(_metadata, v, jw);
		break;
	case GMP_JOB_BLOCK:
		check_block(_metadata, v, jw);
		break;
	case GMP_JOB_CHAN:
		EXPECT_EQ(p[2] * (p[2] + 1) / 2, jw->result);
		EXPECT_EQ(p[2], jw->aux[0]);
		expect_goroutines(_metadata, v, jw, p[0] + p[1]);
		break;
	case GMP_JOB_FANOUT:
		EXPECT_EQ(p[0], jw->result);
		expect_goroutines(_metadata, v, jw, p[0]);
		break;
	case GMP_JOB_PARK:
		EXPECT_EQ(p[0], jw->result);
		EXPECT_LE(p[1] * MS, jw->elapsed_ns);
		break;
	}
}

TEST_F_TIMEOUT(kind, result_matches_closed_form, 60)
{
	const struct kind_case *c = &variant->c;
	struct gmp_job_submit js = JOB(c->kind);
	struct gmp_job_wait jw;
	long id;

	js.flags = c->flags;
	js.mode = c->mode;
	memcpy(js.raw, c->p, sizeof(c->p));
	id = job_submit(self->fd, js);
	ASSERT_LT(0, id) TH_LOG("SUBMIT: %s", strerror(-id));
	ASSERT_EQ(0, job_wait(self->fd, id, 0, GMP_WAIT_FOREVER, &jw));
	ASSERT_EQ(0, jw.error) TH_LOG("job failed: %s", strerror(-jw.error));
	EXPECT_EQ(id, jw.id);
	EXPECT_EQ(c->kind, jw.kind);
	EXPECT_LT(0, jw.elapsed_ns);
	check_kind(_metadata, &variant->c, &jw);
}

/* ---- checksum ----------------------------------------------------------- */

TEST(crc32_reference_matches_zlib_check_value)
{
	EXPECT_EQ(0xCBF43926U, crc32_ref((const __u8 *)"123456789", 9));
}

TEST_F(job, checksum_equals_zlib_crc32_for_any_chunk_size)
{
	static const struct { size_t len; __u64 chunk, chunks; } cases[] = {
		{ 1 << 20, 4096, 256 },
		{ 1 << 20, 1000, 1049 },	/* not a power of two */
		{ 12345, 0, 1 },		/* default 64 KiB > len */
		{ 100003, 65536, 2 },
	};
	size_t max = 1 << 20;
	struct gmp_job_wait jw;
	unsigned int i;
	__u8 *buf;

	buf = malloc(max);
	ASSERT_NE(NULL, buf);
	fill_random(buf, max, 0x9e3779b97f4a7c15ULL);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, job_run(self->fd,
				     JOB(GMP_JOB_CHECKSUM, (unsigned long)buf,
					 cases[i].len, cases[i].chunk), &jw));
		EXPECT_EQ(0, jw.error);
		EXPECT_EQ(crc32_ref(buf, cases[i].len), jw.result)
			TH_LOG("len %zu chunk %llu", cases[i].len,
			       (unsigned long long)cases[i].chunk);
		EXPECT_EQ(cases[i].chunks, jw.aux[0]);
	}
	free(buf);
}

/* ---- bad input ---------------------------------------------------------- */

/* A failed SUBMIT leaves nothing: no job to collect, no goroutine. */
static void expect_nothing_left(struct __test_metadata *_metadata, int fd)
{
	struct gmp_job_wait jw;

	EXPECT_EQ(-ENOENT, job_wait(fd, 0, GMP_WAIT_ANY, 0, &jw));
	EXPECT_EQ(0, goroutines_alive(fd));
}

TEST_F(job, submit_unknown_kind_flag_mode_or_id_is_einval)
{
	struct gmp_job_submit js = JOB(GMP_JOB_SPAWN, 10);

	EXPECT_EQ(-EINVAL, job_submit(self->fd, JOB(0)));
	EXPECT_EQ(-EINVAL, job_submit(self->fd, JOB(GMP_JOB_NR_KINDS)));
	EXPECT_EQ(-EINVAL, job_submit(self->fd, JOB(~0ULL)));
	js.flags = GMP_SUBMIT_SMALL_STACK << 1;
	EXPECT_EQ(-EINVAL, job_submit(self->fd, js));
	js.flags = 1ULL << 63;
	EXPECT_EQ(-EINVAL, job_submit(self->fd, js));
	js.flags = 0;
	js.mode = GMP_MODE_NR;
	EXPECT_EQ(-EINVAL, job_submit(self->fd, js));
	js.mode = 0;
	js.id = 1;				/* an output */
	EXPECT_EQ(-EINVAL, job_submit(self->fd, js));
	expect_nothing_left(_metadata, self->fd);
}

TEST_F(job, submit_nonzero_param_the_kind_does_not_use_is_einval)
{
	EXPECT_EQ(-EINVAL, job_submit(self->fd, JOB(GMP_JOB_SPAWN, 10, 1)));
	EXPECT_EQ(-EINVAL,
		  job_submit(self->fd, JOB(GMP_JOB_SPAWN, 10, 0, 0, 0, 0, 0, 0, 1)));
	EXPECT_EQ(-EINVAL, job_submit(self->fd, JOB(GMP_JOB_SLEEP, 1, MS, 1)));
	EXPECT_EQ(-EINVAL,
		  job_submit(self->fd, JOB(GMP_JOB_CHAN, 1, 1, 10, 0, 1)));
	EXPECT_EQ(-EINVAL,
		  job_submit(self->fd, JOB(GMP_JOB_PINGPONG, 10, 1)));
	expect_nothing_left(_metadata, self->fd);
}

TEST_F(job, submit_param_out_of_range_is_einval)
{
	int fd = self->fd;

	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_SPAWN, GMP_JOB_MAX_N + 1)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_SLEEP, 1,
					      GMP_JOB_MAX_SLEEP_NS + 1)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_SLEEP, GMP_JOB_MAX_N + 1)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_PINGPONG,
					      GMP_JOB_MAX_ITERS + 1)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_RING, 10,
					      GMP_JOB_MAX_ITERS)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_CPU, 4,
					      GMP_JOB_MAX_ITERS)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_BLOCK, 1,
					      GMP_JOB_MAX_BLOCK_MS + 1)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_BLOCK, 1, 10,
					      GMP_BLOCK_UNMARKED + 1)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_SKYNET, 100, 1)));
	EXPECT_EQ(-EINVAL, job_submit(fd, JOB(GMP_JOB_CHAN, 1, 1,
					      GMP_JOB_MAX_ITERS + 1)));
	expect_nothing_left(_metadata, fd);
}

TEST_F(job, submit_mode_a_kind_lacks_is_eopnotsupp)
{
	struct gmp_job_submit js = JOB(GMP_JOB_RING, 10, 1);

	js.mode = GMP_MODE_KTHREAD;
	EXPECT_EQ(-EOPNOTSUPP, job_submit(self->fd, js));
	js = JOB(GMP_JOB_CHAN, 1, 1, 10);
	js.mode = GMP_MODE_WORKQUEUE;
	EXPECT_EQ(-EOPNOTSUPP, job_submit(self->fd, js));
	expect_nothing_left(_metadata, self->fd);
}

TEST_F(job, submit_struct_size_follows_copy_struct_from_user)
{
	struct {
		struct gmp_job_submit js;
		__u64 future[2];
	} big;
	struct gmp_job_submit js = JOB(GMP_JOB_SPAWN, 10);
	struct gmp_job_wait jw;
	__u64 *page;

	js.size = GMP_JOB_SUBMIT_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_SUBMIT, &js));
	js.size = 0;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_SUBMIT, &js));

	memset(&big, 0, sizeof(big));
	big.js = JOB(GMP_JOB_SPAWN, 10);
	big.js.size = sizeof(big);
	big.future[1] = 1;			/* a newer caller's field */
	EXPECT_EQ(-E2BIG, gmp_ioctl(self->fd, GMP_IOC_SUBMIT, &big));

	page = calloc(1, 8192);
	ASSERT_NE(NULL, page);
	memcpy(page, &js, sizeof(js));
	page[0] = 8192;				/* over a page */
	EXPECT_EQ(-E2BIG, gmp_ioctl(self->fd, GMP_IOC_SUBMIT, page));
	free(page);
	expect_nothing_left(_metadata, self->fd);

	big.future[1] = 0;			/* zero tail: accepted */
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_SUBMIT, &big));
	EXPECT_LE(1, big.js.id);
	EXPECT_EQ(sizeof(struct gmp_job_submit), big.js.size);
	ASSERT_EQ(0, job_wait(self->fd, big.js.id, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(0, jw.error);
	EXPECT_EQ(10, jw.result);
}

TEST_F(job, bad_argument_pointer_is_efault)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long cmds[] = { GMP_IOC_SUBMIT, GMP_IOC_WAIT, GMP_IOC_CANCEL };
	unsigned int i;

	ASSERT_NE(MAP_FAILED, unmapped);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, cmds[i], NULL));
		EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, cmds[i], unmapped));
		EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, cmds[i],
					     (void *)0xffffffff81000000UL));
	}
	munmap(unmapped, 4096);
	expect_nothing_left(_metadata, self->fd);
}

TEST_F(job, checksum_unreadable_buffer_is_efault_empty_is_einval)
{
	long page = sysconf(_SC_PAGESIZE);
	__u8 *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long b = (unsigned long)two;

	ASSERT_NE(MAP_FAILED, two);
	memset(two, 1, 2 * page);
	ASSERT_EQ(0, mprotect(two + page, page, PROT_NONE));
	EXPECT_EQ(-EFAULT, job_submit(self->fd, JOB(GMP_JOB_CHECKSUM, 0, 100)));
	EXPECT_EQ(-EFAULT, job_submit(self->fd,
				      JOB(GMP_JOB_CHECKSUM, b + page, 100)));
	/* The first page reads, the second does not. */
	EXPECT_EQ(-EFAULT, job_submit(self->fd,
				      JOB(GMP_JOB_CHECKSUM, b, 2 * page)));
	EXPECT_EQ(-EINVAL, job_submit(self->fd, JOB(GMP_JOB_CHECKSUM, b, 0)));
	EXPECT_EQ(-EINVAL, job_submit(self->fd, JOB(GMP_JOB_CHECKSUM, 0, 0)));
	munmap(two, 2 * page);
	expect_nothing_left(_metadata, self->fd);
}

TEST_F(job, wait_and_cancel_bad_arguments)
{
	struct gmp_job_cancel jc = { .size = sizeof(jc), .id = 1 };
	struct gmp_job_wait jw;

	EXPECT_EQ(-ENOENT, job_wait(self->fd, 12345, 0, 0, &jw));
	EXPECT_EQ(-ENOENT, job_wait(self->fd, 0, 0, 0, &jw));
	EXPECT_EQ(-ENOENT, job_wait(self->fd, 1ULL << 40, 0, 0, &jw));
	EXPECT_EQ(-ENOENT, job_cancel(self->fd, 12345));
	EXPECT_EQ(-ENOENT, job_cancel(self->fd, 0));
	EXPECT_EQ(-EINVAL, job_wait(self->fd, 1, GMP_WAIT_ANY << 1, 0, &jw));
	EXPECT_EQ(-EINVAL, job_wait(self->fd, 1, GMP_WAIT_ANY, 0, &jw));
	jc.flags = 1;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_CANCEL, &jc));
	jc.flags = 0;
	jc.size = GMP_JOB_CANCEL_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_CANCEL, &jc));
	memset(&jw, 0, sizeof(jw));
	jw.size = GMP_JOB_WAIT_SIZE_VER0 - 8;
	jw.id = 1;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_WAIT, &jw));
}

/* ---- the life of a job -------------------------------------------------- */

TEST_F(job, ids_start_at_1_and_belong_to_their_file)
{
	struct gmp_job_wait jw;
	int fd2 = open(GMP_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd2);
	EXPECT_EQ(1, job_submit(self->fd, JOB(GMP_JOB_SPAWN, 10)));
	EXPECT_EQ(2, job_submit(self->fd, JOB(GMP_JOB_SPAWN, 10)));
	/* fd2 has no job 2, and cannot cancel or collect fd's. */
	EXPECT_EQ(-ENOENT, job_cancel(fd2, 2));
	EXPECT_EQ(-ENOENT, job_wait(fd2, 2, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(-ENOENT, job_wait(fd2, 0, GMP_WAIT_ANY, 0, &jw));
	EXPECT_EQ(1, job_submit(fd2, JOB(GMP_JOB_SPAWN, 10)));
	EXPECT_EQ(0, job_wait(fd2, 1, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(0, job_wait(self->fd, 1, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(0, job_wait(self->fd, 2, 0, GMP_WAIT_FOREVER, &jw));
	close(fd2);
}

TEST_F(job, wait_timeout_on_running_job_is_etimedout_then_collectable)
{
	struct gmp_job_wait jw;
	__u64 t0 = now_ns(), t1;
	long id;

	id = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 1, 1 * SEC));
	ASSERT_LT(0, id);
	EXPECT_EQ(-ETIMEDOUT, job_wait(self->fd, id, 0, 0, &jw));
	t1 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, job_wait(self->fd, id, 0, 20 * MS, &jw));
	EXPECT_LE(t1 + 20 * MS, now_ns());
	EXPECT_EQ(-ETIMEDOUT, job_wait(self->fd, 0, GMP_WAIT_ANY, 0, &jw));

	ASSERT_EQ(0, job_wait(self->fd, id, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_LE(t0 + 1 * SEC, now_ns());
	EXPECT_EQ(0, jw.error);
	EXPECT_EQ(id, jw.id);
	EXPECT_EQ(GMP_JOB_SLEEP, jw.kind);
	EXPECT_EQ(1, jw.result);
	EXPECT_EQ(2, jw.goroutines);
	EXPECT_LE(1 * SEC, jw.elapsed_ns);
	/* Collected: the id is forgotten. */
	EXPECT_EQ(-ENOENT, job_wait(self->fd, id, 0, 0, &jw));
	EXPECT_EQ(-ENOENT, job_wait(self->fd, id, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(-ENOENT, job_cancel(self->fd, id));
}

TEST_F(job, wait_any_returns_each_finished_job_once)
{
	__u64 kinds[3] = { GMP_JOB_SPAWN, GMP_JOB_SLEEP, GMP_JOB_RING };
	long ids[3];
	int seen[3] = { 0 };
	struct gmp_job_wait jw;
	int i, k;

	ids[0] = job_submit(self->fd, JOB(GMP_JOB_SPAWN, 100));
	ids[1] = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 10, 200 * MS));
	ids[2] = job_submit(self->fd, JOB(GMP_JOB_RING, 10, 10));
	for (i = 0; i < 3; i++)
		ASSERT_LT(0, ids[i]);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, job_wait(self->fd, 0, GMP_WAIT_ANY,
				      GMP_WAIT_FOREVER, &jw));
		EXPECT_EQ(0, jw.error);
		for (k = 0; k < 3 && ids[k] != (long)jw.id; k++)
			;
		ASSERT_GT(3, k) TH_LOG("WAIT_ANY gave unknown id %llu",
				       (unsigned long long)jw.id);
		EXPECT_EQ(kinds[k], jw.kind);
		seen[k]++;
	}
	for (k = 0; k < 3; k++)
		EXPECT_EQ(1, seen[k]);
	EXPECT_EQ(-ENOENT, job_wait(self->fd, 0, GMP_WAIT_ANY, 0, &jw));
	EXPECT_EQ(-ENOENT, job_wait(self->fd, 0, GMP_WAIT_ANY,
				    GMP_WAIT_FOREVER, &jw));
}

TEST_F(job, poll_is_readable_only_while_a_finished_job_waits)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct gmp_job_wait jw;
	__u64 t0 = now_ns();
	long id;

	EXPECT_EQ(0, poll(&pfd, 1, 0));
	id = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 1, 500 * MS));
	ASSERT_LT(0, id);
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("readable while the job runs");
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_LE(t0 + 500 * MS, now_ns());
	/* Readable means collectable without waiting. */
	ASSERT_EQ(0, job_wait(self->fd, id, 0, 0, &jw));
	EXPECT_EQ(0, jw.error);
	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("readable after collecting");
}

TEST_F(job, cancel_long_sleep_returns_ecanceled_quickly)
{
	struct gmp_job_wait jw;
	__u64 t0;
	long id;

	id = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 100, 30 * SEC));
	ASSERT_LT(0, id);
	sleep_ms(50);
	t0 = now_ns();
	ASSERT_EQ(0, job_cancel(self->fd, id));
	EXPECT_EQ(0, job_cancel(self->fd, id));	/* again: still there */
	ASSERT_EQ(0, job_wait(self->fd, id, 0, 10 * SEC, &jw));
	EXPECT_GT(t0 + 10 * SEC, now_ns());
	EXPECT_EQ(-ECANCELED, jw.error);
	EXPECT_GT(30 * SEC, jw.elapsed_ns);
}

/* Every kind that can run long unwinds when cancelled. */
TEST_F_TIMEOUT(job, cancel_unwinds_every_long_running_kind, 90)
{
	static const struct gmp_job_submit jobs[] = {
		JOB(GMP_JOB_SLEEP, 1000, 60 * SEC),
		JOB(GMP_JOB_CPU, 2, GMP_JOB_MAX_ITERS / 2),
		JOB(GMP_JOB_FANOUT, 4, GMP_JOB_MAX_ITERS / 4),
		JOB(GMP_JOB_PINGPONG, GMP_JOB_MAX_ITERS),
		JOB(GMP_JOB_RING, 100, GMP_JOB_MAX_ITERS / 100),
		JOB(GMP_JOB_CHAN, 4, 4, GMP_JOB_MAX_ITERS, 0),
		JOB(GMP_JOB_CHAN, 4, 4, GMP_JOB_MAX_ITERS, 64),
		JOB(GMP_JOB_BLOCK, 2, GMP_JOB_MAX_BLOCK_MS, GMP_BLOCK_MIXED),
		JOB(GMP_JOB_PARK, 100, GMP_JOB_MAX_BLOCK_MS),
	};
	struct gmp_job_wait jw;
	unsigned int i;
	long id;

	for (i = 0; i < ARRAY_SIZE(jobs); i++) {
		id = job_submit(self->fd, jobs[i]);
		ASSERT_LT(0, id) TH_LOG("kind %llu: %s",
					(unsigned long long)jobs[i].kind,
					strerror(-id));
		sleep_ms(100);
		ASSERT_EQ(0, job_cancel(self->fd, id));
		ASSERT_EQ(0, job_wait(self->fd, id, 0, 10 * SEC, &jw))
			TH_LOG("kind %llu did not unwind within 10 s",
			       (unsigned long long)jobs[i].kind);
		EXPECT_EQ(-ECANCELED, jw.error)
			TH_LOG("kind %llu", (unsigned long long)jobs[i].kind);
	}
}

TEST_F(job, cancel_after_finish_keeps_the_result)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct gmp_job_wait jw;
	long id;

	id = job_submit(self->fd, JOB(GMP_JOB_SPAWN, 10));
	ASSERT_LT(0, id);
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	EXPECT_EQ(0, job_cancel(self->fd, id));	/* finished, not collected */
	ASSERT_EQ(0, job_wait(self->fd, id, 0, 0, &jw));
	EXPECT_EQ(0, jw.error);
	EXPECT_EQ(10, jw.result);
}

static void on_alarm(int sig)
{
}

TEST_F(job, wait_interrupted_by_signal_is_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = {
		.it_value = { .tv_usec = 100000 },
		.it_interval = { .tv_usec = 100000 },	/* in case one is early */
	};
	struct itimerval off = { 0 };
	struct gmp_job_wait jw;
	__u64 t0;
	long id, ret;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	id = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 1, 30 * SEC));
	ASSERT_LT(0, id);
	t0 = now_ns();
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	ret = job_wait(self->fd, id, 0, GMP_WAIT_FOREVER, &jw);
	setitimer(ITIMER_REAL, &off, NULL);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_GT(t0 + 20 * SEC, now_ns());
	/* The interrupted WAIT left the job in place. */
	ASSERT_EQ(0, job_cancel(self->fd, id));
	ASSERT_EQ(0, job_wait(self->fd, id, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(-ECANCELED, jw.error);
}

/* ---- ownership ---------------------------------------------------------- */

TEST_F(job, close_cancels_running_jobs_and_frees_their_goroutines)
{
	struct pollfd pfd;
	int fd2 = open(GMP_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd2);
	pfd.fd = fd2;
	pfd.events = POLLIN;
	/* One finished and never collected, then several long ones. */
	ASSERT_LT(0, job_submit(fd2, JOB(GMP_JOB_SPAWN, 10)));
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	ASSERT_LT(0, job_submit(fd2, JOB(GMP_JOB_SLEEP, 200, 30 * SEC)));
	ASSERT_LT(0, job_submit(fd2, JOB(GMP_JOB_CPU, 2, GMP_JOB_MAX_ITERS / 2)));
	ASSERT_LT(0, job_submit(fd2, JOB(GMP_JOB_CHAN, 2, 2,
					 GMP_JOB_MAX_ITERS, 0)));
	ASSERT_LT(0, job_submit(fd2, JOB(GMP_JOB_PARK, 100, 30000)));
	sleep_ms(200);
	EXPECT_LT(200, goroutines_alive(self->fd));
	close(fd2);
	EXPECT_EQ(0, goroutines_drain(self->fd, DRAIN_MS));
}

TEST_F(job, kill_9_of_the_submitter_frees_its_goroutines)
{
	int pipefd[2], status, fd;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fd = open(GMP_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0 ||
		    job_submit(fd, JOB(GMP_JOB_SLEEP, 100, 30 * SEC)) < 0 ||
		    job_submit(fd, JOB(GMP_JOB_CPU, 2,
				       GMP_JOB_MAX_ITERS / 2)) < 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1)) TH_LOG("the child could not submit");
	close(pipefd[0]);
	sleep_ms(100);
	EXPECT_LT(0, goroutines_alive(self->fd));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(0, goroutines_drain(self->fd, DRAIN_MS));
}

/* A child's part: 20 skynet jobs at once on its own fd, then collect them. */
static int skynet_batch(void)
{
	struct gmp_job_wait jw;
	int fd, i;

	fd = open(GMP_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 1;
	for (i = 0; i < 20; i++)
		if (job_submit(fd, JOB(GMP_JOB_SKYNET, 1000, 10)) != i + 1)
			return 2;
	for (i = 0; i < 20; i++) {
		if (job_wait(fd, 0, GMP_WAIT_ANY, GMP_WAIT_FOREVER, &jw))
			return 3;
		if (jw.error || jw.result != 499500 || jw.aux[0] != 1111)
			return 4;
	}
	if (job_wait(fd, 0, GMP_WAIT_ANY, 0, &jw) != -ENOENT)
		return 5;
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(job, several_processes_submit_at_once, 180)
{
	pid_t pids[4];
	int i, status;

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(skynet_batch());
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status))
			TH_LOG("child %d failed at step %d", i,
			       WEXITSTATUS(status));
	}
}

TEST_F(job, set_maxprocs_without_cap_sys_admin_is_eperm)
{
	struct gmp_maxprocs mp = { .size = sizeof(mp), .maxprocs = 1 };
	int status;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "must start as root to drop to nobody");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The fd was opened as root; the capability is per call. */
		if (setgid(65534) || setuid(65534))
			_exit(1);
		if (gmp_ioctl(self->fd, GMP_IOC_SET_MAXPROCS, &mp) != -EPERM)
			_exit(2);
		mp.maxprocs = 0;
		if (gmp_ioctl(self->fd, GMP_IOC_GET_MAXPROCS, &mp) ||
		    !mp.maxprocs)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("failed at step %d",
						 WEXITSTATUS(status));
}

/*
 * Kthread mode makes real kernel threads: it needs CAP_SYS_ADMIN, while
 * the goroutine and workqueue modes of the same job work for anyone who
 * may open the device.
 */
TEST_F(job, kthread_mode_without_cap_sys_admin_is_eperm)
{
	struct gmp_job_submit js = JOB(GMP_JOB_SPAWN, 10);
	struct gmp_job_wait jw;
	int status;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "must start as root to drop to nobody");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		js.mode = GMP_MODE_KTHREAD;
		if (job_submit(self->fd, js) != -EPERM)
			_exit(2);
		js.mode = GMP_MODE_WORKQUEUE;
		if (job_run(self->fd, js, &jw) || jw.error || jw.result != 10)
			_exit(3);
		js.mode = GMP_MODE_GOROUTINE;
		if (job_run(self->fd, js, &jw) || jw.error || jw.result != 10)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("failed at step %d",
						 WEXITSTATUS(status));
	js.mode = GMP_MODE_KTHREAD;	/* and root may */
	ASSERT_EQ(0, job_run(self->fd, js, &jw));
	EXPECT_EQ(0, jw.error);
	EXPECT_EQ(10, jw.result);
}

/* ---- limits ------------------------------------------------------------- */

/*
 * Set parameter @name for this test (param_set()): true, or false after
 * SKIP() when the module has no such parameter. Fails if it cannot be set.
 */
static bool param_set_or_skip(struct __test_metadata *_metadata,
			      struct param_saves *ps, const char *name,
			      unsigned long v)
{
	int err = param_set(ps, name, v);

	if (err == -ENOENT)
		SKIP(return false, "gmp has no parameter %s", name);
	ASSERT_EQ(0, err) TH_LOG("setting %s: %s", name, strerror(-err));
	return true;
}

/* A job that hits a goroutine cap fails as a whole, SUBMIT or WAIT. */
static void submit_expect_fail(struct __test_metadata *_metadata, int fd,
			       struct gmp_job_submit js, long err)
{
	struct gmp_job_wait jw;
	long id = job_submit(fd, js);

	if (id == err)
		return;
	ASSERT_LT(0, id) TH_LOG("SUBMIT: %s", strerror(-id));
	ASSERT_EQ(0, job_wait(fd, id, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(err, jw.error) TH_LOG("result %llu",
					(unsigned long long)jw.result);
}

TEST_F(job, file_max_goroutines_fails_the_job_with_eagain_then_recovers)
{
	struct gmp_job_wait jw;

	if (!param_set_or_skip(_metadata, &self->saves,
			       "file_max_goroutines", 100))
		return;
	/* The root and 99 sleepers fill the cap; the 100th cannot start. */
	submit_expect_fail(_metadata, self->fd,
			   JOB(GMP_JOB_SLEEP, 100, 5 * SEC), -EAGAIN);
	EXPECT_EQ(0, goroutines_drain(self->fd, DRAIN_MS));
	submit_expect_fail(_metadata, self->fd,
			   JOB(GMP_JOB_SKYNET, 10000, 10), -EAGAIN);
	EXPECT_EQ(0, goroutines_drain(self->fd, DRAIN_MS));
	/* Below the cap all is well on the same fd. */
	ASSERT_EQ(0, job_run(self->fd, JOB(GMP_JOB_SLEEP, 50, 1 * MS), &jw));
	EXPECT_EQ(0, jw.error);
	ASSERT_EQ(0, param_restore(&self->saves, "file_max_goroutines"));
	ASSERT_EQ(0, job_run(self->fd, JOB(GMP_JOB_SPAWN, 1000), &jw));
	EXPECT_EQ(0, jw.error);
	EXPECT_EQ(1000, jw.result);
}

TEST_F(job, max_goroutines_caps_all_files_together)
{
	struct gmp_job_wait jw;
	int fd2 = open(GMP_DEV, O_RDWR | O_CLOEXEC);
	long id;

	ASSERT_LE(0, fd2);
	if (!param_set_or_skip(_metadata, &self->saves, "max_goroutines", 60))
		return;
	id = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 40, 10 * SEC));
	ASSERT_LT(0, id);
	ASSERT_EQ(40, goroutines_settle(self->fd, 40, 10000));
	/* 40 sleep on fd; fd2's root and 40 more do not fit in 60. */
	submit_expect_fail(_metadata, fd2, JOB(GMP_JOB_SLEEP, 40, 10 * SEC),
			   -EAGAIN);
	ASSERT_EQ(0, job_cancel(self->fd, id));
	ASSERT_EQ(0, job_wait(self->fd, id, 0, GMP_WAIT_FOREVER, &jw));
	EXPECT_EQ(-ECANCELED, jw.error);
	ASSERT_EQ(0, goroutines_drain(self->fd, DRAIN_MS));
	ASSERT_EQ(0, job_run(fd2, JOB(GMP_JOB_SLEEP, 40, 1 * MS), &jw));
	EXPECT_EQ(0, jw.error);
	close(fd2);
}

TEST_F(job, file_max_stack_mb_fails_the_job_with_enomem)
{
	struct gmp_job_wait jw;

	if (!param_set_or_skip(_metadata, &self->saves, "file_max_stack_mb", 1))
		return;
	/* 200 default stacks are at least 3 MiB. */
	submit_expect_fail(_metadata, self->fd,
			   JOB(GMP_JOB_SLEEP, 200, 5 * SEC), -ENOMEM);
	EXPECT_EQ(0, goroutines_drain(self->fd, DRAIN_MS));
	ASSERT_EQ(0, job_run(self->fd, JOB(GMP_JOB_SLEEP, 10, 1 * MS), &jw));
	EXPECT_EQ(0, jw.error);
}

TEST_F(job, file_max_jobs_counts_running_and_uncollected_jobs)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct gmp_job_wait jw;
	long a, b;

	if (!param_set_or_skip(_metadata, &self->saves, "file_max_jobs", 2))
		return;
	a = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 1, 300 * MS));
	b = job_submit(self->fd, JOB(GMP_JOB_SLEEP, 1, 300 * MS));
	ASSERT_LT(0, a);
	ASSERT_LT(0, b);
	EXPECT_EQ(-EAGAIN, job_submit(self->fd, JOB(GMP_JOB_SPAWN, 10)));
	/* Finished but not collected still counts. */
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	sleep_ms(100);
	EXPECT_EQ(-EAGAIN, job_submit(self->fd, JOB(GMP_JOB_SPAWN, 10)));
	ASSERT_EQ(0, job_wait(self->fd, a, 0, GMP_WAIT_FOREVER, &jw));
	ASSERT_EQ(0, job_run(self->fd, JOB(GMP_JOB_SPAWN, 10), &jw));
	EXPECT_EQ(10, jw.result);
	ASSERT_EQ(0, job_wait(self->fd, b, 0, GMP_WAIT_FOREVER, &jw));
}

TEST_F(job, max_job_bytes_fails_checksum_submit_with_enomem)
{
	static __u8 buf[8192];
	unsigned long b = (unsigned long)buf;
	struct gmp_job_wait jw;

	if (!param_set_or_skip(_metadata, &self->saves, "max_job_bytes", 4096))
		return;
	EXPECT_EQ(-ENOMEM, job_submit(self->fd,
				      JOB(GMP_JOB_CHECKSUM, b, sizeof(buf))));
	expect_nothing_left(_metadata, self->fd);
	ASSERT_EQ(0, job_run(self->fd, JOB(GMP_JOB_CHECKSUM, b, 4096), &jw));
	EXPECT_EQ(crc32_ref(buf, 4096), jw.result);
}

/*
 * One file flooding its own cap does not stop another file's jobs. A park
 * job of 9 keeps its root too: 10 goroutines, so two jobs fill a cap of
 * 20 and the third SUBMIT finds no room for its root.
 */
TEST_F(job, goroutine_cap_is_per_file_first)
{
	struct gmp_job_wait jw;
	int fd2 = open(GMP_DEV, O_RDWR | O_CLOEXEC);
	long id = 0;
	int i;

	ASSERT_LE(0, fd2);
	if (!param_set_or_skip(_metadata, &self->saves,
			       "file_max_goroutines", 20))
		return;
	for (i = 1; i <= 3; i++) {
		id = job_submit(self->fd, JOB(GMP_JOB_PARK, 9, 30000));
		if (id < 0)
			break;
		ASSERT_EQ(10 * i, goroutines_settle(self->fd, 10 * i, 10000));
	}
	EXPECT_EQ(3, i);
	EXPECT_EQ(-EAGAIN, id);
	ASSERT_EQ(0, job_run(fd2, JOB(GMP_JOB_SPAWN, 10), &jw));
	EXPECT_EQ(0, jw.error);
	EXPECT_EQ(10, jw.result);
	EXPECT_EQ(-EAGAIN, job_submit(self->fd, JOB(GMP_JOB_SPAWN, 1)));
	close(fd2);
}

TEST_HARNESS_MAIN
