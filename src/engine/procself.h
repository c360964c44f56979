/* procself.h: this process's own /proc files, which kdune answers for the target. */
#pragma once

/*
 * If p names this process's /proc/self/exe or /proc/self/cmdline (through self,
 * thread-self or its pid), the name after the directory ("exe" or "cmdline"); else NULL.
 */
const char *kd_proc_self_file(const char *p);
/* Does the path name this process's /proc/.../exe? 1 or 0. */
int kd_is_self_exe(const char *path);
