/*
 * procfilter.c: kdune left out of the program's /proc files: its mappings from maps and
 * smaps, its descriptors from fd listings; and which opened files are /proc's.
 */
#include "engine/procfilter.h"
#include <string.h>

/* "/proc/" then a decimal pid; returns what follows it, or NULL. */
static const char *after_pid(const char *p, long *pid)
{
	if (strncmp(p, "/proc/", 6))
		return NULL;
	p += 6;
	long v = 0;
	const char *digits = p;
	while (*p >= '0' && *p <= '9' && p - digits < 10)
		v = v * 10 + (*p++ - '0');
	if (p == digits || *p != '/')
		return NULL;
	*pid = v;
	return p + 1;
}

/* The component of path that ends just before end (at a '/'): its start, or NULL. */
static const char *component_before(const char *path, const char *end)
{
	if (end <= path || end[-1] != '/')
		return NULL;
	const char *p = end - 1;
	while (p > path && p[-1] != '/')
		p--;
	return p;
}

/* [p, end) is a decimal number (a pid or tid): 1 with its value, else 0. */
static int number(const char *p, const char *end, long *v)
{
	*v = 0;
	if (!p || p == end || end - p > 10)
		return 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		*v = *v * 10 + (*p - '0');
	}
	return 1;
}

/*
 * The process that owns the file whose name starts at name: the PID of "PID/name" or of
 * "PID/task/TID/name", whatever comes before (/proc, or procfs mounted elsewhere). Returns 1
 * with it, or 0 when no number comes before the name.
 */
static int owner_of(const char *path, const char *name, long *pid)
{
	const char *dir = component_before(path, name);
	if (!number(dir, name - 1, pid))
		return 0;
	const char *task = component_before(path, dir);
	if (!task || task + 5 != dir || strncmp(task, "task/", 5))
		return 1;
	long owner;
	if (number(component_before(path, task), task - 1, &owner))
		*pid = owner;
	return 1;
}

enum kd_proc_file kd_proc_classify(const char *link, long pid)
{
	long owner;
	if (!strncmp(link, "anon_inode:kvm-", 15))
		return KD_PROC_KVM;
	const char *name = strrchr(link, '/');
	if (!name || !owner_of(link, name + 1, &owner))
		return KD_PROC_OTHER;
	name++;
	if (!strcmp(name, "mem"))
		return KD_PROC_MEM;
	if (owner == pid && (!strcmp(name, "maps") || !strcmp(name, "smaps")))
		return KD_PROC_MAPS;
	if (owner == pid && (!strcmp(name, "fd") || !strcmp(name, "fdinfo")))
		return KD_PROC_FD_DIR;
	return KD_PROC_OTHER;
}

bool kd_proc_self_served(const char *path, long pid)
{
	long owner;
	const char *rest = !strncmp(path, "/proc/self/", 11)	      ? path + 11
			   : !strncmp(path, "/proc/thread-self/", 18) ? path + 18
			   : after_pid(path, &owner) && owner == pid  ? after_pid(path, &owner)
								      : NULL;
	return rest && (!strcmp(rest, "exe") || !strcmp(rest, "cmdline"));
}

/* A record's name as a descriptor number, or -1 ("." and "..", anything else). */
static long fd_name(const uint8_t *name, size_t max)
{
	long v = 0;
	size_t i = 0;
	for (; i < max && name[i] >= '0' && name[i] <= '9' && i < 10; i++)
		v = v * 10 + (name[i] - '0');
	return i > 0 && i < max && name[i] == 0 ? v : -1;
}

size_t kd_proc_filter_fd_dirents(uint8_t *buf, size_t len, size_t name_off, int (*hide)(long fd))
{
	enum { RECLEN_OFF = 16 }; /* d_reclen follows d_ino and d_off in both layouts */
	size_t in = 0, out = 0;
	while (in + name_off < len) {
		uint16_t reclen;
		memcpy(&reclen, buf + in + RECLEN_OFF, sizeof(reclen));
		if (reclen <= name_off || in + reclen > len)
			break; /* not a record the kernel wrote: leave the rest as it is */
		long fd = fd_name(buf + in + name_off, reclen - name_off);
		if (fd < 0 || !hide(fd)) {
			memmove(buf + out, buf + in, reclen);
			out += reclen;
		}
		in += reclen;
	}
	memmove(buf + out, buf + in, len - in);
	return out + (len - in);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A mapping's header "start-end " at the line's start: 1 with the range, else 0. */
static int header(const char *p, const char *end, uint64_t *start, uint64_t *stop)
{
	uint64_t v[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		const char *first = p;
		for (; p < end && hexval(*p) >= 0; p++)
			v[k] = v[k] << 4 | (uint64_t)hexval(*p);
		if (p == first || p == end || *p != (k ? ' ' : '-'))
			return 0;
		p++;
	}
	*start = v[0];
	*stop = v[1];
	return 1;
}

size_t kd_proc_filter_maps(const char *in, size_t len, char *out, kd_ours_fn *ours, void *ctx)
{
	const char *p = in, *end = in + len;
	size_t n = 0;
	bool keep = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		uint64_t s, e;
		if (header(p, next, &s, &e))
			keep = !(s < e && ours(ctx, s, e));
		if (keep) {
			memcpy(out + n, p, (size_t)(next - p));
			n += (size_t)(next - p);
		}
		p = next;
	}
	return n;
}
