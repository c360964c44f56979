/* log.h: kdune's own messages, kept apart from the target's output. */
#pragma once
#include <stdarg.h>

extern int kd_verbose;

/*
 * Where kdune's messages go: a copy of the stderr kdune started with, made by
 * kd_log_init(), so a target that closes or redirects its fd 2 neither swallows kdune's
 * lines nor receives them. 2 until then, and when fd 2 was not open at start.
 */
extern int kd_log_fd;
/* Makes the copy (once; a hidden, close-on-exec descriptor of kdune's own). */
void kd_log_init(void);

/* "kdune: ..." on kdune's stderr (kd_log_fd), one line. */
void kd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v: "kdune[PID]: ...", so the lines of each process of a target tell apart. */
void kd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Move a descriptor of kdune's own out of the target's way (high number, close-on-exec). */
int kd_fd_hide(int fd);
/* fd is closed: no longer kdune's. */
void kd_fd_forget(int fd);
/* Is fd one of kdune's own descriptors? */
int kd_fd_is_ours(long fd);
