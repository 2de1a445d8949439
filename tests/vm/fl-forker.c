// SPDX-License-Identifier: GPL-2.0
/*
 * Fork storm with memory checks, for guest tests: fills a private mapping
 * with a pattern, then forks for a while; each child checks the pattern,
 * writes its own copy (COW) and exits; the parent checks its copy is intact.
 * usage: fl-forker SECONDS [MiB]    exit 0 if every fork saw the right memory
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned char pattern(size_t off)
{
	return (unsigned char)(off * 31 + 7);
}

int main(int argc, char **argv)
{
	unsigned long seconds, mib = 8, forks = 0, bad = 0, failed_forks = 0;
	size_t len, off;
	unsigned char *buf;
	time_t end;
	char *e;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: fl-forker SECONDS [MiB]\n");
		return 2;
	}
	seconds = strtoul(argv[1], &e, 10);
	if (*e || !seconds || (argc == 3 && (!(mib = strtoul(argv[2], &e, 10)) || *e))) {
		fprintf(stderr, "fl-forker: SECONDS and MiB must be positive integers\n");
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

	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			/* memory pressure may refuse a fork; that is not corruption */
			failed_forks++;
			usleep(1000);
			continue;
		}
		if (pid == 0) {
			for (off = 0; off < len; off += 512)
				if (buf[off] != pattern(off))
					_exit(3);
			for (off = 0; off < len; off += 4096)
				buf[off] = 0;
			_exit(0);
		}
		forks++;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	for (off = 0; off < len; off++)
		if (buf[off] != pattern(off)) {
			bad++;
			break;
		}
	printf("fl-forker: %lu forks, %lu bad, %lu refused\n", forks, bad, failed_forks);
	return bad ? 1 : 0;
}
