/* paging.c: page-table builder. Tables live in host memory the guest sees through slots. */
#include "vm/paging.h"
#include "vm/layout.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

static uint64_t *table_hva(const struct kd_pt *pt, uint64_t gpa)
{
	uint64_t off = gpa - pt->gpa_base;
	uint64_t idx = off / pt->chunk_size;
	if (gpa < pt->gpa_base || idx >= (uint64_t)pt->nchunks)
		return NULL;
	return (uint64_t *)(pt->chunk[idx] + off % pt->chunk_size);
}

static int add_chunk(struct kd_pt *pt)
{
	if (pt->nchunks == KD_PT_MAX_CHUNKS)
		return -ENOMEM;
	uint8_t *p = pt->pool + (uint64_t)pt->nchunks * pt->chunk_size;
	if (mprotect(p, pt->chunk_size, PROT_READ | PROT_WRITE))
		return -errno;
	uint64_t gpa = pt->gpa_base + (uint64_t)pt->nchunks * pt->chunk_size;
	int rc = pt->add_chunk ? pt->add_chunk(pt->ctx, pt->nchunks, p, gpa, pt->chunk_size) : 0;
	if (rc) {
		mprotect(p, pt->chunk_size, PROT_NONE);
		return rc;
	}
	pt->chunk[pt->nchunks++] = p;
	return 0;
}

/* A zeroed table page; returns its guest-physical address or 0. */
static uint64_t table_alloc(struct kd_pt *pt)
{
	uint64_t per_chunk = pt->chunk_size / KD_PAGE;
	if (pt->used == (uint64_t)pt->nchunks * per_chunk && add_chunk(pt))
		return 0;
	/* Fresh anonymous memory is already zero, and pages are never freed. */
	return pt->gpa_base + pt->used++ * KD_PAGE;
}

int kd_pt_init(struct kd_pt *pt, uint64_t gpa_base, uint64_t chunk_size, kd_pt_chunk_fn fn,
	       void *ctx)
{
	*pt = (struct kd_pt){
	    .gpa_base = gpa_base, .chunk_size = chunk_size, .add_chunk = fn, .ctx = ctx};
	/*
	 * Reserve the whole pool's address range now: memory kdune maps after the target
	 * starts could land where stale guest PTEs still point. MAP_PRIVATE: a forked child
	 * inherits the tables as they are.
	 */
	void *p = mmap(NULL, KD_PT_MAX_CHUNKS * chunk_size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	pt->pool = p;
	pt->root = table_alloc(pt);
	return pt->root ? 0 : -ENOMEM;
}

void kd_pt_free(struct kd_pt *pt)
{
	if (pt->pool)
		munmap(pt->pool, KD_PT_MAX_CHUNKS * pt->chunk_size);
	pt->pool = NULL;
	pt->nchunks = 0;
}

/* The entry for gva at `level` (3 = PML4 ... 0 = PT), allocating tables above it. */
static uint64_t *entry_for(struct kd_pt *pt, uint64_t gva, int level)
{
	uint64_t *t = table_hva(pt, pt->root);
	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[(gva >> (12 + 9 * l)) & 511];
		if (!(*e & KD_PTE_P)) {
			uint64_t g = table_alloc(pt);
			if (!g)
				return NULL;
			/* Upper levels allow everything; the leaf decides. */
			*e = g | KD_PTE_P | KD_PTE_RW | KD_PTE_US | KD_PTE_A;
		} else if (*e & KD_PTE_PS) {
			return e; /* already covered by a larger page */
		}
		t = table_hva(pt, *e & KD_PTE_ADDR);
		if (!t)
			return NULL;
	}
	return &t[(gva >> (12 + 9 * level)) & 511];
}

int kd_pt_map(struct kd_pt *pt, uint64_t gva, uint64_t gpa, uint64_t len, uint64_t flags, int huge)
{
	uint64_t end = gva + len;
	while (gva < end) {
		int big = huge && !(gva & (KD_HUGE - 1)) && !(gpa & (KD_HUGE - 1)) &&
			  end - gva >= KD_HUGE;
		uint64_t *e = entry_for(pt, gva, big ? 1 : 0);
		if (e && big && (*e & KD_PTE_P) && !(*e & KD_PTE_PS)) {
			/* A table of small pages is already there: fill it instead. */
			big = 0;
			e = entry_for(pt, gva, 0);
		}
		if (!e)
			return -ENOMEM;
		if (!(*e & KD_PTE_P)) {
			*e = gpa | flags | KD_PTE_P | (big ? KD_PTE_PS : 0);
			big ? pt->n2m++ : pt->n4k++;
		}
		uint64_t step = big ? KD_HUGE : KD_PAGE;
		gva += step;
		gpa += step;
	}
	return 0;
}

int kd_pt_lookup(const struct kd_pt *pt, uint64_t gva, uint64_t *gpa, uint64_t *leaf)
{
	const uint64_t *t = table_hva(pt, pt->root);
	for (int l = 3; l >= 0 && t; l--) {
		uint64_t e = t[(gva >> (12 + 9 * l)) & 511];
		if (!(e & KD_PTE_P))
			return -1;
		if (l == 0 || (e & KD_PTE_PS)) {
			uint64_t mask = (1ULL << (12 + 9 * l)) - 1;
			*gpa = (e & KD_PTE_ADDR & ~mask) | (gva & mask);
			if (leaf)
				*leaf = e;
			return 0;
		}
		t = table_hva(pt, e & KD_PTE_ADDR);
	}
	return -1;
}
