/* maps.c: this process's mappings, read from /proc/self/maps without libc. */
#include "vm/maps.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static uint64_t hex(const char **p)
{
	uint64_t v = 0;
	for (;; (*p)++) {
		char c = **p;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return v;
		v = v * 16 + (uint64_t)d;
	}
}

static void skip_field(const char **p)
{
	while (**p && **p != ' ')
		(*p)++;
	while (**p == ' ')
		(*p)++;
}

/* "start-end perms offset dev inode   path" */
static int parse(const char *line, struct kd_mapping *m)
{
	const char *p = line;
	m->start = hex(&p);
	if (*p++ != '-')
		return -1;
	m->end = hex(&p);
	if (*p++ != ' ' || strlen(p) < 5)
		return -1;
	memcpy(m->perms, p, 4);
	m->perms[4] = 0;
	skip_field(&p);
	m->offset = hex(&p);
	skip_field(&p);
	skip_field(&p); /* dev */
	m->inode = 0;
	while (*p >= '0' && *p <= '9')
		m->inode = m->inode * 10 + (uint64_t)(*p++ - '0');
	while (*p == ' ')
		p++;
	size_t n = strlen(p);
	if (n >= sizeof(m->path))
		n = sizeof(m->path) - 1;
	memcpy(m->path, p, n);
	m->path[n] = 0;
	return 0;
}

int kd_maps_each(int (*fn)(void *ctx, const struct kd_mapping *m), void *ctx)
{
	char buf[8192];
	struct kd_mapping m;
	size_t have = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), rc = 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = 0;
		char *line = buf, *nl;
		while (!rc && (nl = strchr(line, '\n'))) {
			*nl = 0;
			if (parse(line, &m) == 0)
				rc = fn(ctx, &m);
			line = nl + 1;
		}
		have = rc ? 0 : (size_t)(buf + have - line);
		memmove(buf, line, have);
		if (rc)
			break;
	}
	close(fd);
	return rc;
}

struct find {
	uint64_t addr;
	struct kd_mapping *out;
};

static int match(void *ctx, const struct kd_mapping *m)
{
	struct find *f = ctx;
	if (f->addr < m->start || f->addr >= m->end)
		return 0;
	*f->out = *m;
	return 1;
}

int kd_maps_find(uint64_t addr, struct kd_mapping *out)
{
	struct find f = {addr, out};
	return kd_maps_each(match, &f) == 1 ? 0 : -1;
}
