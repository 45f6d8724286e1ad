// SPDX-License-Identifier: GPL-2.0
/*
 * gmpctl - command-line client for /dev/gmp.
 *
 *   gmpctl version [--json]
 *
 * Exit status: 0 on success, 1 on a failed operation, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "uapi/gmp.h"

#define GMP_DEV "/dev/" GMP_DEVICE_NAME

struct opts {
	int json;
};

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: gmpctl COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  version [--json]   ABI version and features of the loaded module\n"
		"  help               this text\n");
}

/* Open /dev/gmp, or explain what a person can do about it and exit 1. */
static int gmp_open(void)
{
	int fd = open(GMP_DEV, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		fprintf(stderr,
			"gmpctl: %s not found: the gmp module is not loaded.\n"
			"        Load it with: sudo insmod gmp.ko  (from the build dir)\n",
			GMP_DEV);
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"gmpctl: permission denied opening %s (mode 0600 by default):\n"
			"        run as root, or load gmp with dev_mode=0660 and a group\n",
			GMP_DEV);
		break;
	default:
		fprintf(stderr, "gmpctl: open %s: %s\n", GMP_DEV, strerror(errno));
	}
	exit(1);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			o->json = 1;
		} else {
			fprintf(stderr, "gmpctl: unknown option '%s'\n", argv[i]);
			print_usage(stderr);
			return -1;
		}
	}
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	struct gmp_version v = { .size = sizeof(v) };
	struct opts o = { 0 };
	int fd;

	if (parse_opts(argc, argv, &o))
		return 2;
	fd = gmp_open();
	if (ioctl(fd, GMP_IOC_VERSION, &v)) {
		fprintf(stderr, "gmpctl: GMP_IOC_VERSION: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	if (o.json) {
		printf("{\"abi_major\": %llu, ", (unsigned long long)v.abi_major);
		printf("\"abi_minor\": %llu, ", (unsigned long long)v.abi_minor);
		printf("\"features\": %llu, ", (unsigned long long)v.features);
		printf("\"kunit\": %s, ",
		       v.features & GMP_FEAT_KUNIT ? "true" : "false");
		printf("\"nr_cpus\": %llu}\n", (unsigned long long)v.nr_cpus);
	} else {
		printf("gmp ABI %llu.%llu  nr_cpus %llu  kunit %s\n",
		       (unsigned long long)v.abi_major,
		       (unsigned long long)v.abi_minor,
		       (unsigned long long)v.nr_cpus,
		       v.features & GMP_FEAT_KUNIT ? "yes" : "no");
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "version"))
		return cmd_version(argc - 2, argv + 2);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		print_usage(stdout);
		return 0;
	}
	fprintf(stderr, "gmpctl: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return 2;
}
