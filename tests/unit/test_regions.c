/* Unit tests: the target-region interval set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "vm/regions.h"

static void test_add_merges_adjacent_and_overlapping(void **state)
{
	struct kd_regions s = {0};
	kd_regions_add(&s, 0x1000, 0x2000);
	kd_regions_add(&s, 0x3000, 0x4000);
	assert_int_equal(s.n, 2);
	kd_regions_add(&s, 0x2000, 0x3000); /* fills the gap: one range */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].start, 0x1000);
	assert_int_equal(s.r[0].end, 0x4000);
	kd_regions_add(&s, 0x0, 0x8000); /* swallows everything */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].end, 0x8000);
	kd_regions_free(&s);
}

static void test_remove_splits_and_trims(void **state)
{
	struct kd_regions s = {0};
	kd_regions_add(&s, 0x10000, 0x20000);
	kd_regions_remove(&s, 0x14000, 0x15000);
	assert_int_equal(s.n, 2);
	assert_true(kd_regions_contains(&s, 0x13fff));
	assert_false(kd_regions_contains(&s, 0x14000));
	assert_true(kd_regions_contains(&s, 0x15000));
	kd_regions_remove(&s, 0x0, 0x12000); /* trims the front */
	assert_int_equal(s.r[0].start, 0x12000);
	kd_regions_remove(&s, 0x18000, 0x30000); /* trims the back */
	assert_int_equal(s.r[1].end, 0x18000);
	kd_regions_remove(&s, 0x0, 0x100000);
	assert_int_equal(s.n, 0);
	kd_regions_free(&s);
}

static void test_queries(void **state)
{
	struct kd_regions s = {0};
	kd_regions_add(&s, 0x1000, 0x3000);
	kd_regions_add(&s, 0x5000, 0x6000);
	assert_true(kd_regions_covers(&s, 0x1000, 0x3000));
	assert_false(kd_regions_covers(&s, 0x1000, 0x5001));
	assert_true(kd_regions_overlaps(&s, 0x2fff, 0x5000));
	assert_false(kd_regions_overlaps(&s, 0x3000, 0x5000));
	assert_false(kd_regions_contains(&s, 0x6000));
	kd_regions_free(&s);
}

static void test_gaps(void **state)
{
	struct kd_regions s = {0};
	struct kd_range g[8];
	kd_regions_add(&s, 0x2000, 0x3000);
	kd_regions_add(&s, 0x5000, 0x6000);
	size_t n = kd_regions_gaps(&s, 0x1000, 0x7000, g, 8);
	assert_int_equal(n, 3);
	assert_int_equal(g[0].start, 0x1000);
	assert_int_equal(g[0].end, 0x2000);
	assert_int_equal(g[1].start, 0x3000);
	assert_int_equal(g[1].end, 0x5000);
	assert_int_equal(g[2].start, 0x6000);
	assert_int_equal(g[2].end, 0x7000);
	assert_int_equal(kd_regions_gaps(&s, 0x2000, 0x3000, g, 8), 0);
	kd_regions_free(&s);
}

static void test_many_ranges_stay_sorted(void **state)
{
	struct kd_regions s = {0};
	for (uint64_t i = 0; i < 1000; i++)
		kd_regions_add(&s, (999 - i) * 0x2000, (999 - i) * 0x2000 + 0x1000);
	assert_int_equal(s.n, 1000);
	for (size_t i = 1; i < s.n; i++)
		assert_true(s.r[i - 1].end < s.r[i].start);
	kd_regions_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_merges_adjacent_and_overlapping),
	    cmocka_unit_test(test_remove_splits_and_trims),
	    cmocka_unit_test(test_queries),
	    cmocka_unit_test(test_gaps),
	    cmocka_unit_test(test_many_ranges_stay_sorted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
