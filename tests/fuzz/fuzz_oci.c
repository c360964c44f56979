/* fuzz_oci.c: libFuzzer target for the OCI runtime's untrusted inputs: config.json and
 * process.json text (the file reader and the edits) and runc command lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host/oci_args.h"
#include "host/oci_bundle.h"

static const char *const opts[] = {"-v", NULL};
static const struct kd_oci_host host = {
    .kdune_path = "/k",
    .decode_path = "/d",
    .have_kvm = 1,
    .kvm_major = 10,
    .kvm_minor = 232,
    .options = opts,
};

/* The edit's promises: a second edit changes nothing, and an edited config has a prefix. */
static void fuzz_edit(struct json_object *cfg)
{
	char err[256];
	int r = kd_oci_edit_config(cfg, &host, err, sizeof(err));
	if (r < 0 && (!err[0] || strchr(err, '\n')))
		__builtin_trap();
	if (r < 0 || kd_oci_opted_out(cfg))
		return;
	struct json_object *once = NULL, *prefix = kd_oci_prefix_of(cfg);
	if (!prefix || json_object_deep_copy(cfg, &once, NULL))
		__builtin_trap();
	if (kd_oci_edit_config(cfg, &host, err, sizeof(err)) != 0 || !json_object_equal(cfg, once))
		__builtin_trap();
	json_object_put(once);
	json_object_put(prefix);
}

/* The bytes as a file (the reader's path), then as a config and as a process object. */
static void fuzz_json(const uint8_t *data, size_t size)
{
	char path[64], err[256];
	int fd = memfd_create("cfg", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		__builtin_trap();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct json_object *cfg = kd_oci_read_json(path, err, sizeof(err)), *args;
	close(fd);
	if (!cfg)
		return;
	struct json_object *proc = NULL;
	json_object_deep_copy(cfg, &proc, NULL);
	fuzz_edit(cfg);
	json_object_put(cfg);
	if (proc && json_object_object_get_ex(proc, "args", &args)) {
		struct json_object *prefix =
		    json_tokener_parse("[\"/.kdune/kdune\",\"run\",\"--\"]");
		if (kd_oci_prefix_args(args, prefix, err, sizeof(err)) == 1 &&
		    kd_oci_prefix_args(args, prefix, err, sizeof(err)) != 0)
			__builtin_trap();
		json_object_put(prefix);
	}
	json_object_put(proc);
}

/* The bytes as a command line: NUL-separated words. */
static void fuzz_argv(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[66] = {"kdune-runtime"};
	int argc = 1;
	char err[256];
	struct kd_oci_argv a;
	memcpy(copy, data, size);
	copy[size] = 0;
	for (char *p = copy; p <= copy + size && argc < 65; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (kd_oci_parse_argv(argc, argv, &a, err, sizeof(err)) == 0) {
		if (a.exec_cmd >= a.argc || (a.exec_cmd >= 0 && a.kind != KD_OCI_EXEC) ||
		    a.args[a.argc])
			__builtin_trap();
		char *words[] = {"/.kdune/kdune", "run", "--"};
		if (a.exec_cmd >= 0 && kd_oci_argv_insert(&a, a.exec_cmd, words, 3) == 0 &&
		    (strcmp(a.args[a.exec_cmd], words[0]) || a.args[a.argc]))
			__builtin_trap();
		kd_oci_argv_free(&a);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the input kind, so one corpus covers both. */
	if (size && data[0] == 0)
		fuzz_argv(data + 1, size - 1);
	else
		fuzz_json(data, size);
	return 0;
}
