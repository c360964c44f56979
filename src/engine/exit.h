/* exit.h: the end of the target process. */
#pragma once
#include "vm/vm.h"

/* The target exits with status (its low 8 bits, as exit_group(2)); -v prints exit counts. */
_Noreturn void kd_target_exit(struct kd_vm *vm, int status);
/* The target dies of sig: kdune dies of it too, so the parent sees the same wait status. */
_Noreturn void kd_target_killed(struct kd_vm *vm, int sig);
