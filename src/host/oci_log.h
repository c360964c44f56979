/* oci_log.h: errors of kdune's OCI runtime, reported the way runc reports its own. */
#ifndef KD_OCI_LOG_H
#define KD_OCI_LOG_H

#include <stddef.h>

/*
 * Reports msg as runc 1.1 reports a failed command (main.go fatal()): one logrus line at level
 * "error", in log_format ("json": {"level","msg","time"}; anything else: logrus's text form,
 * time="..." level=error msg="..."), appended to the file log_path (runc's --log), plus msg
 * alone on stderr. With no log_path the logrus line goes to stderr instead. containerd's
 * shim and conmon read the --log file, not stderr, to say why a container failed.
 */
void kd_oci_log_error(const char *log_path, const char *log_format, const char *msg);

/* The logrus line for msg at time t (seconds since the epoch, shown in UTC), without the
 * newline, in out[len]. Exposed for the unit tests. */
void kd_oci_log_line(const char *log_format, const char *msg, long long t, char *out, size_t len);

#endif
