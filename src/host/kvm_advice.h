/* kvm_advice.h: why the KVM device could not be opened, and what to do, for this machine. */
#pragma once
#include <stddef.h>
#include <sys/stat.h>

/*
 * The advice for an open of the KVM device that failed with errno e, written to out (len
 * bytes, NUL-terminated) as " (...)" to follow "DEVICE: strerror", or "" when there is none.
 * st is the device's stat, NULL when it does not exist; owner and group are the names of
 * its uid and gid (NULL when they have none). The kvm group is named only when it owns the
 * device and may read and write it; otherwise the owner and mode are said. Pure: no I/O.
 */
void kd_kvm_advice_for(int e, const struct stat *st, const char *owner, const char *group,
		       char *out, size_t len);

/* The same for the device at path, looked up on this machine (stat, passwd, group). */
void kd_kvm_advice(const char *path, int e, char *out, size_t len);
