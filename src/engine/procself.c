/* procself.c: which paths name this process's own /proc files. */
#include "engine/procself.h"
#include "base/nolibc.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Which of this process's own /proc files path names, if any: "exe", "cmdline" or NULL. */
const char *kd_proc_self_file(const char *p)
{
	char own[32];
	if (strncmp(p, "/proc/", 6))
		return NULL; /* most opens: no getpid, no compare */
	int n = snprintf(own, sizeof(own), "/proc/%d/", getpid());
	const char *rest = !strncmp(p, "/proc/self/", 11)	   ? p + 11
			   : !strncmp(p, "/proc/thread-self/", 18) ? p + 18
			   : !strncmp(p, own, (size_t)n)	   ? p + n
								   : NULL;
	if (rest && (!strcmp(rest, "exe") || !strcmp(rest, "cmdline")))
		return rest;
	return NULL;
}

int kd_is_self_exe(const char *p)
{
	const char *f = kd_proc_self_file(p);
	return f && !strcmp(f, "exe");
}
