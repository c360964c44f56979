/* maps.h: this process's mappings, read from /proc/self/maps without libc. */
#pragma once
#include <stdint.h>

struct kd_mapping {
	uint64_t start, end, offset, inode;
	char perms[5]; /* "rw-p" */
	char path[4096];
};

/*
 * Call fn for each mapping, in address order, until it returns non-zero (which is then
 * returned). 0 when all were seen, -errno if the file could not be read.
 */
int kd_maps_each(int (*fn)(void *ctx, const struct kd_mapping *m), void *ctx);
/* The mapping that contains addr: 0, or -1 if none. */
int kd_maps_find(uint64_t addr, struct kd_mapping *out);
