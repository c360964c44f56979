/* trace.h: strace-format lines for forwarded syscalls (--trace). */
#pragma once
#include <stdint.h>

/*
 * Print one line for a completed syscall, as strace prints it:
 *   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 *   read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 4096) = 1234
 *   openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
 * ret is the raw kernel return (-4095..-1 means -errno). Guest memory (strings, buffers,
 * structs) is read with a fault-safe copy, so a bad pointer prints as its hex value.
 */
void kd_trace_syscall(int fd, long nr, const uint64_t args[6], long ret);

/* For calls that do not return (exit, exit_group): "exit_group(0) = ?" */
void kd_trace_noreturn(int fd, long nr, const uint64_t args[6]);

/* The syscall's name ("openat"), or NULL if unknown (or the names were never loaded). */
const char *kd_syscall_name(long nr);

/*
 * Names by number, filled by kd_syscall_names_load() (sysnames.c, libseccomp) before the
 * target starts; the engine itself only reads the table.
 */
#define KD_SYSCALL_NAMES 1024
extern const char *kd_syscall_names[KD_SYSCALL_NAMES];
void kd_syscall_names_load(void);

/* ---- what --trace shows (filled by the host before the target starts) ---- */

/* Timestamps before each line, as strace's -tt and -ttt. */
enum kd_trace_time {
	KD_TRACE_TIME_NONE,
	KD_TRACE_TIME_CLOCK, /* "14:36:23.032555 ": local time of day, microseconds (-tt) */
	KD_TRACE_TIME_EPOCH, /* "1795962983.120020 ": seconds since 1970, microseconds (-ttt) */
};

struct kd_trace_config {
	uint64_t set[KD_SYSCALL_NAMES / 64]; /* bit nr: a line for syscall nr (when filtered) */
	int filtered;			     /* 0: a line for every call; set is unused */
	int lines;			     /* print lines at all (0: --trace-summary alone) */
	int summary;			     /* count calls, errors and time; table at exit */
	int time;			     /* enum kd_trace_time */
	long utc_offset;		     /* seconds east of UTC, for KD_TRACE_TIME_CLOCK */
	int pids;			     /* "[pid N] " before each line (several writers) */
	/* The trace options as the user gave them, for the kdune that runs an exec'd program. */
	const char *again[4];
};
/* The one configuration of this kdune process (lines on, no filter, until the host says). */
extern struct kd_trace_config kd_trace_cfg;

/* Does the configuration want a line for syscall nr? */
int kd_trace_wants(long nr);

/* A call kdune does not support yet: -ENOSYS, said once per call with -v. */
long kd_unsupported(long nr, const char *what);
