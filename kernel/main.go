package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/u-root/u-root/pkg/cpio"

	"exogo/abi/elfload"
	"exogo/arch/amd64"
	"exogo/kernel/cmdline"
	"exogo/kernel/console"
	"exogo/kernel/exo"
	"exogo/kernel/layout"
	"exogo/kernel/linux"
	"exogo/kernel/memory"
	"exogo/kernel/physmem"
	"exogo/kernel/process"
	"exogo/kernel/rawmem"
	"exogo/kernel/segment"
	"exogo/kernel/selftest"
	"exogo/kernel/timer"
)

// Exit codes for QEMU's isa-debug-exit device (QEMU exits with code*2+1).
const (
	exitPass = 0x10 // status 33
	exitFail = 0x11 // status 35
)

// main runs on the Go runtime, like any Go program's main: everything here
// may allocate, block and panic.
func main() {
	fmt.Printf("exogo: kernel main (%.3f s after the kernel started)\n",
		float64(amd64.ReadTSC()-bootTSCStart)/float64(timer.TSCHz()))
	line := string(bootInfo.CommandLine(bootInfoBytes()))
	options := cmdline.Parse(line)
	if options.SerialConsole {
		fmt.Println("exogo: console=serial: the log goes to the serial line only from here on")
		console.UseNoScreen()
	}
	report(line)
	for _, problem := range options.Problems {
		fmt.Println("exogo: command line:", problem)
	}
	records, modules := listModules("bin/"+options.Init, elfload.Interpreter)
	loadFiles(records)
	releaseModules()

	if options.CrashKernel {
		fmt.Println("exogo: crashtest=kernel: faulting in kernel code on purpose")
		linux.CrashTest()
	}
	if options.Init != "" {
		status, first, err := runFirstProgram(options.Init, modules)
		if err != nil {
			fmt.Println("exogo: init:", err)
			fmt.Println(frameCensus()) // what a refused program was given went back
			status = 1
		}
		asked := atomic.LoadUint32(&exo.PowerOffRequested) != 0
		if asked && exo.PowerOffBy != first {
			// Another process asked (u-root's poweroff, from the
			// shell): every process was ended, and its status counts.
			status = uint64(exo.PowerOffStatus)
			fmt.Printf("exogo: process %d (%s) asked to power off (status %d); every process was ended; powering off\n",
				exo.PowerOffBy, strings.TrimRight(string(exo.PowerOffName[:]), "\x00"), int64(status))
		} else if asked {
			fmt.Printf("exogo: %s asked to power off (status %d); powering off\n", options.Init, int64(status))
		}
		if options.PowerOff || asked {
			code := uint8(exitPass)
			if status != 0 {
				code = exitFail
			}
			if !asked {
				fmt.Println("exogo: poweroff requested; powering off")
			}
			linux.PowerOff(code)
		}
	}
	if options.SelfTest {
		if selftest.Run(os.Stdout) {
			linux.PowerOff(exitPass)
		}
		linux.PowerOff(exitFail)
	}
	if options.PowerOff {
		fmt.Println("exogo: poweroff requested; powering off")
		linux.PowerOff(exitPass)
	}
	// The kernel idles after the first program (make run's init powers
	// off when its shell exits), or when the command line names none. (No
	// word here of Ctrl-A X: on a real PC this line is on the screen.)
	if options.Init != "" {
		fmt.Println("exogo: the first program has ended and nothing more runs, so the kernel idles (add poweroff to the command line to power off instead).")
	} else {
		fmt.Println("exogo: ready. No first program was named, so the kernel idles: boot with init=NAME on the kernel command line to run bin/NAME from the boot module (exo-hello, exo-test, exo-bench, exo-fuzz), e.g. make run CMDLINE='init=exo-test'.")
	}
	// Idle. (A bare select{} would be reported by the Go runtime as a
	// deadlock: no other goroutine could ever wake it.)
	for {
		time.Sleep(time.Hour)
	}
}

func bootInfoBytes() []byte {
	return rawmem.Bytes(bootInfoAddress, uintptr(bootInfo.TotalSize))
}

// report prints what the boot found, for a person and for the QEMU tests.
func report(line string) {
	info := bootInfoBytes()
	fmt.Printf("exogo: boot loader %q, command line %q\n", bootInfo.BootLoaderName(info), line)
	if bootInfoStatus.String() != "ok" || bootInfo.ProblemCount > 0 {
		fmt.Printf("exogo: boot information: %s (%d problems; unusable parts were skipped)\n", bootInfoStatus, bootInfo.ProblemCount)
	}
	fmt.Printf("exogo: memory map: %d entries", bootInfo.MemoryMapCount)
	if bootInfo.MemoryMapDropped > 0 {
		fmt.Printf(" (%d more dropped)", bootInfo.MemoryMapDropped)
	}
	fmt.Printf("; usable RAM %d MiB in %d regions, top of RAM %#x\n", usable.TotalBytes>>20, usable.Count, usable.TopOfRAM)
	for _, e := range bootInfo.MemoryMapEntries() {
		fmt.Printf("exogo:   %#012x-%#012x %s\n", e.Base, e.Base+e.Length, memoryTypeName(e.Type))
	}
	f := &memory.Frames
	fmt.Printf("exogo: frames: %d free of %d (%d MiB free); kernel %d, page tables %d, kernel heap %d, stacks %d\n",
		f.FreeFrames(), f.Frames(), f.FreeFrames()*physmem.FrameSize>>20,
		f.Count(physmem.UseKernel), f.Count(physmem.UsePageTable), f.Count(physmem.UseKernelHeap), f.Count(physmem.UseKernelStack))
	switch bootScreen {
	case screenVGA:
		fmt.Println("exogo: screen: VGA text 80x25")
	case screenFramebuffer:
		fb := bootInfo.Framebuffer
		fmt.Printf("exogo: screen: framebuffer %dx%d, %d bpp, pitch %d, at %#x\n", fb.Width, fb.Height, fb.BitsPerPixel, fb.Pitch, fb.Address)
	default:
		fmt.Println("exogo: screen: none usable (serial only)")
	}
	if span, version, ok := bootInfo.RSDP(); ok {
		fmt.Printf("exogo: ACPI RSDP (version %d) at %#x\n", version, uint64(bootInfoAddress-layout.DirectMap)+uint64(span.Offset))
	} else {
		fmt.Println("exogo: ACPI: no RSDP from the boot loader")
	}
	fmt.Printf("exogo: CPU: TSC %d MHz, LAPIC timer %d counts per %v tick\n",
		timer.TSCHz()/1_000_000, timer.APICTicksPerPeriod(), time.Duration(timer.TickPeriod))
}

func memoryTypeName(t uint32) string {
	switch t {
	case 1:
		return "available"
	case 3:
		return "ACPI reclaimable"
	case 4:
		return "ACPI NVS"
	case 5:
		return "defective"
	}
	return "reserved"
}

// listModules prints each boot module and what its cpio archive holds, and
// returns the records of every valid archive and the files among them
// that the kernel itself needs (wanted: the first program and the libOS's
// interpreter), copied. A module that is not a valid archive is reported
// and skipped.
func listModules(wanted ...string) ([]bootRecord, map[string][]byte) {
	files := map[string][]byte{}
	var all []bootRecord
	info := bootInfoBytes()
	if bootInfo.ModuleCount == 0 {
		fmt.Println("exogo: no boot modules")
	}
	for i := 0; i < bootInfo.ModuleCount; i++ {
		m := bootInfo.Modules[i]
		name := string(bootInfo.ModuleName(info, i))
		data := rawmem.Bytes(layout.Physical(uint64(m.Start)), uintptr(m.End-m.Start))
		fmt.Printf("exogo: module %d %q: %d bytes at %#x\n", i, name, len(data), m.Start)
		records, err := readArchive(data)
		if err != nil {
			fmt.Printf("exogo: module %q is not a valid cpio (newc) archive: %v; ignoring it\n", name, err)
			continue
		}
		regular, size := 0, uint64(0)
		for _, r := range records {
			if r.Mode&cpio.S_IFMT == cpio.S_IFREG {
				regular++
				size += r.FileSize
			}
		}
		fmt.Printf("exogo: module %q: cpio archive with %d entries (%d files, %d bytes)\n", name, len(records), regular, size)
		for _, r := range records {
			all = append(all, bootRecord{r, data})
		}
		for _, r := range records {
			for _, w := range wanted {
				if r.Name != w || r.Mode&cpio.S_IFMT != cpio.S_IFREG {
					continue
				}
				content := make([]byte, r.FileSize)
				if _, err := r.ReadAt(content, 0); err != nil && err != io.EOF {
					fmt.Printf("exogo: module %q: cannot read %s: %v\n", name, r.Name, err)
					continue
				}
				files[r.Name] = content
			}
		}
	}
	return all, files
}

// runFirstProgram starts bin/name of the boot module as the first
// process and waits for it to exit, returning its exit status.
func runFirstProgram(name string, files map[string][]byte) (status uint64, id uint16, err error) {
	image, ok := files["bin/"+name]
	if !ok {
		return 0, 0, fmt.Errorf("no program bin/%s in the boot module (put it in build/modules/bin/, see the Makefile's programs target)", name)
	}
	stacksBefore := memory.StacksInUse()
	p, err := loadFirstProgram(name, image, files)
	if err != nil {
		return 0, 0, err
	}
	for p.State != process.Exited {
		time.Sleep(time.Millisecond)
	}
	// The next switches reap its kernel stack, and those of children that
	// ended with it, on whichever CPUs ran them: wait for them (a stack
	// still held after 200 ms is reported).
	for waited := 0; waited < 200 && memory.StacksInUse() > stacksBefore; waited++ {
		time.Sleep(time.Millisecond)
	}
	// Every frame made for the process (data, page tables, segment
	// tables) is owned by it, so counting what it still owns finds leaks.
	var owned uint64
	withInterruptsOff(func() { owned = memory.Frames.CountOwnedBy(p.ID) })
	ended := fmt.Sprintf("exited with status %d", int64(p.ExitStatus))
	if exo.Signaled(p.ExitStatus) {
		ended = fmt.Sprintf("was killed by signal %d", p.ExitStatus&0x7f)
	}
	fmt.Printf("exogo: %s (process %d) %s; left behind: %d frames (page tables included), %d kernel stacks\n",
		name, p.ID, ended, owned, memory.StacksInUse()-stacksBefore)
	fmt.Println(frameCensus())
	return p.ExitStatus, p.ID, nil
}

// frameCensus counts every frame of the machine by what holds it and
// checks that the counts add up: free + kernel + live processes' frames
// (data and tables) + orphans (frames of ended processes that live ones
// still map) = all RAM, and that the counts the frame table keeps agree
// with a walk of it. Any frame still charged to an ended process is a leak.
// The line is for people and for the QEMU tests.
func frameCensus() string {
	var c physmem.Census
	var leaked, leakers, live uint64
	withInterruptsOff(func() {
		c = memory.Frames.TakeCensus()
		for owner := 1; owner <= process.LastID; owner++ {
			held := memory.Frames.Held(uint16(owner))
			if held == 0 {
				continue
			}
			if p := process.ByID(uint16(owner)); p != nil && (p.State == process.Created || p.State == process.Running) {
				live++
				continue
			}
			leaked += held
			leakers++
		}
	})
	verdict := "balanced"
	if !c.Balanced() {
		verdict = fmt.Sprintf("NOT BALANCED (kept: %d free, %d held by processes, %d orphans)", c.KeptFree, c.KeptProcesses, c.KeptOrphans)
	}
	files := memory.Frames.Held(segment.FilesOwner)
	return fmt.Sprintf("exogo: frame census: %d frames of RAM: %d free, %d kernel, %d held by %d live processes, %d by the file system, %d orphaned; %s; ended processes hold %d frames (%d processes)",
		c.Frames-c.Absent, c.Free, c.Kernel, c.Processes-files, live, files, c.Orphans, verdict, leaked, leakers)
}

func readArchive(data []byte) ([]cpio.Record, error) {
	reader := cpio.Newc.Reader(bytes.NewReader(data))
	var records []cpio.Record
	for {
		r, err := reader.ReadRecord()
		if err == io.EOF {
			return records, nil
		}
		if err != nil {
			return nil, err
		}
		if r.Name == cpio.Trailer {
			return records, nil
		}
		records = append(records, r)
		if len(records) > 100_000 {
			return nil, fmt.Errorf("more than 100000 entries")
		}
	}
}
