/* nullderef: write through a NULL pointer; dies of SIGSEGV (a shell sees 139). */
#include <stddef.h>
#include <stdio.h>

int main(void)
{
	/* Both qualifiers keep the compiler from proving the store undefined and dropping it. */
	volatile int *volatile p = NULL;

	printf("about to dereference NULL\n");
	fflush(stdout);
	*p = 42;
	printf("still alive?\n");
	return 0;
}
