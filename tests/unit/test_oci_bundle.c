/* test_oci_bundle.c: the config.json and process.json edits of kdune's OCI runtime, on the
 * sample files in tests/unit/oci/ (runc spec's output, a Docker-shaped config, a containerd
 * exec process). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/oci_bundle.h"

static const char *const runtime_opts[] = {"-v", NULL};
static const struct kd_oci_host host = {
    .kdune_path = "/usr/local/bin/kdune",
    .decode_path = "/usr/local/libexec/kdune/kdune-decode",
    .have_kvm = 1,
    .kvm_major = 10,
    .kvm_minor = 232,
};

/* tests/unit/oci/NAME: found from this file's own path, as make compiles it from the top. */
static void fixture_path(const char *name, char *out, size_t len)
{
	const char *slash = strrchr(__FILE__, '/');
	snprintf(out, len, "%.*s/oci/%s", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".", name);
}

static struct json_object *load(const char *name)
{
	char path[4096], err[512] = "";
	fixture_path(name, path, sizeof(path));
	struct json_object *o = kd_oci_read_json(path, err, sizeof(err));
	if (!o)
		fail_msg("%s", err);
	return o;
}

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	assert_non_null(o);
	return o;
}

static struct json_object *copy(struct json_object *o)
{
	struct json_object *c = NULL;
	assert_int_equal(json_object_deep_copy(o, &c, NULL), 0);
	return c;
}

/* The member at a dotted path ("linux.resources.devices"), or NULL. */
static struct json_object *at(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

/* Compact JSON of o, for exact comparisons. Valid until o changes. */
static const char *js(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int edit(struct json_object *cfg, const struct kd_oci_host *h, char *err, size_t len)
{
	return kd_oci_edit_config(cfg, h, err, len);
}

static void test_oci_bundle_edit_prefixes_args(void **state)
{
	struct json_object *cfg = load("config-runc.json");
	char err[512] = "";
	assert_int_equal(edit(cfg, &host, err, sizeof(err)), 1);
	assert_string_equal(js(at(cfg, "process.args")),
			    "[\"/.kdune/kdune\",\"run\",\"--\",\"sh\"]");
	json_object_put(cfg);
}

/* A program that happens to be kdune itself is not taken for the prefix. */
static void test_oci_bundle_edit_prefixes_bare_kdune(void **state)
{
	struct json_object *cfg = parse("{\"process\":{\"args\":[\"/.kdune/kdune\"]}}");
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	assert_string_equal(js(at(cfg, "process.args")),
			    "[\"/.kdune/kdune\",\"run\",\"--\",\"/.kdune/kdune\"]");
	assert_int_equal(edit(cfg, &host, NULL, 0), 0);
	json_object_put(cfg);
	cfg = parse("{\"process\":{\"args\":[\"/.kdune/kdune\",\"run\",\"x\"]}}");
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	assert_string_equal(js(at(cfg, "process.args")), "[\"/.kdune/kdune\",\"run\",\"--\","
							 "\"/.kdune/kdune\",\"run\",\"x\"]");
	json_object_put(cfg);
}

static void test_oci_bundle_edit_mounts_static_binaries(void **state)
{
	struct json_object *cfg = load("config-runc.json");
	size_t before = json_object_array_length(at(cfg, "mounts"));
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	struct json_object *m = at(cfg, "mounts");
	assert_int_equal(json_object_array_length(m), before + 2);
	assert_string_equal(
	    js(json_object_array_get_idx(m, before)),
	    "{\"destination\":\"/.kdune/kdune\",\"type\":\"bind\",\"source\":\"/usr/"
	    "local/bin/kdune\",\"options\":[\"rbind\",\"ro\",\"nosuid\",\"nodev\"]}");
	assert_string_equal(
	    js(json_object_array_get_idx(m, before + 1)),
	    "{\"destination\":\"/.kdune/kdune-decode\",\"type\":\"bind\",\"source\":"
	    "\"/usr/local/libexec/kdune/kdune-decode\",\"options\":[\"rbind\",\"ro\","
	    "\"nosuid\",\"nodev\"]}");
	json_object_put(cfg);
}

static void test_oci_bundle_edit_adds_kvm_device(void **state)
{
	struct json_object *cfg = load("config-docker.json");
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	assert_string_equal(js(at(cfg, "linux.devices")),
			    "[{\"path\":\"/dev/kvm\",\"type\":\"c\",\"major\":10,\"minor\":232,"
			    "\"fileMode\":438,\"uid\":0,\"gid\":0}]");
	/* Appended after Docker's deny-all and its own allows: device rules apply in order. */
	struct json_object *rules = at(cfg, "linux.resources.devices");
	assert_int_equal(json_object_array_length(rules), 4);
	assert_string_equal(js(json_object_array_get_idx(rules, 0)),
			    "{\"allow\":false,\"access\":\"rwm\"}");
	assert_string_equal(js(json_object_array_get_idx(rules, 3)),
			    "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":232,\"access\":"
			    "\"rwm\"}");
	json_object_put(cfg);
}

/* Everything the edit does not own is left as Docker wrote it. */
static void test_oci_bundle_edit_keeps_the_rest(void **state)
{
	struct json_object *cfg = load("config-docker.json"), *orig = copy(cfg);
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	const char *same[] = {"hooks",
			      "annotations",
			      "root",
			      "linux.seccomp",
			      "linux.namespaces",
			      "linux.resources.memory",
			      "process.env",
			      "process.user",
			      "process.capabilities",
			      "linux.cgroupsPath"};
	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++)
		assert_true(json_object_equal(at(cfg, same[i]), at(orig, same[i])));
	assert_string_equal(js(at(cfg, "process.args")),
			    "[\"/.kdune/kdune\",\"run\",\"--\",\"/usr/local/bin/app\",\"--port\","
			    "\"8080\"]");
	for (size_t i = 0; i < 3; i++)
		assert_true(json_object_equal(json_object_array_get_idx(at(cfg, "mounts"), i),
					      json_object_array_get_idx(at(orig, "mounts"), i)));
	json_object_put(cfg);
	json_object_put(orig);
}

static void test_oci_bundle_edit_creates_missing_members(void **state)
{
	struct json_object *cfg = parse("{\"process\":{\"args\":[\"true\"]}}");
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	assert_int_equal(json_object_array_length(at(cfg, "mounts")), 2);
	assert_int_equal(json_object_array_length(at(cfg, "linux.devices")), 1);
	assert_int_equal(json_object_array_length(at(cfg, "linux.resources.devices")), 1);
	json_object_put(cfg);
}

static void test_oci_bundle_edit_is_idempotent(void **state)
{
	const char *names[] = {"config-runc.json", "config-docker.json"};
	struct kd_oci_host h = host;
	h.options = runtime_opts;
	for (size_t i = 0; i < 2; i++) {
		struct json_object *cfg = load(names[i]);
		assert_int_equal(edit(cfg, &h, NULL, 0), 1);
		struct json_object *once = copy(cfg);
		assert_int_equal(edit(cfg, &h, NULL, 0), 0);
		assert_true(json_object_equal(cfg, once));
		json_object_put(cfg);
		json_object_put(once);
	}
}

/* A bundle edited before with other host numbers or paths (say, after an upgrade) ends with
 * exactly one of each entry, the current one. */
static void test_oci_bundle_edit_replaces_stale_entries(void **state)
{
	struct json_object *cfg = load("config-runc.json");
	struct kd_oci_host old = host;
	old.kdune_path = "/opt/old/kdune";
	old.kvm_minor = 99;
	assert_int_equal(edit(cfg, &old, NULL, 0), 1);
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	struct json_object *m = at(cfg, "mounts"), *d = at(cfg, "linux.devices");
	int kdune_mounts = 0;
	for (size_t i = 0; i < json_object_array_length(m); i++)
		kdune_mounts += strstr(js(json_object_array_get_idx(m, i)), "/.kdune/kdune\"") != 0;
	assert_int_equal(kdune_mounts, 1);
	assert_non_null(strstr(js(m), "\"/usr/local/bin/kdune\""));
	assert_null(strstr(js(m), "/opt/old"));
	assert_int_equal(json_object_array_length(d), 1);
	assert_non_null(strstr(js(d), "\"minor\":232"));
	assert_string_equal(js(at(cfg, "process.args")),
			    "[\"/.kdune/kdune\",\"run\",\"--\",\"sh\"]");
	json_object_put(cfg);
}

static void expect_opt_out(const char *annotations)
{
	char text[512];
	snprintf(text, sizeof(text), "{\"process\":{\"args\":[\"pause\"]},\"annotations\":%s}",
		 annotations);
	struct json_object *cfg = parse(text), *orig = copy(cfg);
	struct kd_oci_host nokvm = host;
	nokvm.have_kvm = 0; /* an opted-out container needs no KVM */
	assert_int_equal(kd_oci_opted_out(cfg), 1);
	assert_int_equal(edit(cfg, &nokvm, NULL, 0), 0);
	assert_true(json_object_equal(cfg, orig));
	assert_null(kd_oci_prefix_of(cfg));
	json_object_put(cfg);
	json_object_put(orig);
}

static void test_oci_bundle_optout_enable_false(void **state)
{
	expect_opt_out("{\"org.kdune.enable\":\"false\"}");
	expect_opt_out("{\"org.kdune.enable\":\"FALSE\"}");
}

static void test_oci_bundle_optout_pod_sandbox(void **state)
{
	expect_opt_out("{\"io.kubernetes.cri.container-type\":\"sandbox\"}");
	expect_opt_out("{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\"}");
}

/* A pod's ordinary containers, and org.kdune.enable=true, are edited. */
static void test_oci_bundle_optin_pod_container(void **state)
{
	struct json_object *cfg =
	    parse("{\"process\":{\"args\":[\"app\"]},\"annotations\":{\"io.kubernetes.cri."
		  "container-type\":\"container\",\"org.kdune.enable\":\"true\"}}");
	assert_int_equal(kd_oci_opted_out(cfg), 0);
	assert_int_equal(edit(cfg, &host, NULL, 0), 1);
	json_object_put(cfg);
}

static void test_oci_bundle_no_kvm_fails(void **state)
{
	struct json_object *cfg = load("config-runc.json"), *orig = copy(cfg);
	struct kd_oci_host nokvm = host;
	char err[512] = "";
	nokvm.have_kvm = 0;
	assert_int_equal(edit(cfg, &nokvm, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/dev/kvm"));
	assert_non_null(strstr(err, "org.kdune.enable=false"));
	assert_null(strchr(err, '\n'));
	assert_true(json_object_equal(cfg, orig));
	json_object_put(cfg);
	json_object_put(orig);
}

static void test_oci_bundle_options_from_config_and_annotation(void **state)
{
	struct json_object *cfg = parse("{\"process\":{\"args\":[\"app\",\"x\"]},\"annotations\":{"
					"\"org.kdune.options\":\" --trace=/tmp/t\\t--verbose \"}}");
	struct kd_oci_host h = host;
	h.options = runtime_opts;
	assert_int_equal(edit(cfg, &h, NULL, 0), 1);
	assert_string_equal(
	    js(at(cfg, "process.args")),
	    "[\"/.kdune/kdune\",\"run\",\"-v\",\"--trace=/tmp/t\",\"--verbose\",\"--"
	    "\",\"app\",\"x\"]");
	struct json_object *prefix = kd_oci_prefix_of(cfg);
	assert_string_equal(js(prefix), "[\"/.kdune/kdune\",\"run\",\"-v\",\"--trace=/tmp/t\","
					"\"--verbose\",\"--\"]");
	json_object_put(prefix);
	json_object_put(cfg);
}

static void expect_bad_option(const char *annotation, const char *const *runtime)
{
	char text[512], err[512] = "";
	snprintf(
	    text, sizeof(text),
	    "{\"process\":{\"args\":[\"app\"]},\"annotations\":{\"org.kdune.options\":\"%s\"}}",
	    annotation);
	struct json_object *cfg = parse(text), *orig = copy(cfg);
	struct kd_oci_host h = host;
	h.options = runtime;
	assert_int_equal(edit(cfg, &h, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not allowed"));
	assert_true(json_object_equal(cfg, orig));
	json_object_put(cfg);
	json_object_put(orig);
}

/* Options may not end kdune's options early nor name the program: only -words pass. */
static void test_oci_bundle_options_rejected(void **state)
{
	static const char *const bad_runtime[] = {"-v", "ls", NULL};
	expect_bad_option("sh", NULL);
	expect_bad_option("-v -- sh", NULL);
	expect_bad_option("--exec=/bin/sh", NULL);
	expect_bad_option("", bad_runtime);
}

static void expect_bad_config(const char *text, const char *want)
{
	struct json_object *cfg = parse(text), *orig = copy(cfg);
	char err[512] = "";
	assert_int_equal(edit(cfg, &host, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
	assert_true(json_object_equal(cfg, orig));
	json_object_put(cfg);
	json_object_put(orig);
}

static void test_oci_bundle_bad_config_refused(void **state)
{
	expect_bad_config("[]", "not a JSON object");
	expect_bad_config("{}", "process.args");
	expect_bad_config("{\"process\":[]}", "process.args");
	expect_bad_config("{\"process\":{\"args\":[]}}", "process.args");
	expect_bad_config("{\"process\":{\"args\":[\"a\",1]}}", "process.args");
	expect_bad_config("{\"process\":{\"args\":\"sh\"}}", "process.args");
	expect_bad_config("{\"process\":{\"args\":[\"a\"]},\"mounts\":{}}", "mounts");
	expect_bad_config("{\"process\":{\"args\":[\"a\"]},\"linux\":[]}", "linux");
	expect_bad_config("{\"process\":{\"args\":[\"a\"]},\"linux\":{\"devices\":{}}}",
			  "linux.devices");
	expect_bad_config("{\"process\":{\"args\":[\"a\"]},\"linux\":{\"resources\":{\"devices\":"
			  "7}}}",
			  "linux.resources.devices");
}

/* A bundle directory holding config.json with text, in a fresh temporary directory. */
static char *bundle_with(const char *text, char *dir, size_t len)
{
	char path[4200];
	snprintf(dir, len, "/tmp/kdune-oci-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (text) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fwrite(text, 1, strlen(text), f);
		fclose(f);
	}
	return dir;
}

static char *read_text(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = 0;
	fclose(f);
	return buf;
}

static void remove_bundle(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void expect_bundle_error(const char *text, size_t textlen, const char *want)
{
	char dir[256], path[4200], err[512] = "";
	bundle_with(NULL, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (text) {
		int fd = open(path, O_WRONLY | O_CREAT, 0644);
		assert_true(write(fd, text, textlen) == (ssize_t)textlen);
		close(fd);
	}
	assert_int_equal(kd_oci_edit_bundle(dir, &host, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
	if (text) /* a failed edit leaves the file as it was */
		assert_memory_equal(read_text(path), text, textlen);
	remove_bundle(dir);
}

static void test_oci_bundle_file_missing_or_corrupt(void **state)
{
	expect_bundle_error(NULL, 0, "config.json: No such file or directory");
	expect_bundle_error("", 0, "invalid JSON");
	expect_bundle_error("{\"process\":", 11, "invalid JSON");
	expect_bundle_error("{} {}", 5, "data after the JSON value");
	expect_bundle_error("[1]\n", 4, "not a JSON object");
	expect_bundle_error("{\"a\":\"b\0\"}", 10, "NUL");
	expect_bundle_error("{\"process\":{\"args\":\"x\"}}\n", 25, "process.args");
	char err[512] = "";
	assert_int_equal(kd_oci_edit_bundle("/nonexistent/bundle", &host, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/bundle/config.json"));
}

/* The file edit: written once, then left alone; its mode kept. */
static void test_oci_bundle_file_edit_once(void **state)
{
	char dir[256], path[4200], first[65536], err[512] = "";
	struct stat st;
	bundle_with("{\"process\":{\"args\":[\"sh\"]},\"x\":1.50}\n", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(kd_oci_edit_bundle(dir, &host, err, sizeof(err)), 1);
	snprintf(first, sizeof(first), "%s", read_text(path));
	assert_non_null(strstr(first, "\"args\":[\"/.kdune/kdune\",\"run\",\"--\",\"sh\"]"));
	assert_non_null(strstr(first, "\"x\":1.50")); /* numbers as written */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(kd_oci_edit_bundle(dir, &host, err, sizeof(err)), 0);
	assert_string_equal(read_text(path), first);
	remove_bundle(dir);
}

static void test_oci_bundle_process_file_prefixed(void **state)
{
	char dir[256], src[4096], path[4200], err[512] = "";
	struct json_object *cfg = load("config-runc.json"), *prefix;
	struct kd_oci_host h = host;
	h.options = runtime_opts;
	assert_int_equal(edit(cfg, &h, NULL, 0), 1);
	assert_non_null(prefix = kd_oci_prefix_of(cfg));
	fixture_path("process-containerd.json", src, sizeof(src));
	bundle_with(NULL, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/process.json", dir);
	struct json_object *proc = kd_oci_read_json(src, NULL, 0);
	assert_int_equal(kd_oci_write_json(path, proc, err, sizeof(err)), 0);

	assert_int_equal(kd_oci_edit_process_file(path, prefix, err, sizeof(err)), 1);
	struct json_object *got = kd_oci_read_json(path, NULL, 0);
	assert_string_equal(js(at(got, "args")), "[\"/.kdune/kdune\",\"run\",\"-v\",\"--\",\"sh\","
						 "\"-c\",\"echo hi\"]");
	assert_true(json_object_equal(at(got, "env"), at(proc, "env")));
	assert_true(json_object_equal(at(got, "user"), at(proc, "user")));
	assert_int_equal(kd_oci_edit_process_file(path, prefix, err, sizeof(err)), 0);

	/* A process without args, or an unreadable file: one line, -1. */
	assert_int_equal(kd_oci_write_json(path, at(proc, "user"), err, sizeof(err)), 0);
	assert_int_equal(kd_oci_edit_process_file(path, prefix, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "args must be"));
	unlink(path);
	assert_int_equal(kd_oci_edit_process_file(path, prefix, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	json_object_put(got);
	json_object_put(proc);
	json_object_put(prefix);
	json_object_put(cfg);
	remove_bundle(dir);
}

/* The prefix an exec copies exists only in a config this runtime edited. */
static void test_oci_bundle_prefix_of(void **state)
{
	struct json_object *cfg = load("config-runc.json");
	assert_null(kd_oci_prefix_of(cfg));
	json_object_put(cfg);
	cfg = parse("{\"process\":{\"args\":[\"/.kdune/kdune\",\"run\",\"sh\"]}}");
	assert_null(kd_oci_prefix_of(cfg)); /* no "--": not ours */
	json_object_put(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oci_bundle_edit_prefixes_args),
	    cmocka_unit_test(test_oci_bundle_edit_prefixes_bare_kdune),
	    cmocka_unit_test(test_oci_bundle_edit_mounts_static_binaries),
	    cmocka_unit_test(test_oci_bundle_edit_adds_kvm_device),
	    cmocka_unit_test(test_oci_bundle_edit_keeps_the_rest),
	    cmocka_unit_test(test_oci_bundle_edit_creates_missing_members),
	    cmocka_unit_test(test_oci_bundle_edit_is_idempotent),
	    cmocka_unit_test(test_oci_bundle_edit_replaces_stale_entries),
	    cmocka_unit_test(test_oci_bundle_optout_enable_false),
	    cmocka_unit_test(test_oci_bundle_optout_pod_sandbox),
	    cmocka_unit_test(test_oci_bundle_optin_pod_container),
	    cmocka_unit_test(test_oci_bundle_no_kvm_fails),
	    cmocka_unit_test(test_oci_bundle_options_from_config_and_annotation),
	    cmocka_unit_test(test_oci_bundle_options_rejected),
	    cmocka_unit_test(test_oci_bundle_bad_config_refused),
	    cmocka_unit_test(test_oci_bundle_file_missing_or_corrupt),
	    cmocka_unit_test(test_oci_bundle_file_edit_once),
	    cmocka_unit_test(test_oci_bundle_process_file_prefixed),
	    cmocka_unit_test(test_oci_bundle_prefix_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
