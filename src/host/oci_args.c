/* oci_args.c: runc's command line as kdune's OCI runtime needs it (oci_args.h). */
#include "host/oci_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Flags that take a value, from `runc --help` and `runc CMD --help` (runc 1.1). A flag not
 * listed is taken as boolean, which is right for all other runc flags. */
static const char *const global_values[] = {"root",	"log",		 "log-format",	  "criu",
					    "rootless", "kdune-runtime", "kdune-options", NULL};
static const char *const create_values[] = {"bundle",	    "b", "console-socket", "pid-file",
					    "preserve-fds", NULL};
static const char *const exec_values[] = {"console-socket",
					  "cwd",
					  "env",
					  "e",
					  "user",
					  "u",
					  "additional-gids",
					  "g",
					  "process",
					  "p",
					  "pid-file",
					  "process-label",
					  "apparmor",
					  "cap",
					  "c",
					  "preserve-fds",
					  "cgroup",
					  NULL};

static int listed(const char *const *list, const char *name, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(*list, name, len))
			return 1;
	return 0;
}

/* One flag at argv[*i]: its name (dashes stripped, up to '=') and value. Moves *i past the
 * value when it is the next word. 0, or -1 when a value flag ends the line. */
struct flag {
	const char *name;
	size_t len;
	const char *value;
};

static int read_flag(int argc, char **argv, int *i, const char *const *values, struct flag *f)
{
	const char *s = argv[*i] + (argv[*i][1] == '-' ? 2 : 1), *eq = strchr(s, '=');
	f->name = s;
	f->len = eq ? (size_t)(eq - s) : strlen(s);
	f->value = eq ? eq + 1 : NULL;
	if (eq || !listed(values, s, f->len))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	f->value = argv[++*i];
	return 0;
}

static int is_flag(const char *s)
{
	return s[0] == '-' && s[1] && strcmp(s, "--");
}

static int is(const struct flag *f, const char *name)
{
	return strlen(name) == f->len && !strncmp(f->name, name, f->len);
}

static void keep(struct kd_oci_argv *a, char *s)
{
	a->args[a->argc++] = s;
}

/* Global flags up to the command; the runtime's own are dropped from args. */
static int parse_globals(int argc, char **argv, int *i, struct kd_oci_argv *a, char *err,
			 size_t errlen)
{
	struct flag f;
	for (; *i < argc && is_flag(argv[*i]); ++*i) {
		int first = *i;
		if (read_flag(argc, argv, i, global_values, &f)) {
			snprintf(err, errlen, "flag needs an argument: %s", argv[first]);
			return -1;
		}
		if (is(&f, "kdune-runtime") || is(&f, "kdune-options")) {
			*(is(&f, "kdune-runtime") ? &a->lower : &a->options) = f.value;
			continue;
		}
		a->root = is(&f, "root") ? f.value : a->root;
		a->log = is(&f, "log") ? f.value : a->log;
		a->log_format = is(&f, "log-format") ? f.value : a->log_format;
		for (int k = first; k <= *i; k++)
			keep(a, argv[k]);
	}
	if (*i < argc && !strcmp(argv[*i], "--"))
		keep(a, argv[(*i)++]);
	return 0;
}

/* create/run: flags may follow the id (urfave/cli reorders them), up to a "--". */
static void parse_create(int argc, char **argv, int i, struct kd_oci_argv *a)
{
	struct flag f;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!is_flag(argv[i])) {
			a->id = a->id ? a->id : argv[i];
			continue;
		}
		if (read_flag(argc, argv, &i, create_values, &f) == 0 &&
		    (is(&f, "bundle") || is(&f, "b")))
			a->bundle = f.value;
	}
	if (!a->id && i + 1 < argc)
		a->id = argv[i + 1];
}

/* exec: flags stop at the id (runc sets SkipArgReorder); what follows is the command. */
static void parse_exec(int argc, char **argv, int i, int dropped, struct kd_oci_argv *a)
{
	struct flag f;
	for (; i < argc && is_flag(argv[i]); i++)
		if (read_flag(argc, argv, &i, exec_values, &f) == 0 &&
		    (is(&f, "process") || is(&f, "p")))
			a->process = f.value;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i < argc)
		a->id = argv[i++];
	/* args mirrors argv from the command on, less the runtime's own flags before it. */
	a->exec_cmd = i < argc ? i - dropped : -1;
}

int kd_oci_parse_argv(int argc, char **argv, struct kd_oci_argv *a, char *err, size_t errlen)
{
	int i = 1;
	memset(a, 0, sizeof(*a));
	a->exec_cmd = -1;
	/* + 1 for args[0], + 1 for the NULL; kd_oci_argv_insert grows it later. */
	if (!(a->args = calloc(argc + 2, sizeof(char *)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->argc = 1;
	if (parse_globals(argc, argv, &i, a, err, errlen)) {
		kd_oci_argv_free(a);
		return -1;
	}
	a->command_idx = a->argc;
	int dropped = i - a->argc;
	for (int k = i; k < argc; k++)
		keep(a, argv[k]);
	if (i >= argc)
		return 0;
	a->command = argv[i];
	if (!strcmp(a->command, "create") || !strcmp(a->command, "run")) {
		a->kind = KD_OCI_CREATE;
		parse_create(argc, argv, i + 1, a);
	} else if (!strcmp(a->command, "exec")) {
		a->kind = KD_OCI_EXEC;
		parse_exec(argc, argv, i + 1, dropped, a);
	}
	return 0;
}

int kd_oci_argv_insert(struct kd_oci_argv *a, int at, char **words, int n)
{
	char **args = realloc(a->args, (a->argc + n + 1) * sizeof(char *));
	if (!args)
		return -1;
	memmove(args + at + n, args + at, (a->argc - at + 1) * sizeof(char *));
	memcpy(args + at, words, n * sizeof(char *));
	a->args = args;
	a->argc += n;
	return 0;
}

void kd_oci_argv_free(struct kd_oci_argv *a)
{
	free(a->args);
	a->args = NULL;
}
