// Command kernel is the exogo kernel. It is an ordinary Go program for
// GOOS=linux, built by tools/buildkernel and booted by GRUB through
// Multiboot2 (see docs/boot.md). Its life has two halves:
//
//   - earlyMain (this file and boot_*.go) runs before the Go runtime exists,
//     on a static stack with a stand-in g. It is restricted Go: it sets up
//     the CPU, the frame table, the kernel's page tables, the timer and the
//     first thread, then enters the Go runtime's Linux entry point,
//     _rt0_amd64_linux, on that thread.
//   - main (main.go) runs on the runtime like any Go program: it reports
//     what the boot found, lists the boot modules and runs the self-tests.
//
// Between the two, the runtime's Linux system calls are served by
// kernel/linux through kernel/trap.
package main

import (
	"unsafe"

	"exogo/abi/symbols"
	"exogo/arch/amd64"
	"exogo/boot/kernelinfo"
	"exogo/boot/multiboot2"
	"exogo/kernel/console"
	"exogo/kernel/layout"
	"exogo/kernel/linux"
	"exogo/kernel/rawmem"
	"exogo/kernel/timer"
	"exogo/kernel/trap"
)

// The image (linker.ld): the ELF header page's virtual address, the offset
// there of the kernel information block tools/buildkernel writes, and the
// virtual address of physical 0 for the image (physical = virtual -
// kernelVirtualBase).
const (
	loadBase          = 0xffff_ffff_8010_0000
	kernelInfoOffset  = 0xc00
	kernelVirtualBase = 0xffff_ffff_8000_0000
)

// imagePhysical is the physical address of kernel image address virtual.
func imagePhysical(virtual uintptr) uint64 { return uint64(virtual - kernelVirtualBase) }

// Boot state handed from earlyMain to main: plain integers.
var (
	bootInfo        multiboot2.Info
	bootInfoAddress uintptr // direct-map address of the Multiboot2 information
	bootInfoStatus  multiboot2.ParseStatus
	usable          multiboot2.UsableMemory
	regions         [multiboot2.MaxRegions]multiboot2.Region
	imageEnd        uintptr
	bootScreen      int // screenNone, screenVGA, screenFramebuffer
	bootTSCStart    uint64
)

const (
	screenNone = iota
	screenVGA
	screenFramebuffer
)

// Static stacks for the first CPU's traps while the kernel starts; replaced
// by guarded stacks once the page tables exist.
var (
	earlyTrapStack        [16 << 10]byte
	earlyDoubleFaultStack [8 << 10]byte
)

func stackTop(base, size uintptr) uintptr { return (base + size) &^ 15 }

// earlyMain is the first Go function to run. magic and infoPhysical are
// what GRUB passed in EAX and EBX. It never returns.
func earlyMain(magic, infoPhysical uintptr) {
	bootTSCStart = amd64.ReadTSC()
	console.InitSerial()
	console.UseVGAText(console.VGATextPhysical) // identity-mapped for now
	console.WriteString("exogo: booting\n")

	c := trap.InitCPU(0,
		stackTop(uintptr(unsafe.Pointer(&earlyTrapStack)), uintptr(len(earlyTrapStack))),
		stackTop(uintptr(unsafe.Pointer(&earlyDoubleFaultStack)), uintptr(len(earlyDoubleFaultStack))))
	c.SetInKernel(true)

	if magic != multiboot2.BootloaderMagic {
		console.WriteString("exogo: not started by a Multiboot2 loader (EAX = ")
		console.WriteHex(uint64(magic))
		console.WriteString("); boot exogo with GRUB's multiboot2 command. Halted.\n")
		amd64.HaltForever()
	}

	// The boot information: total size first, then tags. It lies below
	// 4 GiB, identity-mapped by the boot page tables.
	size := uintptr(*rawmem.Uint32(infoPhysical))
	if size < 16 || size > 1<<20 {
		console.WriteString("exogo: the Multiboot2 information has an impossible size; halted\n")
		amd64.HaltForever()
	}
	bootInfoStatus = multiboot2.Parse(rawmem.Bytes(infoPhysical, size), &bootInfo)
	if bootInfoStatus.Fatal() {
		console.WriteString("exogo: cannot read the Multiboot2 information: ")
		console.WriteString(bootInfoStatus.String())
		console.WriteString("; halted\n")
		amd64.HaltForever()
	}

	info, ok := kernelinfo.Decode(rawmem.Bytes(loadBase+kernelInfoOffset, kernelinfo.Size))
	if !ok {
		console.WriteString("exogo: no kernel information block in the image: build the kernel with tools/buildkernel (make). Halted.\n")
		amd64.HaltForever()
	}
	imageEnd = uintptr(info.ImageEnd)
	symbols.Init(uintptr(info.PclntabAddress), uintptr(info.PclntabSize), uintptr(info.TextStart))

	setUpMemory(infoPhysical, size)
	bootInfoAddress = layout.Physical(uint64(infoPhysical))
	setUpScreen()
	linux.SetImage(loadBase, imageEnd)

	timer.CalibrateTSC()
	timer.StartLAPICTimer(trap.TimerVector, trap.SpuriousVector)

	first := setUpThreads(c)
	startProcessors()
	console.WriteString("exogo: starting the Go runtime\n")
	trap.Enter(first)
}

// setUpScreen moves the console to the screen GRUB left us: EGA text
// (BIOS) or a linear framebuffer (UEFI), now through the direct map.
func setUpScreen() {
	fb := &bootInfo.Framebuffer
	if !bootInfo.HasFramebuffer || fb.Type == multiboot2.FramebufferEGAText {
		console.UseVGAText(layout.Physical(console.VGATextPhysical))
		bootScreen = screenVGA
		return
	}
	if fb.Type == multiboot2.FramebufferRGB {
		code := console.UseFramebuffer(console.FramebufferInfo{
			BaseVirtual: layout.Physical(fb.Address), Width: fb.Width, Height: fb.Height, Pitch: fb.Pitch,
			BitsPerPixel: fb.BitsPerPixel, RedPosition: fb.RedPosition, RedSize: fb.RedSize,
			GreenPosition: fb.GreenPosition, GreenSize: fb.GreenSize, BluePosition: fb.BluePosition, BlueSize: fb.BlueSize,
		})
		if code == console.FramebufferOK {
			bootScreen = screenFramebuffer
			return
		}
	}
	console.UseNoScreen()
	bootScreen = screenNone
}
