// SPDX-License-Identifier: GPL-2.0
/* Instantiates forklab's tracepoints (forklab_trace.h). */
#define CREATE_TRACE_POINTS
#include "forklab_trace.h"
