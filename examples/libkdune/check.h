/* check.h: the examples check their own results; a failed check says which and exits 1. */
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* Enter the VM or explain why not. */
#define ENTER()                                                                                    \
	do {                                                                                       \
		if (kdune_enter()) {                                                               \
			fprintf(stderr, "kdune_enter: %s\n", kdune_last_error());                  \
			exit(2);                                                                   \
		}                                                                                  \
	} while (0)
