/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp module private header: the module parameters gmp_mod.c validates
 * at load, and the KUnit suites it runs. Nothing below the top level
 * (dev/, sync/, sched/) includes it. The design essay is at the top of
 * sched/proc.c.
 */
#ifndef _GMP_MOD_H
#define _GMP_MOD_H

#include <linux/types.h>

/**
 * struct gmp_params - module parameters, validated once at load
 * @maxprocs:	initial GOMAXPROCS; 0 means one P per online CPU
 * @dev_mode:	permission bits of /dev/gmp
 * @timeslice_ms: sysmon preempts a G that ran longer
 * @handoff_grace_us: a blocked M keeps its P this long
 * @schedtrace_ms: print schedtrace this often (0: never)
 */
struct gmp_params {
	unsigned int maxprocs;
	unsigned int dev_mode;
	unsigned int timeslice_ms;
	unsigned int handoff_grace_us;
	unsigned int schedtrace_ms;
};

int gmp_params_check(const struct gmp_params *p);

#if IS_ENABLED(CONFIG_KUNIT)
struct kunit_suite;
extern struct kunit_suite *gmp_kunit_suites[];
extern const int gmp_kunit_nr_suites;
extern struct kunit_suite gmp_mod_test_suite;
#endif

#endif /* _GMP_MOD_H */
