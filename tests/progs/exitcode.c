/* exitcode N: exit with status N (0..255). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exitcode N\n");
		return 2;
	}
	printf("exiting with %d\n", atoi(argv[1]));
	fflush(stdout);
	exit(atoi(argv[1]));
}
