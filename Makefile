# GenomicDL: the two commands.
#   make demo   install dependencies and the package, run the demo, write demo-report/
#   make test   install dependencies and the package, run Catch2 (src/core) and testthat tests
#   make test-asan  the torch-free Catch2 suite built with AddressSanitizer + UBSan (build/asan)
#   make fuzz       the libFuzzer targets of tests/fuzz (tools/fuzz.sh; installs clang)
SHELL := /bin/bash
R ?= R
JOBS ?= $(shell nproc)
export MAKEFLAGS_PKG := -j$(JOBS)
export R_MAKEVARS_USER := $(CURDIR)/tools/Makevars.ccache
# share the ccache between worktrees / clones (paths differ, sources do not)
export CCACHE_NOHASHDIR := 1
export CCACHE_BASEDIR := $(abspath $(CURDIR)/..)
# LibTorch's OpenMP threads spin while they wait; on a shared machine that costs more than it
# saves. libgomp reads this when it loads, so it has to be in the environment (see README).
export OMP_WAIT_POLICY ?= PASSIVE
BUILD := build/cpp
LIB := build/Rlib

.PHONY: deps install demo test test-cpp test-r test-asan test-asan-torch fuzz check document bench clean

deps:
	@tools/install-deps.sh

install: deps
	@mkdir -p $(LIB)
	@sh tools/drop-stale-objects.sh
	MAKEFLAGS=-j$(JOBS) $(R) CMD INSTALL --no-test-load --library=$(LIB) . 2>&1 | tail -n 5; \
	  test $${PIPESTATUS[0]} -eq 0

demo: install
	R_LIBS=$(CURDIR)/$(LIB):$$R_LIBS Rscript inst/scripts/demo.R demo-report

$(BUILD)/Makefile: CMakeLists.txt
	@mkdir -p $(BUILD)
	cd $(BUILD) && cmake -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache ../.. >/dev/null

test-cpp: deps $(BUILD)/Makefile
	@rm -f $(BUILD)/catch.log
	@cmake --build $(BUILD) -j$(JOBS) > $(BUILD)/build.log 2>&1 || \
	  { grep -E -A3 "error|Error" $(BUILD)/build.log | head -n 60; exit 1; }
	cd $(BUILD) && ./gdl_tests > catch.log 2>&1; tail -n 3 catch.log

# ASan + UBSan (gcc) build of src/core and the Catch2 suite. `make test-asan` builds the
# torch-free core (genome, tracks, data, deepbind, motif, metrics, seqlets/discovery) and its
# Catch2 tests in build/asan, as CI runs it; `make test-asan-torch` builds everything,
# LibTorch parts and their tests included, in build/asan-torch (LibTorch itself is not
# instrumented, and these files compile ~3x slower under ASan). The sanitizer options are
# explicit so that a run here and in CI check the same things.
ASAN_OPTIONS_GDL := detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
UBSAN_OPTIONS_GDL := halt_on_error=1:print_stacktrace=1
define asan_suite
	@mkdir -p $(1)
	@test -f $(1)/CMakeCache.txt -a $(1)/CMakeCache.txt -nt CMakeLists.txt || \
	  (cd $(1) && cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGDL_SANITIZE=ON -DGDL_WITH_TORCH=$(2) \
	    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache $(CURDIR) >/dev/null)
	@cmake --build $(1) -j$(JOBS) --target gdl_tests > $(1)/build.log 2>&1 || \
	  { grep -E -A3 "error|Error" $(1)/build.log | head -n 60; exit 1; }
	@cd $(1) && ASAN_OPTIONS=$(ASAN_OPTIONS_GDL) UBSAN_OPTIONS=$(UBSAN_OPTIONS_GDL) \
	  ./gdl_tests > catch.log 2>&1; rc=$$?; tail -n 3 catch.log; \
	  grep -m1 -A12 -E "ERROR: (Address|Leak)Sanitizer|runtime error:" catch.log; \
	  echo "test-asan: gdl_tests exited with status $$rc ($(1)/catch.log)"; exit $$rc
endef

test-asan: deps
	$(call asan_suite,build/asan,OFF)

test-asan-torch: deps
	$(call asan_suite,build/asan-torch,ON)

# libFuzzer targets; FUZZ_SECONDS per target (tools/fuzz.sh).
FUZZ_SECONDS ?= 60
fuzz:
	tools/fuzz.sh $(FUZZ_SECONDS)

test-r: install
	R_LIBS=$(CURDIR)/$(LIB):$$R_LIBS Rscript tools/run-testthat.R build/testthat.counts

# Runs both suites whatever the first gives, then prints "N passed, N failed".
test:
	@rm -f $(BUILD)/catch.log build/testthat.counts
	@$(MAKE) --no-print-directory test-cpp; \
	$(MAKE) --no-print-directory test-r; \
	Rscript tools/summarise-tests.R $(BUILD)/catch.log build/testthat.counts

# Regenerates RcppExports, then NAMESPACE and man/ (roxygen2 on the installed package).
document:
	Rscript -e 'Rcpp::compileAttributes(".")'
	$(MAKE) --no-print-directory install
	R_LIBS=$(CURDIR)/$(LIB):$$R_LIBS Rscript -e 'roxygen2::roxygenise(load_code = roxygen2::load_installed)'
	$(MAKE) --no-print-directory install

check: install
	$(R) CMD build . && _R_CHECK_FORCE_SUGGESTS_=false $(R) CMD check --no-manual GenomicDL_*.tar.gz

bench: install
	for f in bench/*.R; do R_LIBS=$(CURDIR)/$(LIB):$$R_LIBS Rscript $$f; done

clean:
	rm -rf build demo-report GenomicDL.Rcheck GenomicDL_*.tar.gz
	./cleanup
