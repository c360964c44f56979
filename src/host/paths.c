/*
 * paths.c: kdune's pieces found from each other, so an installed copy works wherever it
 * was put, instead of trusting the PREFIX that was current when it was built.
 */
#include "host/paths.h"
#include <stdio.h>
#include <string.h>

int kd_kdune_beside_lib(const char *lib_path, char *out, size_t len)
{
	const char *slash = strrchr(lib_path, '/');
	if (!slash)
		return -1;
	int n = snprintf(out, len, "%.*s/../bin/kdune", (int)(slash - lib_path), lib_path);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
