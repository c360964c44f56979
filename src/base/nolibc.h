/*
 * nolibc.h: the engine's own small C library.
 *
 * Everything that runs once a target is inside a VM (the exit loop, the syscall and signal
 * paths, threads, fork) uses nolibc.c, never the process's libc. Under kdune_enter() the
 * guest is the caller's own program and may be stopped while it holds libc's locks (malloc,
 * stdio) or is halfway through setting errno; host code that touched that state would
 * deadlock or corrupt it. The build links the engine with nolibc.c into one object, turns the
 * libc names nolibc.c defines (memcpy, ioctl, malloc, ...) into local symbols, and fails if
 * the object still needs any symbol from outside (Makefile: core.o).
 *
 * Per-thread state has no TLS either (the FS base is the caller's libc): each host thread
 * that runs engine code points its GS base at its struct kd_hthread.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct kd_vcpu;

/* The host kernel, without libc's errno. */
/* A raw syscall result that is an error (-4095..-1), as the kernel's IS_ERR_VALUE. */
#define KD_IS_ERR(r) ((unsigned long)(r) >= (unsigned long)-4095)
/* sa_flags bit: the action's restorer field is set (x86-64 requires it; glibc hides it). */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static inline long kd_raw_syscall(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				  uint64_t a4, uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* One host thread that runs engine code. */
struct kd_hthread {
	int err;	      /* errno */
	int tid;	      /* host thread id */
	struct kd_vcpu *vcpu; /* the vCPU it runs, NULL when none */
};

/* The calling thread's, or NULL if it has none (a native thread, or before set-up). */
struct kd_hthread *kd_self(void);
/* Make t the calling thread's (GS base). t->tid is filled in. */
void kd_self_set(struct kd_hthread *t);
/* The GS base the thread had before kd_self_set (for kdune_enter's guest). */
uint64_t kd_gs_base(void);
uint64_t kd_fs_base(void);

/* A recursive lock, usable across CLONE_VM processes (futex on shared memory). */
struct kd_lock {
	int word;  /* 0 free, 1 held, 2 held with waiters */
	int owner; /* host tid */
	int depth;
};
void kd_lock_init(struct kd_lock *l);
void kd_lock_take(struct kd_lock *l);
void kd_lock_drop(struct kd_lock *l);

/* The range of kdune's own heap (never the target's), once it exists. */
void kd_heap_range(uint64_t *start, uint64_t *end);
/* Around fork: the child's heap must not be caught mid-change by another thread. */
void kd_heap_lock(void);
void kd_heap_unlock(void);

/*
 * clone() in the kernel's argument order, running fn(arg) on `stack` in the child, which
 * then exits with its return value. Returns the raw result (child tid or -errno).
 */
long kd_clone_raw(int (*fn)(void *), void *stack, uint64_t flags, void *arg, int *ptid, void *tls,
		  int *ctid);
/* The engine's snprintf, under a name tests can reach (libc's own in the hosted build). */
int kd_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fn(arg) on another stack; returns what fn returned, on the caller's stack. */
long kd_call_on_stack(void *stack_top, long (*fn)(void *), void *arg);
