/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few declarations of QEMU's TCG plugin API (version 1, QEMU 7.2)
 * that gmp_insns.c uses. Debian's QEMU ships no plugin header, so they are
 * spelled out here, after QEMU's include/qemu/qemu-plugin.h.
 */
#ifndef GMP_QEMU_PLUGIN_API_H
#define GMP_QEMU_PLUGIN_API_H

#include <stdbool.h>
#include <stddef.h>

/* Plugin ids are QEMU's uint64_t: unsigned long long here, the same type. */

struct qemu_plugin_tb;

struct qemu_info_t {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
};

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(unsigned long long id,
					       struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(unsigned long long id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, unsigned long long imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
unsigned long long qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

#endif /* GMP_QEMU_PLUGIN_API_H */
