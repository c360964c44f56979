/*
 * kvmcheck: can this machine run KVM guests?  Used by the integration tests to decide whether
 * the tests that need KVM run or are skipped.
 *
 * Usage: kvmcheck [DEVICE]   (default /dev/kvm)
 * Opens DEVICE read-write, checks KVM_GET_API_VERSION == 12 and that KVM_CREATE_VM works.
 * Prints "ok" and exits 0, or prints the reason on stdout and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/kvm";
	int fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("cannot open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	int version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version < 0) {
		printf("KVM_GET_API_VERSION on %s failed: %s\n", dev, strerror(errno));
		close(fd);
		return 1;
	}
	if (version != KVM_API_VERSION) {
		printf("%s: KVM API version %d, expected %d\n", dev, version, KVM_API_VERSION);
		close(fd);
		return 1;
	}
	int vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("KVM_CREATE_VM on %s failed: %s\n", dev, strerror(errno));
		close(fd);
		return 1;
	}
	close(vm);
	close(fd);
	printf("ok\n");
	return 0;
}
