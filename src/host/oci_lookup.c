/* oci_lookup.c: runc's program lookup, done early in the bundle's rootfs (oci_lookup.h). */
#include "host/oci_lookup.h"
#include "host/oci_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux's own bound on symlinks in one lookup (path_resolution(7)). */
#define MAX_HOPS 40

enum found { FOUND, ABSENT, UNKNOWN };

/* What a lookup walks in: the rootfs, the mount destinations (canonical) and cfg's cwd. */
struct rootfs {
	int fd;
	const char *cwd;
	char cwd_buf[PATH_MAX];
	char mounts[64][PATH_MAX];
	int nmounts; /* -1: too many to tell: every lookup is UNKNOWN */
};

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return 1;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

static int reaches_mount(const struct rootfs *r, const char *path)
{
	if (r->nmounts < 0)
		return 1;
	for (int i = 0; i < r->nmounts; i++)
		if (under(path, r->mounts[i]))
			return 1;
	return 0;
}

/* Drops cur's last component ("/a/b" -> "/a", "/a" -> "/"). */
static void up(char *cur)
{
	char *s = strrchr(cur, '/');
	if (s)
		s[s == cur] = 0;
}

/*
 * Resolves path (absolute in the container, or relative to r->cwd) in the rootfs, following
 * symlinks as the kernel would after chroot, into out (canonical). Every step stays inside:
 * components are looked at one by one with AT_SYMLINK_NOFOLLOW, ".." stops at "/". With
 * mounts set, a step onto a mount is UNKNOWN. *e gets the errno of an ABSENT answer. With
 * canon_only, a missing component ends the walk: out is the rest appended as written.
 */
static enum found resolve(const struct rootfs *r, const char *path, int mounts, char *out,
			  struct stat *st, int *e)
{
	char rest[PATH_MAX * 2], link[PATH_MAX], tmp[PATH_MAX * 2];
	int hops = 0;
	snprintf(out, PATH_MAX, "%s", path[0] == '/' ? "/" : r->cwd);
	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return UNKNOWN;
	for (char *p = rest; *p;) {
		char *c = p, *slash = strchr(p, '/');
		p = slash ? (*slash = 0, slash + 1) : p + strlen(p);
		if (!*c || !strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			up(out);
			continue;
		}
		size_t len = strlen(out), clen = strlen(c);
		if (len + clen + 2 > PATH_MAX)
			return UNKNOWN;
		if (len > 1)
			out[len++] = '/';
		memcpy(out + len, c, clen + 1);
		if (mounts && reaches_mount(r, out))
			return UNKNOWN;
		if (fstatat(r->fd, out + 1, st, AT_SYMLINK_NOFOLLOW)) {
			*e = errno;
			if (errno != ENOENT && errno != ENOTDIR)
				return UNKNOWN;
			if (!mounts && *p) /* canonical form of a path not there (yet) */
				snprintf(out + strlen(out), PATH_MAX - strlen(out), "/%s", p);
			return ABSENT;
		}
		if (S_ISLNK(st->st_mode)) {
			ssize_t n = readlinkat(r->fd, out + 1, link, sizeof(link) - 1);
			if (n <= 0 || ++hops > MAX_HOPS)
				return UNKNOWN;
			link[n] = 0;
			up(out);
			if (link[0] == '/')
				snprintf(out, PATH_MAX, "/");
			if (snprintf(tmp, sizeof(tmp), "%s/%s", link, p) >= (int)sizeof(tmp))
				return UNKNOWN;
			memcpy(rest, tmp, strlen(tmp) + 1);
			p = rest;
		} else if (*p && !S_ISDIR(st->st_mode)) {
			*e = ENOTDIR;
			return ABSENT;
		}
	}
	return fstatat(r->fd, out[1] ? out + 1 : ".", st, 0) ? UNKNOWN : FOUND;
}

/* Go's findExecutable: a file that is not a directory and has an x bit. */
static enum found executable(const struct rootfs *r, const char *path, int *e, int *denied)
{
	char out[PATH_MAX];
	struct stat st;
	enum found f = resolve(r, path, 1, out, &st, e);
	*denied = f == FOUND && (S_ISDIR(st.st_mode) || !(st.st_mode & 0111));
	return *denied ? ABSENT : f;
}

/* The mount destinations, canonical in the rootfs (a destination under a symlink is where
 * runc mounts it: it resolves them inside the rootfs too). */
static void load_mounts(struct rootfs *r, struct json_object *cfg)
{
	struct json_object *mounts, *m, *d;
	struct stat st;
	int e;
	r->nmounts = 0;
	if (!json_object_object_get_ex(cfg, "mounts", &mounts) ||
	    !json_object_is_type(mounts, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		m = json_object_array_get_idx(mounts, i);
		if (!json_object_object_get_ex(m, "destination", &d) ||
		    !json_object_is_type(d, json_type_string))
			continue;
		if (r->nmounts == (int)(sizeof(r->mounts) / sizeof(r->mounts[0]))) {
			r->nmounts = -1;
			return;
		}
		char dest[PATH_MAX + 1];
		snprintf(dest, sizeof(dest), "/%s", json_object_get_string(d));
		if (resolve(r, dest, 0, r->mounts[r->nmounts], &st, &e) == UNKNOWN)
			snprintf(r->mounts[r->nmounts], PATH_MAX, "/"); /* cannot tell: all */
		r->nmounts++;
	}
}

static const char *str_at(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, a, &v) || (b && !json_object_object_get_ex(v, b, &v)))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The program: args[0], or the word after kdune's "--". */
static const char *program(struct json_object *cfg, const char **path_env)
{
	struct json_object *proc, *args, *env;
	size_t i, n;
	*path_env = NULL;
	if (!json_object_object_get_ex(cfg, "process", &proc) ||
	    !json_object_object_get_ex(proc, "args", &args) ||
	    !json_object_is_type(args, json_type_array) || !(n = json_object_array_length(args)))
		return NULL;
	i = kd_oci_prefix_len(args);
	if (json_object_object_get_ex(proc, "env", &env) &&
	    json_object_is_type(env, json_type_array))
		for (size_t k = 0; k < json_object_array_length(env); k++) {
			const char *s = json_object_get_string(json_object_array_get_idx(env, k));
			if (s && !strncmp(s, "PATH=", 5))
				*path_env = s + 5;
		}
	struct json_object *p = json_object_array_get_idx(args, i);
	return i < n && json_object_is_type(p, json_type_string) ? json_object_get_string(p) : NULL;
}

/* exec.LookPath(name) for a name without '/': the first executable PATH entry. */
static int look_path(const struct rootfs *r, const char *name, const char *path, char *err,
		     size_t errlen)
{
	char dirs[PATH_MAX * 2], cand[PATH_MAX * 3];
	int e, denied;
	snprintf(dirs, sizeof(dirs), "%s", path);
	for (char *d = dirs, *colon;; d = colon + 1) {
		colon = strchr(d, ':');
		if (colon)
			*colon = 0;
		snprintf(cand, sizeof(cand), "%s/%s", *d ? d : ".", name);
		if (executable(r, cand, &e, &denied) != ABSENT)
			return 0;
		if (!colon)
			break;
	}
	snprintf(err, errlen,
		 "unable to start container process: exec: \"%s\": executable file not found in "
		 "$PATH",
		 name);
	return -1;
}

int kd_oci_check_program(struct json_object *cfg, const char *bundle, char *err, size_t errlen)
{
	static struct rootfs r; /* 256 KiB of mount paths: not on the stack */
	char rootpath[PATH_MAX * 2];
	const char *path_env, *name = program(cfg, &path_env), *root = str_at(cfg, "root", "path");
	int e = 0, denied = 0, ret = 0;

	if (!name || !*name || !root)
		return 0;
	snprintf(rootpath, sizeof(rootpath), "%s%s%s",
		 root[0] == '/' ? ""
		 : bundle	? bundle
				: ".",
		 root[0] == '/' ? "" : "/", root);
	if ((r.fd = open(rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	/* cwd canonical first: resolve() must only ever stat paths of real directories. */
	const char *cwd = str_at(cfg, "process", "cwd");
	struct stat st;
	char dir[PATH_MAX + 1];
	snprintf(dir, sizeof(dir), "/%s", cwd ? cwd : "");
	r.cwd = "/";
	if (resolve(&r, dir, 0, r.cwd_buf, &st, &e) == UNKNOWN) {
		close(r.fd);
		return 0;
	}
	r.cwd = r.cwd_buf;
	load_mounts(&r, cfg);
	if (!strchr(name, '/')) {
		ret = path_env ? look_path(&r, name, path_env, err, errlen) : 0;
	} else if (executable(&r, name, &e, &denied) == ABSENT) {
		ret = -1;
		if (denied)
			snprintf(
			    err, errlen,
			    "unable to start container process: exec: \"%s\": permission denied",
			    name);
		else
			snprintf(err, errlen,
				 "unable to start container process: exec: \"%s\": stat %s: %s",
				 name, name,
				 e == ENOTDIR ? "not a directory" : "no such file or directory");
	}
	close(r.fd);
	return ret;
}
