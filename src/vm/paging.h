/* paging.h: the guest's 4-level page tables, built by the host in a pool of its memory. */
#pragma once
#include <stdint.h>

#define KD_PTE_P 0x1ULL
#define KD_PTE_RW 0x2ULL
#define KD_PTE_US 0x4ULL
#define KD_PTE_A 0x20ULL
#define KD_PTE_D 0x40ULL
#define KD_PTE_PS 0x80ULL
#define KD_PTE_NX (1ULL << 63) /* EFER.NXE is set: no instruction fetch */
#define KD_PTE_ADDR 0x000ffffffffff000ULL

#define KD_PT_MAX_CHUNKS 384

/* Give chunk idx (host memory at hva, len bytes) a slot at gpa. Returns 0 or -errno. */
typedef int (*kd_pt_chunk_fn)(void *ctx, int idx, void *hva, uint64_t gpa, uint64_t len);

struct kd_pt {
	uint8_t *pool; /* PROT_NONE reservation for every chunk, so the pool never moves */
	uint8_t *chunk[KD_PT_MAX_CHUNKS];
	int nchunks;
	uint64_t used;	   /* table pages handed out */
	uint64_t gpa_base; /* chunk i lives at gpa_base + i * chunk_size */
	uint64_t chunk_size;
	uint64_t root; /* guest-physical address of the PML4: CR3 */
	kd_pt_chunk_fn add_chunk;
	void *ctx;
	uint64_t n4k, n2m; /* leaf entries written */
};

int kd_pt_init(struct kd_pt *pt, uint64_t gpa_base, uint64_t chunk_size, kd_pt_chunk_fn fn,
	       void *ctx);
void kd_pt_free(struct kd_pt *pt);

/*
 * Map [gva, gva+len) to [gpa, gpa+len) with leaf flags `flags`; 2 MiB pages where both sides
 * are 2 MiB aligned over a whole 2 MiB and `huge` is set. Entries that are already present
 * are left alone: the host only ever adds entries (see memslot.h for why that is enough).
 */
int kd_pt_map(struct kd_pt *pt, uint64_t gva, uint64_t gpa, uint64_t len, uint64_t flags, int huge);

/* Walk: 0 and the translation if gva is mapped, else -1. */
int kd_pt_lookup(const struct kd_pt *pt, uint64_t gva, uint64_t *gpa, uint64_t *leaf);
