/* decode.c: effective addresses of a faulting instruction, for when KVM reports a failed
 * access without its address. Only fatal fault paths use it. */
#include "decode.h"
#include "uaccess.h"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int reg_value(const struct kvm_regs *r, const char *name, uint64_t *val)
{
	/* 64-bit registers, and the 32-bit forms an address-size prefix can use. */
	static const char *const r64[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
					  "r8",	 "r9",	"r10", "r11", "r12", "r13", "r14", "r15"};
	static const char *const r32[] = {"eax",  "ebx",  "ecx",  "edx", "esi",	 "edi",
					  "esp",  "ebp",  "r8d",  "r9d", "r10d", "r11d",
					  "r12d", "r13d", "r14d", "r15d"};
	const uint64_t vals[] = {r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rsp, r->rbp,
				 r->r8,	 r->r9,	 r->r10, r->r11, r->r12, r->r13, r->r14, r->r15};
	if (!strcmp(name, "-")) {
		*val = 0;
		return 0;
	}
	for (int i = 0; i < 16; i++) {
		if (!strcmp(name, r64[i]) || !strcmp(name, r32[i])) {
			*val = !strcmp(name, r64[i]) ? vals[i] : (uint32_t)vals[i];
			return 0;
		}
	}
	return -1;
}

/* kdune-decode sits next to the kdune program, or in ../libexec/kdune once installed. */
static int find_helper(const char *kdune_exe, char *out, size_t len)
{
	char self[4096];
	snprintf(self, sizeof(self), "%s", kdune_exe);
	char *slash = strrchr(self, '/');
	const char *dir = slash ? (*slash = 0, self) : ".";
	snprintf(out, len, "%s/kdune-decode", dir);
	if (access(out, X_OK) == 0)
		return 0;
	snprintf(out, len, "%s/../libexec/kdune/kdune-decode", dir);
	return access(out, X_OK);
}

/* Run the helper on the instruction bytes; its output goes into buf. */
pid_t kd_decode_pid;

static int run_helper(struct kd_vm *vm, uint64_t rip, const uint8_t *code, size_t n, char *buf,
		      size_t len)
{
	char helper[4200], ripstr[24], hex[40];
	int fds[2];
	pid_t pid;
	if (find_helper(vm->kdune_exe, helper, sizeof(helper)) || pipe2(fds, O_CLOEXEC))
		return -1;
	snprintf(ripstr, sizeof(ripstr), "%llx", (unsigned long long)rip);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", code[i]);
	char *args[] = {helper, ripstr, hex, NULL}, *env[] = {NULL};
	/* The target's signals wait (on the host) until the helper is done. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		for (int sig = 1; sig < 65; sig++)
			signal(sig, SIG_DFL);
		pthread_sigmask(SIG_SETMASK, &none, NULL);
		if (dup2(fds[1], 1) == 1)
			execve(helper, args, env);
		_exit(127);
	}
	int rc = pid < 0 ? -1 : 0;
	if (rc == 0)
		kd_decode_pid = pid;
	close(fds[1]);
	size_t got = 0;
	ssize_t r;
	while (rc == 0 && got + 1 < len && (r = read(fds[0], buf + got, len - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = 0;
	close(fds[0]);
	int st;
	if (rc == 0)
		waitpid(pid, &st, 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* One word of a line into out (at most 15 bytes); the rest of the line after it. */
static const char *word(const char *p, char out[16])
{
	size_t n = 0;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && *p != '\n') {
		if (n < 15)
			out[n++] = *p;
		p++;
	}
	out[n] = 0;
	return n ? p : NULL;
}

/* "mem BASE INDEX SCALE DISP SEG WRITE", as kdune-decode prints a memory operand. */
static int parse_mem(const char *line, char *base, char *index, int *scale, long long *disp,
		     char *seg, int *w)
{
	char tag[16], num[3][16];
	const char *p = word(line, tag);
	if (!p || strcmp(tag, "mem") || !(p = word(p, base)) || !(p = word(p, index)) ||
	    !(p = word(p, num[0])) || !(p = word(p, num[1])) || !(p = word(p, seg)) ||
	    !(p = word(p, num[2])))
		return -1;
	*scale = atoi(num[0]);
	*disp = strtoll(num[1], NULL, 10);
	*w = atoi(num[2]);
	return 0;
}

static int one_line(struct kd_vcpu *v, const char *line, uint64_t size, struct kd_access *out)
{
	const struct kvm_regs *r = &v->user;
	char base[16], index[16], seg[16];
	long long disp;
	int scale, w;
	if (parse_mem(line, base, index, &scale, &disp, seg, &w) == 0) {
		uint64_t b, i, s = 0;
		if (!strcmp(base, "rip"))
			b = r->rip + size;
		else if (reg_value(r, base, &b))
			return 0;
		if (reg_value(r, index, &i))
			return 0;
		if (!strcmp(seg, "fs") || !strcmp(seg, "gs"))
			kd_vcpu_get_msr(v, seg[0] == 'f' ? KD_MSR_FS_BASE : KD_MSR_GS_BASE, &s);
		*out = (struct kd_access){s + b + i * (uint64_t)scale + (uint64_t)disp, w};
		return 1;
	}
	if (!strncmp(line, "push", 4))
		*out = (struct kd_access){r->rsp - 8, 1};
	else if (!strncmp(line, "pop", 3))
		*out = (struct kd_access){r->rsp, 0};
	else if (!strncmp(line, "stos", 4))
		*out = (struct kd_access){r->rdi, 1};
	else if (!strncmp(line, "lods", 4))
		*out = (struct kd_access){r->rsi, 0};
	else
		return 0;
	return 1;
}

int kd_decode_accesses(struct kd_vcpu *v, struct kd_access *out, int max)
{
	uint8_t code[15];
	char text[1024];
	if (max < 2 || kd_copy_from_user(v->vm, code, v->user.rip, sizeof(code)) ||
	    run_helper(v->vm, v->user.rip, code, sizeof(code), text, sizeof(text)))
		return 0;
	const char *sz = strstr(text, "size ");
	uint64_t size = sz ? strtoull(sz + 5, NULL, 10) : 0;
	int n = 0;
	for (char *line = text, *next; line && *line && n < max; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!strncmp(line, "movs", 4)) {
			out[n++] = (struct kd_access){v->user.rsi, 0};
			if (n < max)
				out[n++] = (struct kd_access){v->user.rdi, 1};
			continue;
		}
		n += one_line(v, line, size, &out[n]);
	}
	return n;
}
