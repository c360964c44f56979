/*
 * trace_events.h: the --trace lines that are not syscalls, the line leader, and the
 * summary table, each in strace's exact format (strace 6.1 on Debian 12 was the
 * reference: `strace -f`, `-tt`, `-ttt`, `-c`).
 *
 *   [pid  8552] 14:36:23.032555 getpid() = 8552         leader: pid, then the time
 *   --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---
 *   +++ exited with 3 +++
 *   +++ killed by SIGSEGV (core dumped) +++
 *
 * Every line goes out in one write(2), so lines of concurrent threads never interleave.
 */
#pragma once
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct kd_trace_config;

/*
 * Writes the start of a line into buf (len bytes, NUL-terminated, cut if short): "[pid
 * %5d] " when c->pids, then the time when c->time says so. sec/usec are the realtime clock
 * (seconds since 1970, microseconds); c->utc_offset turns them into local time for
 * KD_TRACE_TIME_CLOCK. Returns the length written.
 */
size_t kd_trace_leader(char *buf, size_t len, const struct kd_trace_config *c, int tid, int64_t sec,
		       long usec);

/*
 * The siginfo as strace prints it between braces, into buf (len bytes, NUL-terminated):
 * "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8552, si_uid=0, si_status=3, si_utime=0,
 * si_stime=0}". Which fields follow si_code depends on the code and signal, as in strace's
 * printsiginfo(). Returns the length.
 */
size_t kd_trace_siginfo(char *buf, size_t len, const siginfo_t *si);

/* "--- SIGSEGV {...} ---": a signal delivered to the target (tid), on fd. */
void kd_trace_signal(int fd, int tid, const siginfo_t *si);
/* "+++ exited with N +++": the process ends with status & 0xff. */
void kd_trace_exited(int fd, int tid, int status);
/* "+++ killed by SIGX +++", with " (core dumped)" when core. */
void kd_trace_killed(int fd, int tid, int sig, int core);

/*
 * The summary (--trace-summary, strace -c): counts one completed call of nr that returned
 * ret (raw: -4095..-1 is an error) after ns nanoseconds of wall time. Thread-safe.
 */
void kd_trace_account(long nr, long ret, uint64_t ns);
/*
 * Writes the table to fd, as strace -c prints it: "% time, seconds, usecs/call, calls,
 * errors, syscall", rows by time (most first, then by number), a total row. Times are
 * wall-clock time spent forwarding the call (strace -c -w), not system CPU time.
 */
void kd_trace_summary(int fd);
/* CLOCK_MONOTONIC in nanoseconds, without libc (for the summary's times). */
uint64_t kd_trace_now_ns(void);
/* Forgets every count (tests). */
void kd_trace_summary_reset(void);
