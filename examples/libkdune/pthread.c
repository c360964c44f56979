/* pthread: threads created inside the VM are inside too, each on a vCPU of its own. */
#include <kdune.h>
#include <pthread.h>
#include "check.h"

#define NTHREADS 8
#define STEPS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;
static int inside;

static void *work(void *arg)
{
	long sum = 0;
	for (long i = 1; i <= STEPS; i++)
		sum += i % 7;
	pthread_mutex_lock(&lock);
	total += sum;
	inside += kdune_inside();
	pthread_mutex_unlock(&lock);
	return arg;
}

int main(void)
{
	pthread_t t[NTHREADS];
	ENTER();
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, work, (void *)i) == 0);
	for (long i = 0; i < NTHREADS; i++) {
		void *ret;
		CHECK(pthread_join(t[i], &ret) == 0 && ret == (void *)i);
	}
	long one = 0;
	for (long i = 1; i <= STEPS; i++)
		one += i % 7;
	CHECK(total == NTHREADS * one);
	CHECK(inside == NTHREADS);
	printf("pthread: %d threads inside, sum %ld\n", inside, total);
	return 0;
}
