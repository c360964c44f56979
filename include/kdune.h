/* kdune.h: run Linux programs inside a KVM virtual machine, one VM per process. */
#ifndef KDUNE_H
#define KDUNE_H

#ifdef __cplusplus
extern "C" {
#endif

struct kdune_options {
	const char *kvm_device; /* NULL: /dev/kvm */
	int trace;		/* strace-format lines for every forwarded syscall */
	const char *trace_path; /* NULL: stderr; "fd:N": descriptor N, as it is */
	int verbose;		/* start-up summary on stderr */
	/*
	 * execve semantics: run this file (no PATH lookup) and pass argv as its complete
	 * argument vector, argv[0] included. NULL: argv[0] is the program, looked up in PATH.
	 */
	const char *exec_path;
	/*
	 * Syscalls without a VM exit where possible: "auto", "on" or "off"; NULL: the
	 * KDUNE_EXITLESS environment variable, else "auto". "auto" is off on every backend
	 * until the path is verified on a KVM machine; "on" uses it on PVM only.
	 */
	const char *exitless;
	/*
	 * Which calls --trace prints, in strace's -e trace= syntax ("open,read", "%file",
	 * "!%memory"); NULL: every call. Several sets are joined with ','.
	 */
	const char *trace_set;
	int trace_summary; /* a table of calls, errors and time per syscall at exit (strace -c) */
	int trace_time;	   /* 1: time of day before each line (strace -tt); 2: epoch (-ttt) */
	int trace_pids;	   /* "[pid N] " before every line from the first (strace -f's) */
	/*
	 * A seccomp profile the program runs under (OCI runtime-spec linux.seccomp or the
	 * Docker/Podman format), enforced by kdune on every syscall; NULL: none. "fd:N": a
	 * policy an earlier kdune compiled (passed across the program's execve).
	 */
	const char *seccomp;
	/* 1: the program runs in a new, empty network namespace (--net=none). */
	int net_none;
	/* --rw: if nrw > 0, the program may write only beneath these paths (Landlock). */
	const char *const *rw;
	int nrw;
	/*
	 * --sandbox: Podman's default capabilities and seccomp profile (seccomp, if set,
	 * replaces the profile), no new privileges, no network, writes only beneath the
	 * current directory, /tmp and rw.
	 */
	int sandbox;
};

/*
 * Load argv[0] (looked up in PATH, #! scripts followed) into this process and run it in a
 * new VM, with envp as its environment. When the program runs, this call does not return:
 * the process exits with the program's status, or dies by the signal that killed it.
 * Otherwise it returns the status a shell would use, after one line on stderr:
 * 127 not found, 126 not executable or not a valid x86-64 ELF, 125 KVM unavailable or
 * another kdune failure.
 */
int kdune_run(char *const argv[], char *const envp[], const struct kdune_options *opts);

/* "MAJOR.MINOR.PATCH" */
const char *kdune_version(void);

/*
 * Move the calling process into a new KVM VM (the calling thread into a vCPU of it) and
 * carry on from the next line, at ring 3 of the guest. Returns 0 inside the VM.
 *
 * From then on every syscall of this thread leaves the VM and is run by kdune on the host;
 * memory, descriptors and signal handlers are the process's own. Threads it creates later
 * and the children it forks are inside too (a forked child gets a VM of its own). Threads
 * that existed before the call stay native unless they call kdune_enter() themselves, and
 * then enter the same VM. A program it execs runs natively, or under `kdune run` when
 * KDUNE_FOLLOW_EXEC=1 (the kdune program is $KDUNE, else the one installed with libkdune).
 *
 * Environment: KDUNE_KVM_DEVICE (default /dev/kvm), KDUNE_VERBOSE=1 (kdune's -v lines),
 * KDUNE_EXITLESS=auto|on|off (as kdune run --exitless).
 *
 * On failure it returns -1 with errno set and the process unchanged, still native:
 * ENOENT/EACCES/ENODEV when KVM is not usable, EPERM when a seccomp filter of this process
 * refuses KVM's ioctl calls, EBUSY when the thread is inside already, ENOMEM.
 * kdune_last_error() then has a one-line reason.
 */
int kdune_enter(void);

/* The reason the last kdune_enter() failed, one line; "" if it did not. */
const char *kdune_last_error(void);

/* 1 when the calling thread runs inside a kdune VM (either way in), else 0. */
int kdune_inside(void);

/*
 * How many syscalls the calling thread's vCPU has sent to the host so far (this one
 * included); -1 when not inside. vDSO calls such as clock_gettime are not syscalls.
 */
long kdune_syscalls(void);

#ifdef __cplusplus
}
#endif
#endif
