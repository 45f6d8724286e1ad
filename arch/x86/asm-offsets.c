// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets for arch/x86/switch_64.S, generated into gmp-asm-offsets.h by
 * Kbuild so the assembly never hard-codes a struct layout.
 */
#define COMPILE_OFFSETS
#include <linux/kbuild.h>
#include <linux/stddef.h>

#include "gmp_switch.h"

int main(void);

int main(void)
{
	OFFSET(GMP_CTX_sp, gmp_ctx, sp);
	OFFSET(GMP_FRAME_r15, gmp_switch_frame, r15);
	OFFSET(GMP_FRAME_rbp, gmp_switch_frame, rbp);
	OFFSET(GMP_FRAME_ret, gmp_switch_frame, ret);
	DEFINE(GMP_FRAME_size, sizeof(struct gmp_switch_frame));
	return 0;
}
