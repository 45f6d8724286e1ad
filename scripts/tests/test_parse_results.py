#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/parse-results.py: a report in the console fails a run
even when every test passed, and each kind of test result is counted."""
import importlib.util
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "parse_results", os.path.join(HERE, "..", "parse-results.py"))
pr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pr)

CLEAN_CONSOLE = """\
[    3.760643] gmp: loading out-of-tree module taints kernel.
[    3.775688] gmp: loaded: ABI 1.0, /dev/gmp mode 0600
[    3.949473] gmp: unloaded
"""

# What Debian's 6.1 kernel prints for a WARN_ON(1) planted in gmp_init().
PLANTED_WARN_ON = """\
[    3.775000] ------------[ cut here ]------------
[    3.775100] WARNING: CPU: 1 PID: 93 at /work/main/gmp_mod.c:205 gmp_init+0x15/0x1000 [gmp]
[    3.775200] Modules linked in: gmp(OE+)
[    3.775300] CPU: 1 PID: 93 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2
[    3.775400] RIP: 0010:gmp_init+0x15/0x1000 [gmp]
[    3.775500] ---[ end trace 0000000000000000 ]---
"""

KASAN = """\
[   10.1] ==================================================================
[   10.2] BUG: KASAN: slab-out-of-bounds in gmp_runq_put+0x4f/0x120 [gmp]
"""

# Linux's own race, seen at boot on the KCSAN kernel before gmp is loaded.
KCSAN_KERNEL = """\
[    4.314930] ==================================================================
[    4.314930] BUG: KCSAN: data-race in __hrtimer_run_queues / hrtimer_active
[    4.314930] read to 0xffff88807da1e348 of 8 bytes by interrupt on cpu 1:
[    4.314930]  hrtimer_active+0x5b/0xb0
[    4.314930]  task_tick_fair+0x11c/0x1e0
[    4.314930] write to 0xffff88807da1e348 of 8 bytes by task 1 on cpu 0:
[    4.314930]  __hrtimer_run_queues+0x1cf/0x560
[    4.314930] Reported by Kernel Concurrency Sanitizer on:
[    4.314930] ==================================================================
"""

# Linux's own tick race, both accesses by interrupts that came in over
# goroutines: the gmp frames are the interrupted tasks', not the accesses'.
KCSAN_IRQ_OVER_GMP = """\
[  230.382820] ==================================================================
[  230.382820] BUG: KCSAN: data-race in __hrtimer_run_queues / hrtimer_active
[  230.382820] 
[  230.382820] read to 0xffff88807dc1e348 of 8 bytes by interrupt on cpu 1:
[  230.382820]  hrtimer_active+0x5b/0xb0
[  230.382820]  task_tick_fair+0x11c/0x1e0
[  230.382820]  scheduler_tick+0xe0/0x330
[  230.382820]  __hrtimer_run_queues+0x392/0x560
[  230.382820]  hrtimer_interrupt+0x1ba/0x380
[  230.382820]  asm_sysvec_apic_timer_interrupt+0x16/0x20
[  230.382820]  gmp_newproc+0x25e/0xac0 [gmp]
[  230.382820]  __gmp_go+0x49/0xa0 [gmp]
[  230.382820] 
[  230.382820] write to 0xffff88807dc1e348 of 8 bytes by interrupt on cpu 0:
[  230.382820]  __hrtimer_run_queues+0x24d/0x560
[  230.382820]  hrtimer_interrupt+0x1ba/0x380
[  230.382820]  asm_sysvec_apic_timer_interrupt+0x16/0x20
[  230.382820]  gmp_execute+0x10b/0x1a0 [gmp]
[  230.382820]  gmp_mstart_loop+0x116/0xb20 [gmp]
[  230.382820] 
[  230.382820] Reported by Kernel Concurrency Sanitizer on:
[  230.382820] ==================================================================
"""

KCSAN_GMP = """\
[   68.901745] ==================================================================
[   68.901745] BUG: KCSAN: data-race in gmp_switch_finish [gmp] / gmp_sysmon [gmp]
[   68.901745] read (marked) to 0xffff888000ee5510 of 8 bytes by task 46 on cpu 0:
[   68.901745]  gmp_sysmon+0x2a1/0x670 [gmp]
[   68.901745] write to 0xffff888000ee5510 of 8 bytes by task 2076 on cpu 1:
[   68.901745]  gmp_switch_finish+0x86/0xc0 [gmp]
[   68.901745] ==================================================================
"""

LOCKDEP = """\
[   11.0] ======================================================
[   11.1] WARNING: possible circular locking dependency detected
"""

HUNG = "[  130.0] INFO: task insmod:93 blocked for more than 60 seconds.\n"
SOFTLOCKUP = "[   40.0] watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [gmp_m/0:80]\n"
RCU_STALL = "[   70.0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
BOOT_LEAK = """\
unreferenced object 0xffff88800014d2c0 (size 216):
  comm "swapper/0", pid 0, jiffies 4294892296
  backtrace:
    [<(____ptrval____)>] kmem_cache_create+0xd/0x10
    [<(____ptrval____)>] acpi_early_init+0x11f/0x39d
    [<(____ptrval____)>] start_kernel+0x2cc/0x33a
"""

GMP_LEAK = """\
unreferenced object 0xffff888000c41e40 (size 4096):
  comm "insmod", pid 93, jiffies 4294900000
  backtrace:
    [<(____ptrval____)>] kmem_cache_alloc+0x1c5/0x2a0
    [<(____ptrval____)>] gmp_malg+0x3a/0x280 [gmp]
"""

GOOD_RESULTS = """\
@@gmp boot kernel=6.1.0-56-amd64 cpus=2 plan=check
@@gmp step ok module_loads
@@gmp begin ksft gmp_dev_test
TAP version 13
1..2
# Starting 2 tests from 1 test cases.
#  RUN           dev.a ...
#            OK  dev.a
ok 1 dev.a
#  RUN           dev.b ...
#      SKIP      no module
ok 2 dev.b # SKIP no module
# PASSED: 2 / 2 tests passed.
@@gmp end rc=0
@@gmp begin ktap gmp_mod
KTAP version 1
1..1
    KTAP version 1
    # Subtest: gmp_mod
    1..2
    ok 1 - case_one
        KTAP version 1
        # Subtest: case_two
        ok 1 - p1
        not ok 2 - p2
    not ok 2 - case_two
not ok 1 gmp_mod
@@gmp end
@@gmp begin kmemleak
@@gmp end
@@gmp done rc=0
"""


def verdicts(console, results):
    tests, _ = pr.parse(console, results)
    return {name: ok for name, ok, _ in tests}


class ParseResultsTest(unittest.TestCase):
    def test_clean_run_counts_every_kind_of_test(self):
        v = verdicts(CLEAN_CONSOLE, GOOD_RESULTS)
        self.assertTrue(v["step.module_loads"])
        self.assertTrue(v["ksft.gmp_dev_test.dev.a"])
        self.assertTrue(v["ksft.gmp_dev_test.dev.b"])  # SKIP is not a failure
        self.assertTrue(v["kunit.gmp_mod.case_one"])
        self.assertFalse(v["kunit.gmp_mod.case_two"])
        self.assertTrue(v["vm_completed"])
        self.assertTrue(v["no_kernel_splat"])

    def test_planted_warn_on_in_module_init_fails_the_run(self):
        v = verdicts(CLEAN_CONSOLE + PLANTED_WARN_ON, GOOD_RESULTS)
        self.assertFalse(v["no_kernel_splat"])
        # ...even though the tests themselves passed.
        self.assertTrue(v["step.module_loads"])

    def test_each_report_kind_fails_the_run(self):
        for name, text in [("kasan", KASAN), ("lockdep", LOCKDEP),
                           ("hung_task", HUNG), ("soft_lockup", SOFTLOCKUP),
                           ("rcu_stall", RCU_STALL)]:
            with self.subTest(report=name):
                v = verdicts(CLEAN_CONSOLE + text, GOOD_RESULTS)
                self.assertFalse(v["no_kernel_splat"])

    def test_kcsan_race_in_gmp_fails_the_run(self):
        v = verdicts(CLEAN_CONSOLE + KCSAN_GMP, GOOD_RESULTS)
        self.assertFalse(v["no_kernel_splat"])

    def test_kcsan_race_without_gmp_frames_is_not_gmps(self):
        v = verdicts(KCSAN_KERNEL + CLEAN_CONSOLE, GOOD_RESULTS)
        self.assertTrue(v["no_kernel_splat"])
        v = verdicts(KCSAN_KERNEL + CLEAN_CONSOLE + KCSAN_GMP, GOOD_RESULTS)
        self.assertFalse(v["no_kernel_splat"])

    def test_kcsan_race_of_interrupts_over_goroutines_is_not_gmps(self):
        v = verdicts(KCSAN_IRQ_OVER_GMP + CLEAN_CONSOLE, GOOD_RESULTS)
        self.assertTrue(v["no_kernel_splat"])
        # The same report with a gmp frame above the entry is gmp's.
        gmp_irq = KCSAN_IRQ_OVER_GMP.replace(" task_tick_fair+0x11c/0x1e0",
                                             " gmp_sysmon_kick_fn+0x1c/0x40 [gmp]")
        v = verdicts(gmp_irq + CLEAN_CONSOLE, GOOD_RESULTS)
        self.assertFalse(v["no_kernel_splat"])

    def test_kmemleak_report_of_a_gmp_object_fails_the_run(self):
        leak = GOOD_RESULTS.replace("@@gmp begin kmemleak\n",
                                    "@@gmp begin kmemleak\n" + GMP_LEAK)
        self.assertFalse(verdicts(CLEAN_CONSOLE, leak)["no_kernel_splat"])

    def test_kmemleak_report_of_early_boot_object_is_not_gmps(self):
        boot = GOOD_RESULTS.replace("@@gmp begin kmemleak\n",
                                    "@@gmp begin kmemleak\n" + BOOT_LEAK)
        self.assertTrue(verdicts(CLEAN_CONSOLE, boot)["no_kernel_splat"])
        both = GOOD_RESULTS.replace("@@gmp begin kmemleak\n",
                                    "@@gmp begin kmemleak\n" + BOOT_LEAK + GMP_LEAK)
        self.assertFalse(verdicts(CLEAN_CONSOLE, both)["no_kernel_splat"])

    def test_plan_that_never_finishes_fails(self):
        cut = GOOD_RESULTS.split("@@gmp begin ktap")[0]
        v = verdicts(CLEAN_CONSOLE, cut)
        self.assertFalse(v["vm_completed"])

    def test_selftest_without_end_marker_fails(self):
        hung = "@@gmp begin ksft gmp_dev_test\nTAP version 13\n1..2\nok 1 dev.a\n"
        v = verdicts(CLEAN_CONSOLE, hung)
        self.assertFalse(v["ksft.gmp_dev_test.completed"])

    def test_selftest_failure_and_nonzero_exit_fail(self):
        bad = GOOD_RESULTS.replace("ok 1 dev.a", "not ok 1 dev.a")
        self.assertFalse(verdicts(CLEAN_CONSOLE, bad)["ksft.gmp_dev_test.dev.a"])
        rc = GOOD_RESULTS.replace("@@gmp end rc=0", "@@gmp end rc=1")
        self.assertFalse(verdicts(CLEAN_CONSOLE, rc)["ksft.gmp_dev_test.exit_status"])

    def test_kunit_case_missing_from_plan_fails(self):
        # 6.1 debugfs logs can lose lines; a case short of the plan fails.
        short = GOOD_RESULTS.replace("    not ok 2 - case_two\n", "")
        short = short.replace("not ok 1 gmp_mod", "ok 1 gmp_mod")
        v = verdicts(CLEAN_CONSOLE, short)
        self.assertFalse(v["kunit.gmp_mod.all_cases_reported"])

    def test_kunit_parameter_lines_are_not_cases(self):
        v = verdicts(CLEAN_CONSOLE, GOOD_RESULTS)
        self.assertNotIn("kunit.gmp_mod.p1", v)
        self.assertNotIn("kunit.gmp_mod.p2", v)

    def test_failed_step_fails(self):
        bad = GOOD_RESULTS.replace("step ok module_loads", "step fail module_loads")
        self.assertFalse(verdicts(CLEAN_CONSOLE, bad)["step.module_loads"])

    def test_skipped_step_passes_and_keeps_its_reason(self):
        res = GOOD_RESULTS.replace(
            "@@gmp done", "@@gmp step skip tracepoints CONFIG_TRACING is not set\n@@gmp done")
        tests, _ = pr.parse(CLEAN_CONSOLE, res)
        got = {name: (ok, detail) for name, ok, detail in tests}
        self.assertEqual(got["step.tracepoints"],
                         (True, "SKIP CONFIG_TRACING is not set"))


if __name__ == "__main__":
    unittest.main()
