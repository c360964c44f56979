/* regions.c: sorted interval set. Small and simple: updates happen per mmap, not per access. */
#include "vm/regions.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t generation;

uint64_t kd_regions_generation(void)
{
	return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}

static void changed(void)
{
	__atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
}

/* Index of the first range whose end is > addr. */
static size_t lower(const struct kd_regions *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->r[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int reserve(struct kd_regions *s, size_t extra)
{
	if (s->n + extra <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 64;
	while (cap < s->n + extra)
		cap *= 2;
	struct kd_range *r = realloc(s->r, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	s->r = r;
	s->cap = cap;
	return 0;
}

int kd_regions_add(struct kd_regions *s, uint64_t start, uint64_t end)
{
	if (start >= end)
		return 0;
	if (reserve(s, 1))
		return -ENOMEM;
	/* Ranges that touch or overlap [start, end) merge into one. */
	size_t i = lower(s, start ? start - 1 : 0);
	if (i < s->n && s->r[i].end < start)
		i++;
	size_t j = i;
	while (j < s->n && s->r[j].start <= end) {
		if (s->r[j].start < start)
			start = s->r[j].start;
		if (s->r[j].end > end)
			end = s->r[j].end;
		j++;
	}
	memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof(*s->r));
	s->n = s->n - (j - i) + 1;
	s->r[i] = (struct kd_range){start, end};
	changed();
	return 0;
}

int kd_regions_remove(struct kd_regions *s, uint64_t start, uint64_t end)
{
	if (start >= end)
		return 0;
	if (reserve(s, 1))
		return -ENOMEM;
	size_t i = lower(s, start);
	if (i < s->n && s->r[i].start < start && s->r[i].end > end) {
		/* Punching a hole splits one range in two. */
		memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(*s->r));
		s->n++;
		s->r[i].end = start;
		s->r[i + 1].start = end;
		changed();
		return 0;
	}
	if (i < s->n && s->r[i].start < start) {
		s->r[i].end = start;
		i++;
	}
	size_t j = i;
	while (j < s->n && s->r[j].end <= end)
		j++;
	if (j < s->n && s->r[j].start < end)
		s->r[j].start = end;
	memmove(&s->r[i], &s->r[j], (s->n - j) * sizeof(*s->r));
	s->n -= j - i;
	changed();
	return 0;
}

bool kd_regions_contains(const struct kd_regions *s, uint64_t addr)
{
	size_t i = lower(s, addr);
	return i < s->n && s->r[i].start <= addr;
}

bool kd_regions_overlaps(const struct kd_regions *s, uint64_t start, uint64_t end)
{
	size_t i = lower(s, start);
	return start < end && i < s->n && s->r[i].start < end;
}

bool kd_regions_covers(const struct kd_regions *s, uint64_t start, uint64_t end)
{
	size_t i = lower(s, start);
	return start >= end || (i < s->n && s->r[i].start <= start && s->r[i].end >= end);
}

void kd_regions_free(struct kd_regions *s)
{
	free(s->r);
	*s = (struct kd_regions){0};
	changed();
}

size_t kd_regions_gaps(const struct kd_regions *s, uint64_t start, uint64_t end,
		       struct kd_range *out, size_t max)
{
	size_t n = 0;
	for (size_t i = lower(s, start); start < end && n < max; i++) {
		uint64_t next = i < s->n && s->r[i].start < end ? s->r[i].start : end;
		if (next > start)
			out[n++] = (struct kd_range){start, next};
		if (i >= s->n || s->r[i].start >= end)
			break;
		start = s->r[i].end;
	}
	return n;
}
