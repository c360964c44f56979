/*
 * options.h: what kdune's command line means, apart from getopt itself: which words are
 * options of `run`, whether a --trace argument is a syscall set or a file, and the set.
 */
#pragma once
#include <getopt.h>
#include <stddef.h>

/* `kdune run`'s options (getopt_long's table, ending in zeros), and its short ones. */
extern const struct option kd_run_opts[];
#define KD_RUN_SHORT "vh"
/* What an option's value is called in --help ("PATH" for kvm-device), "VALUE" if unnamed. */
const char *kd_run_metavar(const char *name);

struct kd_trace_config;

/*
 * The option of `kdune run` that arg names ("-v", "--trace", "--trace=x", "--verbose"),
 * as its long name without dashes ("verbose"), or NULL when arg is not one. For
 * `kdune -v run`, which puts a run option before the command.
 */
const char *kd_run_option(const char *arg);

/*
 * Does the text after "--trace=" select syscalls rather than name a file? It does when
 * every comma-separated item (each may start with '!') is "all", "none", a %class or a
 * syscall name libseccomp knows for x86-64. A file called like a syscall is given as
 * ./NAME. Returns 1 (a set), 0 (a file), or -1: a set with an item that is neither (any
 * text with ',', '%' or '!' and no '/'); kd_trace_set_parse then names the item.
 */
int kd_trace_arg_is_set(const char *arg);

/*
 * Adds the set in spec to c->set, in strace's -e trace= syntax (strace(1), "Filtering"):
 * comma-separated syscall names and classes (%file, %process, %network (%net), %signal,
 * %memory, %desc, %ipc, %creds, %clock), "all", "none"; a leading '!' selects every
 * call except those. Classes are strace's own lists for x86-64 (trace_classes.c).
 * Returns 0, or -1 with a one-line reason in err (errlen bytes) naming the unknown item.
 */
int kd_trace_set_parse(const char *spec, struct kd_trace_config *c, char *err, size_t errlen);

struct kdune_options;

/*
 * The engine's trace configuration from the options: the set (kd_trace_set_parse), lines
 * (--trace), summary, timestamps with this machine's current UTC offset, and the options
 * to give again to the kdune that runs an exec'd program. Returns 0, or -1 with a reason.
 */
int kd_trace_configure(const struct kdune_options *o, struct kd_trace_config *c, char *err,
		       size_t errlen);
