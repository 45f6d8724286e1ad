/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the sync layer's KUnit suites (sync/ *_test.c), on top of
 * the scheduler's (sched/kunit_util.h: contexts that goroutines own,
 * bounded waits).
 */
#ifndef _GMP_SYNC_KUNIT_UTIL_H
#define _GMP_SYNC_KUNIT_UTIL_H

#include "sched/kunit_util.h"
#include "sync/sync.h"

/* Put a channel a destructor finds in its context, if it was created. */
static inline void ct_chan_put(struct gmp_chan *c)
{
	if (!IS_ERR_OR_NULL(c))
		gmp_chan_put(c);
}

#endif /* _GMP_SYNC_KUNIT_UTIL_H */
