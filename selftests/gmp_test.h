/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the gmp selftests and gmp_soak share:
 *
 *  - GMP_DEV, the device's path, and gmp_ioctl(), ioctl() returning -errno;
 *  - JOB() and job_submit(), job_wait(), job_cancel(), job_run();
 *  - goroutines_alive(), and goroutines_drain() and goroutines_settle(),
 *    which poll it;
 *  - MS, SEC, now_ns() and sleep_ms();
 *  - crc32_ref(), the checksum kind's closed form;
 *  - rnd() and rndn(), an xorshift64* generator, seeded by rnd_seed();
 *  - after kselftest_harness.h: gmp_test_open() and gmp_test_present(),
 *    which SKIP the test when the module is not loaded.
 *
 * All of it is static inline, so that a test uses what it needs and the
 * rest costs nothing and does not warn.
 */
#ifndef GMP_SELFTESTS_GMP_TEST_H
#define GMP_SELFTESTS_GMP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "uapi/gmp.h"

#define GMP_DEV		"/dev/" GMP_DEVICE_NAME
#define GMP_DEV_MISSING	GMP_DEV " missing: is the gmp module loaded?"

#define MS		1000000ULL
#define SEC		1000000000ULL

/* ioctl() returning -errno, so ASSERT_EQ() prints the errno on failure. */
static inline long gmp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * SEC + ts.tv_nsec;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- jobs --------------------------------------------------------------- */

/* A SUBMIT argument: kind and up to four parameters. */
#define JOB(k, ...) \
	((struct gmp_job_submit){ .kind = (k), .raw = { __VA_ARGS__ } })

/* SUBMIT a copy of @js: its id (>= 1), or -errno. */
static inline long job_submit(int fd, struct gmp_job_submit js)
{
	js.size = sizeof(js);
	if (ioctl(fd, GMP_IOC_SUBMIT, &js))
		return -errno;
	return js.id;
}

/* WAIT for @id (or any, with GMP_WAIT_ANY): 0 with *@jw filled, -errno. */
static inline long job_wait(int fd, __u64 id, __u64 flags, __u64 timeout_ns,
			    struct gmp_job_wait *jw)
{
	memset(jw, 0, sizeof(*jw));
	jw->size = sizeof(*jw);
	jw->flags = flags;
	jw->id = id;
	jw->timeout_ns = timeout_ns;
	return gmp_ioctl(fd, GMP_IOC_WAIT, jw);
}

static inline long job_cancel(int fd, __u64 id)
{
	struct gmp_job_cancel jc = { .size = sizeof(jc), .id = id };

	return gmp_ioctl(fd, GMP_IOC_CANCEL, &jc);
}

/* SUBMIT and WAIT forever: 0 with *@jw, or the failing ioctl's -errno. */
static inline long job_run(int fd, struct gmp_job_submit js,
			   struct gmp_job_wait *jw)
{
	long id = job_submit(fd, js);

	if (id < 0)
		return id;
	return job_wait(fd, id, 0, GMP_WAIT_FOREVER, jw);
}

/* ---- goroutines --------------------------------------------------------- */

/* STATS goroutines_alive, or -errno. */
static inline long goroutines_alive(int fd)
{
	struct gmp_stats st = { .size = sizeof(st) };
	long err = gmp_ioctl(fd, GMP_IOC_STATS, &st);

	return err ? err : (long)st.goroutines_alive;
}

/* Poll STATS until no goroutine lives, up to @ms: the last count seen. */
static inline long goroutines_drain(int fd, unsigned int ms)
{
	__u64 end = now_ns() + ms * MS;
	long n;

	while ((n = goroutines_alive(fd)) > 0 && now_ns() < end)
		sleep_ms(20);
	return n;
}

/* Poll STATS until exactly @n goroutines live, up to @ms: the last count. */
static inline long goroutines_settle(int fd, long n, unsigned int ms)
{
	__u64 end = now_ns() + ms * MS;
	long alive;

	while ((alive = goroutines_alive(fd)) != n && now_ns() < end)
		sleep_ms(10);
	return alive;
}

/* ---- reference results and random input --------------------------------- */

/* zlib's CRC-32 (reflected 0xEDB88320, init ~0, final ~0), by table. */
static inline __u32 crc32_ref(const __u8 *p, size_t len)
{
	static __u32 table[256];
	__u32 c;
	int i, k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	c = ~0U;
	while (len--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

/* The generator's state: one per process, which a forked child reseeds. */
static inline __u64 *rnd_state(void)
{
	static __u64 rng;

	return &rng;
}

static inline void rnd_seed(__u64 seed)
{
	*rnd_state() = seed | 1;
}

/* xorshift64*: deterministic from the seed. */
static inline __u64 rnd(void)
{
	__u64 *rng = rnd_state();

	*rng ^= *rng >> 12;
	*rng ^= *rng << 25;
	*rng ^= *rng >> 27;
	return *rng * 0x2545F4914F6CDD1DULL;
}

static inline unsigned int rndn(unsigned int n)
{
	return rnd() % n;
}

/* ---- with kselftest_harness.h ------------------------------------------- */

#ifdef __KSELFTEST_HARNESS_H

/*
 * Open GMP_DEV read-write, close-on-exec: the fd, or -1 after SKIP() when
 * the module is not loaded. Any other failure fails the test.
 */
static inline int gmp_test_open(struct __test_metadata *_metadata)
{
	int fd = open(GMP_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		SKIP(return fd, GMP_DEV_MISSING);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", GMP_DEV, strerror(errno));
	return fd;
}

/* true when GMP_DEV exists; false after SKIP() when it does not. */
static inline bool gmp_test_present(struct __test_metadata *_metadata)
{
	if (access(GMP_DEV, F_OK))
		SKIP(return false, GMP_DEV_MISSING);
	return true;
}

#endif /* __KSELFTEST_HARNESS_H */

#endif /* GMP_SELFTESTS_GMP_TEST_H */
