// SPDX-License-Identifier: GPL-2.0
/*
 * The list of gmp's KUnit suites. gmp_mod.c runs them from module init,
 * once the scheduler is up (see gmp_kunit_run()), rather than through
 * kunit_test_suites(), which would run them before module_init.
 */
#include <kunit/test.h>

#include "gmp_mod.h"
#include "sched/sched.h"
#include "sync/sync.h"

struct kunit_suite *gmp_kunit_suites[] = {
	&gmp_mod_test_suite,
	&gmp_runq_test_suite,
	&gmp_proc_test_suite,
	&gmp_sysmon_test_suite,
	&gmp_procresize_test_suite,
	&gmp_chan_test_suite,
	&gmp_sync_test_suite,
	&gmp_after_test_suite,
};

const int gmp_kunit_nr_suites = ARRAY_SIZE(gmp_kunit_suites);
