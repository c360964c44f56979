/*
 * gendata MODE BYTES SEED: write BYTES bytes of deterministic test data to stdout.
 *   lines  text lines of 1..12 random words (with repeats), for sort
 *   mixed  64 KiB blocks cycling through random bytes, zeros, repeated text and random words,
 *          so that compressors see both compressible and incompressible input
 * Runs natively only (it generates the inputs of the integration tests).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

static const char *const words[] = {
    "alpha",  "bravo",	"charlie", "delta", "echo",    "foxtrot",  "golf",    "hotel",
    "india",  "juliet", "kilo",	   "lima",  "mike",    "november", "oscar",   "papa",
    "quebec", "romeo",	"sierra",  "tango", "uniform", "victor",   "whiskey", "xray",
    "yankee", "zulu",	"Kernel",  "vm",    "0",       "42",	   "-7",      "page",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Append random words and newlines to buf[0..len). */
static void word_text(char *buf, size_t len, int max_per_line)
{
	size_t pos = 0;
	int on_line = 0, line_len = 1 + (int)(next() % (uint64_t)max_per_line);

	while (pos < len) {
		const char *w = words[next() % NWORDS];
		size_t wl = strlen(w);
		for (size_t i = 0; i < wl && pos < len; i++)
			buf[pos++] = w[i];
		if (pos >= len)
			break;
		if (++on_line >= line_len) {
			buf[pos++] = '\n';
			on_line = 0;
			line_len = 1 + (int)(next() % (uint64_t)max_per_line);
		} else {
			buf[pos++] = ' ';
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "lines") != 0 && strcmp(argv[1], "mixed") != 0)) {
		fprintf(stderr, "usage: gendata lines|mixed BYTES SEED\n");
		return 2;
	}
	int lines = strcmp(argv[1], "lines") == 0;
	unsigned long long left = strtoull(argv[2], NULL, 10);
	state = strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ull + 1;

	enum { BLOCK = 65536 };
	static char buf[BLOCK];
	for (unsigned long long block = 0; left > 0; block++) {
		size_t n = left < BLOCK ? (size_t)left : BLOCK;
		if (lines) {
			word_text(buf, n, 12);
			if (n == left)
				buf[n - 1] = '\n';
		} else {
			switch (block % 4) {
			case 0:
				for (size_t i = 0; i < n; i++)
					buf[i] = (char)(next() >> 56);
				break;
			case 1:
				memset(buf, 0, n);
				break;
			case 2:
				for (size_t i = 0; i < n; i++)
					buf[i] =
					    "The quick brown fox jumps over the lazy dog. "[i % 45];
				break;
			default:
				word_text(buf, n, 20);
				break;
			}
		}
		if (fwrite(buf, 1, n, stdout) != n) {
			perror("gendata: write");
			return 1;
		}
		left -= n;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
