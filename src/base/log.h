/* log.h: kdune's own messages, kept apart from the target's output. */
#pragma once
#include <stdarg.h>

extern int kd_verbose;

/* "kdune: ..." on stderr, one line. */
void kd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void kd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Move a descriptor of kdune's own out of the target's way (high number, close-on-exec). */
int kd_fd_hide(int fd);
/* fd is closed: no longer kdune's. */
void kd_fd_forget(int fd);
/* Is fd one of kdune's own descriptors? */
int kd_fd_is_ours(long fd);
