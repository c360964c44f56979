/* oci_bundle.c: the config.json and process.json edits of kdune's OCI runtime (oci_bundle.h). */
#include "host/oci_bundle.h"
#include "host/oci_lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A config.json is a few KiB; this bounds what a corrupt or hostile one can make us read. */
#define MAX_JSON_BYTES (16 << 20)
/* kdune run options after the prefix: more is surely a mistake, not a configuration. */
#define MAX_OPTIONS 64

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* obj[key] as a string, or NULL when absent or of another type. */
static const char *get_str(struct json_object *obj, const char *key)
{
	struct json_object *v;
	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static const char *annotation(struct json_object *cfg, const char *key)
{
	struct json_object *ann;
	if (!json_object_is_type(cfg, json_type_object) ||
	    !json_object_object_get_ex(cfg, "annotations", &ann))
		return NULL;
	return get_str(ann, key);
}

static int is_false(const char *v)
{
	return v && (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"));
}

int kd_oci_opted_out(struct json_object *cfg)
{
	const char *cri = annotation(cfg, "io.kubernetes.cri.container-type");
	const char *crio = annotation(cfg, "io.kubernetes.cri-o.ContainerType");
	return is_false(annotation(cfg, KD_OCI_ANN_ENABLE)) || (cri && !strcmp(cri, "sandbox")) ||
	       (crio && !strcmp(crio, "sandbox"));
}

/* 1 if arr is a non-empty json array of strings. */
static int string_array(struct json_object *arr)
{
	size_t n;
	if (!json_object_is_type(arr, json_type_array) || !(n = json_object_array_length(arr)))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(arr, i), json_type_string))
			return 0;
	return 1;
}

/* obj[key], which must be of type t when present. Absent: *out = NULL, 0. Wrong type: -1. */
static int member(struct json_object *obj, const char *key, json_type t, struct json_object **out)
{
	*out = NULL;
	if (!json_object_object_get_ex(obj, key, out) ||
	    json_object_is_type(*out, json_type_null)) {
		*out = NULL;
		return 0;
	}
	return json_object_is_type(*out, t) ? 0 : -1;
}

/* obj[key] of type t, created empty when absent (the caller checked the type with member). */
static struct json_object *member_make(struct json_object *obj, const char *key, json_type t)
{
	struct json_object *v = NULL;
	member(obj, key, t, &v);
	if (!v) {
		v = t == json_type_array ? json_object_new_array() : json_object_new_object();
		json_object_object_add(obj, key, v);
	}
	return v;
}

/* A kdune run option as the runtime passes it: one word starting with '-'. "--" would end the
 * options early and --exec is kdune's own, so neither may come from a configuration. */
static int check_option(const char *o, char *err, size_t len)
{
	if (o[0] != '-' || !strcmp(o, "--") || !strncmp(o, "--exec", 6))
		return fail(err, len,
			    "kdune option \"%s\" is not allowed (expected kdune run options "
			    "such as -v or --trace=FILE)",
			    o);
	return 0;
}

/* Appends a string to arr. */
static void push(struct json_object *arr, const char *s)
{
	json_object_array_add(arr, json_object_new_string(s));
}

/* "KD_OCI_KDUNE run OPTIONS... --" from the host's options and the annotation: a new array. */
static struct json_object *make_prefix(struct json_object *cfg, const struct kd_oci_host *h,
				       char *err, size_t len)
{
	struct json_object *p = json_object_new_array();
	const char *ann = annotation(cfg, KD_OCI_ANN_OPTIONS);
	char *words = strdup(ann ? ann : ""), *save = NULL;
	int bad = !words;

	push(p, KD_OCI_KDUNE);
	push(p, "run");
	for (size_t i = 0; h->options && h->options[i] && !bad; i++)
		if (!(bad = check_option(h->options[i], err, len)))
			push(p, h->options[i]);
	for (char *w = words ? strtok_r(words, " \t\n", &save) : NULL; w && !bad;
	     w = strtok_r(NULL, " \t\n", &save))
		if (!(bad = check_option(w, err, len)))
			push(p, w);
	if (!bad && json_object_array_length(p) > MAX_OPTIONS + 2)
		bad = fail(err, len, "too many kdune options (at most %d)", MAX_OPTIONS);
	free(words);
	if (bad) {
		json_object_put(p);
		return NULL;
	}
	push(p, "--");
	return p;
}

/* Puts want (taken over) into arr unless an equal element is there; elements with the same
 * string in key (a mount's destination, a device's path) are replaced. 1 if arr changed. */
static int put_unique(struct json_object *arr, const char *key, struct json_object *want)
{
	const char *id = key ? get_str(want, key) : NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (json_object_equal(json_object_array_get_idx(arr, i), want)) {
			json_object_put(want);
			return 0;
		}
	for (size_t i = json_object_array_length(arr); key && id && i-- > 0;) {
		const char *v = get_str(json_object_array_get_idx(arr, i), key);
		if (v && !strcmp(v, id))
			json_object_array_del_idx(arr, i, 1);
	}
	json_object_array_add(arr, want);
	return 1;
}

/* A read-only bind mount of one host file, as runc wants it (runtime-spec config.md#mounts). */
static struct json_object *bind_mount(const char *src, const char *dst)
{
	struct json_object *m = json_object_new_object(), *o = json_object_new_array();
	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string("bind"));
	json_object_object_add(m, "source", json_object_new_string(src));
	/* nosuid, nodev: kdune needs neither, and a container must not gain them through us. */
	push(o, "rbind");
	push(o, "ro");
	push(o, "nosuid");
	push(o, "nodev");
	json_object_object_add(m, "options", o);
	return m;
}

/* linux.devices entry (config-linux.md#devices): the node runc creates in the container. */
static struct json_object *kvm_device(const struct kd_oci_host *h)
{
	struct json_object *d = json_object_new_object();
	json_object_object_add(d, "path", json_object_new_string(KD_OCI_KVM));
	json_object_object_add(d, "type", json_object_new_string("c"));
	json_object_object_add(d, "major", json_object_new_int64(h->kvm_major));
	json_object_object_add(d, "minor", json_object_new_int64(h->kvm_minor));
	/* 0666, as udev makes it on most distributions: any container user may run kdune. */
	json_object_object_add(d, "fileMode", json_object_new_int(0666));
	json_object_object_add(d, "uid", json_object_new_int(0));
	json_object_object_add(d, "gid", json_object_new_int(0));
	return d;
}

/* linux.resources.devices rule (config-linux.md#allowed-device-list) letting the cgroup
 * open /dev/kvm: rules apply in order, so it comes after a leading deny-all. */
static struct json_object *kvm_allow(const struct kd_oci_host *h)
{
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "allow", json_object_new_boolean(1));
	json_object_object_add(r, "type", json_object_new_string("c"));
	json_object_object_add(r, "major", json_object_new_int64(h->kvm_major));
	json_object_object_add(r, "minor", json_object_new_int64(h->kvm_minor));
	json_object_object_add(r, "access", json_object_new_string("rwm"));
	return r;
}

/* The members the edit touches, type-checked before anything changes. */
struct parts {
	struct json_object *args, *mounts, *lnx, *devices, *resources, *rules;
};

static int find_parts(struct json_object *cfg, struct parts *p, char *err, size_t len)
{
	struct json_object *proc;
	memset(p, 0, sizeof(*p));
	if (!json_object_is_type(cfg, json_type_object))
		return fail(err, len, "config.json is not a JSON object");
	if (member(cfg, "process", json_type_object, &proc) || !proc ||
	    member(proc, "args", json_type_array, &p->args) || !string_array(p->args))
		return fail(err, len,
			    "config.json: process.args must be a non-empty array of "
			    "strings (OCI runtime-spec, config.md#process)");
	if (member(cfg, "mounts", json_type_array, &p->mounts))
		return fail(err, len, "config.json: mounts must be an array");
	if (member(cfg, "linux", json_type_object, &p->lnx))
		return fail(err, len, "config.json: linux must be an object");
	if (p->lnx && (member(p->lnx, "devices", json_type_array, &p->devices) ||
		       member(p->lnx, "resources", json_type_object, &p->resources)))
		return fail(err, len,
			    "config.json: linux.devices must be an array and "
			    "linux.resources an object");
	if (p->resources && member(p->resources, "devices", json_type_array, &p->rules))
		return fail(err, len, "config.json: linux.resources.devices must be an array");
	return 0;
}

int kd_oci_edit_config(struct json_object *cfg, const struct kd_oci_host *h, char *err,
		       size_t errlen)
{
	struct parts p;
	struct json_object *prefix;
	int changed;

	if (kd_oci_opted_out(cfg))
		return 0;
	if (find_parts(cfg, &p, err, errlen))
		return -1;
	if (!h->have_kvm)
		return fail(err, errlen,
			    "%s: no such device on this host: kdune needs KVM (the annotation "
			    "%s=false runs the container without kdune)",
			    KD_OCI_KVM, KD_OCI_ANN_ENABLE);
	if (!(prefix = make_prefix(cfg, h, err, errlen)))
		return -1;
	/* Checked above: nothing below can fail, so cfg is never left half edited. */
	changed = kd_oci_prefix_args(p.args, prefix, NULL, 0);
	json_object_put(prefix);
	p.mounts = member_make(cfg, "mounts", json_type_array);
	changed |= put_unique(p.mounts, "destination", bind_mount(h->kdune_path, KD_OCI_KDUNE));
	changed |= put_unique(p.mounts, "destination", bind_mount(h->decode_path, KD_OCI_DECODE));
	p.lnx = member_make(cfg, "linux", json_type_object);
	p.devices = member_make(p.lnx, "devices", json_type_array);
	changed |= put_unique(p.devices, "path", kvm_device(h));
	p.resources = member_make(p.lnx, "resources", json_type_object);
	p.rules = member_make(p.resources, "devices", json_type_array);
	changed |= put_unique(p.rules, NULL, kvm_allow(h));
	return changed;
}

/* args[i] if it is a string, else NULL. */
static const char *str_idx(struct json_object *args, size_t i)
{
	struct json_object *v = json_object_array_get_idx(args, i);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

size_t kd_oci_prefix_len(struct json_object *args)
{
	const char *s0, *s1, *s;
	if (!json_object_is_type(args, json_type_array) || !(s0 = str_idx(args, 0)) ||
	    !(s1 = str_idx(args, 1)) || strcmp(s0, KD_OCI_KDUNE) || strcmp(s1, "run"))
		return 0;
	for (size_t i = 2; (s = str_idx(args, i)); i++)
		if (!strcmp(s, "--"))
			return i + 1;
	return 0; /* no "--": not a prefix this runtime wrote */
}

struct json_object *kd_oci_prefix_of(struct json_object *cfg)
{
	struct json_object *proc, *args, *out;
	size_t n;
	if (!json_object_is_type(cfg, json_type_object) ||
	    member(cfg, "process", json_type_object, &proc) || !proc ||
	    member(proc, "args", json_type_array, &args) || !(n = kd_oci_prefix_len(args)))
		return NULL;
	out = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		push(out, str_idx(args, i));
	return out;
}

int kd_oci_prefix_args(struct json_object *args, struct json_object *prefix, char *err,
		       size_t errlen)
{
	size_t n, np;
	struct json_object **old;

	if (!string_array(args))
		return fail(err, errlen, "process args must be a non-empty array of strings");
	if (kd_oci_prefix_len(args))
		return 0;
	n = json_object_array_length(args);
	np = json_object_array_length(prefix);
	if (!(old = calloc(n, sizeof(*old))))
		return fail(err, errlen, "out of memory");
	/* json-c has no insert: take the old elements out, then add prefix and them back. */
	for (size_t i = 0; i < n; i++)
		old[i] = json_object_get(json_object_array_get_idx(args, i));
	json_object_array_del_idx(args, 0, n);
	for (size_t i = 0; i < np; i++)
		json_object_array_add(args, json_object_get(json_object_array_get_idx(prefix, i)));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(args, old[i]);
	free(old);
	return 1;
}

/* The whole of fd, NUL-terminated, in a malloc'd buffer; NULL with errno on error. */
static char *slurp(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1), *nb;
	ssize_t r;
	while (buf) {
		if (n == cap) {
			if (!(nb = realloc(buf, cap * 2 + 1)))
				break;
			buf = nb;
			cap *= 2;
		}
		if ((r = read(fd, buf + n, cap - n)) == 0) {
			buf[n] = 0;
			*len = n;
			return buf;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (n += r) > MAX_JSON_BYTES) {
			errno = r < 0 ? errno : EFBIG;
			break;
		}
	}
	free(buf);
	return NULL;
}

/* One JSON object in text[len] (NUL-terminated), with nothing but white space after it. */
static struct json_object *parse_object(const char *path, const char *text, size_t len, char *err,
					size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = NULL;
	enum json_tokener_error e;
	size_t end;

	if (!tok) {
		fail(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	/* len + 1 hands the tokener the NUL, which ends a bare top-level number. */
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!obj || e != json_tokener_success) {
		fail(err, errlen, "%s: invalid JSON: %s", path, json_tokener_error_desc(e));
		json_object_put(obj);
		return NULL;
	}
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end < len || !json_object_is_type(obj, json_type_object)) {
		fail(err, errlen, "%s: %s", path,
		     end < len ? "invalid JSON: data after the JSON value" : "not a JSON object");
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

struct json_object *kd_oci_read_json(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *text;
	struct json_object *obj = NULL;

	if (fd < 0) {
		fail(err, errlen, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	text = slurp(fd, &len);
	if (!text)
		fail(err, errlen, "read %s: %s", path, strerror(errno));
	else if (strlen(text) != len)
		fail(err, errlen, "%s: not a JSON object (NUL byte)", path);
	else
		obj = parse_object(path, text, len, err, errlen);
	free(text);
	close(fd);
	return obj;
}

int kd_oci_write_json(const char *path, struct json_object *obj, char *err, size_t errlen)
{
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text), off = 0;
	char tmp[4096];
	struct stat st;
	int fd;

	if (stat(path, &st))
		st.st_mode = 0644;
	if (snprintf(tmp, sizeof(tmp), "%s.kdune-XXXXXX", path) >= (int)sizeof(tmp))
		return fail(err, errlen, "%s: path too long", path);
	if ((fd = mkstemp(tmp)) < 0)
		return fail(err, errlen, "create %s: %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += w;
	}
	/* The engine reads the file as soon as we exec it: it must be whole, with its mode. */
	if (off < len || fchmod(fd, st.st_mode & 07777) || close(fd) || rename(tmp, path)) {
		int e = errno;
		if (off < len)
			close(fd);
		unlink(tmp);
		return fail(err, errlen, "write %s: %s", path, strerror(e));
	}
	return 0;
}

int kd_oci_edit_bundle(const char *bundle, const struct kd_oci_host *h, char *err, size_t errlen)
{
	char path[4096];
	struct json_object *cfg;
	int r;

	if (snprintf(path, sizeof(path), "%s/config.json", bundle ? bundle : ".") >=
	    (int)sizeof(path))
		return fail(err, errlen, "bundle path too long");
	if (!(cfg = kd_oci_read_json(path, err, errlen)))
		return -1;
	r = kd_oci_edit_config(cfg, h, err, errlen);
	/* Where runc would refuse the program at create, so do we: kdune would only at start. */
	if (r >= 0 && !kd_oci_opted_out(cfg) && kd_oci_check_program(cfg, bundle, err, errlen))
		r = -1;
	if (r == 1 && kd_oci_write_json(path, cfg, err, errlen))
		r = -1;
	json_object_put(cfg);
	return r;
}

int kd_oci_edit_process_file(const char *path, struct json_object *prefix, char *err, size_t errlen)
{
	struct json_object *proc = kd_oci_read_json(path, err, errlen), *args;
	int r;

	if (!proc)
		return -1;
	if (member(proc, "args", json_type_array, &args) || !args)
		r = fail(err, errlen, "%s: args must be a non-empty array of strings", path);
	else if ((r = kd_oci_prefix_args(args, prefix, err, errlen)) < 0)
		fail(err, errlen, "%s: args must be a non-empty array of strings", path);
	if (r == 1 && kd_oci_write_json(path, proc, err, errlen))
		r = -1;
	json_object_put(proc);
	return r;
}
