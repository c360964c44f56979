/*
 * kvm_advice.c: the advice after "/dev/kvm: Permission denied" or "No such file or
 * directory". Advice that does not fit the machine misleads (a `kvm` group that does not
 * exist, or does not own the device), so it is built from the device's owner and mode.
 */
#include "host/kvm_advice.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kd_kvm_advice_for(int e, const struct stat *st, const char *owner, const char *group,
		       char *out, size_t len)
{
	out[0] = 0;
	if (e == ENOENT || !st) {
		if (e == ENOENT || e == ENXIO || e == ENODEV)
			snprintf(out, len,
				 " (this machine has no KVM device: KVM needs hardware "
				 "virtualization (VT-x or AMD-V) enabled and the kvm_intel or "
				 "kvm_amd module loaded; inside a virtual machine, nested "
				 "virtualization too)");
		return;
	}
	if (e == ENXIO || e == ENODEV) {
		snprintf(out, len,
			 " (the device exists, but no KVM module serves it: load kvm_intel "
			 "or kvm_amd)");
		return;
	}
	if (e != EACCES && e != EPERM)
		return;
	if (group && !strcmp(group, "kvm") && (st->st_mode & 060) == 060) {
		snprintf(out, len,
			 " (the device belongs to group kvm: sudo usermod -aG kvm $USER, then log "
			 "in again)");
		return;
	}
	char o[32], g[32];
	if (!owner)
		snprintf(o, sizeof(o), "%u", (unsigned)st->st_uid);
	if (!group)
		snprintf(g, sizeof(g), "%u", (unsigned)st->st_gid);
	snprintf(out, len,
		 " (it is owned by %s:%s with mode %04o, which does not let this user read and "
		 "write it: ask its owner for access)",
		 owner ? owner : o, group ? group : g, (unsigned)(st->st_mode & 07777));
}

/*
 * The name of id in an /etc/passwd or /etc/group style file ("name:x:id:..."), into out.
 * Read directly rather than through getpwuid/getgrgid: kdune is a static binary, where
 * glibc's NSS would need the shared libraries of the glibc it was linked with.
 */
static const char *name_of(const char *file, unsigned id, char *out, size_t len)
{
	FILE *f = fopen(file, "re");
	char line[1024];
	const char *found = NULL;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *num = strtok(NULL, ":");
		if (name && pw && num && strtoul(num, NULL, 10) == id && *num >= '0' &&
		    *num <= '9') {
			snprintf(out, len, "%s", name);
			found = out;
		}
	}
	if (f)
		fclose(f);
	return found;
}

void kd_kvm_advice(const char *path, int e, char *out, size_t len)
{
	struct stat st;
	char owner[256], group[256];
	if (stat(path, &st)) {
		kd_kvm_advice_for(e, NULL, NULL, NULL, out, len);
		return;
	}
	kd_kvm_advice_for(e, &st, name_of("/etc/passwd", st.st_uid, owner, sizeof(owner)),
			  name_of("/etc/group", st.st_gid, group, sizeof(group)), out, len);
}
