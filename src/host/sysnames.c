/* sysnames.c: syscall names for --trace and messages, from libseccomp, loaded once at
 * start-up (the engine never calls libseccomp while a target runs). */
#include "engine/trace.h"
#include <seccomp.h>

void kd_syscall_names_load(void)
{
	/* Every x86-64 number with room to grow; x32 numbers start at 512 but carry a flag. */
	for (int nr = 0; nr < KD_SYSCALL_NAMES; nr++)
		if (!kd_syscall_names[nr])
			kd_syscall_names[nr] =
			    seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
}
