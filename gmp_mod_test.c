// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gmp_mod.c's module parameter checks and for the
 * version ABI (dev/device.c).
 *
 * Strategy: the functions under test are pure (no device, no user
 * memory), so each case calls them directly with a table of inputs. The
 * user-pointer side of the ioctls is covered by selftests/.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>

#include "uapi/gmp.h"
#include "gmp_mod.h"
#include "dev/dev.h"

struct params_case {
	const char *name;
	struct gmp_params p;
	int want;
};

static const struct params_case params_cases[] = {
	{ "defaults",		{ 0, 0600, 10, 200, 0 }, 0 },
	{ "maxprocs_one",	{ 1, 0600, 10, 200, 0 }, 0 },
	{ "world_rw_mode",	{ 0, 0666, 10, 200, 0 }, 0 },
	{ "exec_bit_mode",	{ 0, 0700, 10, 200, 0 }, -EINVAL },
	{ "setuid_mode",	{ 0, 04600, 10, 200, 0 }, -EINVAL },
	{ "maxprocs_huge",	{ 100000, 0600, 10, 200, 0 }, -EINVAL },
	{ "timeslice_zero",	{ 0, 0600, 0, 200, 0 }, -EINVAL },
	{ "timeslice_huge",	{ 0, 0600, 5000, 200, 0 }, -EINVAL },
	{ "grace_too_short",	{ 0, 0600, 10, 5, 0 }, -EINVAL },
	{ "schedtrace_100ms",	{ 0, 0600, 10, 200, 100 }, 0 },
	{ "schedtrace_too_often", { 0, 0600, 10, 200, 1 }, -EINVAL },
};

static void params_case_desc(const struct params_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(params, params_cases, params_case_desc);

static void gmp_params_check_accepts_good_rejects_bad(struct kunit *test)
{
	const struct params_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, gmp_params_check(&c->p), c->want);
}

static void gmp_params_check_maxprocs_bound_is_nr_cpu_ids(struct kunit *test)
{
	struct gmp_params p = { .dev_mode = 0600, .timeslice_ms = 10,
				.handoff_grace_us = 200 };

	p.maxprocs = nr_cpu_ids;
	KUNIT_EXPECT_EQ(test, gmp_params_check(&p), 0);
	p.maxprocs = nr_cpu_ids + 1;
	KUNIT_EXPECT_EQ(test, gmp_params_check(&p), -EINVAL);
}

static void gmp_version_fill_reports_abi_and_cpus(struct kunit *test)
{
	struct gmp_version v = { .size = 1234, .flags = 0 };

	gmp_version_fill(&v);
	KUNIT_EXPECT_EQ(test, v.abi_major, (u64)GMP_ABI_MAJOR);
	KUNIT_EXPECT_EQ(test, v.abi_minor, (u64)GMP_ABI_MINOR);
	KUNIT_EXPECT_EQ(test, v.nr_cpus, (u64)nr_cpu_ids);
	/* This file only builds with KUnit, so the bit must be set. */
	KUNIT_EXPECT_TRUE(test, v.features & GMP_FEAT_KUNIT);
	/* The caller's size is not the fill's business. */
	KUNIT_EXPECT_EQ(test, v.size, 1234ULL);
}

static struct kunit_case gmp_mod_cases[] = {
	KUNIT_CASE_PARAM(gmp_params_check_accepts_good_rejects_bad,
			 params_gen_params),
	KUNIT_CASE(gmp_params_check_maxprocs_bound_is_nr_cpu_ids),
	KUNIT_CASE(gmp_version_fill_reports_abi_and_cpus),
	{}
};

struct kunit_suite gmp_mod_test_suite = {
	.name = "gmp_mod",
	.test_cases = gmp_mod_cases,
};
