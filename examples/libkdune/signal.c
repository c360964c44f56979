/* signal: handlers, installed before or after entry, run in the guest; faults too. */
#include <kdune.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "check.h"

static volatile sig_atomic_t got_usr1, got_usr2, handler_inside;
static sigjmp_buf on_fault;
static void *fault_addr;

static void usr1(int sig)
{
	got_usr1 = sig;
	handler_inside = kdune_inside();
}

static void usr2(int sig)
{
	got_usr2 = sig;
}

static void segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = si->si_addr;
	siglongjmp(on_fault, 1);
}

int main(void)
{
	struct sigaction sa = {.sa_handler = usr1};
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0); /* before entry: it becomes the guest's */
	ENTER();
	sa.sa_handler = usr2;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0 && raise(SIGUSR2) == 0);
	CHECK(got_usr1 == SIGUSR1 && got_usr2 == SIGUSR2 && handler_inside == 1);
	/* A write to a read-only page: SIGSEGV with the address, as natively. */
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	struct sigaction fa = {.sa_sigaction = segv, .sa_flags = SA_SIGINFO};
	CHECK(sigaction(SIGSEGV, &fa, NULL) == 0);
	if (!sigsetjmp(on_fault, 1))
		ro[10] = 1;
	CHECK(fault_addr == ro + 10);
	printf("signal: SIGUSR1 (handler from before entry), SIGUSR2 and SIGSEGV at %p handled "
	       "in the guest\n",
	       fault_addr);
	return 0;
}
