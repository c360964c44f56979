/* loader.h: find, check and load a target program into this process (GVA == HVA). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

/* Exit statuses with the shell's meaning. */
#define KD_STATUS_NOTFOUND 127
#define KD_STATUS_NOEXEC 126

/* What execve would run after PATH lookup and #! expansion. */
struct kd_exec {
	char path[PATH_MAX];   /* the ELF file that gets mapped */
	char execfn[PATH_MAX]; /* AT_EXECFN: the name the program was started by (after PATH lookup)
				*/
	int argc;
	char **argv; /* NULL-terminated, heap-allocated, after #! rewriting */
};

/*
 * Resolve PROGRAM like a shell + execve: PATH lookup when it has no '/', exec permission,
 * #! scripts (binfmt_script rules, nested up to 4 levels), ELF validity.
 * Returns 0, or KD_STATUS_NOTFOUND / KD_STATUS_NOEXEC with a one-line reason in err
 * (no "kdune:" prefix, e.g. "foo: command not found", "./x: Permission denied",
 * "./x: cannot execute binary file: Exec format error").
 */
int kd_resolve(const char *prog, char *const argv[], struct kd_exec *out, char *err, size_t errlen);
void kd_exec_free(struct kd_exec *ex);

/* Where the loaded program starts. All addresses are guest virtual == host virtual. */
struct kd_image {
	uint64_t entry;	      /* first guest RIP: the interpreter's entry, else the program's */
	uint64_t prog_entry;  /* AT_ENTRY */
	uint64_t phdr;	      /* AT_PHDR */
	uint64_t phnum;	      /* AT_PHNUM */
	uint64_t interp_base; /* AT_BASE, 0 without PT_INTERP */
	uint64_t load_bias;   /* 0 for ET_EXEC */
	uint64_t brk_start;   /* page-aligned end of the program's highest segment */
	uint64_t stack_lo, stack_hi;			 /* the stack mapping */
	uint64_t rsp;					 /* initial RSP: points at argc */
	uint64_t arg_start, arg_end, env_start, env_end; /* string areas, for PR_SET_MM */
};

/* Called for every host mapping the loader creates for the target, after it is in place. */
typedef void (*kd_map_cb)(void *ctx, uint64_t start, uint64_t len);

/*
 * Map ex->path (and its PT_INTERP) into this process the way fs/binfmt_elf.c does, allocate
 * the stack (RLIMIT_STACK bytes, at least 128 KiB, at most 64 MiB) and build the initial stack
 * (argv, envp, auxv). Returns 0, or KD_STATUS_NOEXEC with the reason in err.
 */
int kd_load(const struct kd_exec *ex, char *const envp[], struct kd_image *img, kd_map_cb cb,
	    void *ctx, char *err, size_t errlen);

/* --- Pure parts, exposed for unit tests and the fuzzer. --- */

struct kd_elf_info {
	uint16_t type; /* ET_EXEC or ET_DYN */
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
	int has_interp;
	char interp[PATH_MAX];
	uint64_t lo, hi; /* page-aligned span of the PT_LOAD segments (vaddr) */
	uint64_t
	    phdr_vaddr; /* vaddr of the program headers (PT_PHDR or derived), 0 if not loaded */
};

/*
 * Validate an ELF image given its first len bytes (len may be less than file_size; everything
 * the loader will read must lie within buf, else it is an error). Checks ident, class, data,
 * version, machine, type, phentsize, phnum, each PT_LOAD (filesz <= memsz, offset+filesz <=
 * file_size, alignment, no overflow, ascending), PT_INTERP (NUL-terminated, inside the file).
 * Returns 0 or -1 with a reason in err ("Exec format error", "wrong architecture", ...).
 */
int kd_elf_parse(const void *buf, size_t len, uint64_t file_size, struct kd_elf_info *info,
		 char *err, size_t errlen);

/*
 * Parse a "#!" line as binfmt_script does (first 256 bytes, interpreter and at most one
 * optional argument, whitespace trimmed). Returns 1 if buf is a script, 0 if not, -1 if
 * malformed (empty interpreter).
 */
int kd_shebang_parse(const char *buf, size_t len, char *interp, size_t ilen, char *arg,
		     size_t alen);

/* Input for the initial stack. */
struct kd_stack_in {
	char *const *argv;
	char *const *envp;
	const char *execfn;
	const char *platform; /* "x86_64" */
	const uint8_t *random16;
	uint64_t auxv[64][2]; /* pairs without AT_EXECFN/AT_PLATFORM/AT_RANDOM/AT_NULL */
	int nauxv;
};

/*
 * Build the System V initial process stack in [lo, hi) (host memory at guest addresses).
 * Strings go at the top, then AT_RANDOM bytes, then (16-byte aligned) argc, argv[], NULL,
 * envp[], NULL, auxv pairs ending with AT_NULL. Returns the RSP (pointing at argc), or 0 if
 * it does not fit (E2BIG). Fills the arg/env string bounds in img.
 */
uint64_t kd_stack_build(uint8_t *lo, uint8_t *hi, const struct kd_stack_in *in,
			struct kd_image *img);
