/* cli.c: the `kdune` command. */
#include "kdune.h"
#include "host/oci.h"
#include "host/options.h"
#include "engine/trace.h"
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const char usage[] =
    "Usage: kdune run [OPTIONS] -- PROGRAM [ARGS...]\n"
    "       kdune oci [RUNC GLOBAL FLAGS] COMMAND ...   (also as kdune-runtime)\n"
    "Run PROGRAM inside a KVM virtual machine; every system call it makes is executed\n"
    "by the host on its behalf. The exit status is the program's own.\n"
    "\n"
    "Options for run (they go after 'run'):\n"
    "  --trace              one strace-format line per syscall, on stderr\n"
    "  --trace=FILE         the same lines, into FILE (a name without '/' that is also a\n"
    "                       syscall name is a set, below: write ./NAME for the file)\n"
    "  --trace=SET          only the calls in SET, strace's -e trace= syntax: names and\n"
    "                       classes, comma-separated (open,read  %file  %process  %network\n"
    "                       %signal  %memory  %desc  %ipc  %creds  %clock), '!' to invert\n"
    "  --trace-summary      a table of calls, errors and time per syscall at exit\n"
    "                       (strace -c); with --trace, the lines too\n"
    "  --trace-time[=epoch] the time before each line (strace -tt; epoch: -ttt)\n"
    "  --trace-pids         [pid N] before every line from the first; it comes by itself\n"
    "                       once the program has a second thread or process\n"
    "  -v, --verbose        start-up summary: backend, memory slots, timings\n"
    "      --kvm-device=PATH  use PATH instead of /dev/kvm (fd:N: an open descriptor)\n"
    "      --exec=FILE      run FILE with ARGS as its whole argv, as execve(2) does\n"
    "                       (kdune passes it to itself when the program execs)\n"
    "      --exitless=MODE  auto, on or off (default: $KDUNE_EXITLESS, else auto):\n"
    "                       syscalls served without a VM exit (on: PVM only; auto is off\n"
    "                       until verified on a KVM machine)\n"
    "      --seccomp=PROFILE  enforce a seccomp profile (OCI or Docker/Podman JSON)\n"
    "      --net=none         no network: a new, empty network namespace\n"
    "      --rw=PATH          writes only beneath PATH (repeatable; the rest read-only)\n"
    "      --sandbox          Podman's default capabilities and seccomp profile, no\n"
    "                         network, writes only in the current directory and /tmp\n"
    "\n"
    "  -h, --help           this help\n"
    "  -V, --version        version\n"
    "\n"
    "kdune oci is an OCI runtime with runc's command line: it makes a container's\n"
    "processes run under kdune and hands every command to runc (--kdune-runtime=PATH or\n"
    "KDUNE_LOWER_RUNTIME for another), with --kdune-options=OPTS or KDUNE_OPTIONS.\n"
    "\n"
    "Environment: KDUNE_VCPU_REUSE=0 gives each thread a new vCPU (benchmarks).\n"
    "Exit status: the program's; 125 if kdune itself failed, 126 if PROGRAM cannot be\n"
    "executed, 127 if it was not found.\n";

__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "kdune: %s (try 'kdune --help')\n", what);
	return 125;
}

/* getopt's '?' or ':' for argv[optind - 1], said with the option's own spelling. */
static int bad_option(int c, char **argv)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		return bad_usage("run: option '%s' needs a value: %s=...", arg, arg);
	if (optopt && arg[0] == '-' && arg[1] != '-')
		return bad_usage("run: unknown option '-%c'", optopt);
	return bad_usage("run: unknown option '%s'", arg);
}

/* --trace[=ARG]: ARG is a set of syscalls or the trace file. Returns 0 or 125. */
static int trace_arg(struct kdune_options *o, const char *arg)
{
	o->trace = 1;
	if (!arg)
		return 0;
	int kind = kd_trace_arg_is_set(arg);
	if (kind < 0) {
		char err[512];
		struct kd_trace_config c;
		kd_trace_set_parse(arg, &c, err, sizeof(err));
		return bad_usage("run: %s", err);
	}
	if (kind == 0) {
		o->trace_path = arg;
		return 0;
	}
	if (o->trace_set)
		return bad_usage("run: --trace=%s and --trace=%s: give one set, joined with ','",
				 o->trace_set, arg);
	o->trace_set = arg;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct kdune_options o = {0};
	const char **rw = calloc((size_t)argc, sizeof(*rw)); /* --rw=PATH, each at most once */
	int c, bare_trace = 0;
	if (!rw)
		return bad_usage("out of memory");
	o.rw = rw;
	opterr = 0;
	/* '+': options stop at PROGRAM, whose own options are its business. */
	int li = -1;
	while ((c = getopt_long(argc, argv, "+:" KD_RUN_SHORT, kd_run_opts, &li)) != -1) {
		/* `--seccomp -- prog`: getopt took "--" for the value, which no option takes. */
		if (optarg && !strcmp(optarg, "--") && li >= 0)
			return bad_usage("run: option '--%s' needs a value: --%s=%s",
					 kd_run_opts[li].name, kd_run_opts[li].name,
					 kd_run_metavar(kd_run_opts[li].name));
		li = -1;
		switch (c) {
		case 't':
			if (trace_arg(&o, optarg))
				return 125;
			bare_trace = !optarg ? optind : 0;
			break;
		case 'c':
			/* =fd:N: kdune's own, carrying a summary-only trace across an execve */
			if (optarg && strncmp(optarg, "fd:", 3))
				return bad_usage("run: --trace-summary takes no value; the file is "
						 "--trace=FILE");
			o.trace_summary = 1;
			if (optarg)
				o.trace_path = optarg;
			break;
		case 'T':
			if (optarg && strcmp(optarg, "epoch"))
				return bad_usage("run: --trace-time=%s: only 'epoch' is known",
						 optarg);
			o.trace_time = optarg ? 2 : 1;
			break;
		case 'p':
			o.trace_pids = 1;
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
			return bad_option(c, argv);
		}
	}
	if (optind >= argc)
		return bad_usage("run needs a PROGRAM");
	/* `--trace out.txt -- prog`: out.txt became PROGRAM; the "--" after it gives it away. */
	if (bare_trace == optind && optind + 1 < argc && !strcmp(argv[optind + 1], "--"))
		return bad_usage("run: '--trace %s': a trace file is given as --trace=%s",
				 argv[optind], argv[optind]);
	return kdune_run(argv + optind, environ, &o);
}

int main(int argc, char **argv)
{
	/* kdune-runtime (a link to kdune) is the OCI runtime: engines give it runc's arguments. */
	const char *base = strrchr(argv[0], '/');
	if (!strcmp(base ? base + 1 : argv[0], "kdune-runtime"))
		return kd_oci_main(argc, argv);
	if (argc < 2)
		return bad_usage("missing command: kdune run [OPTIONS] -- PROGRAM [ARGS...]");
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
	if (kd_run_option(argv[1]))
		return bad_usage("'%s' is an option of run, and goes after it: kdune run %s ...",
				 argv[1], argv[1]);
	if (argv[1][0] == '-')
		return bad_usage("unknown option '%s'", argv[1]);
	if (!strcmp(argv[1], "oci"))
		return kd_oci_main(argc - 1, argv + 1);
	return bad_usage("unknown command '%s'", argv[1]);
}
