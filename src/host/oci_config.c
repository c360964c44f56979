/* oci_config.c: kdune's OCI runtime configuration (oci_config.h). */
#include "host/oci_config.h"
#include "host/oci_bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Appends a copy of s to the NULL-terminated list *v of *n words. */
static int add_word(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -1;
	nv[++*n] = NULL;
	return 0;
}

static int split_words(const char *s, char ***out)
{
	size_t n = 0, len;
	*out = calloc(1, sizeof(char *));
	for (; *out && s && *s; s += len) {
		s += strspn(s, " \t\n");
		if ((len = strcspn(s, " \t\n")) && add_word(out, &n, s, len))
			return -1;
	}
	return *out ? 0 : -1;
}

/* The file's "runtime" (when c->lower is still unset) and "options" (when *opts is). */
static int load_file(struct kd_oci_config *c, int want_options, char *err, size_t errlen)
{
	const char *env = getenv("KDUNE_RUNTIME_CONFIG");
	const char *path = env && *env ? env : KD_OCI_CONFIG_FILE;
	struct json_object *f, *v;
	size_t n = 0;
	int bad = 0;

	if (!(env && *env) && access(path, F_OK) && errno == ENOENT)
		return 0;
	if (!(f = kd_oci_read_json(path, err, errlen)))
		return -1;
	if (json_object_object_get_ex(f, "runtime", &v) && !c->lower) {
		if (!json_object_is_type(v, json_type_string) || !*json_object_get_string(v))
			bad = 1;
		else if (!(c->storage = strdup(json_object_get_string(v))))
			bad = 1;
		c->lower = c->storage;
	}
	if (!bad && want_options && json_object_object_get_ex(f, "options", &v)) {
		bad = !json_object_is_type(v, json_type_array);
		for (size_t i = 0; !bad && i < json_object_array_length(v); i++) {
			struct json_object *o = json_object_array_get_idx(v, i);
			bad = !json_object_is_type(o, json_type_string) ||
			      add_word(&c->options, &n, json_object_get_string(o),
				       strlen(json_object_get_string(o)));
		}
	}
	json_object_put(f);
	if (bad)
		snprintf(err, errlen,
			 "%s: \"runtime\" must be a non-empty string and \"options\" an array of "
			 "strings",
			 path);
	return bad ? -1 : 0;
}

int kd_oci_config_load(const char *flag_lower, const char *flag_options, struct kd_oci_config *c,
		       char *err, size_t errlen)
{
	const char *env_lower = getenv("KDUNE_LOWER_RUNTIME");
	const char *opts = flag_options ? flag_options : getenv("KDUNE_OPTIONS");

	memset(c, 0, sizeof(*c));
	c->lower = flag_lower && *flag_lower ? flag_lower
		   : env_lower && *env_lower ? env_lower
					     : NULL;
	if (opts && split_words(opts, &c->options)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((!c->lower || !opts) && load_file(c, !opts, err, errlen)) {
		kd_oci_config_free(c);
		return -1;
	}
	if (!c->lower)
		c->lower = "runc";
	return 0;
}

void kd_oci_config_free(struct kd_oci_config *c)
{
	for (size_t i = 0; c->options && c->options[i]; i++)
		free(c->options[i]);
	free(c->options);
	free(c->storage);
	memset(c, 0, sizeof(*c));
}
