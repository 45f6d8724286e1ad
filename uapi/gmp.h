/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gmp: goroutines in the kernel -- the /dev/gmp ioctl ABI.
 *
 * Every argument struct starts with a __u64 @size that the caller sets to
 * sizeof() the struct it was compiled against. The kernel treats it like
 * openat2(2) and perf_event_open(2) do (copy_struct_from_user()):
 *
 *  - a caller older than the kernel passes a shorter struct; the missing
 *    tail reads as zero;
 *  - a caller newer than the kernel passes a longer struct; that is fine as
 *    long as the tail the kernel does not know is zero, else -E2BIG;
 *  - a size below the first published version of the struct is -EINVAL.
 *
 * Reserved fields and unknown flag bits must be zero (-EINVAL). Output is
 * written back only up to min(size, what the kernel knows). No kernel
 * pointer ever crosses this interface.
 *
 * ioctl numbers encode no size (_IO): the size lives in the struct so the
 * number stays the same as the struct grows. 0xB8 is unused in
 * Documentation/userspace-api/ioctl/ioctl-number.rst.
 */
#ifndef _UAPI_LINUX_GMP_H
#define _UAPI_LINUX_GMP_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/const.h>

#define GMP_DEVICE_NAME		"gmp"
#define GMP_IOC_MAGIC		0xB8

/* ABI version: the major changes only on an incompatible change. */
#define GMP_ABI_MAJOR		1
#define GMP_ABI_MINOR		0

/* gmp_version.features bits: what this module build provides. */
#define GMP_FEAT_KUNIT		_BITULL(0)	/* built with KUnit suites */

/**
 * struct gmp_version - GMP_IOC_VERSION argument
 * @size:	in: sizeof(struct gmp_version) as the caller knows it
 * @flags:	in: must be zero
 * @abi_major:	out: GMP_ABI_MAJOR of the running module
 * @abi_minor:	out: GMP_ABI_MINOR of the running module
 * @features:	out: GMP_FEAT_* bits
 * @nr_cpus:	out: CPUs the module can place a P on (nr_cpu_ids)
 */
struct gmp_version {
	__u64 size;
	__u64 flags;
	__u64 abi_major;
	__u64 abi_minor;
	__u64 features;
	__u64 nr_cpus;
};

#define GMP_VERSION_SIZE_VER0	48	/* sizeof first published struct */

#define GMP_IOC_VERSION		_IO(GMP_IOC_MAGIC, 0x00)

#endif /* _UAPI_LINUX_GMP_H */
