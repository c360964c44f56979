#!/usr/bin/env python3
"""Break the monitor once per line below, and check that the unit test named for it fails.

    tests/unit/monitor_mutations.py      (from the top of the tree, after `make`)

Each mutation replaces one exact piece of src/engine/{ptrcheck,procfilter,monitor}.c, rebuilds
that test, runs it, and restores the file (also on failure). Prints "caught: ..." with the
failing tests, "MISSED: ..." for a mutation no test noticed; exits 1 if any was missed.
Not part of `make check` (it rebuilds the library ~30 times).
"""
import subprocess, sys
M = [
 ("src/engine/ptrcheck.c", "return e->ours(e->ctx, p, p + len) ? err : 0;", "return 0;", "test_ptrcheck", "range check off"),
 ("src/engine/ptrcheck.c", "return a[i] ? range(e, a[i], n * elem, -EFAULT) : 0;", "return a[i] ? range(e, a[i], 1, -EFAULT) : 0;", "test_ptrcheck", "buffer length ignored"),
 ("src/engine/ptrcheck.c", "if (!p || p + KD_PTR_PATH_MAX < p || !e->ours(e->ctx, p, p + KD_PTR_PATH_MAX))", "if (!p || !e->ours(e->ctx, p, p + 1))", "test_ptrcheck", "path checked at one byte"),
 ("src/engine/ptrcheck.c", "\tc->a[i] = (uint64_t)(uintptr_t)copy;\n\tc->copied = true;\n\treturn 0;\n}\n\n/* struct msghdr", "\tc->copied = true;\n\treturn 0;\n}\n\n/* struct msghdr", "test_ptrcheck", "iovec not substituted"),
 ("src/engine/ptrcheck.c", "if (range(e, iov[2 * k], iov[2 * k + 1], -EFAULT))", "if (0)", "test_ptrcheck", "iovec buffers unchecked"),
 ("src/engine/ptrcheck.c", "(m->control && range(e, m->control, m->controllen, -EFAULT))", "0", "test_ptrcheck", "msg control unchecked"),
 ("src/engine/ptrcheck.c", "if (ok && c->nr == SYS_recvmsg)", "if (0)", "test_ptrcheck", "recvmsg writeback off"),
 ("src/engine/ptrcheck.c", "mmsg_back(e, c, ret, c->nr == SYS_recvmmsg);", "mmsg_back(e, c, 0, false);", "test_ptrcheck", "mmsg writeback off"),
 ("src/engine/ptrcheck.c", "c->a[lenarg] = (uint64_t)(uintptr_t)&c->len;", ";", "test_ptrcheck", "valres length not substituted"),
 ("src/engine/ptrcheck.c", "(timeout ? fix(e, a[3], SZ_TIMESPEC) : 0)", "(timeout ? 0 : 0)", "test_ptrcheck", "futex timeout unchecked"),
 ("src/engine/ptrcheck.c", "return fix(e, a[2], size ? size : KD_PTR_IOCTL_SPAN);", "return fix(e, a[2], size ? 1 : 1);", "test_ptrcheck", "ioctl size ignored"),
 ("src/engine/ptrcheck.c", "(pair[0] && range(e, pair[0], pair[1], -EFAULT))", "0", "test_ptrcheck", "pselect sigmask unchecked"),
 ("src/engine/ptrcheck.c", "if (notify == SIGEV_THREAD_NOTIFY && range(e, ev[0], SZ_NOTIFY_COOKIE, -EFAULT))", "if (0)", "test_ptrcheck", "mq_notify cookie unchecked"),
 ("src/engine/ptrcheck.c", "if (range(e, prog[1], (prog[0] & 0xffff) * SZ_SOCK_FILTER, -EFAULT))", "if (0)", "test_ptrcheck", "socket filter unchecked"),
 ("src/engine/ptrcheck.c", "return range(e, a[i], n, -ENOMEM);", "return range(e, a[i], n, -EFAULT);", "test_ptrcheck", "address range errno"),
 ("src/engine/ptrcheck.c", "REFUSE(SYS_io_uring_setup, ENOSYS)", "NOPTR(io_uring_setup)", "test_ptrcheck", "io_uring allowed"),
 ("src/engine/ptrcheck.c", "OWN(rt_sigaction)", "SC(rt_sigaction, X, F(32), F(32))", "test_ptrcheck", "own call checked"),
 ("src/engine/ptrcheck.c", "SC(set_tid_address, F(SZ_INT))", "NOPTR(set_tid_address)", "test_ptrcheck", "registered pointer unchecked"),
 ("src/engine/ptrcheck.c", "(n + 63) / 64 * SZ_LONG", "n / 8", "test_ptrcheck", "fd_set rounding"),
 ("src/engine/procfilter.c", "keep = !(s < e && ours(ctx, s, e));", "keep = true;", "test_procfilter", "maps filter off"),
 ("src/engine/procfilter.c", "\t\tif (header(p, next, &s, &e))\n\t\t\tkeep", "\t\tkeep = true;\n\t\tif (header(p, next, &s, &e))\n\t\t\tkeep", "test_procfilter", "smaps body kept"),
 ("src/engine/procfilter.c", "if (owner == pid && (!strcmp(name, \"maps\")", "if ((!strcmp(name, \"maps\")", "test_procfilter", "others' maps filtered"),
 ("src/engine/procfilter.c", "if (number(component_before(path, task), task - 1, &owner))", "if (0)", "test_procfilter", "task/TID not seen"),
 ("src/engine/monitor.c", "\t\tkd_raw_syscall(SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);\n\t\treturn -EACCES;", "\t\treturn fd;", "test_monitor", "/proc/self/mem let through"),
 ("src/engine/monitor.c", "(cloexec > 0 && (cloexec & FD_CLOEXEC)) ? O_CLOEXEC : 0", "cloexec * 0", "test_monitor", "close-on-exec lost"),
 ("src/engine/monitor.c", "\t\treturn serve_filtered(v->vm, fd);\n", "\t\t(void)serve_filtered;\n\t\treturn fd;\n", "test_monitor", "maps served unfiltered"),
 ("src/engine/monitor.c", "*ret = kd_ptrcheck_finish(&env, &c, r);", "*ret = r;", "test_monitor", "results not written back"),
 ("src/engine/monitor.c", "bool hit = overlaps(snap.r, n, start, end);", "bool hit = overlaps(snap.r, 0, start, end);", "test_monitor", "kdune's ranges not consulted"),
 ("src/engine/monitor.c", "__atomic_load_n(&snap.gen, __ATOMIC_RELAXED) != kd_regions_generation()", "0", "test_monitor", "stale copy of kdune's ranges kept"),
 ("src/engine/monitor.c", "\tif (served_by_dispatcher(nr, &c)) {", "\tif (0 && served_by_dispatcher(nr, &c)) {", "test_monitor", "self files not left to the dispatcher"),
 ("src/engine/procfilter.c", "!strcmp(rest, \"exe\") || !strcmp(rest, \"cmdline\"))", "!strcmp(rest, \"exe\"))", "test_procfilter", "cmdline not a served name"),
 ("src/engine/monitor.c", "if (nr == SYS_pidfd_getfd && kd_fd_is_ours((long)a[1])) {", "if (0) {", "test_monitor", "pidfd_getfd of kdune's descriptor"),
 ("src/engine/procfilter.c", "if (!strncmp(link, \"anon_inode:kvm-\", 15))", "if (0)", "test_procfilter", "KVM descriptors not recognised"),
 ("src/engine/monitor.c", "F_GETFL, 0, 0, 0, 0) & O_PATH)", "F_GETFL, 0, 0, 0, 0) & 0)", "test_monitor", "O_PATH maps replaced"),
 ("src/engine/monitor.c", "if (r <= 0 || fd_class((long)a[0]) != KD_PROC_FD_DIR)", "if (1)", "test_monitor", "fd listing unfiltered"),
 ("src/engine/monitor.c", "if (n || bad)", "if (1)", "test_monitor", "a batch of kdune's only ends the listing"),
 ("src/engine/procfilter.c", "if (fd < 0 || !hide(fd)) {", "if (fd < 0 || !hide(fd) || 1) {", "test_procfilter", "dirent filter keeps kdune's"),
 ("src/engine/procfilter.c", "if (owner == pid && (!strcmp(name, \"fd\") || !strcmp(name, \"fdinfo\")))", "if (0)", "test_procfilter", "fd directories not recognised"),
 ("src/engine/monitor.c", "return r == 0 && fs.f_type == PROC_SUPER_MAGIC ? k : KD_PROC_OTHER;", "return r == 0 ? k : KD_PROC_OTHER;", "test_monitor", "any file named PID/mem refused"),
]
ok = True
for f, old, new, test, what in M:
    src = open(f).read()
    if src.count(old) != 1:
        print("BAD PATTERN", what, src.count(old)); ok = False; continue
    open(f, "w").write(src.replace(old, new))
    try:
        b = subprocess.run(["make", "-s", f"build/tests/{test}"], capture_output=True, text=True)
        if b.returncode:
            print(f"{what}: build failed\n{b.stderr[-500:]}"); ok = False; continue
        r = subprocess.run([f"build/tests/{test}"], capture_output=True, text=True)
        failed = [l.split()[-1] for l in r.stdout.splitlines()+r.stderr.splitlines() if l.startswith("[  FAILED  ] test_")]
        print(f"{'caught' if r.returncode else 'MISSED'}: {what}: {' '.join(sorted(set(failed)))}")
        ok &= r.returncode != 0
    finally:
        open(f, "w").write(src)
subprocess.run(["make", "-s", "build/tests/test_ptrcheck", "build/tests/test_procfilter", "build/tests/test_monitor"])
print("all caught" if ok else "SOME MISSED")
sys.exit(0 if ok else 1)
