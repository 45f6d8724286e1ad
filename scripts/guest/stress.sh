# SPDX-License-Identifier: GPL-2.0
# The stress plan: load gmp with its KUnit suites (the chosen ones, in
# /gmp/kunit_suites) /gmp/repeat times in one boot, each run's results
# numbered (SUITE.rN), so that a flaky case shows how often it fails.
. /gmp/lib.sh

[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 300 >/proc/sys/kernel/hung_task_timeout_secs
kmemleak_clear
n=$(cat /gmp/repeat 2>/dev/null || echo 1)
kunit_args=run_kunit=1
suites=$(cat /gmp/kunit_suites 2>/dev/null)
[ -n "$suites" ] && kunit_args="$kunit_args kunit_suites=$suites"
i=1
while [ "$i" -le "$n" ]; do
	echo "@@gmp stress run $i of $n at $(cut -d' ' -f1 /proc/uptime) s"
	# shellcheck disable=SC2086
	step "module_loads.r$i" insmod /gmp/gmp.ko $kunit_args
	kunit_results ".r$i"
	step "module_unloads.r$i" rmmod gmp
	i=$((i + 1))
done
kmemleak_report
[ -w /sys/kernel/debug/kcsan ] && echo off >/sys/kernel/debug/kcsan
