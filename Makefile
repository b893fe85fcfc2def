# ringrun - see README.md.  Quiet unless V=1.
#
#   make            library (static + shared) and the ringrun binary
#   make demo       install missing Debian packages (as root), build, fan out
#   make check      the same set-up, then every test suite, the examples and
#                   the Python package's tests (make python-check alone)
#   make test T='LAYER:PATTERN'  one layer's suite, only the tests matching
#   make asan       build with AddressSanitizer + UBSan and run the suites
#   make bench      comparisons (xargs, GNU parallel, asyncio, pdsh, asyncssh ...)
#   make fuzz       the parsers under libFuzzer (clang), FUZZ_TIME s each
#   make man        the section-3 pages, from ringrun.h, into build/man/man3
#   make install    PREFIX=/usr/local DESTDIR=  (PERSONALITIES=1: the links
#                   pdsh, clush, pssh, parallel-ssh -> ringrun in
#                   LIBEXECDIR/ringrun, never in BINDIR over the real tools)

VERSION   := 0.1.0
SOMAJOR   := 0
PREFIX    ?= /usr/local
LIBDIR    ?= $(PREFIX)/lib
BINDIR    ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
INCDIR    ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
PKGCONFIG ?= pkg-config

CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
	     -Wwrite-strings -Wvla
# -Werror for developers and CI (DEVELOPER=1): a user's newer compiler that
# warns of something new must not break make install.
ifeq ($(DEVELOPER),1)
WARN      += -Werror
endif
DEPS_PC   := liburing libssh2 libcrypto
PC_CFLAGS := $(shell $(PKGCONFIG) --cflags $(DEPS_PC) 2>/dev/null)
PC_LIBS   := $(shell $(PKGCONFIG) --libs $(DEPS_PC) 2>/dev/null || echo -luring -lssh2 -lcrypto)
CLI_LIBS  := -lm # sqrt: the benchmark mode's standard deviations
CRIT_LIBS := $(shell $(PKGCONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

# Build flavours: the normal build lives in build/, the sanitizer build in
# build/asan/ (make asan sets B and SAN).
B         ?= build
SAN       ?=
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) -Ilib/include $(DIR_INC) $(PC_CFLAGS) -MMD -MP

# The library's files include each other from lib/, the CLI's (and the
# tests of its pieces) from cli/: neither sees the other's headers.  The
# library's ssh_config reader and ed25519 keys are tested as the CLI's
# pieces are, from lib/.
$(B)/lib/%.o $(B)/tests/ssh/config.o $(B)/tests/ssh/ed25519.o: DIR_INC := -Ilib
$(B)/cli/%.o $(B)/tests/unit/%.o: DIR_INC := -Icli
ALL_LDFLAGS = $(LDFLAGS) $(SAN)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

LIB_SRC   := $(wildcard lib/*.c lib/*/*.c)
CLI_SRC   := $(filter-out cli/main.c,$(wildcard cli/*.c cli/*/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
MAIN_OBJ  := $(B)/cli/main.o

ifeq ($(B),build)
STATIC    := lib/libringrun.a
SHARED    := lib/libringrun.so.$(VERSION)
BIN       := ringrun
else
STATIC    := $(B)/libringrun.a
SHARED    := $(B)/libringrun.so.$(VERSION)
BIN       := $(B)/ringrun
endif
SONAME    := libringrun.so.$(SOMAJOR)
CLI_LIB   := $(B)/cli/libcli.a

UNIT_SRC  := $(wildcard tests/unit/*.c)
TLIB_SRC  := $(wildcard tests/lib/*.c)
TCLI_SRC  := $(wildcard tests/cli/*.c)
TSSH_SRC  := $(wildcard tests/ssh/*.c)
TCOMMON_SRC := $(wildcard tests/common/*.c)
HELPER    := $(B)/tests/rr-helper
SUITES    := $(if $(UNIT_SRC),$(B)/tests/unit-suite) \
	     $(if $(TLIB_SRC),$(B)/tests/lib-suite) \
	     $(if $(TSSH_SRC),$(B)/tests/ssh-suite) \
	     $(if $(TCLI_SRC),$(B)/tests/cli-suite)
EXAMPLES  := $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))

.PHONY: all lib cli deps demo check python-check asan portability test-build run-tests test \
	bench fuzz man install uninstall clean
all: lib cli

lib: $(STATIC) $(SHARED)
cli: $(BIN)

$(B)/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(STATIC): $(LIB_OBJ)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(SHARED): $(LIB_OBJ) lib/ringrun.map
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/ringrun.map \
		-Wl,-z,defs $(ALL_LDFLAGS) -o $@ $(LIB_OBJ) $(PC_LIBS)
	$(Q)ln -sf $(notdir $@) $(@D)/$(SONAME) && ln -sf $(SONAME) $(@D)/libringrun.so

$(CLI_LIB): $(CLI_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(CLI_LIB) $(STATIC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PC_LIBS) $(CLI_LIBS)

# ---------------------------------------------------------------- tests
$(B)/tests/unit-suite: $(UNIT_SRC:%.c=$(B)/%.o) $(CLI_LIB) $(STATIC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PC_LIBS) $(CLI_LIBS) $(CRIT_LIBS)

$(B)/tests/lib-suite: $(TLIB_SRC:%.c=$(B)/%.o) $(TCOMMON_SRC:%.c=$(B)/%.o) $(STATIC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PC_LIBS) $(CRIT_LIBS)

$(B)/tests/ssh-suite: $(TSSH_SRC:%.c=$(B)/%.o) $(TCOMMON_SRC:%.c=$(B)/%.o) $(STATIC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PC_LIBS) $(CRIT_LIBS)

$(B)/tests/cli-suite: $(TCLI_SRC:%.c=$(B)/%.o) $(B)/tests/common/where.o \
			$(B)/tests/common/signals.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CRIT_LIBS)

$(HELPER): $(B)/tests/helper/rr-helper.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

$(B)/examples/%: $(B)/examples/%.o $(STATIC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PC_LIBS)

test-build: all $(HELPER) $(SUITES) $(EXAMPLES)

# Each suite finds the helper, the binary under test and the sshd harness
# from its own path (tests/common/where.h); the library suite runs once per
# exit-wait, spawn and read path.  $(call run_suite,SUITE,ARGS), under set -e.
TEST_ENV = LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0
CRIT_ARGS ?= --jobs 2
define run_suite
case $(1) in \
*/lib-suite) \
  echo "== $(1) (ring WAITID, multishot reads)"; \
  $(TEST_ENV) $(1) $(CRIT_ARGS) $(2); \
  echo "== $(1) (RINGRUN_NO_WAITID=1 RINGRUN_SPAWN_VFORK=1: pidfd poll, vfork spawns)"; \
  RINGRUN_NO_WAITID=1 RINGRUN_SPAWN_VFORK=1 $(TEST_ENV) $(1) $(CRIT_ARGS) $(2); \
  echo "== $(1) (RINGRUN_NO_MULTISHOT=1: one-shot reads)"; \
  RINGRUN_NO_MULTISHOT=1 $(TEST_ENV) $(1) $(CRIT_ARGS) $(2);; \
*) echo "== $(1)"; $(TEST_ENV) $(1) $(CRIT_ARGS) $(2);; \
esac
endef

# The architecture check reads the objects, the man check the pages.
run-tests: test-build $(LIB_OBJ) man
	@python3 tests/build/architecture.py $(B)
	@python3 tests/build/man.py $(B)
	@set -e; for s in $(SUITES); do $(call run_suite,$$s,); done
	@for e in $(EXAMPLES); do \
	  timeout 60 $$e </dev/null >/dev/null || { echo "example $$e failed"; exit 1; }; \
	done; echo "== examples: $(words $(EXAMPLES)) ran"

# make test T='LAYER:PATTERN': build what layer LAYER (unit, lib, ssh, cli)
# needs and run its suite on the tests PATTERN matches after the layer's
# prefix (T='lib:kill/*' runs lib_kill/*); T='LAYER' runs all of it, no T
# everything (run-tests).
T_LAYER   := $(firstword $(subst :, ,$(T)))
T_PATTERN := $(patsubst $(T_LAYER):%,%,$(filter $(T_LAYER):%,$(T)))
T_NEEDS_unit := $(B)/tests/unit-suite
T_NEEDS_lib  := $(B)/tests/lib-suite $(HELPER)
T_NEEDS_ssh  := $(B)/tests/ssh-suite
T_NEEDS_cli  := $(B)/tests/cli-suite $(BIN)
ifeq ($(T),)
test: run-tests
else
test: $(T_NEEDS_$(T_LAYER))
	@[ -n "$(T_NEEDS_$(T_LAYER))" ] || \
	  { echo "make test: T=$(T): LAYER is unit, lib, ssh or cli" >&2; exit 2; }
	@set -e; $(call run_suite,$(B)/tests/$(T_LAYER)-suite,$(if $(T_PATTERN),--filter '$(T_LAYER)_$(T_PATTERN)'))
endif

deps:
	@./mk/deps.sh build test

check: deps
	@$(MAKE) --no-print-directory run-tests
	@$(MAKE) --no-print-directory python-check

# The Python package's tests, with Debian's python3-pytest: a python3 found
# first in PATH (pyenv, a virtualenv) that has no pytest gives way to
# Debian's.  Not part of make asan (the interpreter is not instrumented).
PYTHON ?= $(firstword $(foreach p,python3 /usr/bin/python3,$(if $(shell $(p) -c 'import pytest' 2>/dev/null && echo y),$(p))) python3)
python-check: lib
	@echo "== python/tests ($(PYTHON))"
	@PYTHONPATH=python $(PYTHON) -m pytest -q -p no:cacheprovider python/tests

asan: deps
	@$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" run-tests

# The library with clang and cross-compiled for aarch64 (lib/proc/sys.h's
# other branch), and the public header alone as strict C11 and as C++.  The
# cross compiler borrows this machine's headers, the multiarch ones too
# (openssl/opensslconf.h): a syntax check of our code, not of theirs.
CROSS_CC  ?= aarch64-linux-gnu-gcc
portability: deps
	@./mk/deps.sh portability
	@set -e; for f in $(LIB_SRC); do \
	  clang $(WARN) -Ilib/include -Ilib $(PC_CFLAGS) -fsyntax-only $$f; \
	  $(CROSS_CC) $(WARN) -DRR_WANT_RAW_SYSCALLS -Ilib/include -Ilib \
	    -idirafter /usr/include -idirafter /usr/include/$$(cc -dumpmachine) \
	    -fsyntax-only $$f; \
	done; echo "== lib/: clang, $(CROSS_CC): $(words $(LIB_SRC)) files"
	@cc -std=c11 -pedantic -Wall -Wextra -Werror -Ilib/include -fsyntax-only tests/build/header.c
	@c++ -x c++ -std=c++11 -pedantic -Wall -Wextra -Werror -Ilib/include -fsyntax-only tests/build/header.c
	@echo "== ringrun.h: C11 -pedantic, C++11 -pedantic"

demo: deps
	@$(MAKE) --no-print-directory all
	@./mk/demo.sh ./$(BIN)

bench: all
	@./mk/deps.sh bench
	@$(MAKE) --no-print-directory -C bench RINGRUN=$(abspath $(BIN))

# ---------------------------------------------------------------- fuzz
# One libFuzzer target per parser (fuzz/NAME.c), linked with the CLI's
# sources; each runs FUZZ_TIME seconds from its seed corpus fuzz/corpus/NAME,
# new inputs going to build/fuzz/corpus/NAME so the seeds stay as committed.
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 60
FUZZ_SRC   := $(wildcard fuzz/*.c)
FUZZ_BIN   := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS := -std=gnu11 -g -O1 $(FUZZ_SAN) -Ilib/include -Ilib -Icli $(PC_CFLAGS)
# The CLI's sources are compiled once for all the targets (instrumented
# for coverage, the fuzzer's main linked only into each target).
FUZZ_OBJ   := $(CLI_SRC:%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: %.c $(wildcard cli/*.h cli/*/*.h)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) $(FUZZ_OBJ) lib/libringrun.a
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) lib/libringrun.a $(PC_LIBS) $(CLI_LIBS)

fuzz: deps
	@./mk/deps.sh fuzz
	@$(MAKE) --no-print-directory lib/libringrun.a $(FUZZ_BIN)
	@# Key seeds are made here, not committed: a private key in the tree,
	@# however throwaway, is what secret scanners are for.
	@d=build/fuzz/corpus/ed25519; mkdir -p $$d; [ -e $$d/plain ] || { \
	  ssh-keygen -q -t ed25519 -N '' -C seed -f $$d/plain && \
	  ssh-keygen -q -t ed25519 -N seed -C seed -f $$d/locked && \
	  ssh-keygen -q -t ecdsa -N '' -C seed -f $$d/ecdsa; }
	@set -e; for f in $(FUZZ_BIN); do \
	  n=$${f##*/}; mkdir -p build/fuzz/corpus/$$n; \
	  echo "== fuzz $$n ($(FUZZ_TIME) s)"; \
	  $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=0 \
	      -artifact_prefix=build/fuzz/$$n- build/fuzz/corpus/$$n fuzz/corpus/$$n \
	      2>build/fuzz/$$n.log || { tail -40 build/fuzz/$$n.log; exit 1; }; \
	  grep '^Done' build/fuzz/$$n.log | tail -1; \
	done

# ---------------------------------------------------------------- man
# One page per function (those documented together share one, the others
# are .so links to it) and per struct, from ringrun.h's comments; pages of
# a name gone from the header are removed.
MAN3      := $(B)/man/man3
man: $(MAN3)/libringrun.3

$(MAN3)/libringrun.3: lib/include/ringrun.h mk/man3.py
	$(call msg,GEN,$(MAN3))
	$(Q)python3 mk/man3.py lib/include/ringrun.h $(MAN3) $(VERSION)

# ---------------------------------------------------------------- install
# The names ringrun answers to as another tool (cli/persona/).
PERSONA_LINKS := pdsh clush pssh parallel-ssh parallel hyperfine

ringrun.pc: lib/ringrun.pc.in Makefile
	$(call msg,GEN,$@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: all ringrun.pc man
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 lib/include/ringrun.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHARED)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libringrun.so
	install -m 644 ringrun.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/
	install -m 644 man/ringrun.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN3)/*.3 $(DESTDIR)$(MANDIR)/man3/
	$(if $(PERSONALITIES),install -d $(DESTDIR)$(LIBEXECDIR)/ringrun)
	$(if $(PERSONALITIES),for t in $(PERSONA_LINKS); do \
		ln -sf $(BINDIR)/ringrun $(DESTDIR)$(LIBEXECDIR)/ringrun/$$t; done)
	@# The loader's cache, so that programs (and the Python package) find
	@# the new library by its soname; a staged install (DESTDIR) is not ours.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

# The section-3 pages by the names generated from this header.
uninstall: man
	rm -f $(DESTDIR)$(INCDIR)/ringrun.h $(DESTDIR)$(LIBDIR)/libringrun.* \
		$(DESTDIR)$(LIBDIR)/pkgconfig/ringrun.pc $(DESTDIR)$(BINDIR)/ringrun \
		$(DESTDIR)$(MANDIR)/man1/ringrun.1
	for f in $(MAN3)/*.3; do rm -f "$(DESTDIR)$(MANDIR)/man3/$${f##*/}"; done
	for t in $(PERSONA_LINKS); do rm -f $(DESTDIR)$(LIBEXECDIR)/ringrun/$$t; done
	rmdir $(DESTDIR)$(LIBEXECDIR)/ringrun 2>/dev/null || true

clean:
	rm -rf build lib/libringrun.a lib/libringrun.so* ringrun ringrun.pc
	@$(MAKE) --no-print-directory -C bench clean 2>/dev/null || true

.SECONDARY:
-include $(shell find $(B) -name '*.d' 2>/dev/null)
