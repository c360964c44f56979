/* oci_config.h: the configuration of kdune's OCI runtime (which lower runtime, which kdune
 * options), from its command line, its environment and a JSON file. */
#ifndef KD_OCI_CONFIG_H
#define KD_OCI_CONFIG_H

#include <stddef.h>

#define KD_OCI_CONFIG_FILE "/etc/kdune/runtime.json"

struct kd_oci_config {
	const char *lower; /* the lower runtime: a path, or a name looked up in PATH */
	char **options;	   /* kdune run options, NULL-terminated (malloc'd, with their strings) */
	char *storage;	   /* what lower points into when it came from the file */
};

/*
 * Fills c. For each item the first source that has it wins: the flag value (flag_lower from
 * --kdune-runtime, flag_options from --kdune-options; NULL when absent), the environment
 * (KDUNE_LOWER_RUNTIME, KDUNE_OPTIONS: options are separated by white space), the JSON file
 * $KDUNE_RUNTIME_CONFIG or else KD_OCI_CONFIG_FILE ({"runtime": "crun", "options": ["-v"]}),
 * then "runc" and no options. A missing default file is not an error; an unreadable or
 * malformed one is. Returns 0, or -1 with one line in err. Free with kd_oci_config_free.
 */
int kd_oci_config_load(const char *flag_lower, const char *flag_options, struct kd_oci_config *c,
		       char *err, size_t errlen);

void kd_oci_config_free(struct kd_oci_config *c);

#endif
