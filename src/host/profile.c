/*
 * profile.c: a seccomp profile (OCI runtime-spec linux.seccomp, or Docker/Podman's format)
 * read with json-c, syscall names resolved with libseccomp, compiled into the engine's
 * table (engine/policy.h). Host code: it runs before the target starts.
 */
#include "host/profile.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The parse in progress: where errors go and the table being built. */
struct ctx {
	const struct kd_profile_env *env;
	struct kd_policy *p;
	uint32_t cap; /* rules allocated */
	char *err;
	size_t errlen;
	char where[96]; /* the syscalls[] entry being read, for messages */
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen) {
		snprintf(c->err, c->errlen, "%s%s%s", c->where, c->where[0] ? ": " : "", msg);
		/* Names quoted from the profile may hold control characters: one line, always. */
		for (char *p = c->err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -1;
}

/* Linux's capability names, by number (linux/capability.h). */
static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

/* Does the program have the capability named s ("CAP_SYS_ADMIN")? Unknown: no. */
static int has_cap(const struct kd_profile_env *env, const char *s)
{
	if (strncmp(s, "CAP_", 4))
		return 0;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (!strcmp(s + 4, cap_names[i]))
			return (env->caps >> i) & 1;
	return 0;
}

void kd_profile_env_here(struct kd_profile_env *env)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	struct utsname u;
	*env = (struct kd_profile_env){.arch = "amd64"};
	if (syscall(SYS_capget, &h, d) == 0)
		env->caps = d[0].effective | (uint64_t)d[1].effective << 32;
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &env->kmajor, &env->kminor) != 2)
		env->kmajor = env->kminor = 0;
}

/* Member key of o, of JSON type t, or NULL if absent or null. Wrong type: -1 via *bad. */
static json_object *member(struct ctx *c, json_object *o, const char *key, json_type t, int *bad)
{
	json_object *m;
	if (!json_object_object_get_ex(o, key, &m) || json_object_is_type(m, json_type_null))
		return NULL;
	if (!json_object_is_type(m, t)) {
		*bad = fail(c, "\"%s\" must be %s", key,
			    t == json_type_string   ? "a string"
			    : t == json_type_array  ? "an array"
			    : t == json_type_object ? "an object"
						    : "a number");
		return NULL;
	}
	return m;
}

/* An unsigned integer of at most max; 0 or -1. */
static int get_uint(struct ctx *c, json_object *o, const char *key, uint64_t max, uint64_t *v,
		    int *present)
{
	int bad = 0;
	json_object *m = member(c, o, key, json_type_int, &bad);
	*present = m != NULL;
	if (!m)
		return bad;
	errno = 0;
	/* json-c keeps values above INT64_MAX as unsigned; negative ones stay signed. */
	if (json_object_get_int64(m) < 0 || errno)
		return fail(c, "\"%s\" must not be negative", key);
	*v = json_object_get_uint64(m);
	if (*v > max)
		return fail(c, "\"%s\" is out of range (at most %llu)", key,
			    (unsigned long long)max);
	return 0;
}

/*
 * "SCMP_ACT_*" with its data as the kernel's return value, as runc builds it: errnoRet
 * (EPERM without one) for ERRNO and TRACE, no data for the others. libseccomp refuses an
 * ERRNO of MAX_ERRNO (4095) or more, and so does this.
 */
static int parse_action(struct ctx *c, const char *s, int has_ret, uint64_t ret, uint32_t *act)
{
	uint32_t errno_data = has_ret ? (uint32_t)ret : EPERM;
	if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_THREAD"))
		*act = KD_RET_KILL_THREAD;
	else if (!strcmp(s, "SCMP_ACT_KILL_PROCESS"))
		*act = KD_RET_KILL_PROCESS;
	else if (!strcmp(s, "SCMP_ACT_TRAP"))
		*act = KD_RET_TRAP;
	else if (!strcmp(s, "SCMP_ACT_ERRNO") && errno_data >= 4095)
		return fail(c, "errnoRet %u is not below 4095 (MAX_ERRNO)", errno_data);
	else if (!strcmp(s, "SCMP_ACT_ERRNO"))
		*act = KD_RET_ERRNO | errno_data;
	else if (!strcmp(s, "SCMP_ACT_TRACE"))
		*act = KD_RET_TRACE | errno_data;
	else if (!strcmp(s, "SCMP_ACT_LOG"))
		*act = KD_RET_LOG;
	else if (!strcmp(s, "SCMP_ACT_ALLOW"))
		*act = KD_RET_ALLOW;
	else if (!strcmp(s, "SCMP_ACT_NOTIFY"))
		return fail(c, "SCMP_ACT_NOTIFY is not supported: kdune has no listener to hand "
			       "calls to");
	else
		return fail(c, "unknown action \"%s\"", s);
	return 0;
}

/* "action" and "errnoRet" of o (the profile itself for the default: "defaultAction"...). */
static int get_action(struct ctx *c, json_object *o, const char *akey, const char *rkey,
		      uint32_t *act)
{
	int bad = 0, has_ret;
	uint64_t ret = 0;
	json_object *a = member(c, o, akey, json_type_string, &bad);
	if (bad || get_uint(c, o, rkey, 0xffff, &ret, &has_ret))
		return -1;
	if (!a)
		return fail(c, "\"%s\" is missing", akey);
	return parse_action(c, json_object_get_string(a), has_ret, ret, act);
}

static const char *const op_names[] = {NULL,	      "SCMP_CMP_NE",	   "SCMP_CMP_LT",
				       "SCMP_CMP_LE", "SCMP_CMP_EQ",	   "SCMP_CMP_GE",
				       "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

static int parse_arg(struct ctx *c, json_object *o, struct kd_policy_arg *arg)
{
	uint64_t idx = 0;
	int has, bad = 0;
	if (!json_object_is_type(o, json_type_object))
		return fail(c, "each of \"args\" must be an object");
	*arg = (struct kd_policy_arg){0};
	if (get_uint(c, o, "index", 5, &idx, &has) ||
	    get_uint(c, o, "value", UINT64_MAX, &arg->value, &has) ||
	    get_uint(c, o, "valueTwo", UINT64_MAX, &arg->value2, &has))
		return -1;
	arg->index = (uint32_t)idx;
	json_object *op = member(c, o, "op", json_type_string, &bad);
	if (bad)
		return -1;
	for (uint32_t i = KD_CMP_NE; op && i <= KD_CMP_MASKED_EQ; i++)
		if (!strcmp(json_object_get_string(op), op_names[i]))
			arg->op = i;
	if (!arg->op)
		return op ? fail(c, "unknown operator \"%s\"", json_object_get_string(op))
			  : fail(c, "\"op\" is missing");
	return 0;
}

/* A list of strings (caps, arches, names): each must be a string. */
static int each_string(struct ctx *c, json_object *arr, const char *key)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (!json_object_is_type(json_object_array_get_idx(arr, i), json_type_string))
			return fail(c, "each of \"%s\" must be a string", key);
	return 0;
}

static int in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return 1;
	return 0;
}

/* minKernel "MAJOR.MINOR" against the running kernel: 1 if it is at least that. */
static int kernel_at_least(struct ctx *c, const char *s, int *yes)
{
	int maj, min, n = 0;
	if (sscanf(s, "%d.%d%n", &maj, &min, &n) != 2 || s[n] || maj < 0 || min < 0)
		return fail(c, "minKernel \"%s\" is not MAJOR.MINOR", s);
	*yes = c->env->kmajor > maj || (c->env->kmajor == maj && c->env->kminor >= min);
	return 0;
}

/*
 * includes/excludes, as moby and containers/common filter a profile before runc sees it:
 * an entry applies when every included cap is held, this arch is among the included ones,
 * the kernel is at least minKernel, and nothing excluded holds. *applies: 1 or 0.
 */
static int filter_part(struct ctx *c, json_object *o, const char *key, int include, int *applies)
{
	int bad = 0, yes = 1;
	json_object *f = member(c, o, key, json_type_object, &bad);
	json_object *caps = f ? member(c, f, "caps", json_type_array, &bad) : NULL;
	json_object *arches = f ? member(c, f, "arches", json_type_array, &bad) : NULL;
	json_object *mk = f ? member(c, f, "minKernel", json_type_string, &bad) : NULL;
	if (bad || each_string(c, caps, "caps") || each_string(c, arches, "arches"))
		return -1;
	if (mk && kernel_at_least(c, json_object_get_string(mk), &yes))
		return -1;
	if (include) {
		for (size_t i = 0; caps && i < json_object_array_length(caps); i++)
			if (!has_cap(c->env,
				     json_object_get_string(json_object_array_get_idx(caps, i))))
				*applies = 0;
		if (arches && json_object_array_length(arches) && !in_list(arches, c->env->arch))
			*applies = 0;
		if (mk && !yes)
			*applies = 0;
	} else {
		for (size_t i = 0; caps && i < json_object_array_length(caps); i++)
			if (has_cap(c->env,
				    json_object_get_string(json_object_array_get_idx(caps, i))))
				*applies = 0;
		if (in_list(arches, c->env->arch))
			*applies = 0;
		if (mk && yes)
			*applies = 0;
	}
	return 0;
}

static int add_rule(struct ctx *c, const struct kd_policy_rule *r)
{
	if (c->p->nrules == c->cap) {
		if (c->cap >= KD_POLICY_MAX_RULES)
			return fail(c, "more than %d rules", KD_POLICY_MAX_RULES);
		uint32_t n = c->cap ? c->cap * 2 : 64;
		struct kd_policy *p = realloc(c->p, kd_policy_size(n));
		if (!p)
			return fail(c, "out of memory");
		c->p = p;
		c->cap = n;
	}
	c->p->rules[c->p->nrules++] = *r;
	return 0;
}

/*
 * The rules for one syscall number. Two conditions on one argument cannot be ANDed by
 * libseccomp, so runc adds each condition as a rule of its own: so does this.
 */
static int add_rules(struct ctx *c, int nr, uint32_t act, const struct kd_policy_arg *args,
		     uint32_t nargs)
{
	int dup = 0;
	for (uint32_t i = 0; i < nargs; i++)
		for (uint32_t j = 0; j < i; j++)
			dup |= args[i].index == args[j].index;
	struct kd_policy_rule r = {.nr = nr, .action = act, .nargs = dup ? 1 : nargs};
	for (uint32_t i = 0; i < (dup ? nargs : 1); i++) {
		if (dup)
			r.args[0] = args[i];
		else
			memcpy(r.args, args, nargs * sizeof(*args));
		if (add_rule(c, &r))
			return -1;
	}
	return 0;
}

/* x86-64's number for a name; negative (and said with note) when there is none. */
static int resolve(struct ctx *c, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
	if (nr < 0 && c->env->note)
		c->env->note(c->env->ctx, name);
	return nr;
}

static int parse_args(struct ctx *c, json_object *o, struct kd_policy_arg *args, uint32_t *n)
{
	int bad = 0;
	json_object *arr = member(c, o, "args", json_type_array, &bad);
	*n = 0;
	if (bad)
		return -1;
	size_t len = arr ? json_object_array_length(arr) : 0;
	if (len > KD_POLICY_MAX_ARGS)
		return fail(c, "more than %d \"args\"", KD_POLICY_MAX_ARGS);
	for (size_t i = 0; i < len; i++)
		if (parse_arg(c, json_object_array_get_idx(arr, i), &args[i]))
			return -1;
	*n = (uint32_t)len;
	return 0;
}

/* One entry of syscalls[]: its names, each with the same action and conditions. */
static int parse_syscall(struct ctx *c, json_object *o)
{
	int bad = 0, applies = 1;
	uint32_t act, nargs;
	struct kd_policy_arg args[KD_POLICY_MAX_ARGS];
	if (!json_object_is_type(o, json_type_object))
		return fail(c, "must be an object");
	json_object *names = member(c, o, "names", json_type_array, &bad);
	json_object *name = member(c, o, "name", json_type_string, &bad);
	if (bad || each_string(c, names, "names") || get_action(c, o, "action", "errnoRet", &act) ||
	    parse_args(c, o, args, &nargs) || filter_part(c, o, "excludes", 0, &applies) ||
	    filter_part(c, o, "includes", 1, &applies))
		return -1;
	if (!names && !name)
		return fail(c, "\"names\" is missing");
	/* A rule that says what the default says changes nothing (and libseccomp refuses it). */
	if (!applies || act == c->p->default_action)
		return 0;
	size_t n = names ? json_object_array_length(names) : 0;
	for (size_t i = 0; i <= n; i++) {
		json_object *s = i < n ? json_object_array_get_idx(names, i) : name;
		int nr = s ? resolve(c, json_object_get_string(s)) : -1;
		if (nr >= 0 && add_rules(c, nr, act, args, nargs))
			return -1;
		/* x32's number for the same name, as libseccomp adds it to an x32 filter. */
		int x32 = s && (c->p->flags & KD_POLICY_X32)
			      ? seccomp_syscall_resolve_name_arch(SCMP_ARCH_X32,
								  json_object_get_string(s))
			      : -1;
		if (x32 >= 0 && add_rules(c, x32, act, args, nargs))
			return -1;
	}
	return 0;
}

/* An architecture name as profiles write it ("SCMP_ARCH_X86_64"): known to libseccomp? */
static int check_arch(struct ctx *c, json_object *s)
{
	char lower[64];
	const char *n = json_object_get_string(s);
	if (!json_object_is_type(s, json_type_string))
		return fail(c, "architectures must be strings");
	if (strncmp(n, "SCMP_ARCH_", 10) || strlen(n + 10) >= sizeof(lower))
		return fail(c, "unknown architecture \"%.64s\"", n);
	size_t i = 0;
	for (; n[10 + i]; i++)
		lower[i] =
		    (char)(n[10 + i] >= 'A' && n[10 + i] <= 'Z' ? n[10 + i] + 32 : n[10 + i]);
	lower[i] = 0;
	if (!seccomp_arch_resolve_name(lower))
		return fail(c, "unknown architecture \"%.64s\"", n);
	return 0;
}

/* Does the JSON array hold the string s? */
static int has_string(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (json_object_is_type(e, json_type_string) &&
		    !strcmp(json_object_get_string(e), s))
			return 1;
	}
	return 0;
}

/*
 * architectures[] and archMap[]: checked; x86-64's numbers are always in force (libseccomp
 * adds the native architecture to every filter), and x32's when the profile lists it, in
 * architectures or among x86-64's subArchitectures in archMap (as moby reads archMap).
 */
static int parse_arches(struct ctx *c, json_object *root)
{
	int bad = 0;
	json_object *arr = member(c, root, "architectures", json_type_array, &bad);
	json_object *map = member(c, root, "archMap", json_type_array, &bad);
	for (size_t i = 0; !bad && arr && i < json_object_array_length(arr); i++)
		bad = check_arch(c, json_object_array_get_idx(arr, i));
	for (size_t i = 0; !bad && map && i < json_object_array_length(map); i++) {
		json_object *e = json_object_array_get_idx(map, i), *sub;
		if (!json_object_is_type(e, json_type_object))
			return fail(c, "each of \"archMap\" must be an object");
		json_object *a = member(c, e, "architecture", json_type_string, &bad);
		sub = bad ? NULL : member(c, e, "subArchitectures", json_type_array, &bad);
		if (!bad && a)
			bad = check_arch(c, a);
		for (size_t j = 0; !bad && sub && j < json_object_array_length(sub); j++)
			bad = check_arch(c, json_object_array_get_idx(sub, j));
		if (!bad && a && !strcmp(json_object_get_string(a), "SCMP_ARCH_X86_64") &&
		    has_string(sub, "SCMP_ARCH_X32"))
			c->p->flags |= KD_POLICY_X32;
	}
	if (has_string(arr, "SCMP_ARCH_X32"))
		c->p->flags |= KD_POLICY_X32;
	return bad ? -1 : 0;
}

/* flags[] (OCI): the seccomp(2) filter flags; none changes what a call gets here. */
static int parse_flags(struct ctx *c, json_object *root)
{
	static const char *const known[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
	int bad = 0;
	json_object *arr = member(c, root, "flags", json_type_array, &bad);
	if (bad || each_string(c, arr, "flags"))
		return -1;
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(arr, i));
		size_t k = 0;
		while (k < 4 && strcmp(f, known[k]))
			k++;
		if (k == 4)
			return fail(c, "unknown flag \"%.64s\"", f);
	}
	return 0;
}

/* Stable order by number: a rule's place among those of its syscall is kept. */
static int by_number(const void *x, const void *y)
{
	const struct kd_policy_rule *a = x, *b = y;
	if (a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	return a->pad < b->pad ? -1 : a->pad > b->pad;
}

static void sort_rules(struct kd_policy *p)
{
	for (uint32_t i = 0; i < p->nrules; i++)
		p->rules[i].pad = i;
	qsort(p->rules, p->nrules, sizeof(p->rules[0]), by_number);
	for (uint32_t i = 0; i < p->nrules; i++)
		p->rules[i].pad = 0;
}

/*
 * What libseccomp makes of several rules for one syscall when one has no condition: the
 * first such rule decides every call of that syscall, and every other rule for it is
 * dropped, whichever order they came in (measured against the kernel:
 * test_policy_kernel_unconditional). On the sorted table: one pass per number's rules,
 * which are in profile order.
 */
static void keep_first_unconditional(struct kd_policy *p)
{
	uint32_t out = 0;
	for (uint32_t i = 0, end; i < p->nrules; i = end) {
		uint32_t first = UINT32_MAX;
		for (end = i; end < p->nrules && p->rules[end].nr == p->rules[i].nr; end++)
			if (p->rules[end].nargs == 0 && first == UINT32_MAX)
				first = end;
		for (uint32_t r = i; r < end; r++)
			if (first == UINT32_MAX || r == first)
				p->rules[out++] = p->rules[r];
	}
	p->nrules = out;
}

static int parse_root(struct ctx *c, json_object *root)
{
	int bad = 0;
	json_object *linux_ = member(c, root, "linux", json_type_object, &bad);
	/* A whole OCI config.json: its linux.seccomp. */
	if (linux_ && !(root = member(c, linux_, "seccomp", json_type_object, &bad)))
		return bad ? -1 : fail(c, "\"linux\" has no \"seccomp\"");
	if (!json_object_is_type(root, json_type_object))
		return fail(c, "the profile must be a JSON object");
	if (get_action(c, root, "defaultAction", "defaultErrnoRet", &c->p->default_action) ||
	    parse_arches(c, root) || parse_flags(c, root))
		return -1;
	json_object *calls = member(c, root, "syscalls", json_type_array, &bad);
	if (bad)
		return -1;
	for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
		snprintf(c->where, sizeof(c->where), "syscalls[%zu]", i);
		if (parse_syscall(c, json_object_array_get_idx(calls, i)))
			return -1;
	}
	c->where[0] = 0;
	sort_rules(c->p);
	keep_first_unconditional(c->p);
	return 0;
}

int kd_profile_parse(const char *text, size_t len, const struct kd_profile_env *env,
		     struct kd_policy **out, char *err, size_t errlen)
{
	struct ctx c = {.env = env, .err = err, .errlen = errlen};
	*out = NULL;
	if (len > INT32_MAX)
		return fail(&c, "the profile is too large");
	json_tokener *tok = json_tokener_new();
	c.p = tok ? calloc(1, kd_policy_size(0)) : NULL;
	if (!c.p) {
		json_tokener_free(tok);
		return fail(&c, "out of memory");
	}
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	/* Only white space may follow the one JSON value. */
	size_t end = json_tokener_get_parse_end(tok);
	while (root && end < len && strchr(" \t\r\n", text[end]) && text[end])
		end++;
	int rc = !root || e != json_tokener_success
		     ? fail(&c, "invalid JSON: %s",
			    json_tokener_error_desc(
				e == json_tokener_continue ? json_tokener_error_parse_eof : e))
		 : end < len ? fail(&c, "invalid JSON: text after the profile")
			     : parse_root(&c, root);
	json_object_put(root);
	json_tokener_free(tok);
	if (rc) {
		free(c.p);
		return -1;
	}
	c.p->magic = KD_POLICY_MAGIC;
	c.p->version = KD_POLICY_VERSION;
	*out = c.p;
	return 0;
}

/* Names ignored, for one -v line: how many, and the first few. */
struct ignored {
	int n;
	char list[200];
};

static void note_ignored(void *ctx, const char *name)
{
	struct ignored *ig = ctx;
	size_t len = strlen(ig->list);
	if (ig->n++ < 8)
		snprintf(ig->list + len, sizeof(ig->list) - len, "%s%s", len ? " " : "", name);
}

/* The whole file, malloc'd. 0, or -1 with the reason in err. */
static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	size_t cap = 0, n = 0;
	char *buf = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			char *b =
			    cap < (64u << 20) ? realloc(buf, cap = cap ? cap * 2 : 65536) : NULL;
			if (!b) {
				snprintf(err, errlen, "%s: too large, or out of memory", path);
				break;
			}
			buf = b;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int bad = n == cap || ferror(f);
	if (ferror(f))
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	fclose(f);
	if (bad) {
		free(buf);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* A sealed memfd holding the table: no one can write, grow or shrink it any more. */
static int seal(const struct kd_policy *p, size_t size)
{
	int fd = memfd_create("kdune-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (write(fd, p, size) != (ssize_t)size ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The table in fd, mapped read-only and checked; it becomes kd_policy. 0 or -1. */
static int map_table(int fd, char *err, size_t errlen)
{
	struct stat st;
	void *m = MAP_FAILED;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fstat(fd, &st) == 0 && st.st_size > 0)
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED || kd_policy_check(m, (size_t)st.st_size)) {
		if (m != MAP_FAILED)
			munmap(m, (size_t)st.st_size);
		snprintf(err, errlen, "--seccomp: descriptor %d holds no kdune policy table", fd);
		return -1;
	}
	kd_policy = m;
	kd_policy_fd = kd_fd_hide(fd);
	return 0;
}

int kd_profile_install(const char *arg, char *err, size_t errlen)
{
	if (!strncmp(arg, "fd:", 3)) {
		char *end;
		long fd = strtol(arg + 3, &end, 10);
		if (end == arg + 3 || *end || fd < 0 || fd > INT32_MAX) {
			snprintf(err, errlen, "--seccomp=%s: not a descriptor", arg);
			return -1;
		}
		return map_table((int)fd, err, errlen);
	}
	char *text, msg[512];
	size_t len;
	struct kd_policy *p;
	struct kd_profile_env env;
	if (read_file(arg, &text, &len, err, errlen))
		return -1;
	struct ignored ig = {0};
	kd_profile_env_here(&env);
	env.note = note_ignored;
	env.ctx = &ig;
	int rc = kd_profile_parse(text, len, &env, &p, msg, sizeof(msg));
	free(text);
	if (rc) {
		snprintf(err, errlen, "%s: %s", arg, msg);
		return -1;
	}
	kd_info("--seccomp: %s: %u rules, default action %#x; %d names not syscalls on x86-64, "
		"ignored: %s%s",
		arg, p->nrules, p->default_action, ig.n, ig.list, ig.n > 8 ? " ..." : "");
	int nr = -1, over = kd_profile_overlaps(p, &nr);
	if (over)
		kd_info(
		    "--seccomp: %d pairs of rules with different actions may both match (first: "
		    "syscall %d); kdune applies the stronger action, a libseccomp filter the one "
		    "its rule tree tests first",
		    over, nr);
	int fd = seal(p, kd_policy_size(p->nrules));
	free(p);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot keep the policy: %s", arg, strerror(errno));
		return -1;
	}
	return map_table(fd, err, errlen);
}

/* The values of one argument a condition allows, as an interval; 0 if it is not one. */
static int interval(const struct kd_policy_arg *c, uint64_t *lo, uint64_t *hi)
{
	*lo = 0;
	*hi = UINT64_MAX;
	switch (c->op) {
	case KD_CMP_EQ:
		*lo = *hi = c->value;
		return 1;
	case KD_CMP_LT: /* below 0, or above UINT64_MAX: nothing, as lo > hi */
		*lo = c->value == 0;
		*hi = c->value ? c->value - 1 : 0;
		return 1;
	case KD_CMP_LE:
		*hi = c->value;
		return 1;
	case KD_CMP_GT:
		*lo = c->value + 1;
		*hi = c->value == UINT64_MAX ? 0 : UINT64_MAX;
		return 1;
	case KD_CMP_GE:
		*lo = c->value;
		return 1;
	default:
		return 0;
	}
}

/* Can no argument value satisfy both conditions (on the same argument)? */
static int exclusive(const struct kd_policy_arg *x, const struct kd_policy_arg *y)
{
	uint64_t xl, xh, yl, yh;
	if (x->op == KD_CMP_EQ && !kd_policy_cmp(y, x->value))
		return 1;
	if (y->op == KD_CMP_EQ && !kd_policy_cmp(x, y->value))
		return 1;
	if (x->op == KD_CMP_MASKED_EQ && y->op == KD_CMP_MASKED_EQ && x->value == y->value)
		return x->value2 != y->value2;
	return interval(x, &xl, &xh) && interval(y, &yl, &yh) &&
	       (xl > xh || yl > yh || xh < yl || yh < xl);
}

/* A condition no value satisfies (below 0, above UINT64_MAX). */
static int never(const struct kd_policy_arg *c)
{
	uint64_t lo, hi;
	return interval(c, &lo, &hi) && lo > hi;
}

static int disjoint(const struct kd_policy_rule *x, const struct kd_policy_rule *y)
{
	for (uint32_t i = 0; i < x->nargs; i++)
		if (never(&x->args[i]))
			return 1;
	for (uint32_t j = 0; j < y->nargs; j++)
		if (never(&y->args[j]))
			return 1;
	for (uint32_t i = 0; i < x->nargs; i++)
		for (uint32_t j = 0; j < y->nargs; j++)
			if (x->args[i].index == y->args[j].index &&
			    exclusive(&x->args[i], &y->args[j]))
				return 1;
	return 0;
}

int kd_profile_overlaps(const struct kd_policy *p, int *nr)
{
	int n = 0;
	for (uint32_t i = 0; i < p->nrules; i++)
		for (uint32_t j = i + 1; j < p->nrules; j++) {
			const struct kd_policy_rule *x = &p->rules[i], *y = &p->rules[j];
			if (x->nr != y->nr || x->action == y->action || disjoint(x, y))
				continue;
			if (!n++ && nr)
				*nr = x->nr;
		}
	return n;
}
