/* oci.h: `kdune oci` / kdune-runtime, an OCI runtime that hands every command to a lower
 * runtime (runc by default) after making the container's processes run under kdune. */
#ifndef KD_OCI_H
#define KD_OCI_H

/*
 * Runs a runc command line (runc 1.1's CLI; argv[0] is the program's name, argv[1..] runc's
 * global flags, command and its arguments). On create/run the bundle's config.json is edited
 * (oci_bundle.h), on exec the new process is prefixed likewise when the container runs under
 * kdune; then the lower runtime is executed with the same arguments, less the runtime's own
 * --kdune-runtime=PATH and --kdune-options=STRING. Returns only on failure: 1, as runc, after
 * reporting the error as runc does (oci_log.h).
 */
int kd_oci_main(int argc, char **argv);

#endif
