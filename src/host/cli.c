/* cli.c: the `kdune` command. */
#include "kdune.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const char usage[] =
    "Usage: kdune run [OPTIONS] -- PROGRAM [ARGS...]\n"
    "Run PROGRAM inside a KVM virtual machine; every system call it makes is executed\n"
    "by the host on its behalf. The exit status is the program's own.\n"
    "\n"
    "Options for run:\n"
    "  --trace[=FILE]       one strace-format line per syscall, to stderr or FILE\n"
    "  -v, --verbose        start-up summary: backend, memory slots, timings\n"
    "      --kvm-device=PATH  use PATH instead of /dev/kvm\n"
    "      --seccomp=PROFILE  enforce a seccomp profile (OCI or Docker/Podman JSON)\n"
    "      --net=none         no network: a new, empty network namespace\n"
    "      --rw=PATH          writes only beneath PATH (repeatable; the rest read-only)\n"
    "      --sandbox          Podman's default capabilities and seccomp profile, no\n"
    "                         network, writes only in the current directory and /tmp\n"
    "\n"
    "  -h, --help           this help\n"
    "  -V, --version        version\n"
    "\n"
    "Exit status: the program's; 125 if kdune itself failed, 126 if PROGRAM cannot be\n"
    "executed, 127 if it was not found.\n";

static int bad_usage(const char *what)
{
	fprintf(stderr, "kdune: %s (try 'kdune --help')\n", what);
	return 125;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"trace", optional_argument, 0, 't'},
	    {"verbose", no_argument, 0, 'v'},
	    {"kvm-device", required_argument, 0, 'k'},
	    {"exec", required_argument, 0, 'e'},
	    {"seccomp", required_argument, 0, 's'},
	    {"net", required_argument, 0, 'n'},
	    {"rw", required_argument, 0, 'w'},
	    {"sandbox", no_argument, 0, 'S'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kdune_options o = {0};
	const char **rw = calloc((size_t)argc, sizeof(*rw)); /* --rw=PATH, each at most once */
	int c;
	if (!rw)
		return bad_usage("out of memory");
	o.rw = rw;
	opterr = 0;
	/* '+': options stop at PROGRAM, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.trace = 1;
			o.trace_path = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'k':
			o.kvm_device = optarg;
			break;
		case 'e':
			o.exec_path = optarg;
			break;
		case 's':
			o.seccomp = optarg;
			break;
		case 'n':
			if (strcmp(optarg, "none"))
				return bad_usage("--net takes only 'none'");
			o.net_none = 1;
			break;
		case 'w':
			rw[o.nrw++] = optarg;
			break;
		case 'S':
			o.sandbox = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return bad_usage("unknown option for run");
		}
	}
	if (optind >= argc)
		return bad_usage("run needs a PROGRAM");
	return kdune_run(argv + optind, environ, &o);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad_usage("missing command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("kdune %s\n", kdune_version());
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	return bad_usage("unknown command");
}
