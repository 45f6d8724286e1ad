// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/gmp device and version-ABI selftests (kselftest_harness).
 *
 * Needs the gmp module loaded with its default dev_mode. Every TEST runs
 * in its own forked child with the harness timeout, so a hung ioctl fails
 * one test, not the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "gmp_test.h"

FIXTURE(dev) {
	int fd;
	long page;
};

FIXTURE_SETUP(dev)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->fd = gmp_test_open(_metadata);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, version_reports_abi_and_kernel_size)
{
	struct gmp_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_VERSION, &v));
	EXPECT_EQ(GMP_ABI_MAJOR, v.abi_major);
	EXPECT_LE(GMP_ABI_MINOR, v.abi_minor);
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_LT(0, v.nr_cpus);
	EXPECT_EQ(0, v.flags);
}

/*
 * A read-only open may observe but not act: VERSION, STATS and
 * GET_MAXPROCS work; SUBMIT, WAIT, CANCEL and SET_MAXPROCS are -EBADF.
 */
TEST_F(dev, read_only_open_observes_but_cannot_submit_or_change)
{
	struct gmp_version v = { .size = sizeof(v) };
	struct gmp_stats st = { .size = sizeof(st) };
	struct gmp_maxprocs mp = { .size = sizeof(mp) };
	struct gmp_job_submit js = JOB(GMP_JOB_SPAWN, 1);
	struct gmp_job_wait jw = { .size = sizeof(jw), .id = 1 };
	struct gmp_job_cancel jc = { .size = sizeof(jc), .id = 1 };
	int ro = open(GMP_DEV, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, ro) TH_LOG("open %s read-only: %s", GMP_DEV, strerror(errno));
	js.size = sizeof(js);
	EXPECT_EQ(0, gmp_ioctl(ro, GMP_IOC_VERSION, &v));
	EXPECT_EQ(0, gmp_ioctl(ro, GMP_IOC_STATS, &st));
	EXPECT_EQ(0, gmp_ioctl(ro, GMP_IOC_GET_MAXPROCS, &mp));
	EXPECT_EQ(-EBADF, gmp_ioctl(ro, GMP_IOC_SUBMIT, &js));
	EXPECT_EQ(-EBADF, gmp_ioctl(ro, GMP_IOC_WAIT, &jw));
	EXPECT_EQ(-EBADF, gmp_ioctl(ro, GMP_IOC_CANCEL, &jc));
	EXPECT_EQ(-EBADF, gmp_ioctl(ro, GMP_IOC_SET_MAXPROCS, &mp));
	EXPECT_EQ(-ENOTTY, gmp_ioctl(ro, _IO(GMP_IOC_MAGIC, 0x7f), NULL));
	/* The same SUBMIT on the read-write fixture works. */
	EXPECT_LT(0, job_submit(self->fd, js));
	close(ro);
}

TEST_F(dev, version_size_below_ver0_is_einval)
{
	struct gmp_version v = { .size = GMP_VERSION_SIZE_VER0 - 8 };

	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_VERSION, &v));
	v.size = 0;
	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_VERSION, &v));
}

TEST_F(dev, version_newer_struct_with_zero_tail_is_accepted)
{
	struct {
		struct gmp_version v;
		__u64 future[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_VERSION, &big));
	EXPECT_EQ(GMP_ABI_MAJOR, big.v.abi_major);
	/* The kernel writes back only what it knows. */
	EXPECT_EQ(0, big.future[0]);
}

TEST_F(dev, version_newer_struct_with_nonzero_tail_is_e2big)
{
	struct {
		struct gmp_version v;
		__u64 future[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.future[3] = 1;
	EXPECT_EQ(-E2BIG, gmp_ioctl(self->fd, GMP_IOC_VERSION, &big));
}

TEST_F(dev, version_size_over_a_page_is_e2big)
{
	struct gmp_version v = { .size = 1ULL << 40 };

	EXPECT_EQ(-E2BIG, gmp_ioctl(self->fd, GMP_IOC_VERSION, &v));
}

TEST_F(dev, version_nonzero_flags_is_einval)
{
	struct gmp_version v = { .size = sizeof(v), .flags = 1 };

	EXPECT_EQ(-EINVAL, gmp_ioctl(self->fd, GMP_IOC_VERSION, &v));
}

TEST_F(dev, version_bad_pointers_are_efault)
{
	void *unmapped = mmap(NULL, self->page, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_VERSION, NULL));
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_VERSION, unmapped));
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_VERSION,
				     (void *)0xffffffff81000000UL));
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_VERSION,
				     (void *)-8L));
	munmap(unmapped, self->page);
}

TEST_F(dev, version_struct_straddling_into_unmapped_page_is_efault)
{
	char *two = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gmp_version *v;

	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + self->page, self->page, PROT_NONE));
	/* size is readable, the rest of the struct is not. */
	v = (struct gmp_version *)(two + self->page - 16);
	v->size = sizeof(*v);
	v->flags = 0;
	EXPECT_EQ(-EFAULT, gmp_ioctl(self->fd, GMP_IOC_VERSION, v));
	munmap(two, 2 * self->page);
}

TEST_F(dev, version_misaligned_struct_works)
{
	__u64 words[sizeof(struct gmp_version) / 8 + 1];
	char *buf = (char *)words + 3;
	struct gmp_version v = { .size = sizeof(v) };

	memcpy(buf, &v, sizeof(v));
	ASSERT_EQ(0, gmp_ioctl(self->fd, GMP_IOC_VERSION, buf));
	memcpy(&v, buf, sizeof(v));
	EXPECT_EQ(GMP_ABI_MAJOR, v.abi_major);
}

TEST_F(dev, unknown_commands_are_enotty)
{
	static const unsigned long cmds[] = {
		0, 1, 0xdeadbeef, _IO(GMP_IOC_MAGIC, 0xff),
		_IOWR(GMP_IOC_MAGIC, 0x00, struct gmp_version),
		_IO('T', 0x01), _IO(GMP_IOC_MAGIC + 1, 0x00),
	};
	struct gmp_version v = { .size = sizeof(v) };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		EXPECT_EQ(-ENOTTY, gmp_ioctl(self->fd, cmds[i], &v))
			TH_LOG("cmd %#lx", cmds[i]);
	/* Garbage commands with garbage pointers still say ENOTTY. */
	EXPECT_EQ(-ENOTTY, gmp_ioctl(self->fd, 0x12345678, (void *)1));
}

TEST_F(dev, device_node_is_root_only_0600)
{
	struct stat st;

	ASSERT_EQ(0, stat(GMP_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600u, st.st_mode & 07777u);
}

TEST(unprivileged_open_is_eacces)
{
	int fd;

	if (getuid() != 0)
		SKIP(return, "must start as root to drop to nobody");
	if (!gmp_test_present(_metadata))
		return;
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	fd = open(GMP_DEV, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EACCES, errno);
}

TEST_HARNESS_MAIN
