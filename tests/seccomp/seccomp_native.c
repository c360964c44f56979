/*
 * seccomp_native: run a program natively under the confinement `kdune run` would give it,
 * for the integration tests to compare with kdune's. The same host code applies the
 * capabilities, network namespace and Landlock rules (host/sandbox.c); the seccomp profile,
 * compiled by kdune's parser, is loaded into the kernel with libseccomp (native.h), as a
 * container runtime loads it, where kdune would enforce it itself.
 *
 *   seccomp_native [--seccomp=PROFILE] [--net=none] [--rw=PATH]... [--sandbox] -- PROGRAM [ARGS...]
 *
 * Exit status: the program's; 125 when the confinement could not be applied, 127 when the
 * program cannot be executed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/sandbox.h"
#include "native.h"

static int usage(void)
{
	fprintf(stderr, "usage: seccomp_native [--seccomp=PROFILE] [--net=none] [--rw=PATH]... "
			"[--sandbox] -- PROGRAM [ARGS...]\n");
	return 125;
}

int main(int argc, char **argv)
{
	struct kdune_options o = {0};
	const char **rw = calloc((size_t)argc, sizeof(*rw));
	int i = 1;
	char err[512];
	o.rw = rw;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strncmp(argv[i], "--seccomp=", 10))
			o.seccomp = argv[i] + 10;
		else if (!strcmp(argv[i], "--net=none"))
			o.net_none = 1;
		else if (!strncmp(argv[i], "--rw=", 5))
			rw[o.nrw++] = argv[i] + 5;
		else if (!strcmp(argv[i], "--sandbox"))
			o.sandbox = 1;
		else
			return usage();
	}
	if (i + 1 >= argc)
		return usage();
	int rc = kd_sandbox_early(&o, err, sizeof(err));
	if (!rc && kd_policy && (rc = kd_test_load_native(kd_policy)))
		snprintf(err, sizeof(err), "loading the filter: %s", strerror(-rc));
	rc = rc ?: kd_sandbox_late(&o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "seccomp_native: %s\n", err);
		return 125;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "seccomp_native: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}
