// SPDX-License-Identifier: GPL-2.0
/*
 * gmpctl - command-line client for /dev/gmp.
 *
 *   gmpctl version [--json]
 *   gmpctl stats [--json]
 *   gmpctl maxprocs [N] [--json]
 *   gmpctl dump
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

#define MAX_P 4096

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
		"  stats [--json]     scheduler counters, global and per P\n"
		"  maxprocs [N]       print GOMAXPROCS, or set it (root)\n"
		"  dump               one line per goroutine (needs debugfs)\n"
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

static unsigned long long u(__u64 v)
{
	return v;
}

/* The stats as one JSON object, or a schedtrace line and a P table. */
static void stats_print(const struct gmp_stats *st,
			const struct gmp_stats_p *pp, int json)
{
	unsigned long long i;

	if (json) {
		printf("{\"gomaxprocs\": %llu, \"idleprocs\": %llu, \"threads\": %llu, ",
		       u(st->gomaxprocs), u(st->idleprocs), u(st->threads));
		printf("\"spinningthreads\": %llu, \"idlethreads\": %llu, ",
		       u(st->spinningthreads), u(st->idlethreads));
		printf("\"runqueue\": %llu, \"goroutines_alive\": %llu, ",
		       u(st->runqueue), u(st->goroutines_alive));
		printf("\"goroutines_created\": %llu, \"goroutines_exited\": %llu, ",
		       u(st->goroutines_created), u(st->goroutines_exited));
		printf("\"switches\": %llu, \"steals\": %llu, \"steal_attempts\": %llu, ",
		       u(st->switches), u(st->steals), u(st->steal_attempts));
		printf("\"parks\": %llu, \"readies\": %llu, \"readies_remote\": %llu, ",
		       u(st->parks), u(st->readies), u(st->readies_remote));
		printf("\"preempts\": %llu, \"handoffs\": %llu, \"auto_blocks\": %llu, ",
		       u(st->preempts), u(st->handoffs), u(st->auto_blocks));
		printf("\"stw_count\": %llu, \"stw_max_ns\": %llu, \"stack_bytes\": %llu, ",
		       u(st->stw_count), u(st->stw_max_ns), u(st->stack_bytes));
		printf("\"p\": [");
		for (i = 0; i < st->nr_p; i++) {
			printf("%s{\"id\": %llu, \"cpu\": %llu, \"status\": %llu, ",
			       i ? ", " : "", u(pp[i].id), u(pp[i].cpu),
			       u(pp[i].status));
			printf("\"runq\": %llu, \"switches\": %llu, \"steals\": %llu}",
			       u(pp[i].runq_len), u(pp[i].switches),
			       u(pp[i].steals));
		}
		printf("]}\n");
		return;
	}
	printf("gomaxprocs=%llu idleprocs=%llu threads=%llu ",
	       u(st->gomaxprocs), u(st->idleprocs), u(st->threads));
	printf("spinningthreads=%llu idlethreads=%llu runqueue=%llu\n",
	       u(st->spinningthreads), u(st->idlethreads), u(st->runqueue));
	printf("goroutines: alive %llu  created %llu  exited %llu   stacks %llu KiB\n",
	       u(st->goroutines_alive), u(st->goroutines_created), u(st->goroutines_exited),
	       u(st->stack_bytes) / 1024);
	printf("switches %llu  steals %llu/%llu  parks %llu  readies %llu (+%llu remote)\n",
	       u(st->switches), u(st->steals), u(st->steal_attempts), u(st->parks), u(st->readies),
	       u(st->readies_remote));
	printf("preempts %llu  handoffs %llu  unannotated blocks %llu  stw %llu (max %llu ns)\n",
	       u(st->preempts), u(st->handoffs), u(st->auto_blocks), u(st->stw_count),
	       u(st->stw_max_ns));
	printf("%4s %4s %8s %6s %12s %10s %10s\n", "P", "cpu", "status",
	       "runq", "switches", "steals", "created");
	for (i = 0; i < st->nr_p; i++) {
		static const char * const names[] = {
			"idle", "running", "syscall", "stopped", "dead" };
		const char *s = pp[i].status < 5 ? names[pp[i].status] : "?";

		printf("%4llu %4llu %8s %6llu %12llu %10llu %10llu\n",
		       (unsigned long long)pp[i].id, (unsigned long long)pp[i].cpu,
		       s, (unsigned long long)pp[i].runq_len,
		       (unsigned long long)pp[i].switches,
		       (unsigned long long)pp[i].steals,
		       (unsigned long long)pp[i].created);
	}
}

static int cmd_stats(int argc, char **argv)
{
	static struct gmp_stats_p pp[MAX_P];
	struct gmp_stats st = {
		.size = sizeof(st),
		.percpu_ptr = (__u64)(unsigned long)pp,
		.percpu_cap = MAX_P,
		.percpu_size = sizeof(pp[0]),
	};
	struct opts o = { 0 };
	int fd;

	if (parse_opts(argc, argv, &o))
		return 2;
	fd = gmp_open();
	if (ioctl(fd, GMP_IOC_STATS, &st)) {
		fprintf(stderr, "gmpctl: GMP_IOC_STATS: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	stats_print(&st, pp, o.json);
	return 0;
}

static int cmd_maxprocs(int argc, char **argv)
{
	struct gmp_maxprocs mp = { .size = sizeof(mp) };
	unsigned long cmd = GMP_IOC_GET_MAXPROCS;
	struct opts o = { 0 };
	char *end;
	int fd;

	if (argc > 0 && argv[0][0] != '-') {
		mp.maxprocs = strtoul(argv[0], &end, 10);
		if (*end || end == argv[0]) {
			fprintf(stderr, "gmpctl: maxprocs: '%s' is not a number\n", argv[0]);
			print_usage(stderr);
			return 2;
		}
		cmd = GMP_IOC_SET_MAXPROCS;
		argc--;
		argv++;
	}
	if (parse_opts(argc, argv, &o))
		return 2;
	fd = gmp_open();
	if (ioctl(fd, cmd, &mp)) {
		fprintf(stderr, "gmpctl: %s: %s%s\n",
			cmd == GMP_IOC_SET_MAXPROCS ? "set GOMAXPROCS" : "GOMAXPROCS",
			strerror(errno),
			errno == EPERM ? " (setting needs CAP_SYS_ADMIN)" : "");
		return 1;
	}
	close(fd);
	if (o.json)
		printf("{\"gomaxprocs\": %llu, \"target\": %llu}\n",
		       (unsigned long long)mp.maxprocs,
		       (unsigned long long)mp.target);
	else
		printf("%llu\n", (unsigned long long)mp.maxprocs);
	return 0;
}

static int cmd_dump(void)
{
	const char *path = "/sys/kernel/debug/gmp/goroutines";
	char buf[4096];
	size_t n;
	FILE *f;

	close(gmp_open());	/* explains a missing module */
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "gmpctl: %s: %s\n", path, strerror(errno));
		fputs("        is debugfs mounted? mount -t debugfs none /sys/kernel/debug\n",
		      stderr);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
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
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 2, argv + 2);
	if (!strcmp(argv[1], "maxprocs"))
		return cmd_maxprocs(argc - 2, argv + 2);
	if (!strcmp(argv[1], "dump"))
		return cmd_dump();
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		print_usage(stdout);
		return 0;
	}
	fprintf(stderr, "gmpctl: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return 2;
}
