/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forklab's tracepoints, for bpftrace and perf: one per redirected
 * copy_page_range() call, one per run of present PTEs the walk copies.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM forklab

#if !defined(_FORKLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FORKLAB_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(copy_page_range,
	TP_PROTO(unsigned int mode, unsigned long start, unsigned long end, u64 ns, int ret),
	TP_ARGS(mode, start, end, ns, ret),
	TP_STRUCT__entry(
		__field(unsigned int, mode)
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(u64, ns)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->mode = mode;
		__entry->start = start;
		__entry->end = end;
		__entry->ns = ns;
		__entry->ret = ret;
	),
	TP_printk("mode=%u vma=%#lx-%#lx ns=%llu ret=%d", __entry->mode, __entry->start,
		  __entry->end, __entry->ns, __entry->ret)
);

TRACE_EVENT(copy_run,
	TP_PROTO(unsigned int mode, unsigned long addr, int nr, unsigned int order),
	TP_ARGS(mode, addr, nr, order),
	TP_STRUCT__entry(
		__field(unsigned int, mode)
		__field(unsigned long, addr)
		__field(int, nr)
		__field(unsigned int, order)
	),
	TP_fast_assign(
		__entry->mode = mode;
		__entry->addr = addr;
		__entry->nr = nr;
		__entry->order = order;
	),
	TP_printk("mode=%u addr=%#lx nr=%d folio_order=%u", __entry->mode, __entry->addr,
		  __entry->nr, __entry->order)
);

#endif /* _FORKLAB_TRACE_H */

/* define_trace.h finds this file through Kbuild's -I for module/ */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE forklab_trace
#include <trace/define_trace.h>
