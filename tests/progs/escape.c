/*
 * escape: a program that tries to reach memory that is not its own through its system calls,
 * one line per attempt (issue 15's table). Run natively and under kdune by
 * tests/integration/run.sh (escape_attempts); both runs must print the same lines.
 *
 * The target page K: under kdune, kdune's own writable data, found through /proc/self/stat's
 * start_data (the kernel's record of the process's binary, which is kdune's) when it is not in
 * a mapping of the program's own file. Natively start_data is the program's own data, so K is
 * NOBODY, an address no mapping uses (mmap and brk stay far from it). Either way every attempt must
 * fail as for memory the process does not have (EFAULT, ENOMEM, ...), and the program (and kdune)
 * must live on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PAGE 4096UL
#define SPAN 64			/* bytes each attempt would read or write */
#define NOBODY 0x100000000000UL /* 16 TiB: between a PIE's heap and the mmap area */

/* /proc/self/stat field n (1-based; fields after the command name only). */
static uint64_t stat_field(int n)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/stat", "r");
	size_t len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[len] = 0;
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < n; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* The path of the mapping that holds addr in /proc/self/maps: 1, or 0 if none. */
static int mapping_of(uint64_t addr, char *path, size_t size)
{
	char line[4608];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	path[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		int off = 0;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &s, &e, &off) < 2 || addr < s ||
		    addr >= e)
			continue;
		snprintf(path, size, "%s", off ? line + off : "");
		path[strcspn(path, "\n")] = 0;
		found = 1;
		break;
	}
	if (f)
		fclose(f);
	return found;
}

static uint64_t target_page(void)
{
	enum { START_DATA = 45 };
	char exe[4096] = "", path[4096];
	uint64_t k = stat_field(START_DATA);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	mapping_of(k, path, sizeof(path));
	return k && strcmp(path, exe) ? k /* not the program's: kdune's */ : NOBODY;
}

static void report(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: succeeded (%ld)\n", what, r);
}

/*
 * /proc/self/mem under several names: refused at open under kdune, fails at the unmapped
 * offset natively. A symlink in the working directory (each run has its own) and the thread's
 * own directory must not make a difference.
 */
static void via_proc_mem(uint64_t k, int write)
{
	char task[64];
	snprintf(task, sizeof(task), "/proc/self/task/%d/mem", gettid());
	unlink("mem-link");
	if (symlink("/proc/self/mem", "mem-link"))
		return;
	const char *names[] = {"/proc/self/mem", "/proc/thread-self/mem", task, "mem-link"};
	const char *shown[] = {"/proc/self/mem", "/proc/thread-self/mem", "/proc/self/task/TID/mem",
			       "a symlink to /proc/self/mem"};
	for (int i = 0; i < 4; i++) {
		char buf[SPAN] = {0};
		int fd = open(names[i], write ? O_RDWR : O_RDONLY);
		ssize_t r = fd < 0  ? -1
			    : write ? pwrite(fd, buf, SPAN, (off_t)k)
				    : pread(fd, buf, SPAN, (off_t)k);
		printf("%s %s: %s\n", write ? "pwrite" : "pread", shown[i],
		       r == SPAN ? "REACHED" : "no bytes");
		if (fd >= 0)
			close(fd);
	}
	unlink("mem-link");
}

/* The program's descriptors, as /proc/self/fd lists them: 0, 1, 2 and the listing's own. */
static void fd_listing(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	printf("/proc/self/fd entries: %d\n", n);
}

static void pipes(void *k)
{
	int p[2];
	char data[SPAN] = "some bytes for the pipe";
	if (pipe(p))
		return;
	report("write(pipe, K)", write(p[1], k, SPAN));
	if (write(p[1], data, SPAN) != SPAN)
		return;
	report("read(pipe, K)", read(p[0], k, 16));
	struct iovec iov = {k, 16};
	report("readv(pipe, K)", readv(p[0], &iov, 1));
	close(p[0]);
	close(p[1]);
}

static void sockets(void *k)
{
	int sv[2];
	char data[SPAN] = "datagram";
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return;
	struct iovec iov = {k, SPAN};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	report("sendmsg(iov K)", sendmsg(sv[0], &m, 0));
	if (send(sv[0], data, sizeof(data), 0) != sizeof(data))
		return;
	report("recvmsg(iov K)", recvmsg(sv[1], &m, MSG_DONTWAIT));
	struct sockaddr_un {
		sa_family_t family;
		char path[108];
	} *peer = k;
	socklen_t len = sizeof(*peer);
	report("getsockname(K)", getsockname(sv[0], (struct sockaddr *)peer, &len));
	close(sv[0]);
	close(sv[1]);
}

static void self_vm(void *k)
{
	char buf[SPAN] = {0};
	struct iovec local = {buf, SPAN}, remote = {k, SPAN};
	report("process_vm_readv(self, K)", process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	report("process_vm_writev(self, K)", process_vm_writev(getpid(), &local, 1, &remote, 1, 0));
}

static void address_space(uint64_t k)
{
	unsigned char vec[4];
	void *page = (void *)(k & ~(PAGE - 1));
	report("mincore(K)", mincore(page, PAGE, vec));
	report("mprotect(K)", mprotect(page, PAGE, PROT_READ));
	report("madvise(K, DONTNEED)", madvise(page, PAGE, MADV_DONTNEED));
	report("mremap(K)", (long)mremap(page, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	report("munmap(K)", munmap(page, PAGE)); /* succeeds natively too: nothing there */
}

static void structures(void *k)
{
	report("fstat(0, K)", fstat(0, k));
	report("uname(K)", uname(k));
	report("getcwd(K)", getcwd(k, SPAN) ? 0 : -1);
	report("open(path K)", open(k, O_RDONLY));
	report("stat(path, K)", stat("/", (struct stat *)k));
	report("clock_getres(K)", syscall(SYS_clock_getres, 0, k));
}

int main(void)
{
	uint64_t k = target_page();
	char path[4096];
	setvbuf(stdout, NULL, _IOLBF, 0);
	pipes((void *)k);
	sockets((void *)k);
	self_vm((void *)k);
	via_proc_mem(k, 0);
	via_proc_mem(k, 1);
	structures((void *)k);
	address_space(k);
	printf("K in /proc/self/maps: %s\n", mapping_of(k, path, sizeof(path)) ? "yes" : "no");
	fd_listing();
	printf("alive\n");
	return 0;
}
