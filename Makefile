# kdune: GNU Make build. `make` builds build/, `make check` runs every test,
# `make bench` runs the benchmarks, `make install PREFIX=...` installs.
VERSION := 0.1.0
PREFIX ?= /usr/local
CC ?= gcc
B ?= build

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS ?= -O2 -g
# Project flags stay even when CFLAGS is given on the command line (as `make san` does).
KD_CFLAGS := $(CFLAGS) -std=gnu11 $(WARN) -fPIC -D_GNU_SOURCE -DKDUNE_VERSION=\"$(VERSION)\" \
	-DKDUNE_BINDIR=\"$(PREFIX)/bin\" -Iinclude -Isrc -fno-strict-aliasing -fno-stack-protector \
	-U_FORTIFY_SOURCE
ASFLAGS := -fPIC
LDLIBS := -lseccomp -ljson-c
# HOSTED=1 (the sanitizer build): the engine uses libc instead of nolibc.c's functions.
ifeq ($(HOSTED),1)
KD_CFLAGS += -DKD_HOSTED
endif

# Layers, bottom to top (src/<layer>/; a file includes only its own layer and those below,
# which `make check-layers` enforces): base (no-libc runtime), vm (KVM, vCPU, memory, paging,
# descriptor tables, stubs), engine (exit loop, syscalls, signals, faults, threads, processes),
# host (CLI, start-up, loader). The engine runs while a target is inside a VM and must not
# touch libc (src/base/nolibc.h); only host/ runs before the target starts, or natively
# (kdune_enter's checks), and may.
LAYERS := base vm engine host
# kdune's OCI runtime (kdune oci, kdune-runtime): host code using json-c, linked into the
# kdune program only, never into libkdune.
OCI_SRCS := $(wildcard src/host/oci*.c)
OCI_OBJS := $(patsubst src/%.c,$(B)/obj/%.o,$(OCI_SRCS))
HOST_SRCS := $(filter-out $(OCI_SRCS),$(wildcard src/host/*.c))
CORE_SRCS := $(foreach l,base vm engine,$(wildcard src/$(l)/*.c))
CORE_OBJS := $(patsubst src/%.c,$(B)/obj/%.o,$(CORE_SRCS)) $(patsubst src/%.S,$(B)/obj/%.o,$(foreach l,base vm engine,$(wildcard src/$(l)/*.S)))
LIB_OBJS := $(B)/obj/core.o $(patsubst src/%.c,$(B)/obj/%.o,$(filter-out src/host/cli.c,$(HOST_SRCS)))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/progs/*.c)
HELPER_BINS := $(patsubst tests/progs/%.c,$(B)/progs/%,$(HELPER_SRCS))
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRCS)) $(B)/bench/enter_getppid

# libkdune's examples (kdune_enter), each linked with the static library; hello also shared.
ENTER_EXAMPLES := $(patsubst examples/libkdune/%.c,$(B)/examples/libkdune/%,$(wildcard examples/libkdune/*.c)) \
	$(B)/examples/libkdune/hello-shared
EXAMPLE_CFLAGS := -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -pthread

.PHONY: all check check-layers unit integration integration-exitless san fuzz fuzz-syscalls gdb-check bench bench-exitless bench-peers conformance conformance-quick \
	install clean format example
all: $(B)/kdune $(B)/kdune-runtime $(B)/libkdune.a $(B)/libkdune.so $(B)/kdune.pc $(HELPER_BINS) $(B)/examples/hello $(B)/kdune-decode \
	$(ENTER_EXAMPLES) $(B)/progs/enter_checks $(B)/progs/seccomp_native

# -MMD -MP: each object depends on exactly the headers it includes (build/obj/**/*.d).
$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(KD_CFLAGS) -MMD -MP -c $< -o $@
$(B)/obj/%.o: src/%.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ASFLAGS) -Isrc -MMD -MP -c $< -o $@
# nolibc.c is the engine's memcpy and friends: the compiler must not turn its loops into
# calls to themselves. errtab.h holds this libc's errno names and texts.
$(B)/obj/base/nolibc.o: src/base/nolibc.c $(B)/gen/errtab.h
	@mkdir -p $(@D)
	$(CC) $(KD_CFLAGS) -MMD -MP -fno-builtin -fno-tree-loop-distribute-patterns -I$(B)/gen -c $< -o $@
$(B)/gen/errtab.h: tools/gen-errtab.c
	mkdir -p $(B)/gen
	$(CC) -O1 -o $(B)/gen/gen-errtab $< && $(B)/gen/gen-errtab > $@
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# The engine as one object: nolibc's libc names made local, and nothing left to resolve
# from outside, which is what lets kdune_enter() run it under a guest that holds libc locks.
$(B)/obj/core.o: $(CORE_OBJS)
	ld -r -o $@.tmp $^
ifeq ($(HOSTED),1)
	mv $@.tmp $@
else
	objcopy $$(nm -g --defined-only $(B)/obj/base/nolibc.o | \
		awk '$$3 !~ /^kd_/ {printf "--localize-symbol=%s ", $$3}') $@.tmp $@
	rm -f $@.tmp
	@undef="$$(nm -u $@ | awk '$$2 != "_GLOBAL_OFFSET_TABLE_" {print $$2}' | tr '\n' ' ')"; if [ -n "$$undef" ]; then \
		echo "error: the engine uses symbols from outside it (libc?): $$undef" >&2; \
		rm -f $@; exit 1; fi
endif
$(B)/obj $(B)/tests $(B)/progs $(B)/bench $(B)/examples:
	mkdir -p $@

$(B)/libkdune.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^
$(B)/libkdune.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libkdune.so.0 -o $@ $^ $(LDLIBS)
	ln -sf libkdune.so $(B)/libkdune.so.0
# static-pie: the target's LD_* environment never reaches kdune itself
# static, as kdune-decode: both are bind-mounted into containers, whose images have no libs.
$(B)/kdune: $(B)/obj/host/cli.o $(OCI_OBJS) $(B)/libkdune.a
	$(CC) -static-pie -o $@ $^ $(LDLIBS) -l:libjson-c.a
$(B)/kdune-runtime: $(B)/kdune
	ln -sf kdune $@
# The fault path's instruction decoder: a separate program, so kdune never links capstone.
$(B)/kdune-decode: tools/kdune-decode.c | $(B)/obj
	$(CC) $(KD_CFLAGS) -static -o $@ $< -l:libcapstone.a
$(B)/kdune.pc: kdune.pc.in $(B)/prefix.stamp | $(B)/obj
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

# The PREFIX baked into libkdune (KDUNE_BINDIR, where a static libkdune finds kdune) and
# kdune.pc: when it changes, they are rebuilt, so `make install PREFIX=/x` after a plain
# `make` installs a library that looks in /x (a shared one looks beside itself first).
$(B)/prefix.stamp: FORCE
	@mkdir -p $(B); echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
$(B)/obj/host/enter_api.o: $(B)/prefix.stamp
.PHONY: FORCE
FORCE:

# kdune's GDB stub serving a made-up target, for tests/gdb/run.sh (real gdb, no KVM needed).
$(B)/tests/gdb_fake_target: tests/gdb/fake_target.c $(B)/libkdune.a | $(B)/tests
	$(CC) $(KD_CFLAGS) -o $@ $< $(B)/libkdune.a $(LDLIBS)

# Helper programs the integration tests run natively and under kdune.
$(B)/progs/static_%: tests/progs/static_%.c | $(B)/progs
	$(CC) -O1 -static -o $@ $<
$(B)/progs/staticpie_%: tests/progs/staticpie_%.c | $(B)/progs
	$(CC) -O1 -static-pie -fPIE -o $@ $<
$(B)/progs/%: tests/progs/%.c | $(B)/progs
	$(CC) -O1 -o $@ $<

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libkdune.a | $(B)/tests
	$(CC) $(KD_CFLAGS) -o $@ $< $(B)/libkdune.a $(LDLIBS) -lcmocka

# The OCI runtime's tests link its objects and json-c instead of libkdune.
$(B)/tests/test_oci_%: tests/unit/test_oci_%.c $(OCI_OBJS) | $(B)/tests
	$(CC) $(KD_CFLAGS) -o $@ $< $(OCI_OBJS) -ljson-c -lcmocka

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

integration: all
	tests/integration/run.sh $(B)
# The same suite with the exitless path on (--exitless=on through KDUNE_EXITLESS). It can only
# mean something on a machine with KVM on PVM; elsewhere every test SKIPs as in `integration`.
integration-exitless: all
	KDUNE_EXITLESS=on tests/integration/run.sh $(B)

# Every test: unit tests, native-vs-kdune integration tests, the unit tests again under
# ASan+UBSan, and a short fuzzing run of the ELF and #! parsers.
check: check-layers all unit san gdb-check
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) OCI_FUZZ_SECONDS=$(CHECK_OCI_FUZZ_SECONDS) \
		FUZZ_GDB_SECONDS=$(CHECK_FUZZ_GDB_SECONDS) FUZZ_PROFILE_SECONDS=$(CHECK_FUZZ_PROFILE_SECONDS)
	tests/integration/run.sh $(B)
	tests/integration/oci.sh $(B)
	tests/integration/fuzz_syscalls.sh $(B) $(CHECK_FUZZ_CALLS)
CHECK_FUZZ_CALLS ?= 100000
CHECK_FUZZ_SECONDS ?= 30
CHECK_FUZZ_PROFILE_SECONDS ?= 15
CHECK_OCI_FUZZ_SECONDS ?= 10
CHECK_FUZZ_GDB_SECONDS ?= 10

# A real gdb (batch mode) against the GDB stub serving a made-up target: no KVM needed.
gdb-check: $(B)/tests/gdb_fake_target
	tests/gdb/run.sh $(B)

# No #include goes up a layer, and no circle of modules including each other exceeds 3.
check-layers:
	tools/check-layers.py src

# ASan + UBSan build of the library and the unit tests (CI runs this too).
san:
	$(MAKE) --no-print-directory B=build-san HOSTED=1 CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		build-san/libkdune.a $(patsubst $(B)/%,build-san/%,$(UNIT_BINS))
	@set -e; for t in $(patsubst $(B)/%,build-san/%,$(UNIT_BINS)); do echo "== $$t"; \
		ASAN_OPTIONS=detect_leaks=1 $$t; done

# libFuzzer targets: the ELF and #! parsers, the OCI bundle editor, the GDB stub's packet parser
# and the seccomp profile parser (with Podman's profile as a seed where it is installed).
# FUZZ_SECONDS bounds the loader's run; OCI_FUZZ_SECONDS, FUZZ_GDB_SECONDS and
# FUZZ_PROFILE_SECONDS the others.
FUZZ_SECONDS ?= 30
OCI_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_GDB_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_PROFILE_SECONDS ?= $(FUZZ_SECONDS)
FUZZ_CC := clang -std=gnu11 -O1 -g -D_GNU_SOURCE -Isrc -Iinclude -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
fuzz:
	mkdir -p build-fuzz
	$(FUZZ_CC) -o build-fuzz/fuzz_loader tests/fuzz/fuzz_loader.c src/host/loader.c src/base/exec_check.c
	$(FUZZ_CC) -o build-fuzz/fuzz_oci tests/fuzz/fuzz_oci.c src/host/oci_bundle.c src/host/oci_lookup.c \
		src/host/oci_args.c -ljson-c
	$(FUZZ_CC) -o build-fuzz/fuzz_gdb tests/fuzz/fuzz_gdb.c src/engine/gdb_rsp.c src/engine/gdb_tdesc.c
	mkdir -p build-fuzz/corpus && cp -n tests/fuzz/corpus/* build-fuzz/corpus/ 2>/dev/null || true
	mkdir -p build-fuzz/corpus_oci && cp -n tests/fuzz/corpus_oci/* build-fuzz/corpus_oci/ 2>/dev/null || true
	mkdir -p build-fuzz/corpus-gdb && cp -n tests/fuzz/corpus-gdb/* build-fuzz/corpus-gdb/ 2>/dev/null || true
	build-fuzz/fuzz_loader -max_total_time=$(FUZZ_SECONDS) -max_len=8192 build-fuzz/corpus
	build-fuzz/fuzz_oci -max_total_time=$(OCI_FUZZ_SECONDS) -max_len=16384 build-fuzz/corpus_oci
	build-fuzz/fuzz_gdb -max_total_time=$(FUZZ_GDB_SECONDS) -max_len=16384 build-fuzz/corpus-gdb
	$(FUZZ_CC) -o build-fuzz/fuzz_profile tests/fuzz/fuzz_profile.c src/host/profile.c \
		src/engine/policy_eval.c -ljson-c -lseccomp
	mkdir -p build-fuzz/corpus-profile && cp -n tests/fuzz/corpus-profile/* build-fuzz/corpus-profile/ 2>/dev/null || true
	cp -n /usr/share/containers/seccomp.json build-fuzz/corpus-profile/podman_default 2>/dev/null || true
	build-fuzz/fuzz_profile -max_total_time=$(FUZZ_PROFILE_SECONDS) -max_len=20000 \
		-dict=tests/fuzz/profile.dict build-fuzz/corpus-profile

# Random syscalls with pointers aimed at kdune's own memory, under kdune (SKIPs without KVM).
# FUZZ_CALLS calls; FUZZ_SEED repeats a run.
FUZZ_CALLS ?= 1000000
fuzz-syscalls: all
	tests/integration/fuzz_syscalls.sh $(B) $(FUZZ_CALLS) $(FUZZ_SEED)

$(B)/bench/enter_getppid: bench/getppid.c $(B)/libkdune.a | $(B)/bench
	$(CC) -O2 -std=gnu11 -D_GNU_SOURCE -DKDUNE_ENTER -Wall -Wextra -Werror -Iinclude -o $@ $< \
		$(B)/libkdune.a $(LDLIBS)
# The exitless path's stub and server, natively (tests/unit/xl_enter.h enters the stub).
$(B)/bench/exitless: bench/exitless.c tests/unit/xl_enter.h $(B)/libkdune.a | $(B)/bench
	$(CC) $(KD_CFLAGS) -Itests/unit -o $@ $< $(B)/libkdune.a $(LDLIBS)
bench-exitless: $(B)/bench/exitless
	$(B)/bench/exitless
# A seccomp policy's cost per call: kdune's evaluator and the same rules as a kernel filter.
$(B)/bench/policy_cost: bench/policy_cost.c tests/seccomp/native.h $(B)/libkdune.a | $(B)/bench
# The monitor's pointer checks alone, on a VM-less struct kd_vm (no KVM needed).
$(B)/bench/monitor_cost: bench/monitor_cost.c $(B)/libkdune.a | $(B)/bench
	$(CC) $(KD_CFLAGS) -o $@ $< $(B)/libkdune.a $(LDLIBS)
$(B)/bench/%: bench/%.c | $(B)/bench
	$(CC) -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -o $@ $<
bench: all $(BENCH_BINS)
	bench/run.sh $(B)

# Independent suites (CPython's tests, stress-ng, busybox) natively and under kdune:
# docs/conformance.md. conformance-quick is the CI subset; its report stays in $(B).
conformance: all
	tests/conformance/run.sh $(B) docs/conformance.md
conformance-quick: all
	tests/conformance/run.sh --quick $(B) $(B)/conformance-quick.md

# The same workloads natively, under kdune and under other tools: docs/performance.md.
bench-peers: all $(BENCH_BINS)
	bench/peers.sh $(B) docs

$(B)/examples/%: examples/%.c | $(B)/examples
	$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -o $@ $<
$(B)/examples/libkdune/hello-shared: examples/libkdune/hello.c examples/libkdune/check.h $(B)/libkdune.so
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) -o $@ $< -L$(B) -lkdune -Wl,-rpath,$(abspath $(B))
$(B)/examples/libkdune/%: examples/libkdune/%.c examples/libkdune/check.h $(B)/libkdune.a
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) -o $@ $< $(B)/libkdune.a $(LDLIBS)
# A program natively under a seccomp profile, loaded with libseccomp (tests/integration/seccomp.sh).
$(B)/progs/seccomp_native: tests/seccomp/seccomp_native.c tests/seccomp/native.h $(B)/libkdune.a | $(B)/progs
	$(CC) $(KD_CFLAGS) -o $@ $< $(B)/libkdune.a $(LDLIBS)
# kdune_enter()'s own checks (tests/integration/enter.sh), with libkdune and libseccomp.
$(B)/progs/enter_checks: tests/enter/enter_checks.c $(B)/libkdune.a | $(B)/progs
	$(CC) $(EXAMPLE_CFLAGS) -o $@ $< $(B)/libkdune.a $(LDLIBS)

# The built-in example: a program run inside a VM, with kdune's start-up summary.
example: $(B)/kdune $(B)/examples/hello
	$(B)/kdune run -v -- $(B)/examples/hello

# Every function kdune_enter(3) documents gets a page that points to it (`man dune_enter`).
MAN3_LINKS := dune_enter dune_init dune_init_and_enter kdune_last_error kdune_inside kdune_syscalls
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 755 $(B)/kdune $(DESTDIR)$(PREFIX)/bin/
	ln -sf kdune $(DESTDIR)$(PREFIX)/bin/kdune-runtime
	install -d $(DESTDIR)$(PREFIX)/libexec/kdune
	install -m 755 $(B)/kdune-decode $(DESTDIR)$(PREFIX)/libexec/kdune/
	install -m 644 $(B)/libkdune.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/libkdune.so $(DESTDIR)$(PREFIX)/lib/libkdune.so.0
	ln -sf libkdune.so.0 $(DESTDIR)$(PREFIX)/lib/libkdune.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' kdune.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/kdune.pc
	install -m 644 include/*.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 docs/kdune.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 docs/kdune_enter.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	for f in $(MAN3_LINKS); do echo '.so man3/kdune_enter.3' > $(DESTDIR)$(PREFIX)/share/man/man3/$$f.3; done

format:
	clang-format -i tools/*.c src/*/*.c src/*/*.h include/*.h tests/unit/*.c tests/progs/*.c tests/fuzz/*.c tests/gdb/*.c tests/seccomp/*.[ch] bench/*.c examples/*.c \
		examples/libkdune/*.[ch] tests/enter/*.c

clean:
	rm -rf build build-san build-fuzz
