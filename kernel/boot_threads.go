package main

import (
	abi "exogo/abi/linuxabi"
	"unsafe"

	"exogo/arch/amd64"
	"exogo/boot/multiboot2"
	"exogo/kernel/acpi"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/exo"
	"exogo/kernel/layout"
	"exogo/kernel/linux"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/rawmem"
	"exogo/kernel/sched"
	"exogo/kernel/smp"
	"exogo/kernel/timer"
	"exogo/kernel/trap"
)

const (
	trapStackSize        = 16 << 10
	doubleFaultStackSize = 8 << 10
	idleStackSize        = 8 << 10
	// mainStackSize is the first runtime thread's stack: the runtime uses
	// the top 64 KiB of it as m0's system stack, below the arguments.
	mainStackSize = 120 << 10
)

// setUpThreads replaces the boot trap stacks with guarded ones, gives the
// CPU its idle frame, and creates the first runtime thread, which will start
// at _rt0_amd64_linux as a Linux process's first thread does. It returns the
// frame to enter.
func setUpThreads(c *cpu.CPU) uintptr {
	trapTop := mustStack(trapStackSize, "trap")
	doubleFaultTop := mustStack(doubleFaultStackSize, "double-fault")
	tss := amd64.TaskStateOf(0)
	tss.SetIST(1, trapTop)
	tss.SetIST(2, doubleFaultTop)

	idleTop := mustStack(idleStackSize, "idle")
	c.IdleStackTop = idleTop
	c.IdleFrame = idleTop - cpu.FrameSize
	cpu.InitFrame((*cpu.Frame)(rawmem.Pointer(c.IdleFrame)), uint64(trap.IdleLoopAddress()), uint64(c.IdleFrame-64), 0)

	kernelTop, kernelSlot, ok := memory.AllocateStack(linux.KernelStackSize)
	if !ok {
		outOfMemory("the first thread's kernel stack")
	}
	mainTop := mustStack(mainStackSize, "main thread")
	sp := buildInitialStack(mainTop)

	t, index := sched.Create(kernelTop, kernelSlot)
	if t == nil {
		outOfMemory("the first thread")
	}
	cpu.InitFrame(t.Frame(), uint64(runtimeEntryAddress()), uint64(sp), 0)
	sched.Start(index)
	return sched.Schedule(timer.Nanotime())
}

func mustStack(size uintptr, what string) uintptr {
	top, _, ok := memory.AllocateStack(size)
	if !ok {
		outOfMemory(what)
	}
	return top
}

func outOfMemory(what string) {
	console.WriteString("exogo: out of memory allocating ")
	console.WriteString(what)
	console.WriteString("; halted\n")
	amd64.HaltForever()
}

// maxEnvironment bounds the KEY=VALUE words passed to the runtime.
const maxEnvironment = 32

// buildInitialStack writes what Linux puts on a new process's stack, below
// top (abi.InitialStack lays it out): argc, argv (just "exogo"), envp (the
// KEY=VALUE words of the kernel command line, such as GODEBUG=... or
// GOMAXPROCS=...), the auxiliary vector (page size, 16 random bytes, the
// vDSO that reads the clock without a system call: kernel/timer/vdso.go)
// and the strings they point to. It returns the stack pointer the runtime
// starts with.
func buildInitialStack(top uintptr) uintptr {
	var environment [maxEnvironment]string
	count := 0
	line := bootInfo.CommandLine(rawmem.Bytes(bootInfoAddress, uintptr(bootInfo.TotalSize)))
	lineAddress := uintptr(unsafe.Pointer(unsafe.SliceData(line)))
	// Walk the words; a word holding '=' after its first byte is an
	// environment variable.
	wordStart, hasEquals := 0, false
	for i := 0; i <= len(line); i++ {
		c := byte(' ') // the end of the line ends the last word
		if uint(i) < uint(len(line)) {
			c = line[i]
		}
		if c == ' ' {
			if hasEquals && count < maxEnvironment && wordStart < i {
				environment[uint(count)%maxEnvironment] = rawmem.String(lineAddress+uintptr(wordStart), uintptr(i-wordStart))
				count++
			}
			wordStart, hasEquals = i+1, false
			continue
		}
		if c == '=' && i > wordStart {
			hasEquals = true
		}
	}
	var random [16]byte
	for i := 0; i < 16; i += 8 {
		v := amd64.ReadTSC() * 0x9e3779b97f4a7c15
		for j := 0; j < 8; j++ {
			random[i+j] = byte(v >> (8 * j))
		}
	}
	args := [1]string{"exogo"}
	aux := [3]abi.AuxEntry{{Key: abi.AtPagesz, Value: 4096}, {Key: abi.AtRandom}, {Key: abi.AtSysinfoEhdr, Value: uint64(timer.VDSOAddress())}}
	const room = 8192 // the strings and words (the command line is at most 4 KiB)
	stack := rawmem.Bytes(top-room, room)
	sp := abi.InitialStack(stack, top, "", args[:], environment[:uint(count)%(maxEnvironment+1)], aux[:], random)
	if sp == 0 {
		console.WriteString("exogo: the command line's environment does not fit the initial stack; starting the runtime without it\n")
		sp = abi.InitialStack(stack, top, "", args[:], nil, aux[:], random)
	}
	return sp
}

// runtimeEntryAddress returns the address of _rt0_amd64_linux.
func runtimeEntryAddress() uintptr

// Application processors.

// trampolinePhysical is the page below 1 MiB where APs start (SIPI vector
// 0x08). Low memory is outside the frame table, so nothing else uses it
// after the boot loader.
const trampolinePhysical = 0x8000

// apIdleStackSize is larger than the BSP's: an AP's boot code (apMain) runs
// on its idle stack below the idle frame.
const apIdleStackSize = 16 << 10

// apOnlineWait bounds the wait for a started AP to reach apMain's Online.
const apOnlineWait = 2_000_000_000

var (
	cpuTable  acpi.Result
	cpuStatus acpi.Status
)

// startProcessors finds the other CPUs in the ACPI MADT and starts them one
// at a time; each enters its idle loop and takes user threads. Anything
// wrong (no or bad ACPI tables, page tables above 4 GiB, the trampoline
// page in use) is reported and leaves the kernel on CPU 0 alone.
// Precondition: the BSP's LAPIC runs, interrupts are disabled.
func startProcessors() {
	smp.SetBootCPU(timer.LocalAPICID())
	findAndStartProcessors()
	reportProcessors()
	exo.PublishKernelInfo(uint64(smp.OnlineCount()))
}

func findAndStartProcessors() {
	span, _, ok := bootInfo.RSDP()
	if !ok || uint64(span.Offset)+uint64(span.Length) > uint64(bootInfo.TotalSize) {
		console.WriteString("exogo: ACPI: no RSDP from the boot loader; running on one CPU\n")
		return
	}
	rsdp := rawmem.Bytes(bootInfoAddress+uintptr(span.Offset), uintptr(span.Length))
	cpuStatus = acpi.FindCPUs(rsdp, acpi.Memory{Base: layout.DirectMap, Limit: directMapEnd}, &cpuTable)
	if cpuStatus != acpi.OK {
		console.WriteString("exogo: ACPI: ")
		console.WriteString(cpuStatus.String())
		console.WriteString("; running on one CPU\n")
		return
	}
	if cpuTable.IOAPICFound {
		exo.SetIOAPIC(cpuTable.IOAPICAddress, cpuTable.IOAPICGSIBase, &cpuTable.Overrides)
		if exo.TakeKeyboard() {
			console.WriteString("exogo: keyboard: PS/2; Shift+Page Up and Shift+Page Down scroll the screen\n")
		} else {
			console.WriteString("exogo: keyboard: no PS/2 controller answered; the screen has no scrollback keys\n")
		}
	}
	if cpuTable.Count <= 1 {
		return
	}
	if memory.Kernel.Root >= 1<<32 {
		console.WriteString("exogo: the kernel's PML4 is above 4 GiB, out of the AP trampoline's reach; running on one CPU\n")
		return
	}
	if !trampolinePageFree() {
		console.WriteString("exogo: the AP trampoline page 0x8000 is not free RAM; running on one CPU\n")
		return
	}
	if status := memory.Kernel.Map(&memory.Frames, trampolinePhysical, trampolinePhysical, paging.Writable); status != paging.OK {
		mapFailed("the AP trampoline", trampolinePhysical, status)
	}
	page := rawmem.Bytes(layout.Physical(trampolinePhysical), paging.PageSize)
	smp.WriteTrampoline(page, trampolinePhysical)
	self := timer.LocalAPICID()
	stuck := false
	for i := 0; i < cpuTable.Count && i < len(cpuTable.CPUs) && !stuck; i++ {
		id := cpuTable.CPUs[i].APICID
		if id == self {
			continue
		}
		if id >= 0xff {
			console.WriteString("exogo: CPU with x2APIC id ")
			console.WriteDecimal(uint64(id))
			console.WriteString(" cannot be reached in xAPIC mode; not started\n")
			continue
		}
		stuck = !startProcessor(page, id)
	}
	if stuck {
		// An AP may still be executing the trampoline: leave it mapped.
		return
	}
	removeTrampolineMapping()
}

// startProcessor starts the processor with local APIC ID id as the next
// CPU. It reports false when the processor ran the trampoline but did not
// come online (then no other may be started with the same trampoline).
func startProcessor(page []byte, id uint32) bool {
	index := smp.Add(id)
	if index < 0 {
		console.WriteString("exogo: more CPUs than exogo drives (arch/amd64.MaxCPUs); the rest stay off\n")
		return true
	}
	var slots [3]int32
	tops := [3]uintptr{}
	sizes := [3]uintptr{trapStackSize, doubleFaultStackSize, apIdleStackSize}
	for k := range sizes {
		top, slot, ok := memory.AllocateStack(sizes[k])
		if !ok {
			for j := 0; j < k; j++ {
				memory.FreeStack(slots[j])
			}
			smp.Forget(index)
			console.WriteString("exogo: no memory for another CPU's stacks; the rest stay off\n")
			return true
		}
		tops[k], slots[k] = top, slot
	}
	trap.PrepareAP(index, tops[0], tops[1], tops[2])
	smp.SetTrampolineParameters(page, uint32(memory.Kernel.Root), uint64(trap.APEntryAddress()),
		uint64(trap.APBootStack(index)), uint64(cpu.KernelTLSBase()), uint64(index))
	if !smp.Wake(page, trampolinePhysical, id) {
		for j := range slots {
			memory.FreeStack(slots[j])
		}
		smp.Forget(index)
		console.WriteString("exogo: CPU with APIC id ")
		console.WriteDecimal(uint64(id))
		console.WriteString(" did not start\n")
		return true
	}
	start := timer.Nanotime()
	for !smp.IsOnline(index) {
		if timer.Nanotime()-start > apOnlineWait {
			console.WriteString("exogo: CPU with APIC id ")
			console.WriteDecimal(uint64(id))
			console.WriteString(" started but did not come online; starting no more CPUs\n")
			return false
		}
		amd64.Pause()
	}
	return true
}

// trampolinePageFree reports whether the trampoline page is RAM the
// memory map calls available and holds neither the boot information nor a
// module.
func trampolinePageFree() bool {
	start, end := uint64(trampolinePhysical), uint64(trampolinePhysical+paging.PageSize)
	overlaps := func(a, b uint64) bool { return a < end && start < b }
	infoPhysical := uint64(bootInfoAddress - layout.DirectMap)
	if overlaps(infoPhysical, infoPhysical+uint64(bootInfo.TotalSize)) {
		return false
	}
	for i := 0; i < bootInfo.ModuleCount && i < len(bootInfo.Modules); i++ {
		if m := bootInfo.Modules[i]; overlaps(uint64(m.Start), uint64(m.End)) {
			return false
		}
	}
	for _, e := range bootInfo.MemoryMapEntries() {
		if e.Type == multiboot2.MemoryAvailable && e.Base <= start && e.Base+e.Length >= end {
			return true
		}
	}
	return false
}

// removeTrampolineMapping unmaps the trampoline page and frees the page
// tables Map made for it under PML4 entry 0 (the lower half of the kernel's
// space stays empty: it belongs to processes), then has every CPU drop its
// TLB entries.
func removeTrampolineMapping() {
	k := memory.Kernel
	if _, status := k.Unmap(&memory.Frames, trampolinePhysical); status != paging.OK {
		return
	}
	// The kernel's lower half was empty before the trampoline's mapping,
	// so the tables under PML4 entry 0 are the three Map made.
	pml4e := k.Entry(k.Root, 0)
	pdpt := *pml4e & paging.AddressMask
	pd := *k.Entry(pdpt, 0) & paging.AddressMask
	pt := *k.Entry(pd, 0) & paging.AddressMask
	*pml4e = 0
	amd64.InvalidatePage(trampolinePhysical)
	for _, table := range [3]uint64{pt, pd, pdpt} {
		if table != 0 {
			memory.Frames.Free(table)
		}
	}
	smp.FlushAll()
}

func reportProcessors() {
	n := smp.OnlineCount()
	console.WriteString("exogo: ")
	console.WriteDecimal(uint64(n))
	if n == 1 {
		console.WriteString(" CPU online\n")
		return
	}
	console.WriteString(" CPUs online\n")
}
