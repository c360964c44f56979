/* decode.c: effective addresses of a faulting instruction, for when KVM reports a failed
 * access without its address: the fault paths that raise a signal use it. */
#include "engine/decode.h"
#include "engine/proc.h"
#include "base/sigmask.h"
#include "base/log.h"
#include "vm/uaccess.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

pid_t kd_decode_pid;

/*
 * In a helper about to exec: none of the target's handlers or blocked signals come along,
 * nor a PR_SET_TSC that would kill it (exec keeps it; ld.so reads the TSC at start).
 */
static void helper_reset(void)
{
	for (int sig = 1; sig < _NSIG; sig++)
		signal(sig, SIG_DFL);
	kd_set_host_mask(0);
	kd_raw_syscall(SYS_prctl, PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0, 0);
}

/* One helper for one instruction: the way back when the server cannot be used. */
static int run_once(const char *helper, char *ripstr, char *hex, char *buf, size_t len)
{
	int fds[2];
	pid_t pid;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	char *args[] = {(char *)helper, ripstr, hex, NULL}, *env[] = {NULL};
	pid = fork();
	if (pid == 0) {
		helper_reset();
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
	int st = -1;
	/* Already reaped if the target ignores SIGCHLD: then its text tells if it worked. */
	if (rc == 0 && waitpid(pid, &st, 0) < 0)
		st = strstr(buf, "size ") ? 0 : -1;
	return rc == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/*
 * The decode server: a kdune-decode --serve per kdune process, started at its first decode
 * and asked over a socket from then on, as a fork and exec per fault costs milliseconds.
 */
static struct {
	struct kd_lock lock; /* one request at a time: the target's threads share it */
	int fd;		     /* kdune's end of the socket, hidden from the target; -1: none */
	pid_t pid;	     /* the process whose descriptor table holds fd */
	int broken;	     /* a restart did not help: one helper per request from now on */
} server = {.fd = -1};
static int fork_owned; /* the forking process held the server (copied into the child) */

/* In the server's process: the socket as stdin and stdout, nothing else of the target's. */
static void server_exec(const char *helper, int sock)
{
	char *args[] = {(char *)helper, "--serve", NULL}, *env[] = {NULL};
	int s = fcntl(sock, F_DUPFD, 3); /* never 0 or 1, which dup2 would leave close-on-exec */
	if (s < 0 || dup2(s, 0) != 0 || dup2(s, 1) != 1)
		_exit(127);
	int null = open("/dev/null", O_WRONLY);
	if (null < 0 || dup2(null, 2) != 2)
		_exit(127);
	/* A copy of the target's pipe kept here would keep its reader from seeing EOF. */
	kd_raw_syscall(SYS_close_range, 3, ~0U, 0, 0, 0, 0);
	/* Its own session: Ctrl-C and kill(0, ...) are the target's business, not its. */
	kd_raw_syscall(SYS_setsid, 0, 0, 0, 0, 0, 0);
	/* Nor does it keep the target's directory busy for as long as kdune runs. */
	kd_raw_syscall(SYS_chdir, (uint64_t) "/", 0, 0, 0, 0, 0);
	helper_reset();
	execve(helper, args, env);
	_exit(127);
}

/*
 * Start the server as a grandchild: its parent exits at once and init adopts it, so the
 * target's wait() can never reap it and its exit sends kdune no SIGCHLD. The parent itself
 * is cloned with exit signal 0, which wait() without __WALL or __WCLONE never looks at.
 */
static int server_start(const char *helper)
{
	int sv[2], subreaper = 0;
	/* A subreaper (the target made itself one) or a namespace's init would adopt it. */
	if (getpid() == 1 ||
	    kd_raw_syscall(SYS_prctl, PR_GET_CHILD_SUBREAPER, (uint64_t)&subreaper, 0, 0, 0, 0) ||
	    subreaper)
		return -1;
	if (kd_raw_syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, (uint64_t)sv, 0,
			   0))
		return -1;
	sv[0] = kd_fd_hide(sv[0]);
	long pid = kd_raw_syscall(SYS_clone, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		long gpid = kd_raw_syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
		if (gpid == 0)
			server_exec(helper, sv[1]);
		_exit(gpid < 0);
	}
	close(sv[1]);
	int st = -1;
	if (pid < 0 || waitpid((pid_t)pid, &st, __WCLONE) != pid || st != 0) {
		kd_fd_forget(sv[0]);
		close(sv[0]);
		return -1;
	}
	server.fd = sv[0];
	server.pid = getpid();
	return 0;
}

/* Closing kdune's end is what ends the server: it reads EOF and exits. */
static void server_stop(void)
{
	kd_fd_forget(server.fd);
	close(server.fd);
	server.fd = -1;
	server.pid = 0;
}

static int answered(const char *buf, size_t got)
{
	return got >= 4 && !memcmp(buf + got - 4, "end\n", 4) && (got == 4 || buf[got - 5] == '\n');
}

/*
 * One request and its answer, up to the "end" line the server puts after each. 0, -1 if the
 * instruction cannot be decoded, -2 if the server is gone or out of step. MSG_NOSIGNAL: a
 * dead server must not kill kdune with SIGPIPE.
 */
static int exchange(int fd, const char *req, char *buf, size_t len)
{
	size_t n = strlen(req), got = 0;
	for (size_t off = 0; off < n;) {
		long r = kd_raw_syscall(SYS_sendto, (uint64_t)fd, (uint64_t)(req + off), n - off,
					MSG_NOSIGNAL, 0, 0);
		if (r <= 0 && r != -EINTR)
			return -2;
		off += r > 0 ? (size_t)r : 0;
	}
	while (!answered(buf, got)) {
		long r = got + 1 < len
			     ? kd_raw_syscall(SYS_read, (uint64_t)fd, (uint64_t)(buf + got),
					      len - 1 - got, 0, 0, 0)
			     : 0;
		if (r <= 0 && r != -EINTR)
			return -2;
		got += r > 0 ? (size_t)r : 0;
	}
	buf[got - 4] = 0;
	return strcmp(buf, "error\n") ? 0 : -1;
}

/* Ask the server, restarting it once if it is gone. -2: ask a one-shot helper instead. */
static int ask_server(const struct kd_vcpu *v, const char *helper, const char *req, char *buf,
		      size_t len)
{
	/*
	 * A CLONE_VM child shares this state but not always the descriptor table: only the
	 * process that started the server uses it, and one with a table of its own starts none.
	 */
	if ((server.fd >= 0 && server.pid != getpid()) || server.broken ||
	    (v->proc && v->proc->foreign_fds))
		return -2;
	int rc = -2;
	for (int tries = 0; rc == -2 && tries < 2; tries++) {
		if (server.fd < 0 && server_start(helper))
			break;
		rc = exchange(server.fd, req, buf, len);
		if (rc == -2)
			server_stop();
	}
	server.broken = rc == -2;
	return rc;
}

void kd_decode_before_fork(void)
{
	kd_lock_take(&server.lock);
	fork_owned = server.fd >= 0 && server.pid == getpid();
}

void kd_decode_after_fork(int child)
{
	if (!child) {
		kd_lock_drop(&server.lock);
		return;
	}
	/* The forking thread held the lock; no other thread exists here to release it. */
	kd_lock_init(&server.lock);
	/* The child starts a server of its own: requests from both would get mixed up. */
	if (fork_owned)
		server_stop();
	server.fd = -1;
	server.pid = 0;
	server.broken = 0;
}

/* The helper's text for the instruction in code into buf: from the server, or a one-shot. */
static int run_helper(const struct kd_vcpu *v, const uint8_t *code, size_t n, char *buf, size_t len)
{
	char helper[4200], ripstr[24], hex[40], req[80];
	if (find_helper(v->vm->kdune_exe, helper, sizeof(helper))) {
		/* Said once: without the helper, such faults report si_addr 0. */
		static int said;
		if (!said++)
			kd_info(
			    "kdune-decode is neither next to %s nor in ../libexec/kdune: faults "
			    "that need it report si_addr 0",
			    v->vm->kdune_exe);
		return -1;
	}
	snprintf(ripstr, sizeof(ripstr), "%llx", (unsigned long long)v->user.rip);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", code[i]);
	snprintf(req, sizeof(req), "%s %s\n", ripstr, hex);
	/* The target's signals wait (on the host) until the helper is done. */
	uint64_t old = kd_block_all();
	kd_lock_take(&server.lock);
	int rc = ask_server(v, helper, req, buf, len);
	kd_lock_drop(&server.lock);
	if (rc == -2)
		rc = run_once(helper, ripstr, hex, buf, len);
	kd_set_host_mask(old);
	return rc;
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

static int one_line(const struct kvm_regs *r, kd_seg_base_fn seg_base, void *ctx, const char *line,
		    uint64_t size, struct kd_access *out)
{
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
			s = seg_base(ctx, seg[0] == 'f');
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

int kd_decode_parse(const struct kvm_regs *r, kd_seg_base_fn seg_base, void *ctx, char *text,
		    struct kd_access *out, int max)
{
	const char *sz = strstr(text, "size ");
	uint64_t size = sz ? strtoull(sz + 5, NULL, 10) : 0;
	int n = 0;
	for (char *line = text, *next; line && *line && n < max; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!strncmp(line, "movs", 4)) {
			out[n++] = (struct kd_access){r->rsi, 0};
			if (n < max)
				out[n++] = (struct kd_access){r->rdi, 1};
			continue;
		}
		n += one_line(r, seg_base, ctx, line, size, &out[n]);
	}
	return n;
}

static uint64_t vcpu_seg_base(void *ctx, int fs)
{
	uint64_t base = 0;
	kd_vcpu_get_msr(ctx, fs ? X86_MSR_FS_BASE : X86_MSR_GS_BASE, &base);
	return base;
}

int kd_decode_accesses(struct kd_vcpu *v, struct kd_access *out, int max)
{
	uint8_t code[15];
	char text[1024];
	if (max < 2 || kd_copy_from_user(v->vm, code, v->user.rip, sizeof(code)) ||
	    run_helper(v, code, sizeof(code), text, sizeof(text)))
		return 0;
	return kd_decode_parse(&v->user, vcpu_seg_base, v, text, out, max);
}
