/* oci.c: kdune's OCI runtime (oci.h): edit, then exec the lower runtime. */
#include "host/oci.h"
#include "host/oci_args.h"
#include "host/oci_bundle.h"
#include "host/oci_config.h"
#include "host/oci_log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bounds the lower runtime's `state` answer: a few hundred bytes in practice. */
#define MAX_STATE_BYTES (1 << 20)

/* Reports "kdune CMD failed: msg" in runc's way; returns runc's failure status. */
static int oci_fail(const struct kd_oci_argv *a, const char *msg)
{
	char line[4096];
	snprintf(line, sizeof(line), "kdune %s failed: %s", a->command ? a->command : "oci", msg);
	kd_oci_log_error(a->log, a->log_format, line);
	return 1;
}

/* kdune-decode sits next to kdune, or in ../libexec/kdune once installed (as decode.c finds
 * it), so both have a host path to bind-mount. */
static int find_binaries(char *kdune, char *decode, size_t len, char *err, size_t errlen)
{
	ssize_t n = readlink("/proc/self/exe", kdune, len - 1);
	if (n <= 0) {
		snprintf(err, errlen, "readlink /proc/self/exe: %s", strerror(errno));
		return -1;
	}
	kdune[n] = 0;
	char *slash = strrchr(kdune, '/');
	int dir = slash ? (int)(slash - kdune) : 0;
	snprintf(decode, len, "%.*s/kdune-decode", dir, kdune);
	if (access(decode, X_OK) == 0)
		return 0;
	char installed[PATH_MAX + 64];
	snprintf(installed, sizeof(installed), "%.*s/../libexec/kdune/kdune-decode", dir, kdune);
	/* canonical: the mount's source is shown to users (runc state, docker inspect) */
	if (access(installed, X_OK) == 0 && realpath(installed, decode))
		return 0;
	snprintf(err, errlen, "kdune-decode is neither next to %.512s nor in ../libexec/kdune",
		 kdune);
	return -1;
}

/* The host's KVM device: KDUNE_KVM_DEVICE (as libkdune reads it) or /dev/kvm. */
static void find_kvm(struct kd_oci_host *h)
{
	const char *dev = getenv("KDUNE_KVM_DEVICE");
	struct stat st;
	if (stat(dev && *dev ? dev : KD_OCI_KVM, &st) == 0 && S_ISCHR(st.st_mode)) {
		h->have_kvm = 1;
		h->kvm_major = major(st.st_rdev);
		h->kvm_minor = minor(st.st_rdev);
	}
}

static int edit_bundle(const struct kd_oci_argv *a, const struct kd_oci_config *c)
{
	char kdune[PATH_MAX], decode[PATH_MAX + 32], err[1024];
	struct kd_oci_host h = {
	    .kdune_path = kdune, .decode_path = decode, .options = (const char *const *)c->options};

	find_kvm(&h);
	if (find_binaries(kdune, decode, sizeof(kdune), err, sizeof(err)) ||
	    kd_oci_edit_bundle(a->bundle, &h, err, sizeof(err)) < 0)
		return oci_fail(a, err);
	return 0;
}

/* Runs `LOWER [--root R] state ID` and returns its stdout (malloc'd), or NULL. */
static char *lower_state(const struct kd_oci_argv *a, const char *lower)
{
	int fds[2];
	size_t n = 0;
	char *out = malloc(MAX_STATE_BYTES + 1);
	pid_t pid;

	if (!out || pipe2(fds, O_CLOEXEC)) {
		free(out);
		return NULL;
	}
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		free(out);
		return NULL;
	}
	if (pid == 0) {
		const char *argv[] = {lower, "--root", a->root, "state", a->id, NULL};
		dup2(fds[1], 1);
		freopen("/dev/null", "w", stderr);
		/* --log stays out: a failed lookup is no error of the container's. */
		if (!a->root)
			argv[1] = "state", argv[2] = a->id, argv[3] = NULL;
		execvp(lower, (char **)argv);
		_exit(127);
	}
	close(fds[1]);
	for (ssize_t r; n < MAX_STATE_BYTES && (r = read(fds[0], out + n, MAX_STATE_BYTES - n));)
		if (r > 0)
			n += r;
		else if (errno != EINTR)
			break;
	out[n] = 0;
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		free(out);
		return NULL;
	}
	return out;
}

/* The kdune prefix of the running container a->id, from its bundle's config.json as the
 * lower runtime reports it; NULL if it does not run under kdune or cannot be found (the lower
 * runtime then reports the bad id itself). */
static struct json_object *container_prefix(const struct kd_oci_argv *a, const char *lower)
{
	char *state = a->id ? lower_state(a, lower) : NULL, path[PATH_MAX + 16];
	struct json_object *st = state ? json_tokener_parse(state) : NULL, *b, *cfg, *prefix = NULL;

	free(state);
	if (st && json_object_object_get_ex(st, "bundle", &b) &&
	    json_object_is_type(b, json_type_string)) {
		snprintf(path, sizeof(path), "%s/config.json", json_object_get_string(b));
		if ((cfg = kd_oci_read_json(path, NULL, 0))) {
			prefix = kd_oci_prefix_of(cfg);
			json_object_put(cfg);
		}
	}
	json_object_put(st);
	return prefix;
}

/* exec: the new process gets the container's own kdune prefix, in the --process file or in
 * front of the positional command. */
static int edit_exec(struct kd_oci_argv *a, const char *lower)
{
	struct json_object *prefix = container_prefix(a, lower);
	char err[1024];
	int r = 0;

	if (!prefix)
		return 0;
	if (a->process) {
		if (kd_oci_edit_process_file(a->process, prefix, err, sizeof(err)) < 0)
			r = oci_fail(a, err);
	} else if (a->exec_cmd >= 0 && strcmp(a->args[a->exec_cmd], KD_OCI_KDUNE)) {
		/* (a command that is kdune itself is the caller choosing its own options) */
		size_t n = json_object_array_length(prefix);
		/* The strings stay alive in prefix, which is kept until the exec. */
		char **words = calloc(n, sizeof(char *));
		for (size_t i = 0; words && i < n; i++)
			words[i] =
			    (char *)json_object_get_string(json_object_array_get_idx(prefix, i));
		if (!words || kd_oci_argv_insert(a, a->exec_cmd, words, (int)n))
			r = oci_fail(a, "out of memory");
		free(words);
		return r; /* prefix leaks on purpose: args point into it until execvp */
	}
	json_object_put(prefix);
	return r;
}

int kd_oci_main(int argc, char **argv)
{
	struct kd_oci_argv a;
	struct kd_oci_config c;
	char err[1024];

	/* On failure a still has the --log flags read so far: the error goes where asked. */
	if (kd_oci_parse_argv(argc, argv, &a, err, sizeof(err)))
		return oci_fail(&a, err);
	if (kd_oci_config_load(a.lower, a.options, &c, err, sizeof(err)))
		return oci_fail(&a, err);
	if (a.kind == KD_OCI_CREATE && edit_bundle(&a, &c))
		return 1;
	if (a.kind == KD_OCI_EXEC && edit_exec(&a, c.lower))
		return 1;
	a.args[0] = (char *)c.lower;
	execvp(c.lower, a.args);
	snprintf(err, sizeof(err), "cannot run the lower runtime %s: %s", c.lower, strerror(errno));
	return oci_fail(&a, err);
}
