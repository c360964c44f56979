/*
 * oci_bundle.h: the edits that make an OCI container's processes run under kdune.
 *
 * The objects are OCI runtime-spec (v1.0+) documents: a bundle's config.json, or the process
 * object that `runc exec --process FILE` reads (the spec's "process" member on its own). The
 * edits are pure functions over json-c objects, so they can be tested without a runtime; the
 * *_file variants read, edit and atomically rewrite a file. Every edit is idempotent: editing
 * an edited document again changes nothing.
 *
 * Errors: functions returning int give -1 and write one line (no trailing newline) to
 * err[errlen] (err may be NULL when errlen is 0). Nothing is changed on error.
 */
#ifndef KD_OCI_BUNDLE_H
#define KD_OCI_BUNDLE_H

#include <json-c/json.h>
#include <stddef.h>

/* Where kdune's static binaries appear inside a container (bind mounts, read-only). */
#define KD_OCI_DIR "/.kdune"
#define KD_OCI_KDUNE KD_OCI_DIR "/kdune"
#define KD_OCI_DECODE KD_OCI_DIR "/kdune-decode"
#define KD_OCI_KVM "/dev/kvm"

/* Annotations a container can carry (OCI "annotations" map). */
#define KD_OCI_ANN_ENABLE "org.kdune.enable"   /* "false": run without kdune */
#define KD_OCI_ANN_OPTIONS "org.kdune.options" /* kdune run options, space-separated */

/* What an edit needs to know about the host. */
struct kd_oci_host {
	const char *kdune_path;	 /* host path of the static kdune: bind-mount source */
	const char *decode_path; /* host path of the static kdune-decode */
	int have_kvm;		 /* 1 if the host has /dev/kvm; kvm_major/minor are its numbers */
	long kvm_major, kvm_minor;
	const char *const *options; /* kdune run options of the runtime's configuration: a
				       NULL-terminated list, or NULL for none */
};

/* 1 if the container opts out of kdune: annotation org.kdune.enable=false, or a pod's
 * sandbox (io.kubernetes.cri.container-type or io.kubernetes.cri-o.ContainerType = sandbox,
 * the annotations containerd's CRI and CRI-O set). 0 otherwise, also for a malformed cfg. */
int kd_oci_opted_out(struct json_object *cfg);

/* Edits config.json's object cfg so that process.args runs under kdune: bind mounts of kdune
 * and kdune-decode at KD_OCI_DIR (ro, nosuid, nodev), /dev/kvm in linux.devices with the
 * host's numbers and allowed (rwm) in linux.resources.devices, and process.args prefixed with
 * "KD_OCI_KDUNE run OPTIONS --", OPTIONS being h->options then the org.kdune.options
 * annotation. Returns 1 if cfg was edited, 0 if it opts out (unchanged), -1 on error: cfg is
 * not an OCI config (no process.args array of strings, or members of the wrong type), a bad
 * option, or a host without KVM (h->have_kvm == 0). */
int kd_oci_edit_config(struct json_object *cfg, const struct kd_oci_host *h, char *err,
		       size_t errlen);

/* The number of leading elements of args (a json array) that are kdune's prefix: KD_OCI_KDUNE,
 * "run", options, up to and including the first "--" (all strings). 0 when args does not
 * start with one: a program that merely is KD_OCI_KDUNE does not count as prefixed. */
size_t kd_oci_prefix_len(struct json_object *args);

/* The kdune prefix of an edited config ("KD_OCI_KDUNE", "run", options..., "--"), as a new
 * json array the caller puts; NULL if cfg's process does not run under kdune. */
struct json_object *kd_oci_prefix_of(struct json_object *cfg);

/* Puts the strings of prefix (a json array, as from kd_oci_prefix_of) in front of args (a
 * json array of strings), unless args already starts with KD_OCI_KDUNE. Returns 1 if edited,
 * 0 if already prefixed, -1 if args is not a non-empty array of strings. */
int kd_oci_prefix_args(struct json_object *args, struct json_object *prefix, char *err,
		       size_t errlen);

/* Reads the JSON object in path. NULL on error (missing, unreadable, not one JSON object). */
struct json_object *kd_oci_read_json(const char *path, char *err, size_t errlen);

/* Writes obj to path atomically (a temporary file in the same directory, renamed over it),
 * keeping path's permissions. 0 or -1. */
int kd_oci_write_json(const char *path, struct json_object *obj, char *err, size_t errlen);

/* kd_oci_edit_config on the file BUNDLE/config.json (bundle NULL: the current directory),
 * then kd_oci_check_program (oci_lookup.h): a program runc would not find fails here too.
 * The file is rewritten only when edited. Returns as kd_oci_edit_config. */
int kd_oci_edit_bundle(const char *bundle, const struct kd_oci_host *h, char *err, size_t errlen);

/* kd_oci_prefix_args on the "args" of the process object in the file path (runc exec's
 * --process FILE). The file is rewritten only when edited. 1, 0 or -1 as above. */
int kd_oci_edit_process_file(const char *path, struct json_object *prefix, char *err,
			     size_t errlen);

#endif
