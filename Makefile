# SPDX-License-Identifier: GPL-2.0
#
# gmp top-level Makefile.
#
#   make            gmp.ko (against KDIR), tools/gmpctl/gmpctl, selftests
#   make check      install what is missing, build, run the test matrix
#   make run        boot a VM with the module loaded and show it working
#   make deps       install the Debian packages the project needs
#   make kernel     build (or reuse) the cached debug test kernel
#   make checkpatch checkpatch.pl --strict over all C sources
#   make bench      gmp vs Go vs kthreads vs workqueues in QEMU; bench/results.md
#   make profile    where a job's time goes, in QEMU (JOB="pingpong --iters N")
#   make stress     KUnit suites N times per boot (SUITES=a,b N=50 CELLS="kcsan:2")
#
# KDIR defaults to the running kernel's build tree. When the running kernel
# has no headers (as on these CI machines), it falls back to Debian 12's
# 6.1 headers (linux-headers-amd64; scripts/lib.sh, debian_kver) and says so.

KVER ?= $(shell uname -r)
ifeq ($(origin KDIR),undefined)
KDIR := /lib/modules/$(KVER)/build
ifeq ($(wildcard $(KDIR)/Makefile),)
FALLBACK_KVER := $(shell bash -c '. "$(CURDIR)/scripts/lib.sh" && debian_kver' 2>/dev/null)
FALLBACK_KDIR := $(if $(FALLBACK_KVER),$(wildcard /lib/modules/$(FALLBACK_KVER)/build))
ifneq ($(FALLBACK_KDIR),)
$(info gmp: no headers for the running kernel $(KVER); using $(FALLBACK_KDIR))
else ifeq ($(filter-out check run deps kernel stress soak bench profile,$(or $(MAKECMDGOALS),all)),)
# These targets install the Debian headers themselves (scripts/install-deps.sh).
else
$(info gmp: no headers for the running kernel $(KVER), and no Debian linux-headers-amd64 (6.1) installed: run 'make deps' (as root))
endif
KDIR := $(FALLBACK_KDIR)
endif
endif

# A kernel tree we built ourselves has vmlinux.symvers but no Module.symvers.
ifeq ($(wildcard $(KDIR)/Module.symvers),)
ifneq ($(wildcard $(KDIR)/vmlinux.symvers),)
KBUILD_OPTS += KBUILD_EXTRA_SYMBOLS=$(KDIR)/vmlinux.symvers
endif
endif

CC ?= cc
USER_CFLAGS := -O2 -g -Wall -Werror=implicit-function-declaration \
	       -static -I$(CURDIR)
SELFTESTS := selftests/gmp_dev_test selftests/gmp_stats_test selftests/gmp_fuzz_test selftests/gmp_job_test

.PHONY: all module tools selftests check run deps kernel checkpatch clean bench soak \
	profile stress

all: module tools selftests

module:
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || \
		{ echo "gmp: no kernel build tree; run 'make deps'"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 $(KBUILD_OPTS) modules

tools: tools/gmpctl/gmpctl

tools/gmpctl/gmpctl: tools/gmpctl/gmpctl.c uapi/gmp.h
	$(CC) $(USER_CFLAGS) -Wextra -o $@ $<

selftests: $(SELFTESTS) selftests/gmp_soak

selftests/%: selftests/%.c selftests/gmp_test.h uapi/gmp.h
	$(CC) $(USER_CFLAGS) -I$(shell scripts/ksrc.sh)/tools/testing/selftests \
		-o $@ $< -lpthread

check:
	scripts/check.sh

run:
	scripts/run-demo.sh

soak:
	scripts/soak.sh

deps:
	scripts/install-deps.sh

kernel:
	scripts/build-kernel.sh

checkpatch:
	scripts/checkpatch.sh

bench:
	scripts/bench.sh

profile:
	scripts/profile.sh $(JOB)

stress:
	scripts/stress.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -f tools/gmpctl/gmpctl $(SELFTESTS) selftests/gmp_soak
	rm -rf build
