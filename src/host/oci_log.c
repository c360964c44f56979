/* oci_log.c: runc-style error lines for kdune's OCI runtime (oci_log.h). */
#include "host/oci_log.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* RFC 3339 in UTC, as logrus prints time under TZ=UTC. */
static void rfc3339(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, len, "1970-01-01T00:00:00Z");
}

/* msg quoted as Go's %q does for logrus's text formatter: \" \\ and control characters. */
static void go_quote(const char *msg, char *out, size_t len)
{
	size_t n = 0;
	if (len < 3)
		return;
	out[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)msg; *p && n + 7 < len; p++) {
		if (*p == '"' || *p == '\\')
			n += snprintf(out + n, len - n, "\\%c", *p);
		else if (*p == '\n' || *p == '\t')
			n += snprintf(out + n, len - n, "\\%c", *p == '\n' ? 'n' : 't');
		else if (*p < 0x20 || *p == 0x7f)
			n += snprintf(out + n, len - n, "\\x%02x", *p);
		else
			out[n++] = *p;
	}
	out[n++] = '"';
	out[n] = 0;
}

void kd_oci_log_line(const char *log_format, const char *msg, long long t, char *out, size_t len)
{
	char when[64], quoted[4096];
	rfc3339(t, when, sizeof(when));
	if (log_format && !strcmp(log_format, "json")) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string("error"));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(when));
		snprintf(out, len, "%s",
			 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	go_quote(msg, quoted, sizeof(quoted));
	snprintf(out, len, "time=\"%s\" level=error msg=%s", when, quoted);
}

void kd_oci_log_error(const char *log_path, const char *log_format, const char *msg)
{
	char line[8192];
	int fd = -1;
	kd_oci_log_line(log_format, msg, (long long)time(NULL), line, sizeof(line));
	if (log_path && *log_path)
		fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dprintf(fd, "%s\n", line);
		close(fd);
		fprintf(stderr, "%s\n", msg);
	} else {
		fprintf(stderr, "%s\n", line);
	}
}
