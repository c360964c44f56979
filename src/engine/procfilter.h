/*
 * procfilter.h: the program's view of its own /proc files, without kdune.
 *
 * Pure functions (text in, text out, given a predicate for kdune's ranges), so the tests run
 * them on fixed text without KVM (tests/unit/test_procfilter.c). monitor.c applies them to
 * files the program opens.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Does any byte of [start, end) belong to kdune? */
typedef bool kd_ours_fn(void *ctx, uint64_t start, uint64_t end);

/* What an opened file is, from the name the kernel gives it (readlink of /proc/self/fd/N). */
enum kd_proc_file {
	KD_PROC_OTHER,	/* anything else: left as opened */
	KD_PROC_MEM,	/* /proc/PID/mem or /proc/PID/task/TID/mem, any PID */
	KD_PROC_MAPS,	/* /proc/PID/maps, smaps, or their task/TID forms, PID the caller's own */
	KD_PROC_FD_DIR, /* /proc/PID/fd or fdinfo, or their task/TID forms, PID the caller's own */
	KD_PROC_KVM,	/* a KVM VM or vCPU ("anon_inode:kvm-vcpu:0"): kdune's, reopened through
			   /proc/PID/map_files or /proc/PID/fd */
};

/*
 * Classify link (e.g. "/proc/1234/task/1240/smaps") for a process whose tgid is pid, by its
 * last components ("PID/name" or "PID/task/TID/name"), so procfs mounted elsewhere is seen
 * too: the caller confirms the file is on procfs (fstatfs). mem of any process is
 * KD_PROC_MEM: a child of the program is a kdune too, with kdune's memory at the addresses
 * of ours. maps of other processes stay KD_PROC_OTHER (their ranges are not ours to know).
 */
enum kd_proc_file kd_proc_classify(const char *link, long pid);

/*
 * Does path name one of the files syscall.c serves itself for the program (exe, cmdline)
 * under /proc/self/, /proc/thread-self/ or /proc/PID/ with PID the caller's own? Spelled as
 * syscall.c's proc_self_file() matches them: the monitor lets those reach it.
 */
bool kd_proc_self_served(const char *path, long pid);

/* Where the name starts in a getdents64 record (linux_dirent64) and a getdents one. */
#define KD_DIRENT64_NAME 19
#define KD_DIRENT_NAME 18

/*
 * Remove from a buffer of directory records (getdents64 or getdents, by name_off) in
 * buf[0..len) the entries named by a decimal descriptor number for which hide(fd) is true
 * ("." and ".." and other names stay). The records that remain keep their d_off, so seeking
 * still works. Returns the new length (0 if every entry went).
 */
size_t kd_proc_filter_fd_dirents(uint8_t *buf, size_t len, size_t name_off, int (*hide)(long fd));

/*
 * Copy the lines of a maps or smaps text in[0..len) to out (room for len bytes), leaving out
 * every mapping that overlaps kdune's ranges: its header line ("start-end perms ...") and, in
 * smaps, the lines that follow it up to the next header. Lines that come before any header
 * are kept. Returns the bytes written (<= len). Same order and format as the kernel's.
 */
size_t kd_proc_filter_maps(const char *in, size_t len, char *out, kd_ours_fn *ours, void *ctx);
