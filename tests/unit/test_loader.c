/* test_loader.c: unit tests for the program loader (ELF/#! parsing, resolution, mapping). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/loader.h"

static char tmpdir[64];

/* ------------------------------------------------------------------ helpers */

#define ELFBUF 2048

/* A minimal x86-64 header followed by the given phdrs; returns the byte count. */
static size_t mk_elf(uint8_t *b, uint16_t type, const Elf64_Phdr *ph, int n)
{
	Elf64_Ehdr eh = {
	    .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
	    .e_type = type,
	    .e_machine = EM_X86_64,
	    .e_version = EV_CURRENT,
	    .e_entry = 0x401000,
	    .e_phoff = sizeof(Elf64_Ehdr),
	    .e_ehsize = sizeof(Elf64_Ehdr),
	    .e_phentsize = sizeof(Elf64_Phdr),
	    .e_phnum = (uint16_t)n,
	};

	memset(b, 0, ELFBUF);
	memcpy(b, &eh, sizeof(eh));
	memcpy(b + sizeof(eh), ph, (size_t)n * sizeof(*ph));
	return sizeof(eh) + (size_t)n * sizeof(*ph);
}

static Elf64_Phdr load(uint64_t off, uint64_t va, uint64_t filesz, uint64_t memsz, uint32_t fl)
{
	Elf64_Phdr ph = {.p_type = PT_LOAD,
			 .p_flags = fl,
			 .p_offset = off,
			 .p_vaddr = va,
			 .p_paddr = va,
			 .p_filesz = filesz,
			 .p_memsz = memsz,
			 .p_align = 0x1000};
	return ph;
}

/* Parses a one-PT_LOAD ET_EXEC whose single phdr is ph; returns rc, message in err. */
static int parse_one(Elf64_Phdr ph, uint64_t file_size, char *err)
{
	uint8_t b[ELFBUF];
	struct kd_elf_info info;
	size_t n = mk_elf(b, ET_EXEC, &ph, 1);

	return kd_elf_parse(b, n, file_size, &info, err, 256);
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Reads up to max bytes of path into a malloc'd buffer. */
static uint8_t *read_file(const char *path, size_t max, size_t *len)
{
	uint8_t *buf = malloc(max);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_non_null(buf);
	assert_true(fd >= 0);
	n = read(fd, buf, max);
	assert_true(n > 0);
	close(fd);
	*len = (size_t)n;
	return buf;
}

static void tmp_path(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", tmpdir, name);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Compiles src into tmpdir/name with the given gcc flags; false if that is not possible. */
static bool compile(const char *name, const char *flags, const char *src)
{
	char c[PATH_MAX], out[PATH_MAX], cmd[3 * PATH_MAX];

	tmp_path(c, "prog.c");
	tmp_path(out, name);
	write_file(c, src, strlen(src), 0644);
	snprintf(cmd, sizeof(cmd), "gcc -O1 %s -o %s %s >/dev/null 2>&1", flags, out, c);
	return system(cmd) == 0;
}

/* The initial stack as the program sees it. */
struct walk {
	uint64_t argc;
	char **argv, **envp;
	uint64_t *auxv;
};

static struct walk walk_stack(uint64_t rsp)
{
	uint64_t *sp = (uint64_t *)(uintptr_t)rsp;
	struct walk w = {.argc = sp[0], .argv = (char **)(sp + 1)};

	w.envp = w.argv + w.argc + 1;
	sp = (uint64_t *)w.envp;
	while (*sp)
		sp++;
	w.auxv = sp + 1;
	return w;
}

static bool aux_get(const struct walk *w, uint64_t type, uint64_t *val)
{
	for (uint64_t *a = w->auxv; a[0] != AT_NULL; a += 2)
		if (a[0] == type) {
			*val = a[1];
			return true;
		}
	return false;
}

static int aux_index(const struct walk *w, uint64_t type)
{
	int i = 0;

	for (uint64_t *a = w->auxv; a[0] != AT_NULL; a += 2, i++)
		if (a[0] == type)
			return i;
	return -1;
}

/* Mappings reported by kd_load's callback. */
struct maps {
	uint64_t v[512][2];
	int n;
};

static void rec_cb(void *ctx, uint64_t start, uint64_t len)
{
	struct maps *m = ctx;

	assert_true(m->n < 512);
	m->v[m->n][0] = start;
	m->v[m->n][1] = len;
	m->n++;
}

static bool mapped(const struct maps *m, uint64_t addr)
{
	for (int i = 0; i < m->n; i++)
		if (addr >= m->v[i][0] && addr < m->v[i][0] + m->v[i][1])
			return true;
	return false;
}

static void unmap_all(const struct maps *m)
{
	for (int i = 0; i < m->n; i++)
		munmap((void *)(uintptr_t)m->v[i][0], m->v[i][1]);
}

/* ------------------------------------------------------------------ kd_elf_parse */

static void test_elf_valid_exec(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[2] = {load(0, 0x400000, 0x200, 0x200, PF_R | PF_X),
			    load(0x1000, 0x401000, 0x100, 0x2000, PF_R | PF_W)};
	size_t n = mk_elf(b, ET_EXEC, ph, 2);
	struct kd_elf_info info;
	char err[256] = "";

	assert_int_equal(kd_elf_parse(b, n, 0x3000, &info, err, sizeof(err)), 0);
	assert_int_equal(info.type, ET_EXEC);
	assert_int_equal(info.entry, 0x401000);
	assert_int_equal(info.phnum, 2);
	assert_int_equal(info.has_interp, 0);
	assert_int_equal(info.lo, 0x400000);
	assert_int_equal(info.hi, 0x403000);
	/* No PT_PHDR: derived from the PT_LOAD that covers e_phoff. */
	assert_int_equal(info.phdr_vaddr, 0x400040);
}

static void test_elf_valid_dyn_interp(void **state)
{
	static const char interp[] = "/lib64/ld-linux-x86-64.so.2";
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[4] = {
	    {.p_type = PT_PHDR, .p_offset = 64, .p_vaddr = 64, .p_filesz = 4 * 56},
	    {.p_type = PT_INTERP, .p_offset = 512, .p_vaddr = 512, .p_filesz = sizeof(interp)},
	    load(0, 0, 0x800, 0x800, PF_R | PF_X),
	    load(0x1000, 0x2000, 0x100, 0x100, PF_R | PF_W),
	};
	size_t n = mk_elf(b, ET_DYN, ph, 4);
	struct kd_elf_info info;
	char err[256] = "";

	assert_true(n < 512);
	memcpy(b + 512, interp, sizeof(interp));
	assert_int_equal(kd_elf_parse(b, 1024, 0x2000, &info, err, sizeof(err)), 0);
	assert_int_equal(info.type, ET_DYN);
	assert_int_equal(info.has_interp, 1);
	assert_string_equal(info.interp, interp);
	assert_int_equal(info.phdr_vaddr, 64);
	assert_int_equal(info.lo, 0);
	assert_int_equal(info.hi, 0x3000);
}

static void test_elf_not_elf(void **state)
{
	char err[256] = "";
	struct kd_elf_info info;

	assert_int_equal(kd_elf_parse("hello world\n", 12, 12, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Exec format error"));
	assert_int_equal(kd_elf_parse("\177EL", 3, 3, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Exec format error"));
}

static void test_elf_short_header(void **state)
{
	char err[256] = "";
	struct kd_elf_info info;

	assert_int_equal(kd_elf_parse("\177ELF\2\1\1", 7, 7, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated or corrupt ELF"));
}

static void test_elf_wrong_class(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph = load(0, 0x400000, 0x100, 0x100, PF_R);
	size_t n = mk_elf(b, ET_EXEC, &ph, 1);
	struct kd_elf_info info;
	char err[256] = "";

	b[EI_CLASS] = ELFCLASS32;
	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Exec format error"));
}

static void test_elf_big_endian(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph = load(0, 0x400000, 0x100, 0x100, PF_R);
	size_t n = mk_elf(b, ET_EXEC, &ph, 1);
	struct kd_elf_info info;
	char err[256] = "";

	b[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Exec format error"));
}

static void test_elf_wrong_machine(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph = load(0, 0x400000, 0x100, 0x100, PF_R);
	size_t n = mk_elf(b, ET_EXEC, &ph, 1);
	struct kd_elf_info info;
	char err[256] = "";
	uint16_t m = EM_AARCH64;

	memcpy(b + offsetof(Elf64_Ehdr, e_machine), &m, sizeof(m));
	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "wrong architecture (e_machine 183)"));
}

static void test_elf_wrong_type(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph = load(0, 0x400000, 0x100, 0x100, PF_R);
	size_t n = mk_elf(b, ET_REL, &ph, 1);
	struct kd_elf_info info;
	char err[256] = "";

	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Exec format error"));
}

static void test_elf_bad_phnum(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph = load(0, 0x400000, 0x100, 0x100, PF_R);
	size_t n = mk_elf(b, ET_EXEC, &ph, 1);
	struct kd_elf_info info;
	char err[256] = "";
	uint16_t v = 0;

	memcpy(b + offsetof(Elf64_Ehdr, e_phnum), &v, sizeof(v));
	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	v = 0xffff; /* PN_XNUM */
	memcpy(b + offsetof(Elf64_Ehdr, e_phnum), &v, sizeof(v));
	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	v = 32; /* Elf32_Phdr size */
	memcpy(b + offsetof(Elf64_Ehdr, e_phnum), &(uint16_t){1}, sizeof(v));
	memcpy(b + offsetof(Elf64_Ehdr, e_phentsize), &v, sizeof(v));
	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Exec format error"));
}

static void test_elf_phdrs_past_end(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[3] = {load(0, 0x400000, 0x100, 0x100, PF_R)};
	struct kd_elf_info info;
	char err[256] = "";

	mk_elf(b, ET_EXEC, ph, 3);
	/* Header plus one phdr in the file, but e_phnum says three. */
	assert_int_equal(kd_elf_parse(b, 64 + 56, 64 + 56, &info, err, sizeof(err)), -1);
	assert_non_null(
	    strstr(err, "truncated or corrupt ELF: program headers beyond end of file"));
}

static void test_elf_phdrs_not_read(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[3] = {load(0, 0x400000, 0x100, 0x100, PF_R)};
	struct kd_elf_info info;
	char err[256] = "";

	mk_elf(b, ET_EXEC, ph, 3);
	/* Inside the file, but the caller did not hand the bytes over. */
	assert_int_equal(kd_elf_parse(b, 100, 0x1000, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not within the bytes read"));
}

static void test_elf_phoff_overflow(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph = load(0, 0x400000, 0x100, 0x100, PF_R);
	size_t n = mk_elf(b, ET_EXEC, &ph, 1);
	struct kd_elf_info info;
	char err[256] = "";
	uint64_t off = UINT64_MAX - 8;

	memcpy(b + offsetof(Elf64_Ehdr, e_phoff), &off, sizeof(off));
	assert_int_equal(kd_elf_parse(b, n, UINT64_MAX, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated or corrupt ELF"));
}

static void test_elf_filesz_gt_memsz(void **state)
{
	char err[256] = "";

	assert_int_equal(parse_one(load(0, 0x400000, 0x200, 0x100, PF_R), 0x1000, err), -1);
	assert_non_null(strstr(err, "p_filesz > p_memsz"));
}

static void test_elf_offset_beyond_file(void **state)
{
	char err[256] = "";

	assert_int_equal(parse_one(load(0x2000, 0x402000, 0x10, 0x10, PF_R), 0x1000, err), -1);
	assert_non_null(strstr(err, "truncated or corrupt ELF: PT_LOAD data beyond end of file"));
	/* Starts inside, ends outside. */
	assert_int_equal(parse_one(load(0, 0x400000, 0x1001, 0x1001, PF_R), 0x1000, err), -1);
	assert_non_null(strstr(err, "beyond end of file"));
}

static void test_elf_offset_overflow(void **state)
{
	char err[256] = "";
	Elf64_Phdr ph = load(UINT64_MAX - 0xfff, 0x400000 - 0x1000, 0x2000, 0x2000, PF_R);

	assert_int_equal(parse_one(ph, UINT64_MAX, err), -1);
	assert_non_null(strstr(err, "beyond end of file"));
}

static void test_elf_vaddr_overflow(void **state)
{
	char err[256] = "";

	assert_int_equal(parse_one(load(0, 0xfffffffffffff000ULL, 0x10, 0x2000, PF_R), 0x1000, err),
			 -1);
	assert_non_null(strstr(err, "outside the user address space"));
	/* Below 2^47 but running past it. */
	assert_int_equal(parse_one(load(0, 0x7ffffffff000ULL, 0x10, 0x2000, PF_R), 0x1000, err),
			 -1);
	assert_non_null(strstr(err, "outside the user address space"));
}

static void test_elf_misaligned(void **state)
{
	char err[256] = "";

	assert_int_equal(parse_one(load(0x10, 0x400000, 0x10, 0x10, PF_R), 0x1000, err), -1);
	assert_non_null(strstr(err, "modulo the page size"));
}

static void test_elf_unsorted(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[2] = {load(0x1000, 0x401000, 0x10, 0x10, PF_R),
			    load(0, 0x400000, 0x10, 0x10, PF_R)};
	size_t n = mk_elf(b, ET_EXEC, ph, 2);
	struct kd_elf_info info;
	char err[256] = "";

	assert_int_equal(kd_elf_parse(b, n, 0x2000, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not sorted"));
}

static void test_elf_no_load(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[2] = {{.p_type = PT_NOTE, .p_offset = 0, .p_filesz = 16},
			    load(0, 0x400000, 0, 0, PF_R)}; /* empty PT_LOAD does not count */
	size_t n = mk_elf(b, ET_EXEC, ph, 2);
	struct kd_elf_info info;
	char err[256] = "";

	assert_int_equal(kd_elf_parse(b, n, n, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no loadable segment"));
}

static void test_elf_interp_unterminated(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[2] = {{.p_type = PT_INTERP, .p_offset = 256, .p_filesz = 8},
			    load(0, 0x400000, 0x200, 0x200, PF_R)};
	size_t n = mk_elf(b, ET_EXEC, ph, 2);
	struct kd_elf_info info;
	char err[256] = "";

	assert_true(n < 256);
	memcpy(b + 256, "/lib/ld.so", 10);
	assert_int_equal(kd_elf_parse(b, 512, 512, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PT_INTERP is not a NUL-terminated path"));
}

static void test_elf_interp_out_of_file(void **state)
{
	uint8_t b[ELFBUF];
	Elf64_Phdr ph[2] = {{.p_type = PT_INTERP, .p_offset = 500, .p_filesz = 28},
			    load(0, 0x400000, 0x200, 0x200, PF_R)};
	struct kd_elf_info info;
	char err[256] = "";

	mk_elf(b, ET_EXEC, ph, 2);
	assert_int_equal(kd_elf_parse(b, 512, 512, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated or corrupt ELF: PT_INTERP beyond end of file"));
	ph[0].p_offset = UINT64_MAX - 4;
	mk_elf(b, ET_EXEC, ph, 2);
	assert_int_equal(kd_elf_parse(b, 512, UINT64_MAX, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PT_INTERP"));
}

static void test_elf_real_binary(void **state)
{
	size_t len;
	uint8_t *buf = read_file("/bin/true", 8192, &len);
	struct kd_elf_info info;
	char err[256] = "";
	struct stat st;

	assert_int_equal(stat("/bin/true", &st), 0);
	assert_int_equal(kd_elf_parse(buf, len, (uint64_t)st.st_size, &info, err, sizeof(err)), 0);
	assert_true(info.has_interp);
	assert_true(info.hi > info.lo);
	assert_int_equal(info.lo & 0xfff, 0);
	free(buf);
}

/* ------------------------------------------------------------------ kd_shebang_parse */

static int sb(const char *s, char *interp, char *arg)
{
	return kd_shebang_parse(s, strlen(s), interp, PATH_MAX, arg, PATH_MAX);
}

static void test_shebang_plain(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	assert_int_equal(sb("#!/bin/sh\necho hi\n", i, a), 1);
	assert_string_equal(i, "/bin/sh");
	assert_string_equal(a, "");
}

static void test_shebang_arg(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	assert_int_equal(sb("#! /usr/bin/env python3\n", i, a), 1);
	assert_string_equal(i, "/usr/bin/env");
	assert_string_equal(a, "python3");
}

static void test_shebang_arg_spaces(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	/* binfmt_script passes everything after the name as one argument. */
	assert_int_equal(sb("#!/usr/bin/env -S awk -f  \n", i, a), 1);
	assert_string_equal(i, "/usr/bin/env");
	assert_string_equal(a, "-S awk -f");
}

static void test_shebang_tabs(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	assert_int_equal(sb("#!\t/bin/awk\t\t-f\t\n", i, a), 1);
	assert_string_equal(i, "/bin/awk");
	assert_string_equal(a, "-f");
}

static void test_shebang_no_newline(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	assert_int_equal(sb("#!/bin/sh -e", i, a), 1);
	assert_string_equal(i, "/bin/sh");
	assert_string_equal(a, "-e");
}

static void test_shebang_cr_kept(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	/* Like Linux, a DOS line ending is part of the name ("bad interpreter: /bin/sh^M"). */
	assert_int_equal(sb("#!/bin/sh\r\n", i, a), 1);
	assert_string_equal(i, "/bin/sh\r");
}

static void test_shebang_long_line(void **state)
{
	char buf[600], i[PATH_MAX], a[PATH_MAX];

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "#!/bin/sh ", 10);
	assert_int_equal(kd_shebang_parse(buf, sizeof(buf), i, sizeof(i), a, sizeof(a)), 1);
	assert_string_equal(i, "/bin/sh");
	/* Only the first 256 bytes count. */
	assert_int_equal(strlen(a), 256 - 10);
}

static void test_shebang_empty_interp(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	assert_int_equal(sb("#!\n", i, a), -1);
	assert_int_equal(sb("#!   \t\n/bin/sh\n", i, a), -1);
	assert_int_equal(sb("#!", i, a), -1);
}

static void test_shebang_not_script(void **state)
{
	char i[PATH_MAX], a[PATH_MAX];

	assert_int_equal(sb("\177ELF", i, a), 0);
	assert_int_equal(sb("# !/bin/sh\n", i, a), 0);
	assert_int_equal(sb("#", i, a), 0);
	assert_int_equal(sb("", i, a), 0);
}

static void test_shebang_small_buffers(void **state)
{
	char i[8], a[4];

	assert_int_equal(kd_shebang_parse("#!/bin/bash\n", 12, i, sizeof(i), a, sizeof(a)), -1);
	assert_int_equal(kd_shebang_parse("#!/bin/sh -eux\n", 15, i, sizeof(i), a, sizeof(a)), -1);
	assert_int_equal(kd_shebang_parse("#!/bin/sh -e\n", 13, i, sizeof(i), a, sizeof(a)), 1);
}

/* ------------------------------------------------------------------ kd_stack_build */

struct stackfix {
	uint8_t *mem;
	size_t size;
	struct kd_stack_in in;
	struct kd_image img;
};

static uint8_t rnd16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static char *const s_argv[] = {"prog", "first arg", "", NULL};
static char *const s_envp[] = {"A=1", "PATH=/bin", NULL};

static void stack_input(struct kd_stack_in *in)
{
	memset(in, 0, sizeof(*in));
	in->argv = s_argv;
	in->envp = s_envp;
	in->execfn = "/usr/bin/prog";
	in->platform = "x86_64";
	in->random16 = rnd16;
	in->auxv[0][0] = AT_PAGESZ;
	in->auxv[0][1] = 4096;
	in->auxv[1][0] = AT_SECURE;
	in->auxv[1][1] = 0;
	in->auxv[2][0] = AT_HWCAP2;
	in->auxv[2][1] = 2;
	in->nauxv = 3;
}

static void test_stack_layout(void **state)
{
	size_t size = 16384;
	uint8_t *mem = aligned_alloc(4096, size);
	struct kd_stack_in in;
	struct kd_image img = {0};
	uint64_t rsp, v;
	struct walk w;

	stack_input(&in);
	rsp = kd_stack_build(mem, mem + size, &in, &img);
	assert_true(rsp != 0);
	assert_int_equal(rsp % 16, 0);
	assert_int_equal(rsp, img.rsp);
	assert_true(rsp >= (uintptr_t)mem && rsp < (uintptr_t)mem + size);
	w = walk_stack(rsp);
	assert_int_equal(w.argc, 3);
	assert_string_equal(w.argv[0], "prog");
	assert_string_equal(w.argv[1], "first arg");
	assert_string_equal(w.argv[2], "");
	assert_null(w.argv[3]);
	assert_string_equal(w.envp[0], "A=1");
	assert_string_equal(w.envp[1], "PATH=/bin");
	assert_null(w.envp[2]);
	assert_true(aux_get(&w, AT_PAGESZ, &v) && v == 4096);
	assert_true(aux_get(&w, AT_HWCAP2, &v) && v == 2);
	free(mem);
}

static void test_stack_auxv_strings(void **state)
{
	size_t size = 16384;
	uint8_t *mem = aligned_alloc(4096, size);
	struct kd_stack_in in;
	struct kd_image img = {0};
	uint64_t v;
	struct walk w;

	stack_input(&in);
	w = walk_stack(kd_stack_build(mem, mem + size, &in, &img));
	assert_true(aux_get(&w, AT_RANDOM, &v));
	assert_true(v >= (uintptr_t)mem && v + 16 <= (uintptr_t)mem + size);
	assert_memory_equal((void *)(uintptr_t)v, rnd16, 16);
	assert_true(aux_get(&w, AT_EXECFN, &v));
	assert_string_equal((char *)(uintptr_t)v, "/usr/bin/prog");
	assert_true(aux_get(&w, AT_PLATFORM, &v));
	assert_string_equal((char *)(uintptr_t)v, "x86_64");
	/* The kernel's order: AT_RANDOM right after AT_SECURE, AT_EXECFN after AT_HWCAP2. */
	assert_int_equal(aux_index(&w, AT_RANDOM), aux_index(&w, AT_SECURE) + 1);
	assert_int_equal(aux_index(&w, AT_EXECFN), aux_index(&w, AT_HWCAP2) + 1);
	assert_int_equal(aux_index(&w, AT_PLATFORM), aux_index(&w, AT_EXECFN) + 1);
	free(mem);
}

static void test_stack_string_bounds(void **state)
{
	size_t size = 16384;
	uint8_t *mem = aligned_alloc(4096, size);
	struct kd_stack_in in;
	struct kd_image img = {0};
	struct walk w;

	stack_input(&in);
	w = walk_stack(kd_stack_build(mem, mem + size, &in, &img));
	assert_int_equal(img.arg_start, (uintptr_t)w.argv[0]);
	assert_int_equal(img.arg_end - img.arg_start, sizeof("prog") + sizeof("first arg") + 1);
	assert_int_equal(img.env_start, (uintptr_t)w.envp[0]);
	assert_int_equal(img.env_end - img.env_start, sizeof("A=1") + sizeof("PATH=/bin"));
	/* Strings sit at the top of the area, above the pointer tables. */
	assert_true(img.arg_start > img.rsp);
	assert_true(img.env_end <= (uintptr_t)mem + size);
	free(mem);
}

static void test_stack_too_small(void **state)
{
	uint8_t *mem = aligned_alloc(4096, 4096);
	struct kd_stack_in in;
	struct kd_image img = {0};

	stack_input(&in);
	assert_int_equal(kd_stack_build(mem, mem + 64, &in, &img), 0);
	/* Strings fit, the pointer table does not. */
	assert_int_equal(kd_stack_build(mem, mem + 100, &in, &img), 0);
	assert_int_equal(kd_stack_build(mem, mem, &in, &img), 0);
	free(mem);
}

static void test_stack_empty_argv(void **state)
{
	uint8_t *mem = aligned_alloc(4096, 4096);
	struct kd_stack_in in;
	struct kd_image img = {0};
	struct walk w;

	stack_input(&in);
	in.argv = NULL;
	in.envp = NULL;
	w = walk_stack(kd_stack_build(mem, mem + 4096, &in, &img));
	assert_int_equal(w.argc, 0);
	assert_null(w.argv[0]);
	assert_null(w.envp[0]);
	assert_int_equal(img.arg_start, img.arg_end);
	free(mem);
}

/* ------------------------------------------------------------------ kd_resolve */

static char *saved_path;

static void set_path(const char *p)
{
	char *old = getenv("PATH");

	if (!saved_path)
		saved_path = strdup(old ? old : "");
	setenv("PATH", p, 1);
}

static int restore_path(void **state)
{
	if (saved_path) {
		setenv("PATH", saved_path, 1);
		free(saved_path);
		saved_path = NULL;
	}
	return 0;
}

static void copy_prefix(const char *src, const char *dst, size_t max, mode_t mode)
{
	size_t len;
	uint8_t *buf = read_file(src, max, &len);

	write_file(dst, buf, len, mode);
	free(buf);
}

static void test_resolve_path_lookup(void **state)
{
	char d1[PATH_MAX], d2[PATH_MAX], f1[PATH_MAX], f2[PATH_MAX], p[2 * PATH_MAX + 16];
	char err[512] = "";
	char *argv[] = {"mytool", "x", NULL};
	struct kd_exec ex;
	int fds = count_fds();

	tmp_path(d1, "noexec");
	tmp_path(d2, "bin");
	mkdir(d1, 0755);
	mkdir(d2, 0755);
	tmp_path(f1, "noexec/mytool");
	tmp_path(f2, "bin/mytool");
	copy_prefix("/bin/true", f1, 1 << 20, 0644);
	copy_prefix("/bin/true", f2, 1 << 20, 0755);
	/* The non-executable candidate comes first and must be skipped. */
	snprintf(p, sizeof(p), "/nonexistent:%s:%s", d1, d2);
	set_path(p);
	assert_int_equal(kd_resolve("mytool", argv, &ex, err, sizeof(err)), 0);
	assert_string_equal(ex.path, f2);
	assert_string_equal(ex.execfn, f2);
	assert_int_equal(ex.argc, 2);
	assert_string_equal(ex.argv[0], "mytool");
	assert_string_equal(ex.argv[1], "x");
	assert_null(ex.argv[2]);
	kd_exec_free(&ex);
	assert_int_equal(count_fds(), fds);
}

static void test_resolve_path_only_noexec(void **state)
{
	char d[PATH_MAX], f[PATH_MAX], err[512] = "";
	char *argv[] = {"onlyrw", NULL};
	struct kd_exec ex;

	tmp_path(d, "rwonly");
	mkdir(d, 0755);
	tmp_path(f, "rwonly/onlyrw");
	copy_prefix("/bin/true", f, 1 << 20, 0644);
	set_path(d);
	assert_int_equal(kd_resolve("onlyrw", argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	assert_string_equal(err, "onlyrw: Permission denied");
}

static void test_resolve_not_found(void **state)
{
	char err[512] = "";
	char *argv[] = {"kd-no-such-cmd", NULL};
	struct kd_exec ex;

	set_path("/nonexistent:/also/not");
	assert_int_equal(kd_resolve("kd-no-such-cmd", argv, &ex, err, sizeof(err)),
			 KD_STATUS_NOTFOUND);
	assert_string_equal(err, "kd-no-such-cmd: command not found");
	assert_int_equal(kd_resolve("/nonexistent/x", argv, &ex, err, sizeof(err)),
			 KD_STATUS_NOTFOUND);
	assert_string_equal(err, "/nonexistent/x: No such file or directory");
}

static void test_resolve_default_path(void **state)
{
	char err[512] = "";
	char *argv[] = {"true", NULL};
	struct kd_exec ex;

	set_path("");
	unsetenv("PATH");
	assert_int_equal(kd_resolve("true", argv, &ex, err, sizeof(err)), 0);
	assert_non_null(strstr(ex.path, "/bin/true"));
	kd_exec_free(&ex);
}

static void test_resolve_empty_path_elem(void **state)
{
	char f[PATH_MAX], cwd[PATH_MAX], err[512] = "";
	char *argv[] = {"dottool", NULL};
	struct kd_exec ex;

	tmp_path(f, "dottool");
	copy_prefix("/bin/true", f, 1 << 20, 0755);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	set_path("/nonexistent:");
	assert_int_equal(kd_resolve("dottool", argv, &ex, err, sizeof(err)), 0);
	assert_string_equal(ex.path, "./dottool");
	kd_exec_free(&ex);
	assert_int_equal(chdir(cwd), 0);
}

static void test_resolve_no_exec_perm(void **state)
{
	char f[PATH_MAX], want[PATH_MAX + 32], err[512] = "";
	char *argv[] = {"x", NULL};
	struct kd_exec ex;

	tmp_path(f, "rw.bin");
	copy_prefix("/bin/true", f, 1 << 20, 0644);
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	snprintf(want, sizeof(want), "%s: Permission denied", f);
	assert_string_equal(err, want);
}

static void test_resolve_directory(void **state)
{
	char want[PATH_MAX + 32], err[512] = "";
	char *argv[] = {"x", NULL};
	struct kd_exec ex;

	assert_int_equal(kd_resolve(tmpdir, argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	snprintf(want, sizeof(want), "%s: Is a directory", tmpdir);
	assert_string_equal(err, want);
}

static void test_resolve_script_args(void **state)
{
	static const char s[] = "#!/bin/true -a  b \necho\n";
	char f[PATH_MAX], err[512] = "";
	char *argv[] = {"myscript", "x", "y", NULL};
	struct kd_exec ex;

	tmp_path(f, "script1");
	write_file(f, s, sizeof(s) - 1, 0755);
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), 0);
	assert_string_equal(ex.path, "/bin/true");
	assert_string_equal(ex.execfn, f);
	assert_int_equal(ex.argc, 5);
	assert_string_equal(ex.argv[0], "/bin/true");
	assert_string_equal(ex.argv[1], "-a  b");
	assert_string_equal(ex.argv[2], f);
	assert_string_equal(ex.argv[3], "x");
	assert_string_equal(ex.argv[4], "y");
	assert_null(ex.argv[5]);
	kd_exec_free(&ex);
}

static void test_resolve_script_nested(void **state)
{
	char f1[PATH_MAX], f2[PATH_MAX], line[PATH_MAX + 8], err[512] = "";
	char *argv[] = {"outer", "x", NULL};
	struct kd_exec ex;

	tmp_path(f1, "inner");
	tmp_path(f2, "outer");
	write_file(f1, "#!/bin/true\n", 12, 0755);
	snprintf(line, sizeof(line), "#!%s -o\n", f1);
	write_file(f2, line, strlen(line), 0755);
	assert_int_equal(kd_resolve(f2, argv, &ex, err, sizeof(err)), 0);
	assert_int_equal(ex.argc, 5);
	assert_string_equal(ex.argv[0], "/bin/true");
	assert_string_equal(ex.argv[1], f1);
	assert_string_equal(ex.argv[2], "-o");
	assert_string_equal(ex.argv[3], f2);
	assert_string_equal(ex.argv[4], "x");
	assert_string_equal(ex.execfn, f2);
	kd_exec_free(&ex);
}

static void test_resolve_script_loop(void **state)
{
	char f[PATH_MAX], line[PATH_MAX + 8], err[512] = "";
	char *argv[] = {"loop", NULL};
	struct kd_exec ex;

	tmp_path(f, "loop");
	snprintf(line, sizeof(line), "#!%s\n", f);
	write_file(f, line, strlen(line), 0755);
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	assert_non_null(strstr(err, "Too many levels of symbolic links"));
}

static void test_resolve_script_missing_interp(void **state)
{
	char f[PATH_MAX], err[512] = "";
	char *argv[] = {"s", NULL};
	struct kd_exec ex;
	int fds = count_fds();

	tmp_path(f, "badinterp");
	write_file(f, "#!/nonexistent/interp\n", 22, 0755);
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	assert_true(strncmp(err, f, strlen(f)) == 0);
	assert_non_null(strstr(err, "bad interpreter: No such file or directory"));
	assert_null(ex.argv);
	assert_int_equal(count_fds(), fds);
}

static void test_resolve_not_elf(void **state)
{
	char f[PATH_MAX], want[PATH_MAX + 64], err[512] = "";
	char *argv[] = {"t", NULL};
	struct kd_exec ex;

	tmp_path(f, "text");
	write_file(f, "hello world\n", 12, 0755);
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	snprintf(want, sizeof(want), "%s: cannot execute binary file: Exec format error", f);
	assert_string_equal(err, want);
}

static void test_resolve_truncated_elf(void **state)
{
	char f[PATH_MAX], err[512] = "";
	char *argv[] = {"t", NULL};
	struct kd_exec ex;

	tmp_path(f, "trunc");
	copy_prefix("/bin/true", f, 200, 0755);
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	assert_non_null(strstr(err, ": truncated or corrupt ELF: "));
}

static void test_resolve_empty_file(void **state)
{
	char f[PATH_MAX], err[512] = "";
	char *argv[] = {"t", NULL};
	struct kd_exec ex;

	tmp_path(f, "empty");
	write_file(f, "", 0, 0755);
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), KD_STATUS_NOEXEC);
	assert_non_null(strstr(err, "Exec format error"));
}

/* ------------------------------------------------------------------ kd_load */

static uint64_t interp_span(const char *path)
{
	size_t len;
	uint8_t *buf = read_file(path, 8192, &len);
	struct kd_elf_info info;
	char err[256];
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(kd_elf_parse(buf, len, (uint64_t)st.st_size, &info, err, sizeof(err)), 0);
	free(buf);
	return info.hi - info.lo;
}

/* The bss of every writable PT_LOAD of path (loaded with bias) must read as zero. */
static void check_bss_zero(const char *path, uint64_t bias)
{
	size_t len;
	uint8_t *buf = read_file(path, 8192, &len);
	Elf64_Ehdr eh;

	memcpy(&eh, buf, sizeof(eh));
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, buf + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == ph.p_filesz)
			continue;
		for (uint64_t a = ph.p_vaddr + ph.p_filesz; a < ph.p_vaddr + ph.p_memsz; a++)
			assert_int_equal(*(uint8_t *)(uintptr_t)(a + bias), 0);
	}
	free(buf);
}

static void check_stack(const struct kd_image *img, const struct kd_exec *ex)
{
	struct walk w = walk_stack(img->rsp);
	uint64_t v;

	assert_int_equal(img->rsp % 16, 0);
	assert_true(img->rsp > img->stack_lo && img->rsp < img->stack_hi);
	assert_int_equal(w.argc, ex->argc);
	assert_string_equal(w.argv[0], ex->argv[0]);
	assert_string_equal(w.envp[0], "KDT=1");
	assert_true(aux_get(&w, AT_ENTRY, &v) && v == img->prog_entry);
	assert_true(aux_get(&w, AT_PHDR, &v) && v == img->phdr);
	assert_true(aux_get(&w, AT_PHNUM, &v) && v == img->phnum);
	assert_true(aux_get(&w, AT_BASE, &v) && v == img->interp_base);
	assert_true(aux_get(&w, AT_PAGESZ, &v) && v == 4096);
	assert_true(aux_get(&w, AT_RANDOM, &v) && v > img->stack_lo && v + 16 <= img->stack_hi);
	assert_true(aux_get(&w, AT_EXECFN, &v));
	assert_string_equal((char *)(uintptr_t)v, ex->execfn);
	assert_true(aux_get(&w, AT_PLATFORM, &v));
	assert_string_equal((char *)(uintptr_t)v, "x86_64");
}

static char *const load_envp[] = {"KDT=1", NULL};

static void test_load_dynamic(void **state)
{
	char err[512] = "";
	char *argv[] = {"/bin/true", NULL};
	struct kd_exec ex;
	struct kd_image img;
	struct maps *m = calloc(1, sizeof(*m));
	Elf64_Phdr ph;
	int fds = count_fds();

	assert_int_equal(kd_resolve("/bin/true", argv, &ex, err, sizeof(err)), 0);
	assert_int_equal(kd_load(&ex, load_envp, &img, rec_cb, m, err, sizeof(err)), 0);
	assert_int_equal(count_fds(), fds);
	assert_true(img.interp_base != 0);
	assert_true(img.load_bias != 0);
	assert_true(img.entry != img.prog_entry);
	assert_true(img.entry >= img.interp_base &&
		    img.entry < img.interp_base + interp_span("/lib64/ld-linux-x86-64.so.2"));
	assert_true(mapped(m, img.entry) && mapped(m, img.prog_entry) && mapped(m, img.phdr));
	assert_true(mapped(m, img.stack_lo) && mapped(m, img.stack_hi - 1));
	assert_int_equal(img.brk_start & 0xfff, 0);
	assert_true(img.brk_start > img.prog_entry);
	assert_memory_equal((void *)(uintptr_t)img.load_bias, ELFMAG, SELFMAG);
	memcpy(&ph, (void *)(uintptr_t)img.phdr, sizeof(ph));
	assert_true(ph.p_type == PT_PHDR || ph.p_type == PT_LOAD);
	if (ph.p_type == PT_PHDR)
		assert_int_equal(ph.p_vaddr + img.load_bias, img.phdr);
	check_bss_zero("/bin/true", img.load_bias);
	check_stack(&img, &ex);
	unmap_all(m);
	free(m);
	kd_exec_free(&ex);
}

static void test_load_bad_interp(void **state)
{
	char f[PATH_MAX], err[512] = "";
	char *argv[] = {"x", NULL};
	struct kd_exec ex = {.argv = argv, .argc = 1};
	struct kd_image img;
	struct maps *m = calloc(1, sizeof(*m));
	size_t len;
	uint8_t *buf = read_file("/bin/true", 1 << 20, &len);
	uint8_t *p = memmem(buf, len, "ld-linux-x86-64.so.2", 20);

	/* A PT_INTERP that names a file that does not exist. */
	assert_non_null(p);
	p[0] = 'X';
	tmp_path(f, "badld");
	write_file(f, buf, len, 0755);
	free(buf);
	strcpy(ex.path, f);
	strcpy(ex.execfn, f);
	assert_int_equal(kd_load(&ex, load_envp, &img, rec_cb, m, err, sizeof(err)),
			 KD_STATUS_NOEXEC);
	assert_non_null(strstr(err, "bad ELF interpreter"));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(m->n, 0);
	free(m);
}

static const char static_src[] =
    "#include <stdlib.h>\n#include <string.h>\n"
    "int main(int c, char **v) {\n"
    "  const char *e = getenv(\"KDT\");\n"
    "  return c == 2 && !strcmp(v[1], \"arg\") && e && *e == '1' ? 42 : 1;\n"
    "}\n";

/* In a child, jumps into the loaded program as the kernel would; returns its exit status. */
static int run_loaded(const char *path)
{
	char err[512];
	char *argv[] = {(char *)path, "arg", NULL};
	struct kd_exec ex;
	struct kd_image img;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (kd_resolve(path, argv, &ex, err, sizeof(err)) ||
		    kd_load(&ex, load_envp, &img, NULL, NULL, err, sizeof(err)))
			_exit(99);
		/* cmocka's handlers must not catch a crash of the loaded program. */
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		/* rdx = 0: no rtld_fini; a clobber so the entry is not kept in rdx. */
		__asm__ volatile("mov %0, %%rsp\n\txor %%edx, %%edx\n\tjmp *%1"
				 :
				 : "r"(img.rsp), "r"(img.entry)
				 : "rdx", "memory");
		__builtin_unreachable();
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_load_static(void **state)
{
	char f[PATH_MAX], err[512] = "";
	char *argv[] = {"st", "arg", NULL};
	struct kd_exec ex;
	struct kd_image img, img2;
	struct maps *m = calloc(1, sizeof(*m));

	if (!compile("st", "-static", static_src)) {
		free(m);
		skip();
	}
	tmp_path(f, "st");
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), 0);
	assert_int_equal(kd_load(&ex, load_envp, &img, rec_cb, m, err, sizeof(err)), 0);
	assert_int_equal(img.interp_base, 0);
	assert_int_equal(img.load_bias, 0);
	assert_int_equal(img.entry, img.prog_entry);
	assert_true(mapped(m, img.entry) && mapped(m, img.phdr));
	check_bss_zero(f, 0);
	check_stack(&img, &ex);
	/* ET_EXEC goes at fixed addresses: a second copy must not clobber the first. */
	assert_int_equal(kd_load(&ex, load_envp, &img2, NULL, NULL, err, sizeof(err)),
			 KD_STATUS_NOEXEC);
	assert_non_null(strstr(err, "is in use by kdune"));
	unmap_all(m);
	free(m);
	kd_exec_free(&ex);
	assert_int_equal(run_loaded(f), 42);
}

static void test_load_static_pie(void **state)
{
	char f[PATH_MAX], err[512] = "";
	char *argv[] = {"sp", "arg", NULL};
	struct kd_exec ex;
	struct kd_image img;
	struct maps *m = calloc(1, sizeof(*m));

	if (!compile("sp", "-static-pie -fPIE", static_src)) {
		free(m);
		skip();
	}
	tmp_path(f, "sp");
	assert_int_equal(kd_resolve(f, argv, &ex, err, sizeof(err)), 0);
	assert_int_equal(kd_load(&ex, load_envp, &img, rec_cb, m, err, sizeof(err)), 0);
	assert_int_equal(img.interp_base, 0);
	assert_true(img.load_bias != 0);
	assert_int_equal(img.load_bias & 0xfff, 0);
	assert_int_equal(img.entry, img.prog_entry);
	assert_true(mapped(m, img.entry) && mapped(m, img.phdr));
	check_bss_zero(f, img.load_bias);
	check_stack(&img, &ex);
	unmap_all(m);
	free(m);
	kd_exec_free(&ex);
	assert_int_equal(run_loaded(f), 42);
}

static void test_load_run_dynamic(void **state)
{
	char f[PATH_MAX];

	if (!compile("dyn", "", static_src))
		skip();
	tmp_path(f, "dyn");
	assert_int_equal(run_loaded(f), 42);
}

/* ------------------------------------------------------------------ main */

static int group_setup(void **state)
{
	strcpy(tmpdir, "/tmp/kdune-loader.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#define T(f) cmocka_unit_test_teardown(f, restore_path)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_elf_valid_exec),
	    T(test_elf_valid_dyn_interp),
	    T(test_elf_not_elf),
	    T(test_elf_short_header),
	    T(test_elf_wrong_class),
	    T(test_elf_big_endian),
	    T(test_elf_wrong_machine),
	    T(test_elf_wrong_type),
	    T(test_elf_bad_phnum),
	    T(test_elf_phdrs_past_end),
	    T(test_elf_phdrs_not_read),
	    T(test_elf_phoff_overflow),
	    T(test_elf_filesz_gt_memsz),
	    T(test_elf_offset_beyond_file),
	    T(test_elf_offset_overflow),
	    T(test_elf_vaddr_overflow),
	    T(test_elf_misaligned),
	    T(test_elf_unsorted),
	    T(test_elf_no_load),
	    T(test_elf_interp_unterminated),
	    T(test_elf_interp_out_of_file),
	    T(test_elf_real_binary),
	    T(test_shebang_plain),
	    T(test_shebang_arg),
	    T(test_shebang_arg_spaces),
	    T(test_shebang_tabs),
	    T(test_shebang_no_newline),
	    T(test_shebang_cr_kept),
	    T(test_shebang_long_line),
	    T(test_shebang_empty_interp),
	    T(test_shebang_not_script),
	    T(test_shebang_small_buffers),
	    T(test_stack_layout),
	    T(test_stack_auxv_strings),
	    T(test_stack_string_bounds),
	    T(test_stack_too_small),
	    T(test_stack_empty_argv),
	    T(test_resolve_path_lookup),
	    T(test_resolve_path_only_noexec),
	    T(test_resolve_not_found),
	    T(test_resolve_default_path),
	    T(test_resolve_empty_path_elem),
	    T(test_resolve_no_exec_perm),
	    T(test_resolve_directory),
	    T(test_resolve_script_args),
	    T(test_resolve_script_nested),
	    T(test_resolve_script_loop),
	    T(test_resolve_script_missing_interp),
	    T(test_resolve_not_elf),
	    T(test_resolve_truncated_elf),
	    T(test_resolve_empty_file),
	    T(test_load_dynamic),
	    T(test_load_bad_interp),
	    T(test_load_static),
	    T(test_load_static_pie),
	    T(test_load_run_dynamic),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
