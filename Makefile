# exogo: build, boot and test the exokernel.
#
#   make run      boot in QEMU, serial console on this terminal (Ctrl-A X quits)
#   make test     every test: formatting, vet, host unit tests, the
#                 restricted-Go check, and boots in QEMU (BIOS, UEFI, USB)
#   make iso      build/exogo.iso          (CMDLINE='...' bakes in a command line)
#   make usb      build/exogo-usb.img      (write it to a USB stick: docs/usb.md)
#   make debug    QEMU waiting for gdb, and gdb with the kernel's symbols
#                 (PROGRAM=NAME: stop in that user program's main)
#   make debug-qemu   QEMU alone, halted, for another debugger
#   make bench    boot-time figures
#   make fuzz     a long campaign of the hostile fuzzer (FUZZ_CALLS, FUZZ_SEED)
#   make help     every target, one line each
#   make clean
#
# Variables: CMDLINE (kernel command line, default init=init: cmd/init runs
# /etc/rc), RC and EXTRA_BIN (the boot module's /etc/rc and extra /bin
# programs), IMAGE_PROGRAMS (which of cmd/* make iso and usb put in /bin:
# default, all but exogo's tests and benchmarks and plus init=NAME's; all;
# or names), EXTRA_TREE (host directories copied
# into the file system, DIR or DIR:DEST), SMP (CPUs, default 1), MEM
# (RAM, default 512M), FIRMWARE (bios or uefi, for run), CPU (QEMU's CPU
# model, default qemu64), QEMU_DISPLAY (none, or gtk/sdl for a window
# showing the screen).

CMDLINE ?= init=init
SMP ?= 1
MEM ?= 512M
FIRMWARE ?= bios
QEMU_DISPLAY ?= none

# Every go command goes through tools/go, which runs the toolchain go.mod
# pins and fetches it when this machine lacks it (no Go, Debian's 1.19, a
# newer one).
GO ?= tools/go
BUILD := build
KERNEL := $(BUILD)/exogo.elf
MODULES := $(BUILD)/modules

# The restricted-Go check (docs/restricted-go.md): every function of these
# packages, and of the kernel's main package except the hosted functions
# listed, must not allocate, panic, block or store Go pointers.
RESTRICTED_PACKAGES := main,exogo/kernel/fs,exogo/arch/amd64,exogo/abi/linuxabi,exogo/abi/elfload,exogo/kernel/trap,exogo/kernel/cpu,exogo/kernel/exo,exogo/kernel/process,exogo/kernel/segment,exogo/kernel/sched,exogo/kernel/smp,exogo/kernel/acpi,exogo/kernel/linux,exogo/kernel/memory,exogo/kernel/paging,exogo/kernel/physmem,exogo/kernel/timer,exogo/kernel/console,exogo/abi/symbols,exogo/kernel/disasm,exogo/boot/multiboot2
# Indirect jumps the check cannot follow, each reviewed: start64 jumps from
# the kernel's physical alias to its virtual address.
INDIRECT_OK := main.start64
HOSTED_IN_MAIN := exogo/kernel/exo.InitFiles,main.main,main.loadFiles,main.mkdirAll,main.releaseModules,main.bootRecord.contents,main.report,main.listModules,main.readArchive,main.memoryTypeName,main.bootInfoBytes,main.runFirstProgram,main.loadFirstProgram,main.mapPlan,main.mapUser,main.startProcess,main.withInterruptsOff,main.screenSegment,main.bootModuleSegment,main.frameCensus

# QEMU's CPU model: qemu64 has no FSGSBASE, so the libOS switches
# threads through the kernel; CPU=qemu64,+fsgsbase (or max) lets it
# switch them in user mode, as on most real PCs (docs/libos.md, vCPUs).
CPU ?= qemu64
comma := ,
QEMU_BASE = qemu-system-x86_64 -machine q35 -accel tcg -cpu $(CPU) -m $(MEM) -smp $(SMP) \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
OVMF_CODE := /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS := /usr/share/OVMF/OVMF_VARS_4M.fd
ifeq ($(FIRMWARE),uefi)
FIRMWARE_FLAGS = -drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
	-drive if=pflash,format=raw,file=$(BUILD)/OVMF_VARS.fd
endif

.PHONY: all help check-vars deps kernel programs uroot iso usb run debug debug-image debug-qemu test test-images test-host test-qemu check generate-check restrictcheck bench fuzz clean

all: iso

help:
	@echo "make run             boot exogo in QEMU, serial console here (Ctrl-A X quits)"
	@echo "                     CMDLINE='...' SMP=2 MEM=2G FIRMWARE=uefi CPU=max QEMU_DISPLAY=gtk"
	@echo "                     IMAGE_PROGRAMS=all (exogo's tests and benchmarks in /bin too)"
	@echo "make test            everything: check, test-host, restrictcheck, test-qemu"
	@echo "make iso             build/exogo.iso (CMDLINE='...' bakes in a command line)"
	@echo "make usb             build/exogo-usb.img, to write to a USB stick (docs/usb.md)"
	@echo "make debug           QEMU halted and gdb with the kernel's symbols, sources and Go helpers"
	@echo "                     PROGRAM=NAME stops in that program's main; GDB_PORT=1234 (docs/debugging.md)"
	@echo "make debug-qemu      QEMU alone, halted with its gdb stub, for another debugger"
	@echo "make bench           boot-time figures, the exokernel's primitives and the libOS's paths timed from user mode,"
	@echo "                     and an unmodified Go benchmark raced against Debian's Linux in the same QEMU"
	@echo "make fuzz            a long campaign of the hostile fuzzer on 1, 2, 4 CPUs (FUZZ_CALLS, FUZZ_SEED)"
	@echo "make kernel          build/exogo.elf only"
	@echo "make programs        cmd/* into build/modules/bin (make iso and usb put IMAGE_PROGRAMS of them in /bin)"
	@echo "make uroot           u-root's commands and gosh, unmodified, in one binary (busybox mode) in build/uroot/bin (SHELL_TOOLS=no leaves them out of make iso)"
	@echo "make check           gofmt, go vet and generate-check"
	@echo "make generate-check  the generated files match their generators (go generate)"
	@echo "make restrictcheck   the restricted-Go check on the linked kernel (docs/restricted-go.md)"
	@echo "make test-host       the host tests (go test with EXOGO_SKIP_QEMU=1)"
	@echo "make test-images     the images the QEMU tests boot"
	@echo "make test-qemu       the QEMU tests (builds test-images first)"
	@echo "make deps            install the Debian packages and the pinned Go toolchain"
	@echo "make clean           remove build/"
	@echo "make help            this list"

deps:
	@tools/install-deps.sh
	@$(GO) version

# The kernel is always handed to go build, whose cache makes an unchanged
# rebuild cost a fraction of a second.
kernel: deps
	$(GO) run ./tools/buildkernel -o $(KERNEL)

# User programs (cmd/*) go into build/modules/bin, and those IMAGE_PROGRAMS
# names into the boot module's bin/. A program that
# imports exogo/libos/linux is an ordinary Go program, entered at
# exogo/libos/linux.Start (the libOS, which then starts its Go runtime:
# docs/libos.md). The others run without the Go runtime, on the raw
# exokernel calls: one with its own start_amd64.s is entered at
# exogo/libos/bare.CustomStart, which jumps to its main.start, any other at
# exogo/libos/bare.Start, which calls its main
# (docs/walkthrough-program.md). Each of those entries carries exogo's
# native marker; a loader runs any other executable (a Go program built
# for Linux with plain go build) beside the libOS's interpreter image,
# libos/interp, linked at exo.StartLibosBase into the boot module's
# lib/exogo-libos (docs/libos.md, "Two ways in").
PROGRAMS := $(notdir $(wildcard cmd/*))
# The programs linked with the libOS, and the libOS's packages (restricted
# Go, checked in each of them by make restrictcheck).
LIBOS_PROGRAMS := $(sort $(foreach p,$(PROGRAMS),$(if $(shell grep -ls '"exogo/libos/linux"' cmd/$(p)/*.go),$(p))))
# The other programs run without the Go runtime: all of each is restricted
# Go (its main and the packages below that it links); exo-bench's timing
# loop calls the operation it times through a func value (reviewed).
# Programs that import nothing of exogo (cmd/gobench) are ordinary Linux
# programs, built with plain go build: the loader runs them beside the
# interpreter image.
PLAIN_PROGRAMS := $(sort $(foreach p,$(PROGRAMS),$(if $(shell grep -ls '"exogo/' cmd/$(p)/*.go),,$(p))))
RUNTIME_FREE_PROGRAMS := $(filter-out $(LIBOS_PROGRAMS) $(PLAIN_PROGRAMS),$(PROGRAMS))
RUNTIME_FREE_PACKAGES := exogo/libos/bare exogo/libos/exo exogo/libos/fault exogo/arch/amd64
# The interpreter's text starts a page above exo.StartLibosBase, where
# Go's linker puts its ELF header; its segments are rounded to 2 MiB
# (-R), so that its text and read-only data fill regions of their own,
# which a libOS's spawn shares between children, read-only.
INTERPRETER_TEXT := 0x7e0000001000
LIBOS_PACKAGES := exogo/libos/linux,exogo/abi/symbols,exogo/libos/console,exogo/abi/elfload,exogo/libos/mem,exogo/libos/uthread,exogo/libos/exo,exogo/libos/bare,exogo/abi/linuxabi,exogo/arch/amd64

$(MODULES): programs

programs: deps
	@mkdir -p $(MODULES)/bin
	@cp -R rootfs/etc $(MODULES)/
	@for p in $(PROGRAMS); do \
		entry=exogo/libos/bare.Start; if [ -f cmd/$$p/start_amd64.s ]; then entry=exogo/libos/bare.CustomStart; fi; \
		if grep -qs '"exogo/libos/linux"' cmd/$$p/*.go; then entry=exogo/libos/linux.Start; fi; \
		ldflags="-E $$entry"; if ! grep -qs '"exogo/' cmd/$$p/*.go; then ldflags=; fi; \
		GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -o $(MODULES)/bin/$$p -ldflags "$$ldflags" ./cmd/$$p || exit 1; \
	done
	@echo "programs: $(PROGRAMS) -> $(MODULES)/bin"
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -o $(MODULES)/bin/policies-fifo \
		-ldflags "-E exogo/libos/linux.Start -X exogo/libos/linux.SchedulingPolicy=fifo" ./cmd/policies
	@mkdir -p $(MODULES)/lib
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -o $(MODULES)/lib/exogo-libos \
		-ldflags "-E exogo/libos/linux.Start -T $(INTERPRETER_TEXT) -R 0x200000" ./libos/interp

# u-root's commands and its shell (gosh), built unmodified from the u-root
# module go.mod requires (its tool lines) in u-root's busybox mode: one
# binary, /bin/bb, made by u-root's makebb (gobusybox, also a tool line),
# which picks the command by the name it was run as, and a symbolic link
# to it for each command (6 MiB, where 51 binaries take 92 MiB and the
# firmware's load of the boot module took most of the boot). makebb is
# built for this machine and makes the binary for exogo's (linux/amd64). For make iso,
# run and usb: the shell init starts when /etc/rc ends. The tests' images
# leave them out (but TestShell's and TestRCScript's).
UROOT_CMDS := basename cat chmod cmp cp date dd df dirname du echo false find gosh grep gzip head \
	hexdump hostname id kill ln ls mkdir mkfifo mktemp more mv poweroff printenv ps pwd readlink realpath rm seq \
	shutdown sleep sort strings sync tail tar tee touch tr true uname uniq wc which xargs
UROOT := $(BUILD)/uroot
SHELL_TOOLS ?= yes

uroot: $(UROOT)/bin/bb

$(UROOT)/bin/bb: go.mod go.sum Makefile | deps
	@rm -rf $(UROOT)/bin && mkdir -p $(UROOT)/bin
	@$(GO) build -o $(BUILD)/makebb github.com/u-root/gobusybox/src/cmd/makebb
	@goroot=$$($(GO) env GOROOT) && PATH=$$goroot/bin:$$PATH GOROOT=$$goroot GOTOOLCHAIN=local \
		GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(BUILD)/makebb -go-enable-inlining -o $(UROOT)/bin/bb \
		$(addprefix github.com/u-root/u-root/cmds/core/,$(UROOT_CMDS)) > $(BUILD)/makebb.log 2>&1 \
		|| { cat $(BUILD)/makebb.log; echo "uroot: makebb failed (its log is above)"; rm -f $(UROOT)/bin/bb; exit 1; }
	@for c in $(UROOT_CMDS); do ln -s bb $(UROOT)/bin/$$c; done
	@echo "uroot: $(words $(UROOT_CMDS)) commands of u-root in one binary ($$(du -k $(UROOT)/bin/bb | cut -f1) KiB) -> $(UROOT)/bin/bb, each a link to it"

# The boot module's extras: EXTRA_BIN='file ...' adds prebuilt programs to
# /bin, EXTRA_TREE='dir[:dest] ...' copies host directories into the file
# system (into its root, or into dest), RC=path replaces /etc/rc (the
# script cmd/init runs).
RC ?= cmd/init/rc
EXTRA_BIN ?=
EXTRA_TREE ?=
EXTRA_TREES = $(strip $(EXTRA_TREE) $(if $(filter yes,$(SHELL_TOOLS)),$(UROOT)))
EXTRAS = -rc '$(RC)' $(if $(strip $(EXTRA_BIN)),-extra-bin '$(EXTRA_BIN)') $(if $(EXTRA_TREES),-extra-tree '$(EXTRA_TREES)')
SHELL_DEPS = $(if $(filter yes,$(SHELL_TOOLS)),uroot)

# ISO names the image make iso writes (the QEMU tests write their own).
ISO ?= $(BUILD)/exogo.iso

# IMAGE_PROGRAMS says which programs of build/modules/bin (cmd/*) make iso
# and make usb put in /bin: by default every one but exogo's tests and
# benchmarks (TEST_PROGRAMS), though the one init=NAME names is always
# there, and so are names given beside default; all for every one (the
# tests' images); or a list of names. The firmware loads the whole boot
# module before the kernel runs, about 17 ms per MiB under QEMU: the
# tests and benchmarks would add about 22 MiB, 0.4 s, to make run's boot.
IMAGE_PROGRAMS ?= default
TEST_PROGRAMS := exo-test exo-fuzz exo-bench libos-test libos-bench gobench fs-hostile policies policies-fifo
INIT_PROGRAM = $(patsubst init=%,%,$(filter init=%,$(CMDLINE)))

# image-modules DIR: DIR is build/modules with only IMAGE_PROGRAMS in bin
# (hard links).
define image-modules
	@rm -rf $(1) && mkdir -p $(1)/bin && cp -R $(MODULES)/etc $(MODULES)/lib $(1)/
	@for p in $(filter-out default all,$(IMAGE_PROGRAMS)); do [ -f "$(MODULES)/bin/$$p" ] || \
		{ echo "make: IMAGE_PROGRAMS names $$p, which is not a program of $(MODULES)/bin; write default, all or some of: $$(ls $(MODULES)/bin | tr '\n' ' ')"; exit 2; }; done
	@for f in $(MODULES)/bin/*; do p=$${f##*/}; \
		case " $(IMAGE_PROGRAMS) " in \
		*" all "*) ;; \
		*" default "*) case " $(filter-out $(INIT_PROGRAM) $(IMAGE_PROGRAMS),$(TEST_PROGRAMS)) " in *" $$p "*) continue;; esac;; \
		*) case " $(IMAGE_PROGRAMS) $(INIT_PROGRAM) " in *" $$p "*) ;; *) continue;; esac;; \
		esac; ln -f $$f $(1)/bin/$$p || exit 1; done
endef

iso: kernel $(MODULES) $(SHELL_DEPS)
	$(call image-modules,$(ISO).modules)
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline '$(CMDLINE)' -module-dir $(ISO).modules $(EXTRAS) \
		$(if $(EFI_MODE),-efi-mode '$(EFI_MODE)') -work $(ISO).tree -format iso -out $(ISO)

usb: kernel $(MODULES) $(SHELL_DEPS)
	$(call image-modules,$(BUILD)/exogo-usb.img.modules)
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline '$(CMDLINE)' -module-dir $(BUILD)/exogo-usb.img.modules $(EXTRAS) \
		$(if $(EFI_MODE),-efi-mode '$(EFI_MODE)') -work $(BUILD)/image-tree-usb -format usb -out $(BUILD)/exogo-usb.img

# The variables a person types, checked before anything is built: a typo
# gets a message that says what to write, never a half-built image.
check-vars:
	@case "$(SMP)" in ''|*[!0-9]*|0|0*) echo "make: SMP=$(SMP) is not a number of CPUs; write e.g. SMP=2"; exit 2;; esac
	@case "$(FIRMWARE)" in bios|uefi) ;; *) echo "make: FIRMWARE=$(FIRMWARE) is not a firmware; write FIRMWARE=bios or FIRMWARE=uefi"; exit 2;; esac
	@case "$(MEM)" in [1-9]*[MG]) case "$(MEM)" in *[!0-9MG]*|*[MG]*[MG]) echo "make: MEM=$(MEM) is not a size; write e.g. MEM=512M or MEM=2G"; exit 2;; esac;; \
		*) echo "make: MEM=$(MEM) is not a size; write e.g. MEM=512M or MEM=2G"; exit 2;; esac
	@case "$(QEMU_DISPLAY)" in none|gtk|sdl|curses) ;; *) echo "make: QEMU_DISPLAY=$(QEMU_DISPLAY) is not a display; write none, gtk, sdl or curses"; exit 2;; esac

# QEMU's exit status says how the run ended: 0 (Ctrl-A X, or the machine
# powered off), 33 (the kernel's poweroff after a pass), 35 (a self-test or
# the first program failed), 37 (a kernel fault); anything else is QEMU's
# own error (it could not start: its message is above).
run: check-vars iso
	@if [ "$(QEMU_DISPLAY)" = gtk ] || [ "$(QEMU_DISPLAY)" = sdl ]; then tools/install-deps.sh --display; fi
	@if [ "$(FIRMWARE)" = uefi ]; then cp $(OVMF_VARS) $(BUILD)/OVMF_VARS.fd; fi
	@echo "exogo: booting in QEMU ($(FIRMWARE), $(SMP) CPU, $(MEM)); quit with Ctrl-A X"
	@$(QEMU_BASE) $(FIRMWARE_FLAGS) -display $(QEMU_DISPLAY) -serial mon:stdio -cdrom $(ISO); \
		status=$$?; case $$status in \
		0|33) exit 0;; \
		35) echo "make run: the kernel reported a failure (status 35): see the lines above"; exit 1;; \
		37) echo "make run: the kernel faulted (status 37): see its report above"; exit 1;; \
		*) echo "make run: QEMU failed (status $$status): see its message above"; exit 1;; esac

# Debugging (docs/debugging.md). PROGRAM=NAME boots with init=NAME and
# stops in that program's main instead of the kernel's earlyMain.
GDB_PORT ?= 1234
PROGRAM ?=
DEBUG_CMDLINE = $(strip $(if $(PROGRAM),init=$(PROGRAM) $(filter-out init=%,$(CMDLINE)),$(CMDLINE)))

debug-image: check-vars kernel $(MODULES) $(SHELL_DEPS)
	@if [ -n "$(PROGRAM)" ] && [ ! -f $(MODULES)/bin/$(PROGRAM) ]; then \
		echo "make: PROGRAM=$(PROGRAM) is not a program; write one of: $(PROGRAMS)"; exit 2; fi
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline '$(DEBUG_CMDLINE)' -module-dir $(MODULES) $(EXTRAS) \
		-work $(BUILD)/image-tree-debug -format iso -out $(BUILD)/exogo-debug.iso
	@if [ "$(FIRMWARE)" = uefi ]; then cp $(OVMF_VARS) $(BUILD)/OVMF_VARS.fd; fi

debug: debug-image
	@echo "exogo: QEMU waits for gdb on localhost:$(GDB_PORT); the serial log goes to build/debug-serial.log"
	@$(QEMU_BASE) $(FIRMWARE_FLAGS) -display none -serial file:$(BUILD)/debug-serial.log -gdb tcp::$(GDB_PORT) -S \
		-cdrom $(BUILD)/exogo-debug.iso & qemu=$$!; \
		EXOGO_GO=$(GO) EXOGO_GDB_PORT=$(GDB_PORT) EXOGO_PROGRAM=$(PROGRAM) gdb -q -x tools/exogo.gdb; \
		kill $$qemu 2>/dev/null; true

# QEMU alone, halted with its gdb stub, for another debugger (or gdb by
# hand: gdb -x tools/exogo.gdb); the serial console is on this terminal.
debug-qemu: debug-image
	@echo "exogo: QEMU is halted until a debugger attaches to localhost:$(GDB_PORT) (gdb remote protocol) and continues;"
	@echo "       symbols: $(KERNEL)$(if $(PROGRAM), and $(MODULES)/bin/$(PROGRAM)); quit with Ctrl-A X"
	@$(QEMU_BASE) $(FIRMWARE_FLAGS) -display $(QEMU_DISPLAY) -serial mon:stdio -gdb tcp::$(GDB_PORT) -S \
		-cdrom $(BUILD)/exogo-debug.iso

# Images the QEMU tests boot (see test/qemu/doc.go).
test-images: kernel $(MODULES)
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'selftest' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-test -format iso -out $(BUILD)/exogo-test.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'selftest' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-usb-test -format usb -out $(BUILD)/exogo-usb-test.img
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'selftest selftset =oops 9X=1 crashtest=user GOMAXPROCS=2' \
		-module-dir $(MODULES) -work $(BUILD)/image-tree-badcmdline -format iso -out $(BUILD)/exogo-badcmdline.iso
	head -c 3000 /dev/zero | tr '\0' 'x' > $(BUILD)/corrupt-module.bin
	printf '070701 this is not a real cpio header' | dd of=$(BUILD)/corrupt-module.bin conv=notrunc status=none
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'selftest' -module-file $(BUILD)/corrupt-module.bin \
		-work $(BUILD)/image-tree-corrupt -format iso -out $(BUILD)/exogo-corrupt-module.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'crashtest=kernel' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-crash -format iso -out $(BUILD)/exogo-crash.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline '' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-idle -format iso -out $(BUILD)/exogo-idle.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=exo-hello poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-hello -format iso -out $(BUILD)/exogo-hello.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=hello poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-gohello -format iso -out $(BUILD)/exogo-gohello.iso
	printf '\177ELF\002\001\001 a corrupt program' > $(BUILD)/corrupt-elf
	printf 'not a program at all\n' > $(BUILD)/notes.txt
	chmod +x $(BUILD)/corrupt-elf $(BUILD)/notes.txt
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=init' -module-dir $(MODULES) \
		-rc test/qemu/testdata/init.rc -extra-bin '$(BUILD)/corrupt-elf $(BUILD)/notes.txt' \
		-work $(BUILD)/image-tree-init -format iso -out $(BUILD)/exogo-init.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=init' -module-dir $(MODULES) \
		-rc test/qemu/testdata/console.rc -work $(BUILD)/image-tree-console -format iso -out $(BUILD)/exogo-console.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=init' -module-dir $(MODULES) \
		-rc test/qemu/testdata/policies.rc -work $(BUILD)/image-tree-policies -format iso -out $(BUILD)/exogo-policies.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=libos-test poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-libostest -format iso -out $(BUILD)/exogo-libostest.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=libos-bench poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-libosbench -format iso -out $(BUILD)/exogo-libosbench.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=gobench poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-gobench -format iso -out $(BUILD)/exogo-gobench.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=exo-test poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-exotest -format iso -out $(BUILD)/exogo-exotest.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=exo-bench poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-bench -format iso -out $(BUILD)/exogo-bench.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=exo-fuzz poweroff' -module-dir $(MODULES) \
		-work $(BUILD)/image-tree-fuzz -format iso -out $(BUILD)/exogo-fuzz.iso
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=exo-test poweroff' -module-dir $(MODULES) \
		-efi-mode 1280x1024x32 -work $(BUILD)/image-tree-exotest-large-screen -format iso \
		-out $(BUILD)/exogo-exotest-large-screen.iso

test: check test-host restrictcheck test-qemu
	@echo "make test: all passed"

# Formatting, vet and generated files.
check: deps
	@unformatted=$$($(GO) run cmd/gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	@$(MAKE) --no-print-directory generate-check

# Generated files must match their generators (go generate); a stale one
# fails the check and is put back as it was.
GENERATED := kernel/trap/vectors_amd64.s kernel/console/font_table.go kernel/exo/dispatch_gen.go libos/exo/abi_amd64.h \
	libos/exo/calls_gen.go libos/exo/calls_amd64.s docs/syscalls.md libos/console/font_table.go
generate-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
		for f in $(GENERATED); do cp $$f $$tmp/$$(echo $$f | tr / _); done; \
		$(GO) generate ./kernel/trap ./kernel/console ./kernel/exo ./libos/console >/dev/null; \
		stale=; for f in $(GENERATED); do \
			if ! cmp -s $$f $$tmp/$$(echo $$f | tr / _); then stale="$$stale $$f"; cp $$tmp/$$(echo $$f | tr / _) $$f; fi; done; \
		if [ -n "$$stale" ]; then echo "stale generated files:$$stale; run go generate ./... and commit them with their source"; exit 1; fi; \
		echo "generated files are up to date"

test-host: deps
	EXOGO_SKIP_QEMU=1 $(GO) test ./...

restrictcheck: kernel $(MODULES)
	$(GO) run ./tools/restrictcheck -packages $(RESTRICTED_PACKAGES) -hosted $(HOSTED_IN_MAIN) -indirect-ok $(INDIRECT_OK) $(KERNEL)
	@for p in $(LIBOS_PROGRAMS); do echo "restrictcheck: the libOS in $$p"; \
		$(GO) run ./tools/restrictcheck -packages $(LIBOS_PACKAGES) $(MODULES)/bin/$$p || exit 1; done
	@echo "restrictcheck: the libOS's interpreter image"
	@$(GO) run ./tools/restrictcheck -packages $(LIBOS_PACKAGES) $(MODULES)/lib/exogo-libos
	@for p in $(RUNTIME_FREE_PROGRAMS); do packages=main; \
		for k in $(RUNTIME_FREE_PACKAGES); do \
			if $(GO) tool nm $(MODULES)/bin/$$p | grep " $$k\." >/dev/null; then packages=$$packages,$$k; fi; done; \
		echo "restrictcheck: $$p, runtime-free ($$packages)"; \
		$(GO) run ./tools/restrictcheck -packages $$packages -indirect-ok main.measure $(MODULES)/bin/$$p || exit 1; done

test-qemu: test-images
	$(GO) test -v -count=1 -timeout 40m ./test/qemu

# Boot-time figures (median of 5 boots: the self-test image's, and make
# run's to the shell's prompt), then the exokernel's primitives
# measured from user mode by cmd/exo-bench, then the libOS's paths measured
# from an ordinary Go program by cmd/libos-bench, with one CPU and with two,
# then the race with Linux: cmd/gobench, unmodified, on exogo and on
# Debian's kernel in the same QEMU (tools/linuxrace; docs/libos.md).
bench: test-images iso
	$(GO) run ./tools/bootbench -n 5
	$(GO) run ./tools/bootbench -n 5 -prompt -image $(ISO)
	@$(QEMU_BASE) -display none -serial stdio -cdrom $(BUILD)/exogo-bench.iso 2>/dev/null \
		| tr -d '\r' | grep --line-buffered '^bench:'; true
	@$(QEMU_BASE) -display none -serial stdio -cdrom $(BUILD)/exogo-libosbench.iso 2>/dev/null \
		| tr -d '\r' | grep --line-buffered '^bench:'; true
	@echo "bench: libos: the same with two CPUs (one vCPU each)"
	@$(subst -smp $(SMP),-smp 2,$(QEMU_BASE)) -display none -serial stdio -cdrom $(BUILD)/exogo-libosbench.iso 2>/dev/null \
		| tr -d '\r' | grep --line-buffered '^bench:'; true
	@echo "bench: libos: the same on a CPU with FSGSBASE ($(CPU),+fsgsbase): thread switches in user mode, one CPU, then two"
	@$(subst -cpu $(CPU),-cpu $(CPU)$(comma)+fsgsbase,$(QEMU_BASE)) -display none -serial stdio -cdrom $(BUILD)/exogo-libosbench.iso 2>/dev/null \
		| tr -d '\r' | grep --line-buffered '^bench:'; true
	@$(subst -smp $(SMP),-smp 2,$(subst -cpu $(CPU),-cpu $(CPU)$(comma)+fsgsbase,$(QEMU_BASE))) -display none -serial stdio -cdrom $(BUILD)/exogo-libosbench.iso 2>/dev/null \
		| tr -d '\r' | grep --line-buffered '^bench:'; true
	@echo "bench: the race with Linux: cmd/gobench, unmodified, on exogo and on Debian's kernel in the same QEMU ($(CPU), $(MEM))"
	@kernel="$$(tools/install-deps.sh --linux-kernel | tail -1)"; \
	if [ ! -s "$$kernel" ]; then echo "make bench: no Linux kernel to race against (tools/install-deps.sh --linux-kernel failed: see above)"; exit 1; fi; \
	$(GO) run ./tools/linuxrace -exogo $(BUILD)/exogo-gobench.iso -gobench $(MODULES)/bin/gobench \
		-kernel "$$kernel" -cpu $(CPU) -mem $(MEM) -smp 1,2 -runs 2

# A long campaign of cmd/exo-fuzz (docs/exokernel.md, "The fuzzer"): one
# run of FUZZ_CALLS calls in all on each of 1, 2 and 4 CPUs, from FUZZ_SEED
# (the time when not given; every run prints its seed). Logs go to
# build/fuzz-smpN.log; any failure, kernel fault, time-out or unbalanced
# frame census fails the target.
FUZZ_CALLS ?= 10000000
FUZZ_SEED ?=
FUZZ_TIMEOUT ?= 3600
fuzz: kernel
	@seed='$(FUZZ_SEED)'; [ -n "$$seed" ] || seed=$$(date +%s); \
	case "$$seed$(FUZZ_CALLS)" in *[!0-9]*) echo "fuzz: FUZZ_SEED and FUZZ_CALLS must be decimal numbers"; exit 2;; esac; \
	mkdir -p $(BUILD)/fuzz-modules/bin; \
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -o $(BUILD)/fuzz-modules/bin/exo-fuzz \
		-ldflags "-E exogo/libos/bare.CustomStart -X main.fuzzSeed=$$seed -X main.fuzzCalls=$(FUZZ_CALLS)" ./cmd/exo-fuzz || exit 1; \
	$(GO) run ./tools/mkimage -kernel $(KERNEL) -cmdline 'init=exo-fuzz poweroff' -module-dir $(BUILD)/fuzz-modules \
		-work $(BUILD)/image-tree-fuzz-campaign -format iso -out $(BUILD)/exogo-fuzz-campaign.iso || exit 1; \
	failed=0; for smp in 1 2 4; do \
		echo "fuzz: seed $$seed, $(FUZZ_CALLS) calls, $$smp CPU(s): build/fuzz-smp$$smp.log"; \
		timeout $(FUZZ_TIMEOUT) $(subst -smp $(SMP),-smp $$smp,$(QEMU_BASE)) -display none -serial stdio \
			-cdrom $(BUILD)/exogo-fuzz-campaign.iso </dev/null > $(BUILD)/fuzz-smp$$smp.raw 2>&1; \
		status=$$?; tr -d '\r' < $(BUILD)/fuzz-smp$$smp.raw > $(BUILD)/fuzz-smp$$smp.log; \
		grep -E '^exo-fuzz: (seed .*calls in|canary|the file system|no isolation|FAIL)|frame census|KERNEL FAULT' $(BUILD)/fuzz-smp$$smp.log; \
		if [ "$$status" != 33 ] || ! grep -q 'exo-fuzz: no isolation failure found' $(BUILD)/fuzz-smp$$smp.log \
			|| ! grep -q 'frame census: .*; balanced; ended processes hold 0 frames' $(BUILD)/fuzz-smp$$smp.log; then \
			echo "fuzz: FAILED on $$smp CPU(s) (QEMU status $$status; 124 is the time-out): see build/fuzz-smp$$smp.log"; failed=1; fi; \
	done; exit $$failed

clean:
	rm -rf $(BUILD)
