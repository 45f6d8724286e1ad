// SPDX-License-Identifier: GPL-2.0
/*
 * gmp tracepoints: the one file that instantiates them. The events, and
 * where each one fires, are described in sched/gmp_trace.h.
 */
#define CREATE_TRACE_POINTS
#include "gmp_trace.h"
