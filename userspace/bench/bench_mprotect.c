// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect: the relaxed TLB flush series' test (docs/background.md): on one
 * page, a loop of mprotect(PROT_READ), mprotect(PROT_READ | PROT_WRITE) and
 * a write to the page, with 1 thread or 2 (the second keeps reading the page
 * on another CPU, so removing write permission must invalidate a TLB entry
 * there too).  Value: the mean cost of one mprotect() call in ns; the two
 * kinds separately too.  fork plays no part: under every forklab mode it
 * must stay the same (a control).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "bench.h"

static atomic_int stop;

static void *reader(void *page)
{
	volatile unsigned char *p = page;
	unsigned char sum = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		sum += *p;
	return (void *)(uintptr_t)sum;
}

int bench_mprotect(int argc, char **argv)
{
	unsigned long threads = 1, iterations = 100000;
	const struct bench_opt opts[] = {
		{ "--threads", BENCH_UINT, &threads, 1, 2, "1, or 2 with a reader on another CPU (default 1)" },
		{ "--iterations", BENCH_UINT, &iterations, 1, 100000000, "loops (default 100000)" },
		{ 0 }
	};
	struct bench_common common;
	double ro = 0, rw = 0;
	unsigned char *p;
	pthread_t t;

	bench_parse("mprotect", opts, argc, argv, &common);
	p = mmap(NULL, BENCH_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		bench_die(1, "cannot map a page: %s", strerror(errno));
	p[0] = 1;
	if (threads == 2 && pthread_create(&t, NULL, reader, p))
		bench_die(1, "cannot start the second thread");
	for (unsigned long i = 0; i < iterations; i++) {
		double t0 = bench_now_ns(), t1, t2;

		if (mprotect(p, BENCH_PAGE, PROT_READ))
			bench_die(1, "mprotect(PROT_READ) failed: %s", strerror(errno));
		t1 = bench_now_ns();
		if (mprotect(p, BENCH_PAGE, PROT_READ | PROT_WRITE))
			bench_die(1, "mprotect(PROT_READ|PROT_WRITE) failed: %s", strerror(errno));
		t2 = bench_now_ns();
		p[0]++;
		ro += t1 - t0;
		rw += t2 - t1;
	}
	atomic_store(&stop, 1);
	if (threads == 2)
		pthread_join(t, NULL);
	ro /= iterations;
	rw /= iterations;
	if (common.json)
		printf("{\"bench\":\"mprotect\",\"threads\":%lu,\"iterations\":%lu,\"forks\":0,"
		       "\"value\":%.1f,\"unit\":\"ns/call\",\"better\":\"lower\",\"read_ns\":%.1f,"
		       "\"read_write_ns\":%.1f}\n", threads, iterations, (ro + rw) / 2, ro, rw);
	else
		printf("mprotect on one page, %lu thread%s, %lu loops\n  PROT_READ            %10.1f ns\n"
		       "  PROT_READ|PROT_WRITE %10.1f ns\nmean %.1f ns per call\n", threads,
		       threads == 1 ? "" : "s", iterations, ro, rw, (ro + rw) / 2);
	bench_hold(&common);
	munmap(p, BENCH_PAGE);
	return 0;
}
