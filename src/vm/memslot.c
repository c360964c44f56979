/* memslot.c: runs of target memory, each with its guest-physical range and KVM slot. */
#include "vm/memslot.h"
#include "vm/layout.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int kd_memslots_init(struct kd_memslots *m, int max_slots, uint64_t gpa_base, uint64_t gpa_limit,
		     kd_slot_fn fn, void *ctx)
{
	*m = (struct kd_memslots){.next_gpa = gpa_base,
				  .gpa_limit = gpa_limit,
				  .set_slot = fn,
				  .ctx = ctx,
				  .max_slots = max_slots};
	m->free_ids = malloc(sizeof(int) * (size_t)max_slots);
	if (!m->free_ids)
		return -ENOMEM;
	/* Hand out low ids first. */
	for (int i = 0; i < max_slots; i++)
		m->free_ids[i] = max_slots - 1 - i;
	m->nfree = max_slots;
	return 0;
}

void kd_memslots_free(struct kd_memslots *m)
{
	free(m->runs);
	free(m->free_ids);
	*m = (struct kd_memslots){0};
}

int kd_memslots_new_id(struct kd_memslots *m)
{
	return m->nfree ? m->free_ids[--m->nfree] : -1;
}

static int run_wake(struct kd_memslots *m, struct kd_run *r)
{
	int id = kd_memslots_new_id(m);
	if (id < 0)
		return -ENOSPC;
	int rc = m->set_slot(m->ctx, id, r->gpa, r->len, r->hva);
	if (rc) {
		m->free_ids[m->nfree++] = id;
		return rc;
	}
	r->slot = id;
	m->live_bytes += r->len;
	m->live_runs++;
	return 0;
}

static void run_sleep(struct kd_memslots *m, struct kd_run *r)
{
	if (r->slot < 0 || m->set_slot(m->ctx, r->slot, r->gpa, 0, r->hva))
		return;
	m->free_ids[m->nfree++] = r->slot;
	r->slot = -1;
	m->live_bytes -= r->len;
	m->live_runs--;
}

/* Index of the first run ending after hva. */
static size_t run_lower(const struct kd_memslots *m, uint64_t hva)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->runs[mid].hva + m->runs[mid].len > hva)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int run_insert(struct kd_memslots *m, size_t at, uint64_t hva, uint64_t len)
{
	if (m->next_gpa + len > m->gpa_limit || m->next_gpa + len < m->next_gpa)
		return -ENOMEM;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct kd_run *r = realloc(m->runs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		m->runs = r;
		m->cap = cap;
	}
	struct kd_run run = {.hva = hva, .len = len, .gpa = m->next_gpa, .slot = -1};
	int rc = run_wake(m, &run);
	if (rc)
		return rc;
	memmove(&m->runs[at + 1], &m->runs[at], (m->n - at) * sizeof(run));
	m->runs[at] = run;
	m->n++;
	m->next_gpa += len;
	return 0;
}

int kd_memslots_cover(struct kd_memslots *m, uint64_t start, uint64_t end)
{
	uint64_t pos = start & ~(KD_HUGE - 1);
	end = (end + KD_HUGE - 1) & ~(KD_HUGE - 1);
	size_t i = run_lower(m, pos);
	while (pos < end) {
		if (i < m->n && m->runs[i].hva <= pos) {
			if (m->runs[i].slot < 0) {
				int rc = run_wake(m, &m->runs[i]);
				if (rc)
					return rc;
			}
			pos = m->runs[i].hva + m->runs[i].len;
			i++;
			continue;
		}
		uint64_t gap_end = end;
		if (i < m->n && m->runs[i].hva < gap_end)
			gap_end = m->runs[i].hva;
		int rc = run_insert(m, i, pos, gap_end - pos);
		if (rc)
			return rc;
		pos = gap_end;
		i++;
	}
	return 0;
}

void kd_memslots_trim(struct kd_memslots *m, uint64_t start, uint64_t end,
		      const struct kd_regions *in_use)
{
	for (size_t i = run_lower(m, start); i < m->n && m->runs[i].hva < end; i++) {
		struct kd_run *r = &m->runs[i];
		if (r->slot >= 0 && !kd_regions_overlaps(in_use, r->hva, r->hva + r->len))
			run_sleep(m, r);
	}
}

const struct kd_run *kd_memslots_by_hva(const struct kd_memslots *m, uint64_t hva)
{
	size_t i = run_lower(m, hva);
	return i < m->n && m->runs[i].hva <= hva ? &m->runs[i] : NULL;
}

int kd_memslots_gpa_to_hva(const struct kd_memslots *m, uint64_t gpa, uint64_t *hva)
{
	/* Only fault paths ask this; a linear scan keeps the structure single-indexed. */
	for (size_t i = 0; i < m->n; i++) {
		const struct kd_run *r = &m->runs[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->len) {
			*hva = r->hva + (gpa - r->gpa);
			return 0;
		}
	}
	return -ENOENT;
}
