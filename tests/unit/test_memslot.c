/* Unit tests: guest-physical runs and their slots (the KVM ioctl is faked). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vm/layout.h"
#include "vm/memslot.h"

struct fake {
	int live[64];
	uint64_t gpa[64], len[64], hva[64];
	int calls;
};

static int fake_set(void *ctx, int slot, uint64_t gpa, uint64_t len, uint64_t hva)
{
	struct fake *f = ctx;
	f->calls++;
	f->live[slot] = len != 0;
	f->gpa[slot] = gpa;
	f->len[slot] = len;
	f->hva[slot] = hva;
	return 0;
}

#define MiB (1ULL << 20)
#define BASE 0x7f0000000000ULL

static void test_cover_rounds_to_2m_and_allocates_gpa(void **state)
{
	struct fake f = {0};
	struct kd_memslots m;
	kd_memslots_init(&m, 64, KD_GPA_USER, 1ULL << 40, fake_set, &f);
	assert_int_equal(kd_memslots_cover(&m, BASE + 0x1000, BASE + 0x3000), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.runs[0].hva, BASE);
	assert_int_equal(m.runs[0].len, 2 * MiB);
	assert_int_equal(m.runs[0].gpa, KD_GPA_USER);
	assert_int_equal(f.live[m.runs[0].slot], 1);
	/* Already covered: no new slot. */
	assert_int_equal(kd_memslots_cover(&m, BASE, BASE + 2 * MiB), 0);
	assert_int_equal(f.calls, 1);
	kd_memslots_free(&m);
}

static void test_cover_fills_only_gaps(void **state)
{
	struct fake f = {0};
	struct kd_memslots m;
	kd_memslots_init(&m, 64, KD_GPA_USER, 1ULL << 40, fake_set, &f);
	kd_memslots_cover(&m, BASE + 4 * MiB, BASE + 6 * MiB);
	kd_memslots_cover(&m, BASE, BASE + 10 * MiB);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.runs[0].hva, BASE);
	assert_int_equal(m.runs[0].len, 4 * MiB);
	assert_int_equal(m.runs[2].hva, BASE + 6 * MiB);
	assert_int_equal(m.runs[2].len, 4 * MiB);
	/* Guest-physical ranges never overlap. */
	for (size_t i = 0; i < m.n; i++)
		for (size_t j = i + 1; j < m.n; j++)
			assert_true(m.runs[i].gpa + m.runs[i].len <= m.runs[j].gpa ||
				    m.runs[j].gpa + m.runs[j].len <= m.runs[i].gpa);
	kd_memslots_free(&m);
}

static void test_trim_sleeps_and_wakes_at_same_gpa(void **state)
{
	struct fake f = {0};
	struct kd_memslots m;
	struct kd_regions in_use = {0};
	kd_memslots_init(&m, 64, KD_GPA_USER, 1ULL << 40, fake_set, &f);
	kd_memslots_cover(&m, BASE, BASE + 2 * MiB);
	uint64_t gpa = m.runs[0].gpa;
	kd_regions_add(&in_use, BASE, BASE + 0x1000);
	kd_memslots_trim(&m, BASE, BASE + 2 * MiB, &in_use);
	assert_true(m.runs[0].slot >= 0); /* still in use */
	kd_regions_remove(&in_use, BASE, BASE + 0x1000);
	kd_memslots_trim(&m, BASE, BASE + 2 * MiB, &in_use);
	assert_int_equal(m.runs[0].slot, -1);
	assert_int_equal(m.live_bytes, 0);
	kd_memslots_cover(&m, BASE + 0x5000, BASE + 0x6000);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.runs[0].gpa, gpa); /* the HVA -> GPA relation never changes */
	assert_true(m.runs[0].slot >= 0);
	kd_regions_free(&in_use);
	kd_memslots_free(&m);
}

static void test_gpa_to_hva_and_limits(void **state)
{
	struct fake f = {0};
	struct kd_memslots m;
	uint64_t hva;
	kd_memslots_init(&m, 64, KD_GPA_USER, KD_GPA_USER + 4 * MiB, fake_set, &f);
	kd_memslots_cover(&m, BASE, BASE + 2 * MiB);
	assert_int_equal(kd_memslots_gpa_to_hva(&m, KD_GPA_USER + 0x1234, &hva), 0);
	assert_int_equal(hva, BASE + 0x1234);
	assert_int_not_equal(kd_memslots_gpa_to_hva(&m, KD_GPA_USER + 3 * MiB, &hva), 0);
	/* Out of guest-physical space: an error, not a wrap-around. */
	assert_int_not_equal(kd_memslots_cover(&m, BASE + 100 * MiB, BASE + 110 * MiB), 0);
	kd_memslots_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cover_rounds_to_2m_and_allocates_gpa),
	    cmocka_unit_test(test_cover_fills_only_gaps),
	    cmocka_unit_test(test_trim_sleeps_and_wakes_at_same_gpa),
	    cmocka_unit_test(test_gpa_to_hva_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
