/*
 * fsrules.h: `kdune run --rw=PATH`: the file system read-only for the program except
 * beneath the paths given, through the kernel's Landlock on kdune's own process
 * (landlock(7)), which the program and every kdune an execve starts inherit.
 */
#pragma once
#include <stddef.h>

/*
 * From now on, this process and its descendants may write (open for writing, truncate,
 * create, remove, rename, link) only beneath the n paths (directories or files), and
 * write to /dev/null; reading and executing stay as they were. Sets no_new_privs, as
 * Landlock requires of a process without CAP_SYS_ADMIN. Returns 0, or -1 with a
 * one-line reason in err: Landlock not available (kernel older than 5.13 or not
 * enabled), a path that cannot be opened.
 */
int kd_fs_writable_only(const char *const *paths, int n, char *err, size_t errlen);
