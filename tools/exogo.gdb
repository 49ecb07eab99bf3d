# gdb script for `make debug`: load the kernel's symbols and attach to QEMU's
# gdb stub. The kernel is linked where it runs (linker.ld), so its ELF
# symbols are right as they are.
set pagination off
set confirm off
file build/exogo.elf
# The CPU starts in 32-bit mode at the Multiboot2 entry; gdb follows it in
# 64-bit mode from main.start64 on.
set architecture i386:x86-64
target remote localhost:1234
hbreak main.earlyMain
echo exogo: stopped before boot. `continue` runs to earlyMain (Go, long mode).\n
