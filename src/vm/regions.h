/* regions.h: the set of address ranges that belong to the target (page-granular). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kd_range {
	uint64_t start, end; /* [start, end) */
};

/* Sorted, non-overlapping, adjacent ranges merged. */
struct kd_regions {
	struct kd_range *r;
	size_t n, cap;
};

int kd_regions_add(struct kd_regions *s, uint64_t start, uint64_t end);
int kd_regions_remove(struct kd_regions *s, uint64_t start, uint64_t end);
bool kd_regions_contains(const struct kd_regions *s, uint64_t addr);
/* True if any byte of [start, end) is in the set. */
bool kd_regions_overlaps(const struct kd_regions *s, uint64_t start, uint64_t end);
/* True if every byte of [start, end) is in the set. */
bool kd_regions_covers(const struct kd_regions *s, uint64_t start, uint64_t end);
void kd_regions_free(struct kd_regions *s);
/* Bumped after every change to any set: lets readers keep a copy and see when it is stale. */
uint64_t kd_regions_generation(void);
/* The parts of [start, end) NOT in the set, at most max of them; returns how many. */
size_t kd_regions_gaps(const struct kd_regions *s, uint64_t start, uint64_t end,
		       struct kd_range *out, size_t max);
