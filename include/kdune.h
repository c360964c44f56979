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

#ifdef __cplusplus
}
#endif
#endif
