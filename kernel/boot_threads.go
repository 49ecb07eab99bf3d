package main

import (
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/linux"
	"exogo/kernel/memory"
	"exogo/kernel/rawmem"
	"exogo/kernel/sched"
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

// Linux auxiliary-vector keys the runtime reads.
const (
	auxNull     = 0
	auxPageSize = 6
	auxRandom   = 25
	auxVDSO     = 33 // AT_SYSINFO_EHDR
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
// top: argc, argv (just "exogo"), envp (the KEY=VALUE words of the kernel
// command line, such as GODEBUG=... or GOMAXPROCS=...), the auxiliary vector
// (page size, 16 random bytes, the vDSO that reads the clock without a
// system call: kernel/timer/vdso.go) and the strings they point to. It returns
// the stack pointer the runtime starts with.
func buildInitialStack(top uintptr) uintptr {
	strings := top
	push := func(address, length uintptr) uintptr {
		strings -= length + 1
		copy(rawmem.Bytes(strings, length), rawmem.Bytes(address, length))
		*(*byte)(rawmem.Pointer(strings + length)) = 0
		return strings
	}
	name := [...]byte{'e', 'x', 'o', 'g', 'o'}
	argv0 := push(uintptr(unsafe.Pointer(&name)), uintptr(len(name)))
	var environment [maxEnvironment]uintptr
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
				environment[uint(count)%maxEnvironment] = push(lineAddress+uintptr(wordStart), uintptr(i-wordStart))
				count++
			}
			wordStart, hasEquals = i+1, false
			continue
		}
		if c == '=' && i > wordStart {
			hasEquals = true
		}
	}
	random := strings - 16
	for i := uintptr(0); i < 16; i += 8 {
		*rawmem.Uint64(random + i) = amd64.ReadTSC() * 0x9e3779b97f4a7c15
	}
	words := uintptr(1+2+count+1+6+2) * 8
	sp := (random - words) &^ 15
	w := sp
	put := func(v uintptr) {
		*rawmem.Uint64(w) = uint64(v)
		w += 8
	}
	put(1) // argc
	put(argv0)
	put(0)
	for i := 0; i < count && i < maxEnvironment; i++ {
		put(environment[i])
	}
	put(0)
	put(auxPageSize)
	put(4096)
	put(auxRandom)
	put(random)
	put(auxVDSO)
	put(timer.VDSOAddress())
	put(auxNull)
	put(0)
	return sp
}

// runtimeEntryAddress returns the address of _rt0_amd64_linux.
func runtimeEntryAddress() uintptr
