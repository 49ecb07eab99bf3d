# gdb script for `make debug` (docs/debugging.md). Run from the repository's
# root. It loads the kernel's symbols, finds the sources and the Go
# runtime's gdb helpers, attaches to QEMU's gdb stub and stops before the
# kernel's first Go function, or, with EXOGO_PROGRAM set, in that user
# program's main.
#
# The environment (set by the Makefile):
#   EXOGO_GO        the go command (tools/go), for the toolchain's GOROOT
#   EXOGO_GDB_PORT  QEMU's gdb port (default 1234)
#   EXOGO_PROGRAM   a program of build/modules/bin to debug (default none)
set pagination off
set confirm off
# The binaries ask gdb to load the runtime's helpers from a path gdb would
# refuse (auto-load safe-path); the script below loads them itself.
set auto-load python-scripts off
file build/exogo.elf
# The CPU starts in 32-bit mode at the Multiboot2 entry; gdb follows it in
# 64-bit mode from main.start64 on.
set architecture i386:x86-64

python
import os, subprocess

# Sources. Everything is built with -trimpath, so the debug information
# names files by import path: exogo/kernel/main.go for this module,
# runtime/proc.go for the standard library. build/gdb-src/exogo points at
# this checkout, and the pinned toolchain's GOROOT/src holds the rest, so
# gdb finds both through its source path.
root = os.getcwd()
src = os.path.join(root, "build", "gdb-src")
os.makedirs(src, exist_ok=True)
link = os.path.join(src, "exogo")
if os.path.islink(link) and os.readlink(link) != root:
    os.remove(link)
if not os.path.lexists(link):
    os.symlink(root, link)
go = os.environ.get("EXOGO_GO", "tools/go")
goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
gdb.execute("directory " + src + ":" + os.path.join(goroot, "src"))

# The Go runtime's helpers (info goroutines, goroutine N bt, pretty
# printers for strings, slices and maps).
helpers = os.path.join(goroot, "src", "runtime", "runtime-gdb.py")
if os.path.exists(helpers):
    gdb.execute("source " + helpers)
else:
    print("exogo: no Go runtime helpers at " + helpers + " (is " + go + " the pinned toolchain?)")

gdb.execute("target remote 127.0.0.1:" + os.environ.get("EXOGO_GDB_PORT", "1234"))

# A user program: its symbols at the addresses it is linked at (the kernel
# loads it there) and a hardware breakpoint in its main. Hardware, because
# the program is not in memory yet: nothing can be written there.
program = os.environ.get("EXOGO_PROGRAM", "")
if program:
    binary = os.path.join("build", "modules", "bin", program)
    gdb.execute("add-symbol-file " + binary)
    # Programs entered at bare.Start run main.main; those with an entry of
    # their own (cmd/NAME/start_amd64.s) may never call it: stop at that
    # entry instead.
    where = "main.go:main.main"
    if os.path.exists(os.path.join("cmd", program, "start_amd64.s")):
        where = "start_amd64.s:main.start"
    gdb.execute("hbreak exogo/cmd/" + program + "/" + where)
    print("exogo: stopped before boot. `continue` runs to " + where.split(":")[1] + " of " + program + " (ring 3).")
else:
    # By address: the name main.earlyMain also matches the wrapper that
    # start64High calls (main.earlyMain.abi0), which has no source lines.
    early = gdb.lookup_global_symbol("main.earlyMain").value().address
    gdb.execute("hbreak *" + str(int(early)))
    print("exogo: stopped before boot. `continue` runs to earlyMain (Go, long mode).")
end
