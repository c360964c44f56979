/* hello: a running process moves into a VM and goes on with its libc, heap and files. */
#include <kdune.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

int main(void)
{
	char *before = strdup("made before entry");
	CHECK(!kdune_inside());
	ENTER();
	CHECK(kdune_inside());
	/* Memory, descriptors and libc state from before are all still there. */
	CHECK(!strcmp(before, "made before entry"));
	char *after = malloc(1 << 20);
	CHECK(after);
	memset(after, 'x', 1 << 20);
	free(after);
	free(before);
	long n = kdune_syscalls();
	printf("hello from inside a VM: pid %d, %ld syscalls so far\n", getpid(), n);
	CHECK(kdune_syscalls() > n); /* printf's write left the VM */
	return 0;
}
