package main

import (
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
// (page size, 16 random bytes) and the strings they point to. It returns
// the stack pointer the runtime starts with.
func buildInitialStack(top uintptr) uintptr {
	strings := top
	push := func(b []byte) uintptr {
		strings -= uintptr(len(b)) + 1
		dst := rawmem.Bytes(strings, uintptr(len(b))+1)
		copy(dst, b)
		dst[len(b)] = 0
		return strings
	}
	name := push([]byte("exogo"))
	var environment [maxEnvironment]uintptr
	count := 0
	line := bootInfo.CommandLine(rawmem.Bytes(bootInfoAddress, uintptr(bootInfo.TotalSize)))
	for start := 0; start < len(line) && count < maxEnvironment; {
		end := start
		for end < len(line) && line[end] != ' ' {
			end++
		}
		word := line[start:end]
		for i := 0; i < len(word); i++ {
			if word[i] == '=' && i > 0 {
				environment[count] = push(word)
				count++
				break
			}
		}
		start = end + 1
	}
	random := strings - 16
	for i := uintptr(0); i < 16; i += 8 {
		*rawmem.Uint64(random + i) = amd64.ReadTSC() * 0x9e3779b97f4a7c15
	}
	words := uintptr(1+2+count+1+4+2) * 8
	sp := (random - words) &^ 15
	w := sp
	put := func(v uintptr) {
		*rawmem.Uint64(w) = uint64(v)
		w += 8
	}
	put(1) // argc
	put(name)
	put(0)
	for i := 0; i < count && i < maxEnvironment; i++ {
		put(environment[i])
	}
	put(0)
	put(auxPageSize)
	put(4096)
	put(auxRandom)
	put(random)
	put(auxNull)
	put(0)
	return sp
}

// runtimeEntryAddress returns the address of _rt0_amd64_linux.
func runtimeEntryAddress() uintptr
