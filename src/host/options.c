/*
 * options.c: the meaning of kdune's command-line words, apart from getopt: run's option
 * names (for errors that name the culprit) and --trace's syscall sets (strace's -e trace=).
 */
#include "host/options.h"
#include "host/trace_classes.h"
#include "engine/trace.h"
#include "kdune.h"
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Every option of `kdune run`, for getopt_long (cli.c) and for naming a misplaced one. val is
 * the short letter for -v and -h (KD_RUN_SHORT), otherwise a code cli.c switches on.
 */
const struct option kd_run_opts[] = {
    {"trace", optional_argument, 0, 't'},
    {"trace-summary", optional_argument, 0, 'c'},
    {"trace-time", optional_argument, 0, 'T'},
    {"trace-pids", no_argument, 0, 'p'},
    {"verbose", no_argument, 0, 'v'},
    {"kvm-device", required_argument, 0, 'k'},
    {"exec", required_argument, 0, 'e'},
    {"exitless", required_argument, 0, 'x'},
    {"seccomp", required_argument, 0, 's'},
    {"net", required_argument, 0, 'n'},
    {"rw", required_argument, 0, 'w'},
    {"sandbox", no_argument, 0, 'S'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

const char *kd_run_option(const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	if (arg[1] != '-') {
		for (const struct option *o = kd_run_opts; o->name; o++)
			if (arg[1] && arg[1] == o->val && strchr(KD_RUN_SHORT, o->val) && !arg[2])
				return o->name;
		return NULL;
	}
	size_t len = strcspn(arg + 2, "=");
	for (const struct option *o = kd_run_opts; o->name; o++)
		if (strlen(o->name) == len && !strncmp(arg + 2, o->name, len))
			return o->name;
	return NULL;
}

const char *kd_run_metavar(const char *name)
{
	static const char *const names[][2] = {
	    {"kvm-device", "PATH"}, {"exec", "FILE"}, {"exitless", "MODE"},
	    {"seccomp", "PROFILE"}, {"net", "none"},  {"rw", "PATH"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i][0]))
			return names[i][1];
	return "VALUE";
}

/* The syscall number of an x86-64 name, or -1. */
static int syscall_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
	return nr >= 0 && nr < KD_SYSCALL_NAMES ? nr : -1;
}

/* One item of a set: calls fn(nr) for each syscall it names. Returns 0, or -1 if unknown. */
static int each_in_item(const char *item, void (*fn)(int nr, void *ctx), void *ctx)
{
	if (!strcmp(item, "all") || !strcmp(item, "none")) {
		for (int nr = 0; nr < KD_SYSCALL_NAMES && item[0] == 'a'; nr++)
			fn(nr, ctx);
		return 0;
	}
	if (item[0] == '%') {
		const char *const *names = kd_trace_class(item + 1);
		if (!names)
			return -1;
		for (; *names; names++) {
			int nr = syscall_nr(*names);
			if (nr >= 0)
				fn(nr, ctx);
		}
		return 0;
	}
	int nr = syscall_nr(item);
	if (nr < 0)
		return -1;
	fn(nr, ctx);
	return 0;
}

static void ignore(int nr, void *ctx)
{
}

static void set_bit(int nr, void *ctx)
{
	uint64_t *set = ctx;
	set[nr / 64] |= 1ULL << (nr % 64);
}

/*
 * Calls fn for every syscall the comma-separated list names; *negate says it started
 * with '!'. Returns 0, or -1 with the first unknown item copied into bad.
 */
static int each_in_set(const char *spec, int *negate, void (*fn)(int, void *), void *ctx, char *bad,
		       size_t badlen)
{
	*negate = spec[0] == '!';
	const char *p = spec + *negate;
	if (!*p) {
		snprintf(bad, badlen, "%s", spec);
		return -1;
	}
	while (*p) {
		char item[128];
		size_t len = strcspn(p, ",");
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		if (len == 0 || len >= sizeof(item) || each_in_item(item, fn, ctx)) {
			snprintf(bad, badlen, "%.*s", (int)len, p);
			return -1;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

int kd_trace_arg_is_set(const char *arg)
{
	char bad[128];
	int negate;
	if (!arg || !*arg || strchr(arg, '/'))
		return 0;
	if (each_in_set(arg, &negate, ignore, NULL, bad, sizeof(bad)) == 0)
		return 1;
	/* A list, a class or a negation cannot be a file name anyone meant. */
	return strpbrk(arg, ",%!") ? -1 : 0;
}

int kd_trace_set_parse(const char *spec, struct kd_trace_config *c, char *err, size_t errlen)
{
	uint64_t set[KD_SYSCALL_NAMES / 64] = {0};
	char bad[128];
	int negate;
	if (each_in_set(spec, &negate, set_bit, set, bad, sizeof(bad))) {
		snprintf(err, errlen,
			 "--trace=%s: '%s' is neither a syscall nor a class such as %%file "
			 "(strace's -e trace= names)",
			 spec, bad);
		return -1;
	}
	for (size_t i = 0; i < KD_SYSCALL_NAMES / 64; i++)
		c->set[i] |= negate ? ~set[i] : set[i];
	c->filtered = 1;
	return 0;
}

int kd_trace_configure(const struct kdune_options *o, struct kd_trace_config *c, char *err,
		       size_t errlen)
{
	static char set_opt[4200];
	int n = 0;
	c->lines = o->trace;
	c->pids = o->trace_pids;
	c->summary = o->trace_summary;
	c->time = o->trace_time == 2 ? KD_TRACE_TIME_EPOCH
		  : o->trace_time    ? KD_TRACE_TIME_CLOCK
				     : KD_TRACE_TIME_NONE;
	if (c->time == KD_TRACE_TIME_CLOCK) {
		time_t now = time(NULL);
		struct tm tm;
		c->utc_offset = localtime_r(&now, &tm) ? tm.tm_gmtoff : 0;
	}
	if (o->trace_set) {
		if (kd_trace_set_parse(o->trace_set, c, err, errlen))
			return -1;
		snprintf(set_opt, sizeof(set_opt), "--trace=%s", o->trace_set);
		c->again[n++] = set_opt;
	}
	if (c->time)
		c->again[n++] =
		    c->time == KD_TRACE_TIME_EPOCH ? "--trace-time=epoch" : "--trace-time";
	return 0;
}
