# sbx build. `make` builds build/sbx; `make test` runs the unit and end-to-end suites;
# `make install` honours PREFIX and DESTDIR; `make lint` runs clang-format and clang-tidy.
CXX      ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Wno-missing-field-initializers -Iinclude -Isrc -MMD -MP
CXXFLAGS += -I$(BUILD)/gen
# Linked statically, glibc included, as a static PIE (so still placed at a random address):
# every shared library costs every sbx process its loading, its symbol relocation and private
# relocated pages at start, about 2 ms of each `sbx run` on a 2-core VM (measured against the
# same build with glibc shared). libseccomp, liburing and SQLite come as .a files with their
# -dev packages, glibc's with libc6-dev. sbx needs no NSS (it reads /etc/passwd itself) and
# loads no shared object: SQLite's extension loader is the only caller of dlopen, and
# --wrap=dlopen points it at a stub (store/sqlite_util.cc) so that glibc's, which would load
# the host's current libc.so into sbx, is not linked. Debian's simdjson ships only a shared
# library, so its one source file, of the same version as Debian's header, is compiled here
# (third_party/README.md).
LDFLAGS  += -static-pie -Wl,-z,now -Wl,--wrap=dlopen
# Each function in a section of its own, so that src/hot_text.ld (made by
# tests/bench/hot_text.py from a profile) can link the code sbx's commands run first and
# together: every 64 KiB window of text a process touches costs it a page fault, about 25 us
# on a VM. build/sbx.map, the link map, is what that script reads.
CXXFLAGS += -ffunction-sections
HOT_TEXT := src/hot_text.ld
LDLIBS   := -lseccomp -luring -lsqlite3 -lpthread -lm
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    := build

LIB_SRCS  := $(filter-out src/cli/%,$(wildcard src/*/*.cc))
CLI_SRCS  := $(wildcard src/cli/*.cc)
UNIT_SRCS := $(wildcard tests/unit/*.cc)
LIB_OBJS  := $(LIB_SRCS:%.cc=$(BUILD)/obj/%.o) $(BUILD)/obj/third_party/simdjson.o
# The verb files are compiled as one translation unit (build/gen/cli_verbs.cc includes them
# all): CLI11 2.1 defines its validators as const globals in its header, so every file that
# includes it constructs (and at exit destroys) its own eight of them, a measurable part of a
# short command's start. main.cc stays apart: it is the only file unit tests leave out.
CLI_PARTS := $(BUILD)/obj/cli_verbs.o
CLI_OBJS  := $(BUILD)/obj/src/cli/main.o $(CLI_PARTS)
UNIT_OBJS := $(UNIT_SRCS:%.cc=$(BUILD)/obj/%.o)

.PHONY: all test unit e2e install uninstall lint format clean bench FORCE

all: $(BUILD)/sbx

# What every object and link was made with: a change of compiler, flags or libraries (say
# `make CXXFLAGS=-O0`) rebuilds everything, not only what a changed source touches. The file is
# rewritten only when they differ, so an unchanged build stays up to date.
FLAGS       := $(BUILD)/flags
BUILD_FLAGS := $(CXX) $(CXXFLAGS) | $(LDFLAGS) | $(LDLIBS)
$(FLAGS): FORCE
	@mkdir -p $(BUILD)
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@

$(BUILD)/sbx: $(CLI_OBJS) $(BUILD)/libsbx.a $(HOT_TEXT) $(FLAGS)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -Wl,-T,$(HOT_TEXT) -Wl,-Map,$(BUILD)/sbx.map -o $@ \
	  $(CLI_OBJS) $(BUILD)/libsbx.a $(LDLIBS)

$(BUILD)/libsbx.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/unit_tests: $(UNIT_OBJS) $(CLI_PARTS) $(BUILD)/libsbx.a $(FLAGS)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(CLI_PARTS) $(BUILD)/libsbx.a $(LDLIBS)

# The shipped seccomp profiles, embedded as raw strings: policies/*.json stay the only copy.
POLICIES := default strict permissive
$(BUILD)/gen/policies.inc: $(POLICIES:%=policies/%.json)
	@mkdir -p $(dir $@)
	@for p in $(POLICIES); do printf '{"%s", R"sbx-policy(' $$p; cat policies/$$p.json; \
	  printf ')sbx-policy"},\n'; done > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/src/runtime/policies_builtin.o: $(BUILD)/gen/policies.inc

$(BUILD)/gen/cli_verbs.cc: $(filter-out src/cli/main.cc,$(CLI_SRCS)) Makefile
	@mkdir -p $(dir $@)
	@for f in $(filter-out src/cli/main.cc,$(CLI_SRCS)); do echo "#include \"$$f\""; done > $@.tmp
	@mv $@.tmp $@

$(BUILD)/obj/cli_verbs.o: $(BUILD)/gen/cli_verbs.cc $(FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -I. -c -o $@ $<

# simdjson's implementation, against Debian's header of the same version (/usr/include/simdjson.h).
$(BUILD)/obj/third_party/simdjson.o: third_party/simdjson/simdjson.cpp $(FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) -O2 -std=c++20 -ffunction-sections -w -c -o $@ $<

$(BUILD)/obj/%.o: %.cc $(FLAGS)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

# The whole suite: unit tests, then every end-to-end scenario; ends with "N passed, N failed".
test: $(BUILD)/sbx $(BUILD)/unit_tests
	tests/run.sh

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

e2e: $(BUILD)/sbx
	tests/run.sh --e2e-only

# Performance against bubblewrap, nsenter and a raw pipe (tests/bench/README.md); never in CI.
bench: $(BUILD)/sbx
	tests/bench/bench.py

install: $(BUILD)/sbx
	install -D -m 0755 $(BUILD)/sbx $(DESTDIR)$(PREFIX)/bin/sbx
	install -D -m 0644 man/sbx.1 $(DESTDIR)$(PREFIX)/share/man/man1/sbx.1
	install -D -m 0644 man/sbx-policy.5 $(DESTDIR)$(PREFIX)/share/man/man5/sbx-policy.5
	install -D -m 0644 man/sbx-image.5 $(DESTDIR)$(PREFIX)/share/man/man5/sbx-image.5

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sbx $(DESTDIR)$(PREFIX)/share/man/man1/sbx.1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5/sbx-policy.5 $(DESTDIR)$(PREFIX)/share/man/man5/sbx-image.5

FORMAT_FILES := $(shell find src include tests/unit -name '*.cc' -o -name '*.h' 2>/dev/null)
lint:
	clang-format --dry-run --Werror $(FORMAT_FILES)
	clang-tidy --quiet $(LIB_SRCS) $(CLI_SRCS) -- $(filter-out -MMD -MP,$(CXXFLAGS))

format:
	clang-format -i $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_OBJS:.o=.d)
