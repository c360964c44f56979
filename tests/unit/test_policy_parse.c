/* test_policy_parse.c: kd_profile_parse, field by field, and its refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/profile.h"

#define CAP_SYS_ADMIN_BIT (1ULL << 21)
#define CAP_SYS_PTRACE_BIT (1ULL << 19)

/* A fixed machine: kernel 6.1, amd64, the capabilities given; ignored names counted. */
static struct kd_profile_env env;
static int ignored;
static char last_ignored[64];

static void note(void *ctx, const char *name)
{
	ignored++;
	snprintf(last_ignored, sizeof(last_ignored), "%s", name);
}

static void set_env(uint64_t caps)
{
	env = (struct kd_profile_env){
	    .caps = caps, .arch = "amd64", .kmajor = 6, .kminor = 1, .note = note};
	ignored = 0;
	last_ignored[0] = 0;
}

static struct kd_policy *ok(const char *json)
{
	struct kd_policy *p = NULL;
	char err[256] = "";
	if (kd_profile_parse(json, strlen(json), &env, &p, err, sizeof(err)))
		fail_msg("refused: %s\n%s", err, json);
	assert_int_equal(kd_policy_check(p, kd_policy_size(p->nrules)), 0);
	return p;
}

/* Refused, with a message that contains `want`. */
static void bad(const char *json, const char *want)
{
	struct kd_policy *p = (void *)1;
	char err[256] = "";
	assert_int_equal(kd_profile_parse(json, strlen(json), &env, &p, err, sizeof(err)), -1);
	assert_null(p);
	if (!strstr(err, want))
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
}

/* A profile with default ALLOW and one syscalls[] entry. */
static struct kd_policy *one(const char *entry)
{
	char json[2048];
	snprintf(json, sizeof(json), "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[%s]}",
		 entry);
	return ok(json);
}

static uint32_t action_of(const char *action, const char *extra)
{
	char entry[512];
	snprintf(entry, sizeof(entry), "{\"names\":[\"getppid\"],\"action\":\"%s\"%s}", action,
		 extra);
	struct kd_policy *p = one(entry);
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].nr, SYS_getppid);
	uint32_t a = p->rules[0].action;
	free(p);
	return a;
}

static void test_policy_parse_actions(void **state)
{
	set_env(0);
	assert_int_equal(action_of("SCMP_ACT_ERRNO", ""), KD_RET_ERRNO | EPERM);
	assert_int_equal(action_of("SCMP_ACT_ERRNO", ",\"errnoRet\":38"), KD_RET_ERRNO | 38);
	assert_int_equal(action_of("SCMP_ACT_ERRNO", ",\"errnoRet\":0"), KD_RET_ERRNO);
	assert_int_equal(action_of("SCMP_ACT_TRACE", ""), KD_RET_TRACE | EPERM);
	assert_int_equal(action_of("SCMP_ACT_TRACE", ",\"errnoRet\":9"), KD_RET_TRACE | 9);
	assert_int_equal(action_of("SCMP_ACT_TRAP", ",\"errnoRet\":9"), KD_RET_TRAP);
	assert_int_equal(action_of("SCMP_ACT_KILL", ""), KD_RET_KILL_THREAD);
	assert_int_equal(action_of("SCMP_ACT_KILL_THREAD", ""), KD_RET_KILL_THREAD);
	assert_int_equal(action_of("SCMP_ACT_KILL_PROCESS", ""), KD_RET_KILL_PROCESS);
	assert_int_equal(action_of("SCMP_ACT_LOG", ""), KD_RET_LOG);
}

static void test_policy_parse_default_action(void **state)
{
	set_env(0);
	struct kd_policy *p = ok("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38}");
	assert_int_equal(p->default_action, KD_RET_ERRNO | 38);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->magic, KD_POLICY_MAGIC);
	free(p);
	p = ok("{\"defaultAction\":\"SCMP_ACT_ERRNO\"}");
	assert_int_equal(p->default_action, KD_RET_ERRNO | EPERM);
	free(p);
	p = ok(" {\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\"}\n\n");
	assert_int_equal(p->default_action, KD_RET_KILL_PROCESS);
	free(p);
	/* Same action as the default: the rule changes nothing and is dropped (runc). */
	p = ok("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"getppid\"],"
	       "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"getpid\"],\"action\":"
	       "\"SCMP_ACT_ERRNO\",\"errnoRet\":2}]}");
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].nr, SYS_getpid);
	free(p);
}

static void test_policy_parse_names(void **state)
{
	set_env(0);
	struct kd_policy *p = one("{\"names\":[\"read\",\"no_such_call\",\"socketcall\",\"write\"],"
				  "\"action\":\"SCMP_ACT_LOG\"}");
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->rules[0].nr, SYS_read);
	assert_int_equal(p->rules[1].nr, SYS_write);
	/* Unknown to libseccomp, and not a syscall on x86-64: both ignored and said. */
	assert_int_equal(ignored, 2);
	assert_string_equal(last_ignored, "socketcall");
	free(p);
	p = one("{\"name\":\"close\",\"action\":\"SCMP_ACT_LOG\"}"); /* the older single name */
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].nr, SYS_close);
	free(p);
	p = one("{\"names\":[],\"action\":\"SCMP_ACT_LOG\",\"comment\":\"nothing\"}");
	assert_int_equal(p->nrules, 0);
	free(p);
}

static uint32_t op_of(const char *op)
{
	char entry[512];
	snprintf(entry, sizeof(entry),
		 "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":3,"
		 "\"value\":7,\"valueTwo\":5,\"op\":\"%s\"}]}",
		 op);
	struct kd_policy *p = one(entry);
	assert_int_equal(p->rules[0].nargs, 1);
	assert_int_equal(p->rules[0].args[0].index, 3);
	assert_int_equal(p->rules[0].args[0].value, 7);
	assert_int_equal(p->rules[0].args[0].value2, 5);
	uint32_t r = p->rules[0].args[0].op;
	free(p);
	return r;
}

static void test_policy_parse_ops(void **state)
{
	set_env(0);
	assert_int_equal(op_of("SCMP_CMP_NE"), KD_CMP_NE);
	assert_int_equal(op_of("SCMP_CMP_LT"), KD_CMP_LT);
	assert_int_equal(op_of("SCMP_CMP_LE"), KD_CMP_LE);
	assert_int_equal(op_of("SCMP_CMP_EQ"), KD_CMP_EQ);
	assert_int_equal(op_of("SCMP_CMP_GE"), KD_CMP_GE);
	assert_int_equal(op_of("SCMP_CMP_GT"), KD_CMP_GT);
	assert_int_equal(op_of("SCMP_CMP_MASKED_EQ"), KD_CMP_MASKED_EQ);
}

static void test_policy_parse_args(void **state)
{
	set_env(0);
	/* Full 64-bit values; valueTwo absent is 0; distinct arguments stay one rule (AND). */
	struct kd_policy *p =
	    one("{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\",\"args\":["
		"{\"index\":0,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":5,\"value\":4294967296,\"op\":\"SCMP_CMP_GT\"}]}");
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].nargs, 2);
	assert_true(p->rules[0].args[0].value == UINT64_MAX);
	assert_int_equal(p->rules[0].args[0].value2, 0);
	assert_true(p->rules[0].args[1].value == 0x100000000ULL);
	assert_int_equal(p->rules[0].args[1].index, 5);
	free(p);
	/* Two conditions on one argument: one rule per condition (runc's OR). */
	p = one("{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\",\"args\":["
		"{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":1,\"value\":3,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":2,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]}");
	assert_int_equal(p->nrules, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(p->rules[i].nargs, 1);
	assert_int_equal(p->rules[1].args[0].value, 3);
	assert_int_equal(p->rules[2].args[0].index, 2);
	free(p);
	/* Sorted by number, profile order kept among one number's rules. */
	p = one("{\"names\":[\"getppid\",\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":["
		"{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"getppid\","
		"\"close\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":2,"
		"\"op\":\"SCMP_CMP_EQ\"}]}");
	assert_int_equal(p->nrules, 4);
	assert_int_equal(p->rules[0].nr, SYS_read);
	assert_int_equal(p->rules[1].nr, SYS_close);
	assert_int_equal(p->rules[2].nr, SYS_getppid);
	assert_int_equal(p->rules[2].action, KD_RET_LOG);
	assert_int_equal(p->rules[3].nr, SYS_getppid);
	assert_int_equal(p->rules[3].action, KD_RET_TRAP);
	free(p);
	p = one("{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\",\"args\":null}");
	assert_int_equal(p->rules[0].nargs, 0);
	free(p);
}

static int count_for(const char *filter, uint64_t caps)
{
	char entry[512];
	set_env(caps);
	snprintf(entry, sizeof(entry), "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\",%s}",
		 filter);
	struct kd_policy *p = one(entry);
	int n = (int)p->nrules;
	free(p);
	return n;
}

static void test_policy_parse_includes_excludes(void **state)
{
	const char *inc_cap = "\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}";
	const char *inc_caps2 = "\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\",\"CAP_SYS_PTRACE\"]}";
	const char *exc_cap = "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\",\"CAP_NOPE\"]}";
	assert_int_equal(count_for(inc_cap, CAP_SYS_ADMIN_BIT), 1);
	assert_int_equal(count_for(inc_cap, 0), 0);
	assert_int_equal(count_for(inc_caps2, CAP_SYS_ADMIN_BIT), 0); /* every one is needed */
	assert_int_equal(count_for(inc_caps2, CAP_SYS_ADMIN_BIT | CAP_SYS_PTRACE_BIT), 1);
	assert_int_equal(count_for(exc_cap, CAP_SYS_ADMIN_BIT), 0);
	assert_int_equal(count_for(exc_cap, CAP_SYS_PTRACE_BIT), 1);
	assert_int_equal(count_for("\"includes\":{\"arches\":[\"amd64\",\"x32\"]}", 0), 1);
	assert_int_equal(count_for("\"includes\":{\"arches\":[\"arm64\"]}", 0), 0);
	assert_int_equal(count_for("\"includes\":{\"arches\":[]}", 0), 1);
	assert_int_equal(count_for("\"excludes\":{\"arches\":[\"amd64\"]}", 0), 0);
	assert_int_equal(count_for("\"excludes\":{\"arches\":[\"s390x\"]}", 0), 1);
	assert_int_equal(count_for("\"includes\":{\"minKernel\":\"5.4\"}", 0), 1);
	assert_int_equal(count_for("\"includes\":{\"minKernel\":\"6.1\"}", 0), 1);
	assert_int_equal(count_for("\"includes\":{\"minKernel\":\"6.2\"}", 0), 0);
	assert_int_equal(count_for("\"excludes\":{\"minKernel\":\"4.8\"}", 0), 0);
	assert_int_equal(count_for("\"excludes\":{\"minKernel\":\"7.0\"}", 0), 1);
	assert_int_equal(count_for("\"includes\":{},\"excludes\":{}", 0), 1);
}

static void test_policy_parse_arches_flags(void **state)
{
	set_env(0);
	free(ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}"));
	free(ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[{\"architecture\":"
		"\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},"
		"{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":null}]}"));
	free(ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
		"\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_TSYNC\"]}"));
	/* x32 listed (directly, or under x86-64 in archMap): its numbers join the rules. */
	struct kd_policy *p = ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":["
				 "\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"read\"],"
				 "\"action\":\"SCMP_ACT_LOG\"}]}");
	assert_int_equal(p->flags, KD_POLICY_X32);
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->rules[1].nr, 0x40000000 | SYS_read);
	free(p);
	p = ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[{\"architecture\":"
	       "\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_X32\"]}]}");
	assert_int_equal(p->flags, 0); /* x32 under another architecture: not this one's */
	free(p);
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
	    "unknown architecture \"SCMP_ARCH_VAX\"");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86_64\"]}",
	    "unknown architecture");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[{\"architecture\":"
	    "\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_NOPE\"]}]}",
	    "SCMP_ARCH_NOPE");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[1]}", "archMap");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
	    "unknown flag");
}

/* A whole OCI config.json: its linux.seccomp is the profile. */
static void test_policy_parse_oci_config(void **state)
{
	set_env(0);
	struct kd_policy *p =
	    ok("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]},\"linux\":{\"seccomp\":"
	       "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	       "\"listenerPath\":\"\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
	       "\"SCMP_ACT_ALLOW\"}]}}}");
	assert_int_equal(p->default_action, KD_RET_ERRNO | EPERM);
	assert_int_equal(p->nrules, 1);
	free(p);
	bad("{\"linux\":{\"namespaces\":[]}}", "\"linux\" has no \"seccomp\"");
}

static void test_policy_parse_refusals(void **state)
{
	set_env(0);
	bad("", "invalid JSON");
	bad("{\"defaultAction\":", "invalid JSON");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\"} x", "text after the profile");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}{}", "text after the profile");
	bad("[1,2]", "must be a JSON object");
	bad("{}", "\"defaultAction\" is missing");
	bad("{\"defaultAction\":7}", "\"defaultAction\" must be a string");
	bad("{\"defaultAction\":\"SCMP_ACT_FOO\"}", "unknown action \"SCMP_ACT_FOO\"");
	bad("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY is not supported");
	/* Control characters quoted from the profile (found by the fuzzer): still one line. */
	bad("{\"defaultAction\":\"SCMP_ACT_\\u000aX\"}", "unknown action \"SCMP_ACT_?X\"");
	bad("{\"defaultAction\":\"SCMP_ACT_\nX\"}", "unknown action");
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
	    "must not be negative");
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4095}", "not below 4095");
	bad("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":\"EPERM\"}", "a number");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
	    "\"syscalls\" must be an array");
	bad("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[7]}",
	    "syscalls[0]: must be an object");
	const char *entries[][2] = {
	    {"{\"action\":\"SCMP_ACT_LOG\"}", "\"names\" is missing"},
	    {"{\"names\":[\"read\"]}", "\"action\" is missing"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY"},
	    {"{\"names\":[1],\"action\":\"SCMP_ACT_LOG\"}", "each of \"names\" must be a string"},
	    {"{\"names\":\"read\",\"action\":\"SCMP_ACT_LOG\"}", "\"names\" must be an array"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":70000}",
	     "out of range"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":6,"
	     "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}",
	     "\"index\" is out of range"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,"
	     "\"value\":-5,\"op\":\"SCMP_CMP_EQ\"}]}",
	     "\"value\" must not be negative"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,"
	     "\"value\":1.5,\"op\":\"SCMP_CMP_EQ\"}]}",
	     "\"value\" must be a number"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,"
	     "\"value\":1}]}",
	     "\"op\" is missing"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,"
	     "\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}",
	     "unknown operator \"SCMP_CMP_XX\""},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[1]}",
	     "each of \"args\" must be an object"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{},{},{},{},{},{},{}]}",
	     "more than 6 \"args\""},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"includes\":[]}",
	     "\"includes\" must be an object"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"includes\":{\"caps\":[3]}}",
	     "each of \"caps\" must be a string"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"excludes\":{\"minKernel\":"
	     "\"five\"}}",
	     "minKernel \"five\" is not MAJOR.MINOR"},
	    {"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"includes\":{\"minKernel\":"
	     "\"5.4.1\"}}",
	     "is not MAJOR.MINOR"},
	};
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		char json[1024];
		snprintf(json, sizeof(json),
			 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[]"
			 ",\"action\":\"SCMP_ACT_LOG\"},%s]}",
			 entries[i][0]);
		bad(json, "syscalls[1]: ");
		bad(json, entries[i][1]);
	}
}

/* More rules than a table may hold: refused, not truncated. */
static void test_policy_parse_too_many_rules(void **state)
{
	set_env(0);
	size_t cap = 64u << 20, n = 0;
	char *json = malloc(cap);
	assert_non_null(json);
	n += (size_t)sprintf(json, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	for (int i = 0; i < KD_POLICY_MAX_RULES / 8 + 1; i++)
		n += (size_t)sprintf(json + n,
				     "%s{\"names\":[\"read\",\"write\",\"open\",\"close\",\"stat\","
				     "\"fstat\",\"lstat\",\"poll\"],\"action\":\"SCMP_ACT_LOG\"}",
				     i ? "," : "");
	sprintf(json + n, "]}");
	bad(json, "more than 65536 rules");
	free(json);
}

/* Podman's default profile (containers-common), as shipped. */
static void test_policy_parse_podman_default(void **state)
{
	FILE *f = fopen("/usr/share/containers/seccomp.json", "r");
	if (!f)
		skip();
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text), f);
	fclose(f);
	struct kd_policy *p, *root;
	char err[256];
	set_env(0);
	assert_int_equal(kd_profile_parse(text, n, &env, &p, err, sizeof(err)), 0);
	set_env(~0ULL);
	assert_int_equal(kd_profile_parse(text, n, &env, &root, err, sizeof(err)), 0);
	assert_int_equal(p->default_action, KD_RET_ERRNO | ENOSYS);
	assert_true(ignored > 0); /* 32-bit names such as socketcall */
	const uint64_t none[6] = {0};
	assert_int_equal(kd_policy_eval(p, SYS_read, none), KD_RET_ALLOW);
	/* bpf: EPERM without CAP_SYS_ADMIN, allowed with it. */
	assert_int_equal(kd_policy_eval(p, SYS_bpf, none), KD_RET_ERRNO | EPERM);
	assert_int_equal(kd_policy_eval(root, SYS_bpf, none), KD_RET_ALLOW);
	/* socket(AF_NETLINK, *, NETLINK_AUDIT): EINVAL without CAP_AUDIT_WRITE. */
	const uint64_t audit[6] = {16, 3, 9}, unix_[6] = {1, 1, 0};
	assert_int_equal(kd_policy_eval(p, SYS_socket, audit), KD_RET_ERRNO | EINVAL);
	assert_int_equal(kd_policy_eval(root, SYS_socket, audit), KD_RET_ALLOW);
	assert_int_equal(kd_policy_eval(p, SYS_socket, unix_), KD_RET_ALLOW);
	const uint64_t pers[6] = {0xffffffff}, other[6] = {3};
	assert_int_equal(kd_policy_eval(p, SYS_personality, pers), KD_RET_ALLOW);
	assert_int_equal(kd_policy_eval(p, SYS_personality, other), KD_RET_ERRNO | ENOSYS);
	assert_int_equal(kd_policy_eval(p, 451, none), KD_RET_ERRNO | ENOSYS);
	/* setns: allowed outright first, refused without CAP_SYS_ADMIN later: the first wins. */
	assert_int_equal(kd_policy_eval(p, SYS_setns, none), KD_RET_ALLOW);
	assert_int_equal(kd_profile_overlaps(p, NULL), 0);
	free(p);
	free(root);
}

static void test_policy_parse_overlaps(void **state)
{
	set_env(0);
	/* Exclusive conditions on one argument: no overlap. */
	struct kd_policy *p =
	    ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
	       "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
	       "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
	       "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,"
	       "\"value\":1,\"op\":\"SCMP_CMP_NE\"}]},"
	       "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,"
	       "\"value\":5,\"op\":\"SCMP_CMP_GT\"},{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_"
	       "LT\"}]},"
	       "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,"
	       "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	/* ERRNO (a0 == 1) and LOG (a0 != 1) cannot both hold; LOG and TRAP (a0 > 5) can,
	 * but TRAP's a1 < 0 never holds. */
	assert_int_equal(kd_profile_overlaps(p, NULL), 0);
	free(p);
	int nr = -1;
	p = ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
	       "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
	       "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
	       "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":1,"
	       "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	assert_int_equal(kd_profile_overlaps(p, &nr), 1);
	assert_int_equal(nr, SYS_getppid);
	free(p);
}

/*
 * --seccomp=FILE: the table ends up read-only in a sealed memfd, which an execve hands to
 * the next kdune as --seccomp=fd:N; that one maps the same table.
 */
static void test_policy_parse_install(void **state)
{
	char path[] = "/tmp/kdune-policy-XXXXXX", err[512] = "", arg[32];
	int fd = mkstemp(path);
	const char *json = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
			   "[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9}]}";
	assert_true(fd >= 0 && write(fd, json, strlen(json)) == (ssize_t)strlen(json));
	close(fd);
	assert_int_equal(kd_profile_install(path, err, sizeof(err)), 0);
	unlink(path);
	const struct kd_policy *first = kd_policy;
	int pfd = kd_policy_fd;
	assert_non_null(first);
	assert_true(pfd >= 0);
	assert_int_equal(kd_policy_eval(first, SYS_getppid, (uint64_t[6]){0}), KD_RET_ERRNO | 9);
	/* Sealed: nobody writes to it any more, through this descriptor or another. */
	assert_int_equal(pwrite(pfd, "x", 1, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(fcntl(pfd, F_GET_SEALS) & (F_SEAL_WRITE | F_SEAL_SEAL),
			 F_SEAL_WRITE | F_SEAL_SEAL);
	/* The next kdune's view of it. */
	snprintf(arg, sizeof(arg), "fd:%d", fcntl(pfd, F_DUPFD, 0));
	assert_int_equal(kd_profile_install(arg, err, sizeof(err)), 0);
	assert_int_equal(memcmp(kd_policy, first, kd_policy_size(first->nrules)), 0);
	/* Anything else on a descriptor is refused. */
	int other = open("/dev/null", O_RDONLY);
	snprintf(arg, sizeof(arg), "fd:%d", other);
	assert_int_equal(kd_profile_install(arg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "holds no kdune policy table"));
	assert_int_equal(kd_profile_install("fd:x", err, sizeof(err)), -1);
	assert_int_equal(kd_profile_install("/nonexistent.json", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	kd_policy = NULL;
	kd_policy_fd = -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_parse_actions),
	    cmocka_unit_test(test_policy_parse_default_action),
	    cmocka_unit_test(test_policy_parse_names),
	    cmocka_unit_test(test_policy_parse_ops),
	    cmocka_unit_test(test_policy_parse_args),
	    cmocka_unit_test(test_policy_parse_includes_excludes),
	    cmocka_unit_test(test_policy_parse_arches_flags),
	    cmocka_unit_test(test_policy_parse_oci_config),
	    cmocka_unit_test(test_policy_parse_refusals),
	    cmocka_unit_test(test_policy_parse_too_many_rules),
	    cmocka_unit_test(test_policy_parse_podman_default),
	    cmocka_unit_test(test_policy_parse_overlaps),
	    cmocka_unit_test(test_policy_parse_install),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
