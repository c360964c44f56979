/* test_nolibc.c: the engine's formatting matches libc's for the conversions kdune uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/nolibc.h"

/* Formats with both and compares text and length (the same arguments each time). */
#define SAME(fmt, ...)                                                                             \
	do {                                                                                       \
		char want[256], got[256];                                                          \
		int nw = snprintf(want, sizeof(want), fmt, __VA_ARGS__);                           \
		int ng = kd_snprintf(got, sizeof(got), fmt, __VA_ARGS__);                          \
		assert_string_equal(got, want);                                                    \
		assert_int_equal(ng, nw);                                                          \
	} while (0)

static void integers(void **state)
{
	(void)state;
	SAME("%d %i %u", -42, 0, 4000000000u);
	SAME("%ld %lu %lld %llu", -1L, 18446744073709551615UL, -9223372036854775807LL - 1,
	     18446744073709551615ULL);
	SAME("%x %X %#x %#x %#llx %llx", 255u, 255u, 0u, 16u, 0xffffff8000000000ULL, 0ULL);
	SAME("%o %#o %#03o %03o %#o", 8u, 8u, 0u, 7u, 0u);
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, -42, 42, 42);
	SAME("%02x%02x %hhu %hd", 0xau, 0xbcu, 300, 70000);
	SAME("%zu %zd %.3d %.0d|", (size_t)7, (ptrdiff_t)-7, 5, 0);
}

static void strings(void **state)
{
	(void)state;
	SAME("%s|%10s|%-10s|%.2s|%.*s|%*s|", "abc", "abc", "abc", "abc", 1, "xyz", 4, "q");
	SAME("%c%c %% %p %p", 'o', 'k', (void *)0x1234, (void *)NULL);
	/* Exact ties only: the engine scales in binary, libc rounds the exact decimal value. */
	SAME("%.2f %.1f %.0f %f %6.2f", 3.14159, 0.25, 2.5, -1.25, 12.5);
}

static void truncation(void **state)
{
	(void)state;
	char buf[8];
	int n = kd_snprintf(buf, sizeof(buf), "%s", "0123456789");
	assert_int_equal(n, 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(kd_snprintf(NULL, 0, "%d", 12345), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(integers),
	    cmocka_unit_test(strings),
	    cmocka_unit_test(truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
