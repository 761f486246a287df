# SPDX-License-Identifier: GPL-2.0
#
# rigb: the two commands are `make vm` and `make check` (see README.md).
# Everything else here is a step of those two, usable on its own.

RIGB_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rigb
export RIGB_CACHE
LOCK := flock $(RIGB_CACHE)/build.lock
S := scripts

CMD ?=
CH ?=
# The command reaches vm.sh through the environment, never through the
# recipe's shell text: quotes, newlines and $ in CMD arrive intact.
export RIGB_VM_CMD = $(value CMD)

.PHONY: all deps kernel modules tools vm book check check-debug test-host test-vm clippy rustfmt bench clean help

all: modules

help:
	@echo "make vm [CMD='...']  build everything, boot QEMU with two igb ports, load rigb, shell (or run CMD)"
	@echo "make book [CH=N]     the book lab: one experiment per chapter in one VM boot -> book/results.md"
	@echo "make check           host unit tests + kselftest suites in the VM; ends with 'N passed, N failed'"
	@echo "make deps            install packages (apt, cargo, pip) only"
	@echo "make kernel          build the kernel (cached under \$$RIGB_CACHE)"
	@echo "make modules         build rigb.ko, rust_veth.ko, rust_loopback.ko"
	@echo "make test-host       host unit tests only (cargo test)"
	@echo "make test-vm [SUITES='a b']  VM suites only"
	@echo "make clippy          build the modules with CLIPPY=1"
	@echo "make rustfmt         format rust/, the drivers and samples as the kernel's rustfmt does"
	@echo "make check-debug     the VM suites on a KASAN/kmemleak/lockdep/fault-injection kernel"
	@echo "make bench           benchmarks, Rust vs C drivers, in one VM boot"

$(RIGB_CACHE):
	@mkdir -p $@

deps: | $(RIGB_CACHE)
	@MAKE_TARGET=$(firstword $(MAKECMDGOALS)) bash $(S)/deps.sh

kernel: deps
	@$(LOCK) bash $(S)/kernel.sh build

modules: kernel
	@$(LOCK) bash $(S)/modules.sh

clippy: kernel
	@$(LOCK) bash $(S)/kernel.sh clippy
	@$(LOCK) bash $(S)/modules.sh CLIPPY=1

rustfmt:
	@rustfmt --edition 2021 --config newline_style=Unix --config skip_children=true $$(git ls-files 'rust/*.rs' 'drivers/*.rs' 'samples/*.rs')

# User-space tools the guest runs (it sees the host's filesystem).
tools: deps
	@CARGO_TARGET_DIR=$(RIGB_CACHE)/target cargo build --quiet --release --manifest-path tools/netpath/Cargo.toml

vm: modules tools
	@bash $(S)/vm.sh $(if $(value CMD),--cmd-env)

book: modules tools
	@bash $(S)/book.sh $(CH)

test-host: deps
	@bash $(S)/test-host.sh

test-vm: modules tools
	@bash $(S)/check.sh --vm-only $(SUITES)

check: modules tools
	@bash $(S)/check.sh $(SUITES)

check-debug: deps
	@bash $(S)/check-debug.sh $(SUITES)

bench: modules
	@bash $(S)/bench.sh

clean:
	@bash $(S)/modules.sh clean 2>/dev/null || true
	@rm -rf target
