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

/* A call kdune does not support yet: -ENOSYS, said once per call with -v. */
long kd_unsupported(long nr, const char *what);
