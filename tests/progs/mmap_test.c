/*
 * mmap_test: exercise mmap, munmap, mprotect, mremap and msync and print what happened.
 * Addresses are only ever compared with each other, never printed. Creates the file
 * "mmap_test.dat" in the current directory and leaves it there (its content is deterministic,
 * so the tests can compare it). Exits 1 if any check did not give the Linux result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t ps;
static int failures;

static const char *errname(int e)
{
	switch (e) {
	case ENOMEM:
		return "ENOMEM";
	case EEXIST:
		return "EEXIST";
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case EACCES:
		return "EACCES";
	case EBADF:
		return "EBADF";
	case EBUSY:
		return "EBUSY";
	default:
		return "other";
	}
}

static void check(const char *what, int ok)
{
	printf("%-52s %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
}

/* A call that should fail with errno want. */
static void expect_err(const char *what, long ret, int want)
{
	int e = errno;
	if (ret == -1)
		printf("%-52s -1 %s (%d)\n", what, errname(e), e);
	else
		printf("%-52s %ld\n", what, ret);
	if (ret != -1 || e != want)
		failures++;
}

/* A call that should return 0. */
static void expect_zero(const char *what, long ret)
{
	int e = errno;
	if (ret == 0)
		printf("%-52s 0\n", what);
	else
		printf("%-52s %ld %s\n", what, ret, errname(e));
	if (ret != 0)
		failures++;
}

/* Is the page at p mapped? msync fails with ENOMEM on unmapped memory. */
static int mapped(void *p)
{
	if (msync(p, ps, MS_ASYNC) == 0)
		return 1;
	return errno == ENOMEM ? 0 : -1;
}

/* -1 for MAP_FAILED (errno kept), else 0: lets expect_err check mmap/mremap failures. */
static long map_result(void *p)
{
	return p == MAP_FAILED ? -1 : 0;
}

static char *map_anon(size_t pages, int flags)
{
	void *p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

static int all_bytes(const char *p, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void test_anon(void)
{
	char *p = map_anon(4, MAP_PRIVATE);
	check("anon: fresh pages are zero", all_bytes(p, 4 * ps, 0));
	for (size_t i = 0; i < 4 * ps; i++)
		p[i] = (char)(i * 7 + 3);
	int ok = 1;
	for (size_t i = 0; i < 4 * ps; i++)
		ok &= p[i] == (char)(i * 7 + 3);
	check("anon: write then read back", ok);
	expect_zero("anon: munmap", munmap(p, 4 * ps));
}

static void test_munmap_middle(void)
{
	char *p = map_anon(3, MAP_PRIVATE);
	memset(p, 'a', ps);
	memset(p + ps, 'b', ps);
	memset(p + 2 * ps, 'c', ps);
	expect_zero("munmap middle page of 3", munmap(p + ps, ps));
	check("munmap middle: first page intact", all_bytes(p, ps, 'a'));
	check("munmap middle: last page intact", all_bytes(p + 2 * ps, ps, 'c'));
	check("munmap middle: middle page gone", mapped(p + ps) == 0);
	p[0] = 'A';
	p[2 * ps] = 'C';
	check("munmap middle: outer pages still writable", p[0] == 'A' && p[2 * ps] == 'C');
	expect_zero("munmap whole range with a hole", munmap(p, 3 * ps));
	check("munmap whole range: all gone", mapped(p) == 0 && mapped(p + 2 * ps) == 0);
}

static void test_mprotect(void)
{
	char *p = map_anon(2, MAP_PRIVATE);
	memset(p, 'x', 2 * ps);
	expect_zero("mprotect RW->R", mprotect(p, 2 * ps, PROT_READ));
	check("mprotect R: contents readable", all_bytes(p, 2 * ps, 'x'));
	expect_zero("mprotect second page PROT_NONE", mprotect(p + ps, ps, PROT_NONE));
	expect_zero("mprotect back to RW", mprotect(p, 2 * ps, PROT_READ | PROT_WRITE));
	check("mprotect RW again: contents kept", all_bytes(p, 2 * ps, 'x'));
	p[ps] = 'y';
	check("mprotect RW again: writable", p[ps] == 'y');
	expect_err("mprotect unaligned address", mprotect(p + 1, ps, PROT_READ), EINVAL);
	expect_zero("munmap", munmap(p, 2 * ps));
}

static void test_mremap(void)
{
	/* Grow in place: reserve 4 pages, free the upper 2, grow the lower 2 into them. */
	char *r = map_anon(4, MAP_PRIVATE);
	memset(r, 'r', 2 * ps);
	int un = munmap(r + 2 * ps, 2 * ps);
	char *g = mremap(r, 2 * ps, 4 * ps, 0);
	expect_zero("mremap grow: munmap upper half", un);
	check("mremap grow in place: same address", g == r);
	if (g == r) {
		check("mremap grow in place: old contents kept", all_bytes(g, 2 * ps, 'r'));
		check("mremap grow in place: new pages zero", all_bytes(g + 2 * ps, 2 * ps, 0));
		munmap(g, 4 * ps);
	}

	/* Growing into an occupied page fails without MREMAP_MAYMOVE. */
	char *m = map_anon(3, MAP_PRIVATE);
	memset(m, 'm', 2 * ps);
	memset(m + 2 * ps, 'c', ps);
	expect_err("mremap grow into used range, no MAYMOVE",
		   map_result(mremap(m, 2 * ps, 4 * ps, 0)), ENOMEM);

	char *q = mremap(m, 2 * ps, 8 * ps, MREMAP_MAYMOVE);
	check("mremap MAYMOVE: succeeded", q != MAP_FAILED);
	if (q == MAP_FAILED)
		return;
	check("mremap MAYMOVE: moved", q != m);
	check("mremap MAYMOVE: contents preserved", all_bytes(q, 2 * ps, 'm'));
	check("mremap MAYMOVE: new pages zero", all_bytes(q + 2 * ps, 6 * ps, 0));
	check("mremap MAYMOVE: old range unmapped", mapped(m) == 0 && mapped(m + ps) == 0);
	check("mremap MAYMOVE: neighbour page untouched",
	      mapped(m + 2 * ps) == 1 && all_bytes(m + 2 * ps, ps, 'c'));
	q[8 * ps - 1] = 'z';

	char *s = mremap(q, 8 * ps, 2 * ps, 0);
	check("mremap shrink: same address", s == q);
	check("mremap shrink: contents kept", all_bytes(q, 2 * ps, 'm'));
	check("mremap shrink: tail unmapped", mapped(q + 2 * ps) == 0 && mapped(q + 7 * ps) == 0);
	expect_err("mremap old_size 0 of private mapping",
		   map_result(mremap(q, 0, ps, MREMAP_MAYMOVE)), EINVAL);
	munmap(q, 2 * ps);
	munmap(m + 2 * ps, ps);
}

static void test_fixed(void)
{
	char *f = map_anon(2, MAP_PRIVATE);
	memset(f, 'f', 2 * ps);
	char *g =
	    mmap(f, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check("MAP_FIXED over existing: returns the address", g == f);
	check("MAP_FIXED over existing: replaced page is zero", all_bytes(f, ps, 0));
	check("MAP_FIXED over existing: next page kept", all_bytes(f + ps, ps, 'f'));

	void *n = mmap(f + ps, ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	expect_err("MAP_FIXED_NOREPLACE on used range", map_result(n), EEXIST);
	check("MAP_FIXED_NOREPLACE: old contents kept", all_bytes(f + ps, ps, 'f'));

	expect_zero("munmap", munmap(f, 2 * ps));
	n = mmap(f, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0);
	check("MAP_FIXED_NOREPLACE on free range: exact address", n == f);
	if (n == f)
		munmap(f, ps);

	/* f is now unmapped */
	expect_zero("munmap of unmapped range", munmap(f, 2 * ps));
	expect_err("mprotect of unmapped range", mprotect(f, 2 * ps, PROT_READ), ENOMEM);
	expect_err("munmap unaligned address", munmap(f + 1, ps), EINVAL);
	expect_err("mmap length 0",
		   map_result(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)),
		   EINVAL);
	expect_err("mmap file-backed with bad fd",
		   map_result(mmap(NULL, ps, PROT_READ, MAP_PRIVATE, 1000, 0)), EBADF);
}

static void test_shared_anon(void)
{
	char *p = map_anon(2, MAP_SHARED);
	check("MAP_SHARED anon: zero", all_bytes(p, 2 * ps, 0));
	memset(p, 's', 2 * ps);
	check("MAP_SHARED anon: write/read", all_bytes(p, 2 * ps, 's'));
	expect_zero("MAP_SHARED anon: msync", msync(p, 2 * ps, MS_SYNC));
	expect_zero("MAP_SHARED anon: munmap", munmap(p, 2 * ps));
}

static void test_file(void)
{
	const char *name = "mmap_test.dat";
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(name);
		exit(2);
	}
	char *page = malloc(ps);
	if (!page)
		exit(2);
	for (int k = 0; k < 3; k++) {
		memset(page, 'A' + k, ps);
		if (write(fd, page, ps) != (ssize_t)ps) {
			perror("write");
			exit(2);
		}
	}
	if (write(fd, "tail-of-file", 12) != 12) {
		perror("write");
		exit(2);
	}

	/* MAP_PRIVATE: sees the file, writes stay private. The file is 3 pages + 12 bytes. */
	char *pp = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check("file MAP_PRIVATE: mapped", pp != MAP_FAILED);
	if (pp == MAP_FAILED)
		exit(2);
	check("file MAP_PRIVATE: page contents", all_bytes(pp, ps, 'A') &&
						     all_bytes(pp + ps, ps, 'B') &&
						     all_bytes(pp + 2 * ps, ps, 'C'));
	check("file MAP_PRIVATE: partial last page", memcmp(pp + 3 * ps, "tail-of-file", 12) == 0 &&
							 all_bytes(pp + 3 * ps + 12, ps - 12, 0));
	memset(pp, 'p', ps);
	char c = 0;
	check("file MAP_PRIVATE: write not in file", pread(fd, &c, 1, 0) == 1 && c == 'A');
	expect_zero("file MAP_PRIVATE: munmap", munmap(pp, 4 * ps));

	char *po = mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd, (off_t)ps);
	check("file MAP_PRIVATE at offset 1 page", po != MAP_FAILED && all_bytes(po, ps, 'B'));
	if (po != MAP_FAILED)
		munmap(po, ps);
	expect_err("file mmap unaligned offset",
		   map_result(mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd, 100)), EINVAL);

	/* MAP_SHARED: writes reach the file, file writes reach the mapping. */
	char *sm = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("file MAP_SHARED: mapped", sm != MAP_FAILED);
	if (sm == MAP_FAILED)
		exit(2);
	memset(sm + ps, 'S', ps);
	memcpy(sm + 100, "written through MAP_SHARED", 26);
	expect_zero("file MAP_SHARED: msync MS_SYNC", msync(sm, 3 * ps, MS_SYNC));
	ssize_t got = pread(fd, page, ps, (off_t)ps);
	check("file MAP_SHARED: pread sees mapping writes",
	      got == (ssize_t)ps && all_bytes(page, ps, 'S'));
	got = pread(fd, page, 26, 100);
	check("file MAP_SHARED: pread sees small write",
	      got == 26 && memcmp(page, "written through MAP_SHARED", 26) == 0);
	check("file MAP_SHARED: pwrite", pwrite(fd, "via pwrite", 10, 2 * ps + 10) == 10);
	check("file MAP_SHARED: mapping sees pwrite",
	      memcmp(sm + 2 * ps + 10, "via pwrite", 10) == 0);
	expect_zero("msync MS_ASYNC", msync(sm, ps, MS_ASYNC));
	expect_zero("msync MS_INVALIDATE", msync(sm, ps, MS_INVALIDATE));
	expect_err("msync unaligned address", msync(sm + 1, ps, MS_SYNC), EINVAL);
	expect_err("msync MS_SYNC|MS_ASYNC", msync(sm, ps, MS_SYNC | MS_ASYNC), EINVAL);

	/* The mapping outlives the descriptor. */
	close(fd);
	sm[3 * ps - 1] = 'E';
	expect_zero("file MAP_SHARED after close: msync", msync(sm, 3 * ps, MS_SYNC));
	expect_zero("file MAP_SHARED: munmap", munmap(sm, 3 * ps));
	fd = open(name, O_RDONLY);
	check("file after munmap: last byte of page 3",
	      fd >= 0 && pread(fd, &c, 1, (off_t)(3 * ps - 1)) == 1 && c == 'E');
	if (fd >= 0)
		close(fd);
	free(page);
}

static void test_brk(void)
{
	char *start = sbrk(0);
	char *old = sbrk((intptr_t)(4 * ps));
	check("sbrk grow: returns old break", old == start);
	memset(old, 'k', 4 * ps);
	check("sbrk grow: memory usable", all_bytes(old, 4 * ps, 'k'));
	check("sbrk shrink", sbrk(-(intptr_t)(4 * ps)) != (void *)-1 && sbrk(0) == start);
}

int main(void)
{
	ps = (size_t)sysconf(_SC_PAGESIZE);
	test_anon();
	test_munmap_middle();
	test_mprotect();
	test_mremap();
	test_fixed();
	test_shared_anon();
	test_file();
	test_brk();
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
