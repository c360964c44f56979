/* sigmask.h: the calling host thread's signal mask, a 64-bit set (bit sig-1), without libc. */
#pragma once
#include <stdint.h>

/*
 * The mask is the target thread's while it runs. Host threads start with every signal
 * blocked (kd_block_all returns the mask before) and set their own once they can.
 */
uint64_t kd_host_mask(void);
/* Set it; SIGKILL and SIGSTOP are never blocked, as rt_sigprocmask(2) says. */
void kd_set_host_mask(uint64_t m);
/* Block every signal; returns the mask before. */
uint64_t kd_block_all(void);
/* The SA_RESTORER of kdune's host handlers: returns into rt_sigreturn(2) (sigreturn.S). */
void kd_host_restorer(void);
