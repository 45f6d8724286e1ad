// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/gmp ioctl fuzzer (kselftest_harness). Several processes throw random
 * commands, sizes, flags, kinds, modes, parameters and pointers (NULL,
 * unmapped, kernel addresses, misaligned, straddling the end of a page) at
 * the device, and randomly close, dup, fork and get killed with SIGKILL.
 * Afterwards the module must still run a skynet job correctly and its live
 * goroutine count must return to 0; the VM harness fails the run on any
 * kernel report (KASAN, lockdep, WARN, kmemleak).
 *
 * The number of calls is bounded: GMP_FUZZ_CALLS (default 20000 over all
 * workers); GMP_FUZZ_LONG=1 makes it 1,000,000. GMP_FUZZ_SEED fixes the
 * seed (printed, so that a failure can be replayed). Needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gmp_test.h"

#define NWORKERS	4
#define BUF_SIZE	8192

/* Shared with the parent: calls made, and by what kind of pointer. */
struct fuzz_counts {
	unsigned long calls;
	unsigned long submitted;
	unsigned long kills;
	unsigned long forks;
};

/* A parameter: mostly small and valid, sometimes absurd. */
static __u64 rnd_param(void)
{
	static const __u64 v[] = {
		0, 1, 2, 3, 7, 10, 64, 100, 1000, 4096,
		GMP_JOB_MAX_N + 1, GMP_JOB_MAX_ITERS + 1, ~0ULL, 1ULL << 63,
	};

	if (!rndn(8))
		return rnd();
	return v[rndn(ARRAY_SIZE(v))];
}

static const unsigned long cmds[] = {
	GMP_IOC_VERSION, GMP_IOC_STATS, GMP_IOC_GET_MAXPROCS,
	GMP_IOC_SET_MAXPROCS, GMP_IOC_SUBMIT, GMP_IOC_WAIT, GMP_IOC_CANCEL,
};

/* The three regions arguments come from. */
struct arena {
	__u8 *buf;		/* BUF_SIZE of read-write memory */
	__u8 *edge;		/* a read-write page followed by PROT_NONE */
	void *unmapped;
};

static void arena_init(struct arena *a)
{
	__u8 *p;

	a->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(p + 4096, 4096, PROT_NONE);
	a->edge = p;
	a->unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	munmap(a->unmapped, 4096);
}

/* A size field: the right one, a published one, or something odd. */
static __u64 rnd_size(__u64 right)
{
	static const __u64 v[] = { 0, 1, 8, 23, 24, 32, 4095, 4096, 4097 };

	switch (rndn(6)) {
	case 0:
		return v[rndn(ARRAY_SIZE(v))];
	case 1:
		return right + 8 * (1 + rndn(4));	/* a newer caller */
	case 2:
		return rnd();
	default:
		return right;
	}
}

/* Fill a plausible argument for @cmd at @p (which holds @room bytes). */
static void fill_arg(struct arena *a, unsigned long cmd, __u8 *p,
		     size_t room)
{
	struct gmp_job_submit js = { 0 };
	struct gmp_job_wait jw = { 0 };
	struct gmp_stats st = { 0 };
	__u64 right = sizeof(js);
	int i;

	memset(p, 0, room);
	if (!rndn(16)) {		/* pure noise */
		for (i = 0; i < (int)room; i++)
			p[i] = rnd();
		return;
	}
	switch (cmd) {
	case GMP_IOC_SUBMIT:
		js.kind = rndn(GMP_JOB_NR_KINDS + 2);
		js.mode = rndn(8) ? 0 : rndn(GMP_MODE_NR + 1);
		js.flags = rndn(4) ? 0 : (rndn(2) ? GMP_SUBMIT_SMALL_STACK :
					  rnd());
		for (i = 0; i < 4; i++)
			js.raw[i] = rndn(2) ? rnd_param() : 0;
		if (js.kind == GMP_JOB_CHECKSUM) {
			js.checksum.buf = (uintptr_t)(rndn(2) ? a->buf :
						      a->unmapped);
			js.checksum.len = rndn(3) ? 1 + rndn(BUF_SIZE) :
						    rnd_param();
		}
		/* Keep valid jobs short: the fuzzer is not a benchmark. */
		if (js.kind == GMP_JOB_SLEEP || js.kind == GMP_JOB_PARK ||
		    js.kind == GMP_JOB_BLOCK)
			js.raw[1] = rndn(3) ? 1 + rndn(20) : js.raw[1];
		if (js.kind == GMP_JOB_SKYNET && js.raw[0] > 100000 &&
		    js.raw[0] <= GMP_JOB_MAX_ITERS)
			js.raw[0] = 10000;
		if ((js.kind == GMP_JOB_CPU || js.kind == GMP_JOB_FANOUT ||
		     js.kind == GMP_JOB_RING) && js.raw[1] > 10 &&
		    js.raw[1] <= GMP_JOB_MAX_ITERS)
			js.raw[1] = 10;
		if (js.mode && js.raw[0] > 1000 &&
		    js.raw[0] <= GMP_JOB_MAX_ITERS)
			js.raw[0] = 1000;
		js.size = rnd_size(right);
		memcpy(p, &js, room < sizeof(js) ? room : sizeof(js));
		break;
	case GMP_IOC_WAIT:
	case GMP_IOC_CANCEL:
		jw.flags = rndn(4) ? 0 : (rndn(2) ? GMP_WAIT_ANY : rnd());
		jw.id = rndn(4) ? rndn(8) : rnd();
		jw.timeout_ns = rndn(4) ? rndn(2000000) : 0;
		if (!rndn(32))
			jw.timeout_ns = GMP_WAIT_FOREVER;
		jw.size = rnd_size(cmd == GMP_IOC_WAIT ? sizeof(jw) :
				   sizeof(struct gmp_job_cancel));
		memcpy(p, &jw, room < sizeof(jw) ? room : sizeof(jw));
		break;
	case GMP_IOC_STATS:
		st.percpu_cap = rndn(4) ? rndn(8) : rnd();
		st.percpu_size = rndn(2) ? sizeof(struct gmp_stats_p) : rnd();
		st.percpu_ptr = (uintptr_t)(rndn(2) ? a->buf + 1024 :
					    a->unmapped);
		st.flags = rndn(8) ? 0 : rnd();
		st.size = rnd_size(sizeof(st));
		memcpy(p, &st, room < sizeof(st) ? room : sizeof(st));
		break;
	default: {
		__u64 mp[4] = {
			rnd_size(32), rndn(8) ? 0 : rnd(),
			rndn(6),	/* maxprocs: keep STWs cheap */
		};

		memcpy(p, mp, room < sizeof(mp) ? room : sizeof(mp));
		break;
	}
	}
}

/* Where the argument lives: the kinds of pointer the issue lists. */
static void *pick_arg(struct arena *a, unsigned long cmd)
{
	__u8 *p;

	switch (rndn(10)) {
	case 0:
		return NULL;
	case 1:
		return a->unmapped;
	case 2:
		return (void *)0xffffffff81000000UL;	/* kernel text */
	case 3:					/* misaligned */
		p = a->buf + 1 + rndn(7);
		fill_arg(a, cmd, p, 512);
		return p;
	case 4:					/* straddles into PROT_NONE */
		p = a->edge + 4096 - 8 * (1 + rndn(12));
		fill_arg(a, cmd, p, a->edge + 4096 - p);
		return p;
	default:
		fill_arg(a, cmd, a->buf, 512);
		return a->buf;
	}
}

static unsigned long pick_cmd(void)
{
	if (!rndn(16))
		return rndn(2) ? _IO(GMP_IOC_MAGIC, rndn(256)) : rnd();
	if (!rndn(8))	/* the same numbers with a size encoded */
		return _IOWR(GMP_IOC_MAGIC, rndn(0x30), struct gmp_job_wait);
	return cmds[rndn(ARRAY_SIZE(cmds))];
}

/* One worker: @calls random operations on its own descriptors. */
static void worker(struct fuzz_counts *c, unsigned long calls, __u64 seed)
{
	struct arena a;
	int fds[4], nfd = 1, i;
	struct pollfd pfd;
	unsigned long cmd;
	pid_t pid;

	rnd_seed(seed);
	arena_init(&a);
	fds[0] = open(GMP_DEV, O_RDWR);
	if (fds[0] < 0)
		_exit(2);
	while (calls--) {
		i = rndn(nfd);
		switch (rndn(64)) {
		case 0:				/* close and reopen */
			close(fds[i]);
			fds[i] = open(GMP_DEV, O_RDWR);
			if (fds[i] < 0)
				_exit(2);
			continue;
		case 1:				/* dup */
			if (nfd < 4) {
				fds[nfd] = dup(fds[i]);
				if (fds[nfd] >= 0)
					nfd++;
			}
			continue;
		case 2:				/* a child shares the fds */
			pid = fork();
			if (pid == 0) {
				worker(c, 20, rnd());
				_exit(0);
			}
			if (pid > 0) {
				__atomic_add_fetch(&c->forks, 1,
						   __ATOMIC_RELAXED);
				if (rndn(2)) {
					usleep(rndn(2000));
					kill(pid, SIGKILL);
					__atomic_add_fetch(&c->kills, 1,
							   __ATOMIC_RELAXED);
				}
				waitpid(pid, NULL, 0);
			}
			continue;
		case 3:
			pfd.fd = fds[i];
			pfd.events = POLLIN;
			poll(&pfd, 1, 0);
			continue;
		}
		cmd = pick_cmd();
		if (ioctl(fds[i], cmd, pick_arg(&a, cmd)) == 0 &&
		    cmd == GMP_IOC_SUBMIT)
			__atomic_add_fetch(&c->submitted, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->calls, 1, __ATOMIC_RELAXED);
	}
	/* Exit with jobs still running now and then: close cancels them. */
}

/* A skynet of @size: the job's error, or the failing ioctl's -errno. */
static long skynet_ok(int fd, __u64 size, __u64 *sum)
{
	struct gmp_job_wait jw;
	long err = job_run(fd, JOB(GMP_JOB_SKYNET, size), &jw);

	if (err)
		return err;
	*sum = jw.result;
	return jw.error;
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* Under emulation a fuzz run takes minutes: the default 30 s is too short. */
TEST_F_TIMEOUT(fuzz, fuzz_then_skynet_still_correct_and_nothing_left, 1800)
{
	unsigned long total = 20000, each;
	struct fuzz_counts *c;
	__u64 seed, sum = 0;
	int fd, i, status, ok = 1, victim;
	struct timespec ts;
	pid_t pids[NWORKERS];
	char *env;
	long alive;

	if (!gmp_test_present(_metadata))
		return;
	env = getenv("GMP_FUZZ_CALLS");
	if (env)
		total = strtoul(env, NULL, 0);
	if (getenv("GMP_FUZZ_LONG"))
		total = 1000000;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	seed = (__u64)ts.tv_nsec ^ ((__u64)ts.tv_sec << 32);
	env = getenv("GMP_FUZZ_SEED");
	if (env)
		seed = strtoull(env, NULL, 0);
	TH_LOG("seed %#llx, %lu calls over %d workers",
	       (unsigned long long)seed, total, NWORKERS);
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c);
	memset(c, 0, sizeof(*c));

	each = total / NWORKERS;
	rnd_seed(seed);
	for (i = 0; i < NWORKERS; i++) {
		__u64 s = rnd();

		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			worker(c, each, s);
			_exit(0);
		}
	}
	/* Kill one worker mid-run: its fds close with jobs in flight. */
	usleep(200000);
	victim = rndn(NWORKERS);
	kill(pids[victim], SIGKILL);
	for (i = 0; i < NWORKERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		if (WIFEXITED(status) && WEXITSTATUS(status))
			ok = 0;
		if (WIFSIGNALED(status) && i != victim) {
			TH_LOG("worker %d died of signal %d", i,
			       WTERMSIG(status));
			ok = 0;
		}
	}
	EXPECT_TRUE(ok) TH_LOG("a worker failed (see above)");
	TH_LOG("fuzz: %lu calls, %lu jobs submitted, %lu forks, %lu kills",
	       c->calls, c->submitted, c->forks, c->kills + 1);
	printf("# fuzz_calls=%lu jobs=%lu forks=%lu kills=%lu\n", c->calls,
	       c->submitted, c->forks, c->kills + 1);

	fd = open(GMP_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	/* Jobs of closed files unwind on their own: give them a minute. */
	alive = goroutines_drain(fd, 60000);
	EXPECT_EQ(0, alive) TH_LOG("goroutines left after the fuzz");
	/*
	 * 11,111 goroutines: even all alive at once on the debug kernel's
	 * 32 KiB stacks they stay under the per-file stack cap (a quarter of
	 * a 2 GiB guest). With 111,111, the run order decides how many are
	 * alive at once, and a breadth-first order hit the cap (-ENOMEM).
	 */
	EXPECT_EQ(0, skynet_ok(fd, 10000, &sum));
	EXPECT_EQ(49995000ULL, sum);
	alive = goroutines_drain(fd, 10000);
	EXPECT_EQ(0, alive);
	close(fd);
}

TEST_HARNESS_MAIN
