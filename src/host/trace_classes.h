/* trace_classes.h: strace's syscall classes (%file, %process, ...) for x86-64. */
#pragma once

/*
 * The syscall names in class name (without the '%': "file", "process", "network" or
 * "net", "signal", "memory", "desc", "ipc", "creds", "clock"), as a NULL-terminated array,
 * or NULL for a class strace does not have. The lists are strace's (see trace_classes.c).
 */
const char *const *kd_trace_class(const char *name);
