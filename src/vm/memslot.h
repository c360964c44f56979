/* memslot.h: guest-physical allocation and KVM memory slots for the target's memory. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "vm/regions.h"

/*
 * A run is a 2 MiB-aligned host range with its own guest-physical range and slot. The
 * HVA -> GPA relation of a run never changes for the life of the VM, so a page-table entry
 * written once stays right forever, even after the host unmaps and remaps the memory: that
 * is what lets kdune only ever add page-table entries (the shadow-paging backend misses host
 * edits that remove or change them). A run whose memory is all unmapped goes dormant (its
 * slot is deleted, so slot kernel memory stays proportional to memory in use) and wakes up
 * at the same GPA if the range is used again.
 */
struct kd_run {
	uint64_t hva, len, gpa;
	int slot; /* -1: dormant */
};

/* Create (len > 0) or delete (len == 0) KVM slot `slot`. Returns 0 or -errno. */
typedef int (*kd_slot_fn)(void *ctx, int slot, uint64_t gpa, uint64_t len, uint64_t hva);

struct kd_memslots {
	struct kd_run *runs; /* sorted by hva, disjoint */
	size_t n, cap;
	uint64_t next_gpa, gpa_limit;
	int *free_ids; /* stack of free slot ids */
	int nfree, max_slots;
	kd_slot_fn set_slot;
	void *ctx;
	uint64_t live_bytes;
	int live_runs;
};

int kd_memslots_init(struct kd_memslots *m, int max_slots, uint64_t gpa_base, uint64_t gpa_limit,
		     kd_slot_fn fn, void *ctx);
void kd_memslots_free(struct kd_memslots *m);
/* A slot id for a fixed-purpose slot (kernel area, page-table pool). -1 if none left. */
int kd_memslots_new_id(struct kd_memslots *m);
/* Make every 2 MiB chunk touching [start, end) belong to a live run. */
int kd_memslots_cover(struct kd_memslots *m, uint64_t start, uint64_t end);
/* Runs overlapping [start, end) with no byte of `in_use` left go dormant. */
void kd_memslots_trim(struct kd_memslots *m, uint64_t start, uint64_t end,
		      const struct kd_regions *in_use);
/* The run containing hva, or NULL. */
const struct kd_run *kd_memslots_by_hva(const struct kd_memslots *m, uint64_t hva);
/* Host address for a guest-physical address of a run (live or dormant). 0 on success. */
int kd_memslots_gpa_to_hva(const struct kd_memslots *m, uint64_t gpa, uint64_t *hva);
