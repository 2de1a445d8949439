// SPDX-License-Identifier: GPL-2.0
/*
 * Fork storm with memory checks, for guest tests: fills a private mapping
 * (and, optionally, many small VMAs) with a pattern, then forks for a while;
 * each child checks everything, writes its own copy (COW) and exits; the
 * parent checks its copy is intact.  Optional threads keep faulting and
 * writing pages of their own areas while the forks run; each write stamps
 * the page's index, and children check that every page carries its own.
 * usage: fl-forker SECONDS [MiB] [THREADS] [VMAS]
 *        exit 0 if every fork saw the right memory; SIGTERM ends the
 *        storm early, as a finished one (for storms as long as something else)
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define THREAD_AREA	(4UL << 20)
#define SMALL_VMA	(16 * PAGE)

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}
static unsigned char *thread_area[64];
static unsigned char *small_vma[4096];

static unsigned char pattern(size_t off)
{
	return (unsigned char)(off * 31 + 7);
}

/* Writes (page index, counter) at the start of random pages of its area. */
static void *faulter(void *arg)
{
	uint64_t *area = arg, n = 0;
	unsigned int seed = (uintptr_t)arg;

	while (!stop) {
		size_t page = rand_r(&seed) % (THREAD_AREA / PAGE);
		uint64_t *slot = area + page * (PAGE / 8);

		slot[1] = ++n;
		slot[0] = page + 1;	/* 0 means never written */
		if (n % 64 == 0)	/* and give some pages back, to fault again */
			madvise((char *)area + (rand_r(&seed) % (THREAD_AREA / PAGE)) * PAGE, PAGE,
				MADV_DONTNEED);
	}
	return NULL;
}

/* In a child: everything must read as the parent left it at fork time. */
static int child_checks(const unsigned char *buf, size_t len, unsigned long threads,
			unsigned long vmas)
{
	size_t off;

	for (off = 0; off < len; off += 512)
		if (buf[off] != pattern(off))
			return 3;
	for (unsigned long t = 0; t < threads; t++)
		for (size_t page = 0; page < THREAD_AREA / PAGE; page++) {
			uint64_t idx = ((uint64_t *)(thread_area[t] + page * PAGE))[0];

			if (idx != 0 && idx != page + 1)
				return 4;	/* a page of the wrong place */
		}
	for (unsigned long v = 0; v < vmas; v++)
		if (small_vma[v][0] != (unsigned char)v || small_vma[v][SMALL_VMA - 1] != (unsigned char)~v)
			return 5;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long seconds, mib = 8, threads = 0, vmas = 0, forks = 0, bad = 0, failed_forks = 0;
	pthread_t tid[64];
	size_t len, off;
	unsigned char *buf;
	time_t end;
	char *e;

	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: fl-forker SECONDS [MiB] [THREADS] [VMAS]\n");
		return 2;
	}
	seconds = strtoul(argv[1], &e, 10);
	if (*e || !seconds || (argc > 2 && (!(mib = strtoul(argv[2], &e, 10)) || *e)) ||
	    (argc > 3 && ((threads = strtoul(argv[3], &e, 10)) > 64 || *e)) ||
	    (argc > 4 && ((vmas = strtoul(argv[4], &e, 10)) > 4096 || *e))) {
		fprintf(stderr, "fl-forker: SECONDS and MiB must be positive, THREADS 0..64, VMAS 0..4096\n");
		return 2;
	}
	len = mib << 20;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("fl-forker: mmap");
		return 1;
	}
	for (off = 0; off < len; off++)
		buf[off] = pattern(off);
	for (unsigned long v = 0; v < vmas; v++) {
		/* alternate protections so that neighbours never merge */
		small_vma[v] = mmap(NULL, SMALL_VMA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (small_vma[v] == MAP_FAILED) {
			perror("fl-forker: mmap of a small VMA");
			return 1;
		}
		small_vma[v][0] = (unsigned char)v;
		small_vma[v][SMALL_VMA - 1] = (unsigned char)~v;
		if (v % 2)
			mprotect(small_vma[v], SMALL_VMA, PROT_READ);
	}
	for (unsigned long t = 0; t < threads; t++) {
		thread_area[t] = mmap(NULL, THREAD_AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (thread_area[t] == MAP_FAILED || pthread_create(&tid[t], NULL, faulter, thread_area[t])) {
			fprintf(stderr, "fl-forker: cannot start faulting thread %lu\n", t);
			return 1;
		}
	}

	signal(SIGTERM, on_term);
	end = time(NULL) + seconds;
	while (!stop && time(NULL) < end) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			/* memory pressure may refuse a fork; that is not corruption */
			failed_forks++;
			usleep(1000);
			continue;
		}
		if (pid == 0) {
			int r = child_checks(buf, len, threads, vmas);

			if (r)
				_exit(r);
			for (off = 0; off < len; off += PAGE)
				buf[off] = 0;
			_exit(0);
		}
		forks++;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			if (bad++ < 5)
				fprintf(stderr, "fl-forker: child %d failed (status %#x)\n", pid, status);
		}
	}
	stop = 1;
	for (unsigned long t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	for (off = 0; off < len; off++)
		if (buf[off] != pattern(off)) {
			bad++;
			break;
		}
	printf("fl-forker: %lu forks, %lu bad, %lu refused\n", forks, bad, failed_forks);
	return bad ? 1 : 0;
}
