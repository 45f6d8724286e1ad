/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp private header: the only place internal structures and functions
 * shared between gmp's own files are declared. Other modules use
 * include/gmp.h; userspace uses uapi/gmp.h.
 */
#ifndef _GMP_PRIVATE_H
#define _GMP_PRIVATE_H

#include <linux/types.h>
#include <linux/compiler.h>

struct gmp_version;

/**
 * struct gmp_params - module parameters, validated once at load
 * @maxprocs:	initial GOMAXPROCS; 0 means one P per online CPU
 * @dev_mode:	permission bits of /dev/gmp
 */
struct gmp_params {
	unsigned int maxprocs;
	unsigned int dev_mode;
};

int gmp_params_check(const struct gmp_params *p);
void gmp_version_fill(struct gmp_version *v);

/* Extensible ioctl structs (see uapi/gmp.h for the rules). */
int gmp_uapi_copy_in(void *kbuf, size_t ksize, size_t minsize,
		     const void __user *uarg, u64 *usize);
int gmp_uapi_copy_out(void __user *uarg, const void *kbuf, size_t ksize,
		      u64 usize);

#if IS_ENABLED(CONFIG_KUNIT)
struct kunit_suite;
extern struct kunit_suite *gmp_kunit_suites[];
extern const int gmp_kunit_nr_suites;
#endif

#endif /* _GMP_PRIVATE_H */
