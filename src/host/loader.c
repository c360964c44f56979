/* loader.c: find, check and map a target program the way execve + binfmt_elf/script would. */
#include "host/loader.h"
#include "vm/layout.h"
#include "base/exec_check.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* x86-64 only: the guest page size is fixed, so the parser does not depend on the host. */
#define KD_USER_END 0x800000000000ULL
#define KD_MAX_PHNUM 1024
#define KD_SHEBANG_MAX 256
#define KD_MAX_SCRIPTS 4
/* One read normally covers the ELF header, the phdrs and PT_INTERP. */
#define KD_HEAD_READ 4096
/* Phdrs further into the file than this are refused rather than read. */
#define KD_ELF_READ_MAX (1ULL << 20)
/* ELF_ET_DYN_BASE on x86-64 (2/3 of TASK_SIZE), randomised below by up to 1 GiB. */
#define KD_DYN_BASE 0x555555554000ULL
#define KD_DYN_RND_PAGES (1ULL << 18)
/* Larger p_align values would make the reservation absurd; fall back to page alignment. */
#define KD_MAX_ALIGN (1ULL << 30)
#define KD_STACK_MIN (128ULL << 10)
#define KD_STACK_MAX (64ULL << 20)
#define KD_STACK_DEFAULT (8ULL << 20)
#define KD_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

static uint64_t page_down(uint64_t v)
{
	return v & ~(KD_PAGE - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + KD_PAGE - 1) & ~(KD_PAGE - 1);
}

static int setmsg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats the one-line reason for the caller; always returns -1 for "return setmsg(...)". */
static int setmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ------------------------------------------------------------------ ELF parsing */

static int bad_format(char *err, size_t errlen)
{
	return setmsg(err, errlen, "cannot execute binary file: Exec format error");
}

static int corrupt(char *err, size_t errlen, const char *what)
{
	return setmsg(err, errlen, "truncated or corrupt ELF: %s", what);
}

/* True if [off, off+size) lies inside [0, limit), without overflowing. */
static bool range_ok(uint64_t off, uint64_t size, uint64_t limit)
{
	return off <= limit && size <= limit - off;
}

static int check_ehdr(const Elf64_Ehdr *eh, char *err, size_t errlen)
{
	/* e_machine sits at the same offset in 32- and 64-bit headers, so an i386 binary
	 * gets the more helpful "wrong architecture" rather than a class complaint. */
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bad_format(err, errlen);
	if (eh->e_machine != EM_X86_64)
		return setmsg(err, errlen,
			      "cannot execute binary file: wrong architecture (e_machine %u)",
			      (unsigned)eh->e_machine);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return bad_format(err, errlen);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return bad_format(err, errlen);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > KD_MAX_PHNUM)
		return bad_format(err, errlen);
	return 0;
}

static Elf64_Phdr get_phdr(const uint8_t *buf, uint64_t phoff, unsigned i)
{
	Elf64_Phdr ph;

	/* memcpy: the fuzzer and callers may hand us unaligned buffers. */
	memcpy(&ph, buf + phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

static int check_load(const Elf64_Phdr *ph, uint64_t file_size, char *err, size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return corrupt(err, errlen, "PT_LOAD has p_filesz > p_memsz");
	if (!range_ok(ph->p_offset, ph->p_filesz, file_size))
		return corrupt(err, errlen, "PT_LOAD data beyond end of file");
	/* Unsigned wrap-around keeps the modulo right for a power-of-two page size. */
	if ((ph->p_vaddr - ph->p_offset) & (KD_PAGE - 1))
		return corrupt(err, errlen,
			       "PT_LOAD p_vaddr and p_offset differ modulo the page size");
	if (!range_ok(ph->p_vaddr, ph->p_memsz, KD_USER_END))
		return corrupt(err, errlen, "PT_LOAD outside the user address space");
	return 0;
}

static int take_interp(const uint8_t *buf, size_t len, uint64_t file_size, const Elf64_Phdr *ph,
		       struct kd_elf_info *info, char *err, size_t errlen)
{
	const char *s;

	if (!range_ok(ph->p_offset, ph->p_filesz, file_size))
		return corrupt(err, errlen, "PT_INTERP beyond end of file");
	if (ph->p_filesz < 2 || ph->p_filesz > PATH_MAX)
		return corrupt(err, errlen, "PT_INTERP has a bad size");
	if (!range_ok(ph->p_offset, ph->p_filesz, len))
		return corrupt(err, errlen, "PT_INTERP not within the bytes read");
	s = (const char *)buf + ph->p_offset;
	if (s[ph->p_filesz - 1] != '\0' || s[0] == '\0')
		return corrupt(err, errlen, "PT_INTERP is not a NUL-terminated path");
	memcpy(info->interp, s, ph->p_filesz);
	info->has_interp = 1;
	return 0;
}

/* Where the phdr table is in memory: PT_PHDR if given, else the PT_LOAD whose file range
 * holds it (what AT_PHDR must point at for ld.so and static glibc). */
static uint64_t find_phdr_vaddr(const uint8_t *buf, const Elf64_Ehdr *eh)
{
	uint64_t phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	Elf64_Phdr ph;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		ph = get_phdr(buf, eh->e_phoff, i);
		if (ph.p_type == PT_PHDR)
			return ph.p_vaddr;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		ph = get_phdr(buf, eh->e_phoff, i);
		if (ph.p_type == PT_LOAD && eh->e_phoff >= ph.p_offset &&
		    range_ok(eh->e_phoff - ph.p_offset, phsize, ph.p_filesz))
			return ph.p_vaddr + (eh->e_phoff - ph.p_offset);
	}
	return 0;
}

/* Walks the phdrs: validates PT_LOAD/PT_INTERP and accumulates the load span. */
static int scan_phdrs(const uint8_t *buf, size_t len, uint64_t file_size, const Elf64_Ehdr *eh,
		      struct kd_elf_info *info, char *err, size_t errlen)
{
	uint64_t prev = 0, lo = UINT64_MAX, hi = 0;
	bool seen_load = false;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph = get_phdr(buf, eh->e_phoff, i);

		if (ph.p_type == PT_INTERP && !info->has_interp &&
		    take_interp(buf, len, file_size, &ph, info, err, errlen))
			return -1;
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_load(&ph, file_size, err, errlen))
			return -1;
		/* Gap trimming and the span computation rely on the ELF-mandated order. */
		if (seen_load && ph.p_vaddr < prev)
			return corrupt(err, errlen, "PT_LOAD segments not sorted by address");
		seen_load = true;
		prev = ph.p_vaddr;
		if (ph.p_memsz == 0)
			continue;
		if (page_down(ph.p_vaddr) < lo)
			lo = page_down(ph.p_vaddr);
		if (page_up(ph.p_vaddr + ph.p_memsz) > hi)
			hi = page_up(ph.p_vaddr + ph.p_memsz);
	}
	if (hi == 0)
		return corrupt(err, errlen, "no loadable segment");
	info->lo = lo;
	info->hi = hi;
	return 0;
}

int kd_elf_parse(const void *buf, size_t len, uint64_t file_size, struct kd_elf_info *info,
		 char *err, size_t errlen)
{
	const uint8_t *b = buf;
	Elf64_Ehdr eh;
	uint64_t phsize;

	memset(info, 0, sizeof(*info));
	if (len < SELFMAG || memcmp(b, ELFMAG, SELFMAG) != 0)
		return bad_format(err, errlen);
	if (len < sizeof(eh) || file_size < sizeof(eh))
		return corrupt(err, errlen, "ELF header beyond end of file");
	memcpy(&eh, b, sizeof(eh));
	if (check_ehdr(&eh, err, errlen))
		return -1;
	phsize = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (!range_ok(eh.e_phoff, phsize, file_size))
		return corrupt(err, errlen, "program headers beyond end of file");
	if (!range_ok(eh.e_phoff, phsize, len))
		return corrupt(err, errlen, "program headers not within the bytes read");
	if (scan_phdrs(b, len, file_size, &eh, info, err, errlen))
		return -1;
	info->type = eh.e_type;
	info->entry = eh.e_entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	info->phdr_vaddr = find_phdr_vaddr(b, &eh);
	return 0;
}

/* ------------------------------------------------------------------ #! parsing */

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

int kd_shebang_parse(const char *buf, size_t len, char *interp, size_t ilen, char *arg, size_t alen)
{
	size_t end, i, name, name_end, a;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	if (len > KD_SHEBANG_MAX)
		len = KD_SHEBANG_MAX;
	/* The line ends at '\n'; NUL also ends it since the kernel works on C strings. */
	for (end = 2; end < len && buf[end] != '\n' && buf[end] != '\0'; end++)
		;
	while (end > 2 && spacetab(buf[end - 1]))
		end--;
	for (name = 2; name < end && spacetab(buf[name]); name++)
		;
	for (name_end = name; name_end < end && !spacetab(buf[name_end]); name_end++)
		;
	if (name_end == name || name_end - name >= ilen)
		return -1;
	memcpy(interp, buf + name, name_end - name);
	interp[name_end - name] = '\0';
	for (a = name_end; a < end && spacetab(buf[a]); a++)
		;
	/* Everything after the name, inner blanks included, is the single optional argument. */
	i = end - a;
	if (i >= alen)
		return -1;
	memcpy(arg, buf + a, i);
	arg[i] = '\0';
	return 1;
}

/* ------------------------------------------------------------------ initial stack */

struct sbuild {
	uint8_t *lo, *p;
};

static uint8_t *push_bytes(struct sbuild *b, const void *src, size_t n)
{
	if ((size_t)(b->p - b->lo) < n)
		return NULL;
	b->p -= n;
	memcpy(b->p, src, n);
	return b->p;
}

static size_t count_strv(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Pushes v[n-1] first so the strings end up contiguous and in order, like the kernel. */
static bool push_strv(struct sbuild *b, char *const *v, size_t n, uint64_t *start, uint64_t *end)
{
	*end = (uint64_t)(uintptr_t)b->p;
	for (size_t i = n; i-- > 0;)
		if (!push_bytes(b, v[i], strlen(v[i]) + 1))
			return false;
	*start = (uint64_t)(uintptr_t)b->p;
	return true;
}

/* Stores pointers to the n contiguous strings that begin at start. */
static uint64_t *put_strptrs(uint64_t *sp, uint64_t start, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*sp++ = start;
		start += strlen((const char *)(uintptr_t)start) + 1;
	}
	*sp++ = 0;
	return sp;
}

struct stack_refs {
	uint64_t execfn, platform, random;
};

static uint64_t *put_aux(uint64_t *sp, uint64_t type, uint64_t val)
{
	sp[0] = type;
	sp[1] = val;
	return sp + 2;
}

/* AT_RANDOM goes right after AT_SECURE, where create_elf_tables puts it. */
static void put_auxv(uint64_t *sp, const struct kd_stack_in *in, const struct stack_refs *r)
{
	bool random_done = false;

	for (int i = 0; i < in->nauxv; i++) {
		if (in->auxv[i][0] == AT_NULL)
			continue;
		sp = put_aux(sp, in->auxv[i][0], in->auxv[i][1]);
		if (in->auxv[i][0] == AT_SECURE && !random_done) {
			sp = put_aux(sp, AT_RANDOM, r->random);
			random_done = true;
		}
	}
	if (!random_done)
		sp = put_aux(sp, AT_RANDOM, r->random);
	if (r->execfn)
		sp = put_aux(sp, AT_EXECFN, r->execfn);
	if (r->platform)
		sp = put_aux(sp, AT_PLATFORM, r->platform);
	put_aux(sp, AT_NULL, 0);
}

static bool push_strings(struct sbuild *b, const struct kd_stack_in *in, size_t argc, size_t envc,
			 struct stack_refs *r, struct kd_image *img)
{
	static const uint8_t zeros[16];
	const uint8_t *rnd = in->random16 ? in->random16 : zeros;

	/* A NULL word at the very top, as the kernel leaves it. */
	if (!push_bytes(b, zeros, sizeof(uint64_t)))
		return false;
	if (in->execfn && !push_bytes(b, in->execfn, strlen(in->execfn) + 1))
		return false;
	r->execfn = in->execfn ? (uint64_t)(uintptr_t)b->p : 0;
	if (!push_strv(b, in->envp, envc, &img->env_start, &img->env_end))
		return false;
	if (!push_strv(b, in->argv, argc, &img->arg_start, &img->arg_end))
		return false;
	if (in->platform && !push_bytes(b, in->platform, strlen(in->platform) + 1))
		return false;
	r->platform = in->platform ? (uint64_t)(uintptr_t)b->p : 0;
	if (!push_bytes(b, rnd, 16))
		return false;
	r->random = (uint64_t)(uintptr_t)b->p;
	return true;
}

uint64_t kd_stack_build(uint8_t *lo, uint8_t *hi, const struct kd_stack_in *in,
			struct kd_image *img)
{
	struct sbuild b = {.lo = lo, .p = hi};
	struct stack_refs r = {0};
	size_t argc = count_strv(in->argv), envc = count_strv(in->envp), words, avail;
	uint64_t *sp;

	if (!lo || hi <= lo || in->nauxv < 0 || in->nauxv > 64)
		return 0;
	avail = (size_t)(hi - lo);
	/* Bounds argc/envc before they are multiplied, so "words" cannot overflow. */
	if (argc > avail / 8 || envc > avail / 8)
		return 0;
	if (!push_strings(&b, in, argc, envc, &r, img))
		return 0;
	/* argc, argv+NULL, envp+NULL, the caller's pairs plus RANDOM/EXECFN/PLATFORM/NULL. */
	words = 1 + argc + 1 + envc + 1 + 2 * ((size_t)in->nauxv + 4);
	if ((size_t)(b.p - lo) < words * 8 + 15)
		return 0;
	sp = (uint64_t *)(((uintptr_t)b.p - words * 8) & ~(uintptr_t)15);
	img->rsp = (uint64_t)(uintptr_t)sp;
	*sp++ = argc;
	sp = put_strptrs(sp, img->arg_start, argc);
	sp = put_strptrs(sp, img->env_start, envc);
	put_auxv(sp, in, &r);
	return img->rsp;
}

/* ------------------------------------------------------------------ file reading */

/* pread until n bytes or EOF; returns the byte count or -errno. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* How many leading bytes kd_elf_parse will look at: phdr table and PT_INTERP. */
static uint64_t elf_wanted(const uint8_t *buf, size_t len)
{
	Elf64_Ehdr eh;
	uint64_t phend, want = len;

	if (len < sizeof(eh) || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return len;
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > KD_MAX_PHNUM)
		return len;
	phend = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (phend < eh.e_phoff)
		return len;
	if (phend > len)
		return phend;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = get_phdr(buf, eh.e_phoff, i);

		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz <= PATH_MAX && ph.p_offset <= UINT64_MAX - ph.p_filesz &&
		    ph.p_offset + ph.p_filesz > want)
			want = ph.p_offset + ph.p_filesz;
		break;
	}
	return want;
}

/* Reads the head of a file: enough for #! detection and for kd_elf_parse. */
static int read_head(int fd, uint64_t size, uint8_t **bufp, size_t *lenp)
{
	size_t len = size < KD_HEAD_READ ? (size_t)size : KD_HEAD_READ;
	uint8_t *buf = NULL;

	/* At most three rounds: header, then phdrs, then the PT_INTERP string. */
	for (int round = 0;; round++) {
		uint8_t *nb = realloc(buf, len ? len : 1);
		ssize_t got;
		uint64_t want;

		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		got = read_full(fd, buf, len);
		if (got < 0) {
			free(buf);
			return (int)got;
		}
		len = (size_t)got;
		want = elf_wanted(buf, len);
		if (round == 2 || want <= len || want > size || want > KD_ELF_READ_MAX)
			break;
		len = (size_t)want;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

struct elf_file {
	int fd;
	uint64_t size;
	uint8_t *buf;
	size_t len;
	struct kd_elf_info info;
};

static void elf_close(struct elf_file *ef)
{
	if (ef->fd >= 0)
		close(ef->fd);
	free(ef->buf);
	ef->fd = -1;
	ef->buf = NULL;
}

/* Opens PATH and reads its head; returns 0 or -errno. */
static int elf_open(const char *path, struct elf_file *ef)
{
	struct stat st;
	int rc;

	ef->buf = NULL;
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0)
		return -errno;
	if (fstat(ef->fd, &st) < 0) {
		rc = -errno;
		elf_close(ef);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		elf_close(ef);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EACCES;
	}
	ef->size = (uint64_t)st.st_size;
	rc = read_head(ef->fd, ef->size, &ef->buf, &ef->len);
	if (rc)
		elf_close(ef);
	return rc;
}

/* ------------------------------------------------------------------ resolution */

/* Builds "dir/name" (an empty dir meaning "."); false if it does not fit. */
static bool join_path(char *out, const char *dir, size_t dlen, const char *name)
{
	int n;

	if (dlen == 0)
		n = snprintf(out, PATH_MAX, "./%s", name);
	else if (dir[dlen - 1] == '/')
		n = snprintf(out, PATH_MAX, "%.*s%s", (int)dlen, dir, name);
	else
		n = snprintf(out, PATH_MAX, "%.*s/%s", (int)dlen, dir, name);
	return n > 0 && n < PATH_MAX;
}

static int path_search(const char *name, char *out, char *err, size_t errlen)
{
	const char *p = getenv("PATH"), *colon;
	bool denied = false;

	if (!p)
		p = KD_DEFAULT_PATH;
	for (;; p = colon + 1) {
		struct stat st;

		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		if (*name && join_path(out, p, (size_t)(colon - p), name) && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (faccessat(AT_FDCWD, out, X_OK, AT_EACCESS) == 0)
				return 0;
			denied = true;
		}
		if (!*colon)
			break;
	}
	if (denied) {
		setmsg(err, errlen, "%s: Permission denied", name);
		return KD_STATUS_NOEXEC;
	}
	setmsg(err, errlen, "%s: command not found", name);
	return KD_STATUS_NOTFOUND;
}

static int find_program(const char *prog, char *out, char *err, size_t errlen)
{
	if (!strchr(prog, '/'))
		return path_search(prog, out, err, errlen);
	if (strlen(prog) >= PATH_MAX) {
		setmsg(err, errlen, "%s: %s", prog, strerror(ENAMETOOLONG));
		return KD_STATUS_NOEXEC;
	}
	strcpy(out, prog);
	return 0;
}

struct argvec {
	char **v;
	size_t n, cap;
};

static void av_free(struct argvec *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* Appends a copy of s; the array is kept NULL-terminated. */
static bool av_push(struct argvec *a, const char *s)
{
	char *dup;

	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		char **nv = realloc(a->v, cap * sizeof(*nv));

		if (!nv)
			return false;
		a->v = nv;
		a->cap = cap;
	}
	dup = strdup(s);
	if (!dup)
		return false;
	a->v[a->n++] = dup;
	a->v[a->n] = NULL;
	return true;
}

/* binfmt_script: argv becomes [interp, arg?, script, old argv[1..]]. */
static bool av_script(struct argvec *a, const char *interp, const char *arg, const char *script)
{
	struct argvec nv = {0};
	bool ok = av_push(&nv, interp) && (!*arg || av_push(&nv, arg)) && av_push(&nv, script);

	for (size_t i = 1; ok && i < a->n; i++)
		ok = av_push(&nv, a->v[i]);
	if (!ok) {
		av_free(&nv);
		return false;
	}
	av_free(a);
	*a = nv;
	return true;
}

/* Resolution state: the file being looked at and the script that named it, if any. */
struct resolve {
	char cur[PATH_MAX];
	char script[PATH_MAX];
	int depth;
	struct argvec av;
};

static int file_error(const struct resolve *r, int e, char *err, size_t errlen)
{
	if (r->depth > 0) {
		setmsg(err, errlen, "%s: %s: bad interpreter: %s", r->script, r->cur, strerror(e));
		return KD_STATUS_NOEXEC;
	}
	setmsg(err, errlen, "%s: %s", r->cur, strerror(e));
	return e == ENOENT ? KD_STATUS_NOTFOUND : KD_STATUS_NOEXEC;
}

/* Rewrites r for the #! line in head; returns 0 or an exit status. */
static int follow_script(struct resolve *r, const uint8_t *head, size_t len, const char *first,
			 char *err, size_t errlen)
{
	char interp[KD_SHEBANG_MAX + 1], arg[KD_SHEBANG_MAX + 1];
	const char *line = (const char *)head;

	if (r->depth >= KD_MAX_SCRIPTS) {
		setmsg(err, errlen, "%s: %s", first, strerror(ELOOP));
		return KD_STATUS_NOEXEC;
	}
	if (kd_shebang_parse(line, len, interp, sizeof(interp), arg, sizeof(arg)) < 0) {
		setmsg(err, errlen, "%s: bad interpreter: empty #! line", r->cur);
		return KD_STATUS_NOEXEC;
	}
	if (!av_script(&r->av, interp, arg, r->cur)) {
		setmsg(err, errlen, "%s: %s", r->cur, strerror(ENOMEM));
		return KD_STATUS_NOEXEC;
	}
	strcpy(r->script, r->cur);
	strcpy(r->cur, interp);
	r->depth++;
	return 0;
}

/* One step: 0 when r->cur is a valid ELF, 1 after a #! rewrite, else an exit status. */
static int resolve_step(struct resolve *r, const char *first, char *err, size_t errlen)
{
	struct elf_file ef;
	char reason[256];
	int e = -kd_exec_check(r->cur), rc;

	if (e)
		return file_error(r, e, err, errlen);
	e = elf_open(r->cur, &ef);
	if (e)
		return file_error(r, -e, err, errlen);
	if (ef.len >= 2 && ef.buf[0] == '#' && ef.buf[1] == '!') {
		rc = follow_script(r, ef.buf, ef.len, first, err, errlen);
		elf_close(&ef);
		return rc ? rc : 1;
	}
	rc = kd_elf_parse(ef.buf, ef.len, ef.size, &ef.info, reason, sizeof(reason));
	elf_close(&ef);
	if (rc) {
		setmsg(err, errlen, "%s: %s", r->cur, reason);
		return KD_STATUS_NOEXEC;
	}
	return 0;
}

/* Copies argv; the result is a NULL-terminated array even when argv is empty. */
static bool copy_argv(struct argvec *a, char *const argv[])
{
	a->v = calloc(8, sizeof(char *));
	if (!a->v)
		return false;
	a->cap = 8;
	for (size_t i = 0; argv && argv[i]; i++)
		if (!av_push(a, argv[i]))
			return false;
	return true;
}

static int no_memory(const char *prog, char *err, size_t errlen)
{
	setmsg(err, errlen, "%s: %s", prog, strerror(ENOMEM));
	return KD_STATUS_NOEXEC;
}

int kd_resolve(const char *prog, char *const argv[], struct kd_exec *out, char *err, size_t errlen)
{
	/* Heap, not stack: two PATH_MAX buffers on top of the caller's own. */
	struct resolve *r = calloc(1, sizeof(*r));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!prog)
		prog = "";
	if (!r || !copy_argv(&r->av, argv))
		rc = no_memory(prog, err, errlen);
	else
		rc = find_program(prog, r->cur, err, errlen);
	if (!rc) {
		strcpy(out->execfn, r->cur);
		while ((rc = resolve_step(r, out->execfn, err, errlen)) == 1)
			;
	}
	if (!rc) {
		strcpy(out->path, r->cur);
		out->argv = r->av.v;
		out->argc = (int)r->av.n;
		r->av.v = NULL;
		r->av.n = 0;
	}
	if (r)
		av_free(&r->av);
	free(r);
	return rc;
}

void kd_exec_free(struct kd_exec *ex)
{
	for (int i = 0; ex->argv && ex->argv[i]; i++)
		free(ex->argv[i]);
	free(ex->argv);
	ex->argv = NULL;
	ex->argc = 0;
}

/* ------------------------------------------------------------------ mapping */

/* Mappings created so far, reported to the callback only once everything succeeded. */
struct maplist {
	uint64_t (*v)[2];
	size_t n, cap;
};

static int record(struct maplist *ml, uint64_t start, uint64_t len)
{
	if (ml->n == ml->cap) {
		size_t cap = ml->cap ? ml->cap * 2 : 16;
		uint64_t(*nv)[2] = realloc(ml->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		ml->v = nv;
		ml->cap = cap;
	}
	ml->v[ml->n][0] = start;
	ml->v[ml->n][1] = len;
	ml->n++;
	return 0;
}

struct image_map {
	uint64_t base, len; /* the reservation; 0 if none */
	uint64_t bias;
};

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* The largest power-of-two p_align of the PT_LOADs, so that huge-page-aligned
 * segments stay aligned after relocation (as binfmt_elf does for ET_DYN). */
static uint64_t max_align(const struct elf_file *ef)
{
	uint64_t align = KD_PAGE;

	for (unsigned i = 0; i < ef->info.phnum; i++) {
		Elf64_Phdr ph = get_phdr(ef->buf, ef->info.phoff, i);

		if (ph.p_type == PT_LOAD && ph.p_align > align && ph.p_align <= KD_MAX_ALIGN &&
		    !(ph.p_align & (ph.p_align - 1)))
			align = ph.p_align;
	}
	return align;
}

static uint64_t dyn_hint(uint64_t align)
{
	uint64_t rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = 0;
	rnd = KD_DYN_BASE + (rnd % KD_DYN_RND_PAGES) * KD_PAGE;
	return (rnd + align - 1) & ~(align - 1);
}

static int reserve_fixed(const struct kd_elf_info *in, struct image_map *im)
{
	uint64_t span = in->hi - in->lo;
	void *p = mmap((void *)(uintptr_t)in->lo, span, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	/* Kernels before 4.17 treat the flag as a mere hint. */
	if ((uint64_t)(uintptr_t)p != in->lo) {
		munmap(p, span);
		return -EEXIST;
	}
	im->base = in->lo;
	im->len = span;
	im->bias = 0;
	return 0;
}

/* One PROT_NONE reservation for the whole span, so segments can be MAP_FIXED into it
 * without ever clobbering kdune's own mappings. */
static int reserve_dyn(const struct elf_file *ef, bool main_prog, struct image_map *im)
{
	const struct kd_elf_info *in = &ef->info;
	uint64_t align = max_align(ef), span = in->hi - in->lo, extra = align - KD_PAGE;
	uint64_t hint = main_prog ? dyn_hint(align) : 0, p, start;
	void *m = mmap((void *)(uintptr_t)hint, span + extra, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED)
		return -errno;
	p = (uint64_t)(uintptr_t)m;
	/* start == lo (mod align) makes the bias a multiple of align. */
	start = p + ((in->lo - p) & (align - 1));
	if (start > p)
		munmap(m, start - p);
	if (p + span + extra > start + span)
		munmap((void *)(uintptr_t)(start + span), p + extra - start);
	im->base = start;
	im->len = span;
	im->bias = start - in->lo;
	return 0;
}

/* Zeroes the bss part of the last file-backed page (mapped from the file, so it holds
 * whatever follows the segment there). */
static int zero_tail(uint64_t from, int prot)
{
	uint64_t page = page_down(from);

	if (!(prot & PROT_WRITE) &&
	    mprotect((void *)(uintptr_t)page, KD_PAGE, prot | PROT_READ | PROT_WRITE) < 0)
		return -errno;
	memset((void *)(uintptr_t)from, 0, page + KD_PAGE - from);
	if (!(prot & PROT_WRITE) && mprotect((void *)(uintptr_t)page, KD_PAGE, prot) < 0)
		return -errno;
	return 0;
}

static int map_segment(int fd, const Elf64_Phdr *ph, uint64_t bias, struct maplist *ml)
{
	int prot = prot_of(ph->p_flags);
	uint64_t va = ph->p_vaddr + bias, start = page_down(va);
	uint64_t file_end = va + ph->p_filesz, mem_end = page_up(va + ph->p_memsz);
	void *p;

	if (ph->p_filesz) {
		uint64_t len = page_up(file_end) - start;

		p = mmap((void *)(uintptr_t)start, len, prot, MAP_PRIVATE | MAP_FIXED, fd,
			 (off_t)(ph->p_offset - (va - start)));
		if (p == MAP_FAILED)
			return -errno;
		if (record(ml, start, len))
			return -ENOMEM;
		if (ph->p_memsz > ph->p_filesz && (file_end & (KD_PAGE - 1))) {
			int rc = zero_tail(file_end, prot);

			if (rc)
				return rc;
		}
		start = page_up(file_end);
	}
	if (mem_end <= start)
		return 0;
	p = mmap((void *)(uintptr_t)start, mem_end - start, prot,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	return record(ml, start, mem_end - start);
}

static int map_error(const char *path, const struct kd_elf_info *in, uint64_t bias, int e,
		     char *err, size_t errlen)
{
	if (e == EEXIST)
		setmsg(err, errlen, "%s: address range 0x%llx-0x%llx is in use by kdune", path,
		       (unsigned long long)(in->lo + bias), (unsigned long long)(in->hi + bias));
	else
		setmsg(err, errlen, "%s: cannot map 0x%llx-0x%llx: %s", path,
		       (unsigned long long)(in->lo + bias), (unsigned long long)(in->hi + bias),
		       strerror(e));
	return -1;
}

static int map_image(const struct elf_file *ef, const char *path, bool main_prog,
		     struct image_map *im, struct maplist *ml, char *err, size_t errlen)
{
	int rc = ef->info.type == ET_EXEC ? reserve_fixed(&ef->info, im)
					  : reserve_dyn(ef, main_prog, im);

	if (rc)
		return map_error(path, &ef->info, 0, -rc, err, errlen);
	for (unsigned i = 0; i < ef->info.phnum; i++) {
		Elf64_Phdr ph = get_phdr(ef->buf, ef->info.phoff, i);

		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		rc = map_segment(ef->fd, &ph, im->bias, ml);
		if (rc)
			return map_error(path, &ef->info, im->bias, -rc, err, errlen);
	}
	return 0;
}

/* Unmaps the reservation pages no segment uses, leaving the layout binfmt_elf leaves. */
static void trim_gaps(const struct elf_file *ef, const struct image_map *im)
{
	uint64_t cur = im->base, end = im->base + im->len;

	for (unsigned i = 0; i < ef->info.phnum; i++) {
		Elf64_Phdr ph = get_phdr(ef->buf, ef->info.phoff, i);
		uint64_t s, e;

		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		s = page_down(ph.p_vaddr + im->bias);
		e = page_up(ph.p_vaddr + ph.p_memsz + im->bias);
		if (s > cur)
			munmap((void *)(uintptr_t)cur, s - cur);
		if (e > cur)
			cur = e;
	}
	if (end > cur)
		munmap((void *)(uintptr_t)cur, end - cur);
}

/* ------------------------------------------------------------------ kd_load */

struct load {
	struct elf_file prog, interp;
	struct image_map pmap, imap;
	uint64_t stack_lo, stack_hi;
	struct maplist ml;
};

static int open_prog(struct elf_file *ef, const char *path, const char *what, char *err,
		     size_t errlen)
{
	char reason[256];
	int e = elf_open(path, ef);

	if (e)
		return setmsg(err, errlen, "%s%s: %s", what, path, strerror(-e));
	if (kd_elf_parse(ef->buf, ef->len, ef->size, &ef->info, reason, sizeof(reason)))
		return setmsg(err, errlen, "%s%s: %s", what, path, reason);
	return 0;
}

static int load_images(struct load *L, const struct kd_exec *ex, char *err, size_t errlen)
{
	const char *ipath = L->prog.info.interp;

	if (open_prog(&L->prog, ex->path, "", err, errlen))
		return -1;
	if (L->prog.info.has_interp) {
		char what[PATH_MAX + 32];

		snprintf(what, sizeof(what), "%s: bad ELF interpreter ", ex->path);
		if (open_prog(&L->interp, ipath, what, err, errlen))
			return -1;
	}
	if (map_image(&L->prog, ex->path, true, &L->pmap, &L->ml, err, errlen))
		return -1;
	if (L->prog.info.has_interp &&
	    map_image(&L->interp, ipath, false, &L->imap, &L->ml, err, errlen))
		return -1;
	return 0;
}

static uint64_t stack_size(void)
{
	struct rlimit rl;
	uint64_t sz = KD_STACK_DEFAULT;

	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		sz = rl.rlim_cur;
	if (sz < KD_STACK_MIN)
		sz = KD_STACK_MIN;
	if (sz > KD_STACK_MAX)
		sz = KD_STACK_MAX;
	return page_up(sz);
}

static void add_aux(struct kd_stack_in *in, uint64_t type, uint64_t val)
{
	if (in->nauxv < 64) {
		in->auxv[in->nauxv][0] = type;
		in->auxv[in->nauxv][1] = val;
		in->nauxv++;
	}
}

/* The create_elf_tables order; AT_RANDOM/AT_EXECFN/AT_PLATFORM come from kd_stack_build. */
static void fill_auxv(struct kd_stack_in *in, const struct kd_image *img)
{
	unsigned long v;

	if ((v = getauxval(AT_SYSINFO_EHDR)))
		add_aux(in, AT_SYSINFO_EHDR, v);
	if ((v = getauxval(AT_MINSIGSTKSZ)))
		add_aux(in, AT_MINSIGSTKSZ, v);
	add_aux(in, AT_HWCAP, getauxval(AT_HWCAP));
	add_aux(in, AT_PAGESZ, KD_PAGE);
	v = getauxval(AT_CLKTCK);
	add_aux(in, AT_CLKTCK, v ? v : (unsigned long)sysconf(_SC_CLK_TCK));
	add_aux(in, AT_PHDR, img->phdr);
	add_aux(in, AT_PHENT, sizeof(Elf64_Phdr));
	add_aux(in, AT_PHNUM, img->phnum);
	add_aux(in, AT_BASE, img->interp_base);
	add_aux(in, AT_FLAGS, 0);
	add_aux(in, AT_ENTRY, img->prog_entry);
	add_aux(in, AT_UID, getuid());
	add_aux(in, AT_EUID, geteuid());
	add_aux(in, AT_GID, getgid());
	add_aux(in, AT_EGID, getegid());
	add_aux(in, AT_SECURE, 0);
	if ((v = getauxval(AT_HWCAP2)))
		add_aux(in, AT_HWCAP2, v);
}

static int setup_stack(struct load *L, const struct kd_exec *ex, char *const envp[],
		       struct kd_image *img, char *err, size_t errlen)
{
	struct kd_stack_in *in;
	uint8_t rnd[16] = {0};
	uint64_t size = stack_size();
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

	if (p == MAP_FAILED)
		return setmsg(err, errlen, "%s: cannot allocate the stack: %s", ex->path,
			      strerror(errno));
	L->stack_lo = img->stack_lo = (uint64_t)(uintptr_t)p;
	L->stack_hi = img->stack_hi = img->stack_lo + size;
	in = calloc(1, sizeof(*in));
	if (!in || getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		free(in);
		return setmsg(err, errlen, "%s: cannot set up AT_RANDOM: %s", ex->path,
			      strerror(errno));
	}
	in->argv = ex->argv;
	in->envp = envp;
	in->execfn = ex->execfn[0] ? ex->execfn : ex->path;
	in->platform = "x86_64";
	in->random16 = rnd;
	fill_auxv(in, img);
	img->rsp = kd_stack_build(p, (uint8_t *)p + size, in, img);
	free(in);
	if (!img->rsp)
		return setmsg(err, errlen, "%s: %s", ex->path, strerror(E2BIG));
	return 0;
}

static void fill_image(const struct load *L, struct kd_image *img)
{
	const struct kd_elf_info *pi = &L->prog.info;

	img->load_bias = L->pmap.bias;
	img->prog_entry = pi->entry + L->pmap.bias;
	img->phdr = pi->phdr_vaddr ? pi->phdr_vaddr + L->pmap.bias : 0;
	img->phnum = pi->phnum;
	img->brk_start = pi->hi + L->pmap.bias;
	img->entry = img->prog_entry;
	if (pi->has_interp) {
		img->interp_base = L->imap.bias;
		img->entry = L->interp.info.entry + L->imap.bias;
	}
}

static void undo(struct load *L)
{
	if (L->pmap.len)
		munmap((void *)(uintptr_t)L->pmap.base, L->pmap.len);
	if (L->imap.len)
		munmap((void *)(uintptr_t)L->imap.base, L->imap.len);
	if (L->stack_hi)
		munmap((void *)(uintptr_t)L->stack_lo, L->stack_hi - L->stack_lo);
}

static void finish(struct load *L, kd_map_cb cb, void *ctx)
{
	trim_gaps(&L->prog, &L->pmap);
	if (L->imap.len)
		trim_gaps(&L->interp, &L->imap);
	for (size_t i = 0; cb && i < L->ml.n; i++)
		cb(ctx, L->ml.v[i][0], L->ml.v[i][1]);
	if (cb)
		cb(ctx, L->stack_lo, L->stack_hi - L->stack_lo);
}

int kd_load(const struct kd_exec *ex, char *const envp[], struct kd_image *img, kd_map_cb cb,
	    void *ctx, char *err, size_t errlen)
{
	struct load *L = calloc(1, sizeof(*L));
	int rc = -1;

	memset(img, 0, sizeof(*img));
	if (!L) {
		setmsg(err, errlen, "%s: %s", ex->path, strerror(ENOMEM));
		return KD_STATUS_NOEXEC;
	}
	L->prog.fd = L->interp.fd = -1;
	if (!load_images(L, ex, err, errlen)) {
		fill_image(L, img);
		rc = setup_stack(L, ex, envp, img, err, errlen);
	}
	if (rc)
		undo(L);
	else
		finish(L, cb, ctx);
	elf_close(&L->prog);
	elf_close(&L->interp);
	free(L->ml.v);
	free(L);
	return rc ? KD_STATUS_NOEXEC : 0;
}
