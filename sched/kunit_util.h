/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by gmp's KUnit suites (sched/ *_test.c): waiting for a
 * counter, and running a test body in a goroutine that records failures
 * for the KUnit thread to report (KUNIT_* must not run in a goroutine: an
 * assertion failure there would abort the wrong thread).
 */
#ifndef _GMP_KUNIT_UTIL_H
#define _GMP_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/stdarg.h>

#include "include/gmp.h"

/* How long a test waits for goroutines before calling it a hang. */
#define WAIT_MS 60000

/* Wait until *@v reaches @n, sleeping; false on timeout. */
static inline bool wait_count(atomic_t *v, int n)
{
	int i;

	for (i = 0; i < WAIT_MS && atomic_read(v) < n; i++)
		usleep_range(1000, 2000);
	return atomic_read(v) >= n;
}

/* What a goroutine test body reports back: done, and the first failure. */
struct ct {
	atomic_t done;
	atomic_t failed;
	char msg[192];
};

static inline __printf(2, 3) void ct_fail(struct ct *t, const char *fmt, ...)
{
	va_list ap;

	if (atomic_inc_return(&t->failed) != 1)
		return;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
}

/* Record a failure unless @cond; evaluates to @cond. */
#define CT_CHECK(t, cond, fmt, ...)					\
	({								\
		bool __ok = (cond);					\
		if (!__ok)						\
			ct_fail(t, "%s:%d: " fmt, __func__, __LINE__,	\
				##__VA_ARGS__);				\
		__ok;							\
	})

struct ct_main {
	struct ct t;
	void (*body)(struct ct *t, void *arg);
	void *arg;
};

static inline void ct_main_fn(void *arg)
{
	struct ct_main *m = arg;

	m->body(&m->t, m->arg);
	atomic_inc(&m->t.done);
}

/*
 * Run @body(t, @arg) in a goroutine and check it recorded no failure.
 * Return: true if the goroutine finished (else its state is leaked).
 */
static inline bool ct_run(struct kunit *test,
			  void (*body)(struct ct *, void *), void *arg)
{
	struct ct_main *m = kzalloc(sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->body = body;
	m->arg = arg;
	KUNIT_ASSERT_EQ(test, gmp_go(ct_main_fn, m), 0);
	if (!wait_count(&m->t.done, 1)) {
		KUNIT_FAIL(test, "test goroutine hung (lost wakeup?): %s",
			   m->t.msg);
		return false;
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&m->t.failed), 0, "%s", m->t.msg);
	kfree(m);
	return true;
}

#endif /* _GMP_KUNIT_UTIL_H */
