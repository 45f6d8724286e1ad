// SPDX-License-Identifier: GPL-2.0
/*
 * gmp_insns: a QEMU TCG plugin that counts the guest instructions executed
 * in every translation block, for scripts/profile.sh (GMP_PROFILER=insns).
 *
 * Instruction counts are exact and do not depend on how busy the host is,
 * which timings under TCG do; they cannot show what an instruction costs
 * (an atomic, a TB exit after sti), so read them beside a timed A/B run.
 *
 * The host asks for a snapshot by creating PREFIX.req; a thread of the
 * plugin then writes PREFIX.N (N = 1, 2, ...) with one line per block,
 * "vaddr instructions executions", and removes PREFIX.req. Counters are
 * updated inline without atomics: exact with one vCPU, approximate with
 * more.
 *
 * QEMU 7.2 ships no plugin header: qemu-plugin-api.h has the few
 * declarations used (QEMU's plugin API version 1).
 *
 *   qemu-system-x86_64 ... -plugin PATH/gmp_insns.so,prefix=/tmp/counts
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu-plugin-api.h"

typedef unsigned long long u64;
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One translated block; a block translated again gets a new entry. */
struct tb_count {
	u64 vaddr;
	u64 ninsns;
	u64 execs;		/* added to inline by the translated code */
};

#define CHUNK	65536

/* Entries are never moved: the generated code holds their addresses. */
static struct tb_count *chunks[4096];
static unsigned long ntbs;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char prefix[256];

static void tb_trans(unsigned long long id,
		     struct qemu_plugin_tb *tb)
{
	struct tb_count *c;
	unsigned long i;

	pthread_mutex_lock(&lock);
	i = ntbs;
	if (i / CHUNK >= ARRAY_SIZE(chunks)) {
		pthread_mutex_unlock(&lock);
		return;
	}
	if (!chunks[i / CHUNK]) {
		chunks[i / CHUNK] = calloc(CHUNK, sizeof(*c));
		if (!chunks[i / CHUNK]) {
			pthread_mutex_unlock(&lock);
			return;
		}
	}
	c = &chunks[i / CHUNK][i % CHUNK];
	c->vaddr = qemu_plugin_tb_vaddr(tb);
	c->ninsns = qemu_plugin_tb_n_insns(tb);
	ntbs = i + 1;
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &c->execs, 1);
}

static void snapshot(const char *path)
{
	char tmp[320];
	unsigned long i, n;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	pthread_mutex_lock(&lock);
	n = ntbs;
	pthread_mutex_unlock(&lock);
	for (i = 0; i < n; i++) {
		struct tb_count *c = &chunks[i / CHUNK][i % CHUNK];

		if (c->execs)
			fprintf(f, "%llx %llu %llu\n",
				(unsigned long long)c->vaddr,
				(unsigned long long)c->ninsns,
				(unsigned long long)c->execs);
	}
	fclose(f);
	rename(tmp, path);
}

static void *poller(void *arg)
{
	char req[300], path[300];
	int n = 0;

	snprintf(req, sizeof(req), "%s.req", prefix);
	for (;;) {
		usleep(2000);
		if (access(req, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s.%d", prefix, ++n);
		snapshot(path);
		unlink(req);
	}
	return NULL;
}

__attribute__((visibility("default")))
int qemu_plugin_install(unsigned long long id,
			const struct qemu_info_t *info,
			int argc, char **argv)
{
	pthread_t t;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "prefix=", 7))
			snprintf(prefix, sizeof(prefix), "%s", argv[i] + 7);
	if (!prefix[0]) {
		fprintf(stderr, "gmp_insns: give prefix=PATH\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	if (pthread_create(&t, NULL, poller, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}
