# SPDX-License-Identifier: GPL-2.0
# The KUnit-only plan: the KCSAN kernel runs gmp's KUnit suites (the
# rings, the parking protocol, channels, sync) and nothing else; any data
# race report on the console fails the run.
. /gmp/lib.sh

[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 300 >/proc/sys/kernel/hung_task_timeout_secs
kunit_args=run_kunit=1
suites=$(cat /gmp/kunit_suites 2>/dev/null)
[ -n "$suites" ] && kunit_args="$kunit_args kunit_suites=$suites"
# shellcheck disable=SC2086
step module_loads insmod /gmp/gmp.ko $kunit_args
dump_kunit
step module_unloads rmmod gmp
# gmp is gone: stop KCSAN before /init reboots. The kernel's own
# stop_other_cpus() has a known benign race KCSAN reports at reboot.
[ -w /sys/kernel/debug/kcsan ] && echo off >/sys/kernel/debug/kcsan
