# Top-level entry points. CMake does the building; this file gives the short names.
#   make          build library, nstack command, tests, benchmarks into build/
#   make run      the demonstration (no root needed)
#   make test     unit + integration tests, then again under ASan+UBSan
#   make test-tsan the threaded socket tests under ThreadSanitizer (build-tsan/)
#   make test-full the TCP interop tests at the issues' full sizes (1 GiB under 5 % and
#                 10 % loss, 100 MiB through 50 ms + 1 % loss...): about two hours, root
#   make bench    performance figures
#   make fuzz     libFuzzer runs of the harnesses in FUZZ_TARGETS (frame input, TCP
#                 segments on established connections), FUZZ_SECONDS (default 60) split
#                 between them
#   make install  install nstack, libnstack and headers (PREFIX, default /usr/local)
BUILD       ?= build
ASAN_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
TSAN_BUILD  ?= build-tsan
PREFIX      ?= /usr/local
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= fuzz_frame fuzz_tcp
JOBS        ?= $(shell nproc)
MAKEFLAGS   += --no-print-directory

.PHONY: all build deps run test test-unit test-asan test-tsan test-full bench fuzz install clean

all: build

deps:
	@scripts/deps.sh build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	@echo "building nstack in $(BUILD)/ ..."
	@cmake --build $(BUILD) -j $(JOBS) > $(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }

run: build
	@$(BUILD)/nstack lab

test:
	@scripts/deps.sh test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit
	cd $(BUILD) && ctest --output-on-failure -L integration
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNSTACK_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

test-tsan:
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNSTACK_TSAN=ON >/dev/null
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target test_socket_threads test_udp
	cd $(TSAN_BUILD) && ctest --output-on-failure -R 'socket_threads$$|test_udp$$'

test-full: build
	@scripts/deps.sh test
	NSTACK_TEST_FULL=1 NSTACK_BUILD=$(CURDIR)/$(BUILD) NSTACK_SRC=$(CURDIR) bash tests/integration/test_tcp_udp.sh
	NSTACK_TEST_FULL=1 NSTACK_BUILD=$(CURDIR)/$(BUILD) NSTACK_SRC=$(CURDIR) bash tests/integration/test_tcp7.sh

bench:
	@scripts/deps.sh bench
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	bash bench/run.sh $(BUILD)

fuzz:
	@scripts/deps.sh test
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNSTACK_SANITIZE=ON -DNSTACK_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)
	@# fuzz_frame: fuzz/corpus + fuzz/seeds; fuzz_X: fuzz/corpus_X + fuzz/seeds_X
	set -e; for t in $(FUZZ_TARGETS); do \
	  s=$${t#fuzz_}; [ "$$s" = frame ] && s= || s=_$$s; \
	  mkdir -p fuzz/corpus$$s; \
	  $(FUZZ_BUILD)/fuzz/$$t -max_total_time=$$(( $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) )) \
	    -max_len=4096 fuzz/corpus$$s fuzz/seeds$$s; \
	done

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(TSAN_BUILD)
