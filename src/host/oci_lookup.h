/* oci_lookup.h: is a container's program there? Checked in the bundle's rootfs at create, so
 * that a missing program fails `create` with runc's words, as it does under plain runc. */
#ifndef KD_OCI_LOOKUP_H
#define KD_OCI_LOOKUP_H

#include <json-c/json.h>
#include <stddef.h>

/*
 * Looks up the container's program the way runc 1.1 does before it waits for `start` (Go's
 * exec.LookPath inside the container, with process.env's PATH and process.cwd): in the rootfs
 * of cfg (root.path, relative to bundle unless absolute), following its symlinks inside it.
 * The program is process.args[0], or the word after "--" when args carries kdune's prefix.
 *
 * Returns -1 only when the program is surely not there, with runc's wording in err:
 *   exec: "NAME": executable file not found in $PATH
 *   exec: "PATH": stat PATH: no such file or directory   (or: not a directory)
 *   exec: "PATH": permission denied                      (a directory, or no x bit)
 * Returns 0 when it is there, and also whenever the answer depends on what the rootfs alone
 * does not show: a path that reaches a mount of cfg (set up by runc later), no PATH in
 * process.env, an unreadable rootfs, too many symlinks.
 */
int kd_oci_check_program(struct json_object *cfg, const char *bundle, char *err, size_t errlen);

#endif
