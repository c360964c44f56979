/* cli.c: the `kdune` command. */
#include "kdune.h"
#include "host/oci.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

extern char **environ;

static const char usage[] =
    "Usage: kdune run [OPTIONS] -- PROGRAM [ARGS...]\n"
    "       kdune oci [RUNC GLOBAL FLAGS] COMMAND ...   (also as kdune-runtime)\n"
    "Run PROGRAM inside a KVM virtual machine; every system call it makes is executed\n"
    "by the host on its behalf. The exit status is the program's own.\n"
    "\n"
    "Options for run:\n"
    "  --trace[=FILE]       one strace-format line per syscall, to stderr or FILE\n"
    "  -v, --verbose        start-up summary: backend, memory slots, timings\n"
    "      --kvm-device=PATH  use PATH instead of /dev/kvm\n"
    "      --exitless=MODE  auto, on or off (default: $KDUNE_EXITLESS, else auto):\n"
    "                       syscalls served without a VM exit (on: PVM only; auto is off\n"
    "                       until verified on a KVM machine)\n"
    "\n"
    "  -h, --help           this help\n"
    "  -V, --version        version\n"
    "\n"
    "kdune oci is an OCI runtime with runc's command line: it makes a container's\n"
    "processes run under kdune and hands every command to runc (--kdune-runtime=PATH or\n"
    "KDUNE_LOWER_RUNTIME for another), with --kdune-options=OPTS or KDUNE_OPTIONS.\n"
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
	    {"exitless", required_argument, 0, 'x'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kdune_options o = {0};
	int c;
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
		case 'x':
			o.exitless = optarg;
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
	/* kdune-runtime (a link to kdune) is the OCI runtime: engines give it runc's arguments. */
	const char *base = strrchr(argv[0], '/');
	if (!strcmp(base ? base + 1 : argv[0], "kdune-runtime"))
		return kd_oci_main(argc, argv);
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
	if (!strcmp(argv[1], "oci"))
		return kd_oci_main(argc - 1, argv + 1);
	return bad_usage("unknown command");
}
