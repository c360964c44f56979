/* exec_check.h: the permission checks execve(2) makes on a path (fs/exec.c, do_open_execat). */
#pragma once

/*
 * 0 if path is a regular file the caller may execute; else -errno: stat's error, -EISDIR
 * for a directory (execve itself says EACCES; callers that explain it may say more),
 * -EACCES for another non-regular file, or faccessat(X_OK, AT_EACCESS)'s error.
 */
int kd_exec_check(const char *path);
