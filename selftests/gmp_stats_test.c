// SPDX-License-Identifier: GPL-2.0
/*
 * GMP_IOC_STATS and GMP_IOC_GET/SET_MAXPROCS selftests (kselftest_harness).
 * Needs the gmp module loaded and root (SET_MAXPROCS needs CAP_SYS_ADMIN;
 * one test drops privileges to check that it is refused without it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "gmp_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = gmp_test_open(_metadata);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

static long get_maxprocs(int fd, struct gmp_maxprocs *mp)
{
	memset(mp, 0, sizeof(*mp));
	mp->size = sizeof(*mp);
	return gmp_ioctl(fd, GMP_IOC_GET_MAXPROCS, mp);
}

TEST_F(dev, stats_reports_gomaxprocs_and_every_p)
{
	struct gmp_stats_p per_p[64];
	struct gmp_stats st = {
		.size = sizeof(st),
		.percpu_ptr = (__u64)(unsigned long)per_p,
		.percpu_cap = 64,
		.percpu_size = sizeof(per_p[0]),
	};
	struct gmp_maxprocs mp;
	unsigned int i;

	memset(per_p, 0xff, sizeof(per_p));
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	ASSERT_EQ(0, get_maxprocs(self->fd, &mp));
	EXPECT_EQ(mp.maxprocs, st.gomaxprocs);
	EXPECT_EQ(st.gomaxprocs, st.nr_p);
	EXPECT_LE(st.idleprocs, st.gomaxprocs);
	EXPECT_LE(st.gomaxprocs, st.threads);
	EXPECT_EQ(GMP_BLOCKDETECT_NOTIFIER, st.blockdetect);
	EXPECT_EQ(st.goroutines_created - st.goroutines_exited,
		  st.goroutines_alive);
	for (i = 0; i < st.nr_p; i++) {
		EXPECT_EQ(i, per_p[i].id);
		EXPECT_LE(per_p[i].status, GMP_PSTATUS_DEAD);
	}
	EXPECT_EQ(~0ULL, per_p[st.nr_p].id);	/* nothing past nr_p */
}

/*
 * Only size, flags and percpu_* are inputs: what a caller leaves in the
 * outputs (a polling loop reusing one struct passes its last result back
 * in) must not leak into the result. Counters only grow, so the poisoned
 * call, made first, cannot report more than the clean one after it.
 */
TEST_F(dev, stats_outputs_ignore_what_the_caller_left_in_them)
{
	struct gmp_stats clean = { .size = sizeof(clean) };
	struct gmp_stats st;

	memset(&st, 0x11, sizeof(st));
	st.size = sizeof(st);
	st.flags = 0;
	st.percpu_ptr = 0;
	st.percpu_cap = 0;
	st.percpu_size = 0;
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_STATS, &clean));
	EXPECT_EQ(0, st.nr_p);
	EXPECT_LE(st.goroutines_created, clean.goroutines_created);
	EXPECT_LE(st.goroutines_exited, clean.goroutines_exited);
	EXPECT_LE(st.switches, clean.switches);
	EXPECT_LE(st.runq_put, clean.runq_put);
	EXPECT_LE(st.runq_get, clean.runq_get);
	EXPECT_LE(st.glob_get, clean.glob_get);
	EXPECT_LE(st.steals, clean.steals);
	EXPECT_LE(st.steal_attempts, clean.steal_attempts);
	EXPECT_LE(st.parks, clean.parks);
	EXPECT_LE(st.preempts, clean.preempts);
	EXPECT_LE(st.readies, clean.readies);
}

TEST_F(dev, stats_per_p_array_smaller_than_ps_is_filled_to_cap)
{
	struct gmp_stats_p one[1];
	struct gmp_stats st = {
		.size = sizeof(st),
		.percpu_ptr = (__u64)(unsigned long)one,
		.percpu_cap = 1,
		.percpu_size = sizeof(one[0]),
	};

	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	EXPECT_EQ(1, st.nr_p);
	EXPECT_EQ(0, one[0].id);
}

TEST_F(dev, stats_per_p_entry_size_below_ver0_is_einval_larger_is_padded)
{
	__u64 buf[2][GMP_STATS_P_SIZE_VER0 / 8 + 2];
	struct gmp_stats st = {
		.size = sizeof(st),
		.percpu_ptr = (__u64)(unsigned long)buf,
		.percpu_cap = 2,
		.percpu_size = 24,
	};

	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	/* A newer caller's bigger entries: the unknown tail is zeroed. */
	memset(buf, 0xff, sizeof(buf));
	st.percpu_size = sizeof(buf[0]);
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	EXPECT_EQ(0, buf[0][0]);			/* P0's id */
	EXPECT_EQ(0, buf[0][GMP_STATS_P_SIZE_VER0 / 8]);	/* zeroed tail */
	if (st.nr_p > 1)
		EXPECT_EQ(1, buf[1][0]);
}

TEST_F(dev, stats_bad_arguments_are_rejected)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gmp_stats st = { .size = sizeof(st) };

	ASSERT_NE(MAP_FAILED, unmapped);
	st.flags = GMP_STATS_RESET_PEAK << 1;	/* unknown */
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	st.flags = 0;
	st.percpu_cap = GMP_STATS_MAX_P + 1;
	st.percpu_ptr = 4096;
	st.percpu_size = sizeof(struct gmp_stats_p);
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	st.percpu_cap = 4;
	st.percpu_ptr = 0;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	st.percpu_ptr = (__u64)(unsigned long)unmapped;
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	st.percpu_ptr = 0xffffffff81000000ULL;
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	st.size = GMP_STATS_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_STATS, NULL));
	munmap(unmapped, 4096);
}

/* STATS with @flags, zeroed otherwise; -errno. */
static long stats_read(int fd, struct gmp_stats *st, __u64 flags)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->flags = flags;
	return gmp_ioctl(fd, GMP_IOC_STATS, st);
}

/*
 * goroutines_peak is the exact high-water mark of goroutines_alive: a park
 * job's 1,000 goroutines are all alive at once, so after a reset and the
 * job the peak is at least 1,000; a reset reports it, then starts again
 * from the goroutines alive.
 */
TEST_F(dev, stats_peak_is_the_high_water_mark_and_resets)
{
	struct gmp_job_wait jw;
	struct gmp_stats st;

	if (getuid() != 0)
		SKIP(return, "resetting the peak needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, stats_read(self->fd, &st, GMP_STATS_RESET_PEAK));
	ASSERT_EQ(0, job_run(self->fd, JOB(GMP_JOB_PARK, 1000, 100), &jw));
	ASSERT_EQ(0, jw.error);
	ASSERT_EQ(0, stats_read(self->fd, &st, 0));
	EXPECT_LE(1000, st.goroutines_peak);
	EXPECT_LE(st.goroutines_alive, st.goroutines_peak);
	ASSERT_EQ(0, stats_read(self->fd, &st, GMP_STATS_RESET_PEAK));
	EXPECT_LE(1000, st.goroutines_peak);	/* reported, then reset */
	ASSERT_EQ(0, stats_read(self->fd, &st, 0));
	EXPECT_GT(1000, st.goroutines_peak);
	EXPECT_LE(st.goroutines_alive, st.goroutines_peak);
}

TEST_F(dev, stats_peak_reset_without_cap_sys_admin_is_eperm)
{
	struct gmp_stats st;

	if (getuid() != 0)
		SKIP(return, "must start as root to drop to nobody");
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	EXPECT_EQ(-EPERM, stats_read(self->fd, &st, GMP_STATS_RESET_PEAK));
	EXPECT_EQ(0, stats_read(self->fd, &st, 0));
}

TEST_F(dev, set_maxprocs_changes_and_restores_gomaxprocs)
{
	struct gmp_maxprocs mp, orig;
	struct gmp_stats st = { .size = sizeof(st) };
	__u64 stw;

	ASSERT_EQ(0, get_maxprocs(self->fd, &orig));
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	stw = st.stw_count;
	mp = orig;
	mp.maxprocs = 1;
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_SET_MAXPROCS, &mp));
	EXPECT_EQ(1, mp.maxprocs);
	EXPECT_EQ(1, mp.target);
	ASSERT_EQ(0, get_maxprocs(self->fd, &mp));
	EXPECT_EQ(1, mp.maxprocs);
	mp = orig;
	mp.maxprocs = orig.target;
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_SET_MAXPROCS, &mp));
	EXPECT_EQ(orig.maxprocs, mp.maxprocs);
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_STATS, &st));
	EXPECT_EQ(stw + 2, st.stw_count);
	EXPECT_LT(0, st.stw_last_ns);
}

TEST_F(dev, set_maxprocs_bad_values_are_einval)
{
	struct gmp_maxprocs mp = { .size = sizeof(mp), .maxprocs = 1025 };

	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_SET_MAXPROCS, &mp));
	mp.maxprocs = 1;
	mp.flags = 2;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_SET_MAXPROCS, &mp));
	mp.flags = 0;
	mp.size = 8;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_GET_MAXPROCS, &mp));
}

TEST_F(dev, set_maxprocs_without_cap_sys_admin_is_eperm)
{
	struct gmp_maxprocs mp = { .size = sizeof(mp), .maxprocs = 1 };

	if (getuid() != 0)
		SKIP(return, "must start as root to drop to nobody");
	/* The fd was opened as root; the capability is checked per call. */
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	EXPECT_EQ(-EPERM, gmp_ioctl(self->fd, GMP_IOC_SET_MAXPROCS, &mp));
	EXPECT_EQ(0, get_maxprocs(self->fd, &mp));
}

TEST_HARNESS_MAIN
