# SPDX-License-Identifier: GPL-2.0
# The `make check` plan, run inside the VM by /init.
. /gmp/lib.sh

bad_param_fails() {
	dmesg -c >/dev/null
	if insmod /gmp/gmp.ko "$1" 2>/dev/null; then
		rmmod gmp
		return 1
	fi
	! module_loaded && [ ! -e /dev/gmp ] && dmesg | grep -q "gmp: $2"
}

insmod_rmmod_cycles() {
	i=0
	while [ $i -lt "$1" ]; do
		insmod /gmp/gmp.ko || return 1
		[ -c /dev/gmp ] || return 1
		rmmod gmp || return 1
		i=$((i + 1))
	done
	! module_loaded
}

kmemleak_clear
step bad_maxprocs_fails_insmod_with_message \
	bad_param_fails maxprocs=99999 "maxprocs=99999 is larger"
step bad_dev_mode_fails_insmod_with_message \
	bad_param_fails dev_mode=0777 "dev_mode=0777"

kunit_arg=
has_kunit && kunit_arg=run_kunit=1
step module_loads insmod /gmp/gmp.ko $kunit_arg
has_kunit && dump_kunit
run_selftests
step module_unloads rmmod gmp
step insmod_rmmod_20_times insmod_rmmod_cycles 20
kmemleak_report
