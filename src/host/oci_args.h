/*
 * oci_args.h: reading a runc command line (runc 1.1's CLI, urfave/cli v1 flag rules: "-f" and
 * "--f" alike, values as "--f=V" or "--f V", "--" ends the flags) for kdune's OCI runtime.
 * Only what the runtime acts on is interpreted; every other flag and argument goes to the
 * lower runtime as it came.
 */
#ifndef KD_OCI_ARGS_H
#define KD_OCI_ARGS_H

#include <stddef.h>

enum kd_oci_kind {
	KD_OCI_OTHER,  /* passed through unchanged: state, start, kill, delete, ps, features... */
	KD_OCI_CREATE, /* create or run: the bundle's config.json is edited */
	KD_OCI_EXEC,   /* exec: the new process is prefixed */
};

struct kd_oci_argv {
	/* The runtime's own global options, taken out of args. */
	const char *lower;   /* --kdune-runtime=PATH: the lower runtime, or NULL */
	const char *options; /* --kdune-options=STRING: kdune run options, or NULL */
	/* runc's global flags (still in args). */
	const char *root, *log, *log_format;
	const char *command; /* "create", "exec", ..., or NULL when there is none (--version) */
	enum kd_oci_kind kind;
	const char *bundle;  /* create/run: --bundle/-b, NULL when absent (current directory) */
	const char *id;	     /* the container id: the command's first operand, or NULL */
	const char *process; /* exec: --process/-p FILE, or NULL */
	int exec_cmd;	     /* exec: index in args of the positional command, or -1 */
	int command_idx;     /* index in args of the command (argc when there is none) */
	int argc;	     /* args[0] is left for the lower runtime's name */
	char **args;	     /* NULL-terminated; malloc'd array of the caller's strings */
};

/* Reads argv[1..argc) (argv[0] is the program's name) into out. Returns 0, or -1 with one line
 * in err (an option of the runtime's own without its value; out of memory). On success the
 * caller frees with kd_oci_argv_free. */
int kd_oci_parse_argv(int argc, char **argv, struct kd_oci_argv *out, char *err, size_t errlen);

/* Inserts the n strings of words into a->args before index at (an exec's command). 0 or -1
 * (out of memory). The strings are the caller's and must outlive a. */
int kd_oci_argv_insert(struct kd_oci_argv *a, int at, char **words, int n);

void kd_oci_argv_free(struct kd_oci_argv *a);

#endif
