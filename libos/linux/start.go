// Package linux is the libOS's Linux personality: it serves the Linux
// system calls of a Go program's runtime, in the program's own process,
// from the exokernel's primitives. The kernel reflects every Linux
// SYSCALL to the process's foreign-call upcall and every CPU exception to
// its fault upcall; this package handles both, runs the runtime's threads
// as user-level threads (libos/uthread) and manages memory (libos/mem).
//
// A program uses it by importing it and being linked with
// -ldflags "-E exogo/libos/linux.Start" (the Makefile does this for every
// cmd/ directory whose main package imports exogo/libos/linux). Start sets
// the libOS up, builds the Linux initial stack and enters the runtime at
// _rt0_amd64_linux, which then starts as on Linux.
//
// Restricted Go (docs/restricted-go.md): everything here runs in upcalls,
// below the program's runtime, on the libOS's own stack with a stand-in g.
// No allocation, no pointers in global state (the program's garbage
// collector scans the libOS's globals), no panics, no blocking: waiting
// is done by switching threads.
//
// A call, for grep: upcallEntry -> dispatch -> systemCall -> sys<Name>.
package linux

import (
	"unsafe"

	"exogo/abi/elfload"
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
	"exogo/libos/uthread"
)

const (
	upcallStackSize = 64 << 10
	contextSize     = 1024 // a thread's saved context: exo.ContextSize, rounded up
	mainStackSize   = 8 << 20
)

// What the loader said on the initial stack (the start protocol,
// exo.Start*): the process's id, which is also its main thread's Linux ID
// (getpid).
var processID uint32 = 1

// entryStack is the stack pointer the loader started the process with
// (set by Start): the start protocol's initial stack.
var entryStack uint64

var (
	upcallTable [exo.UpcallTableEntries]uint64
	threads     uthread.Table
	// userBases is set when the kernel lets user mode write its FS and
	// GS bases (the CPU has FSGSBASE): threads are then switched in
	// user mode, without upcall_resume.
	userBases bool
)

func Start()

func startAddress() uintptr
func upcallEntryAddress() uintptr
func runtimeEntryAddress() uintptr
func tlsBlockAddress() uintptr
func resumeInUserMode(context, slot, release uintptr)
func resumeThroughKernel(context uintptr, call uint64, release uintptr) int64
func copyContext(to, from uintptr)
func resumeSettingFS(context, slot, release uintptr)
func setFS(base uintptr)
func rdrand() (uint64, bool)
func vdsoClockGettime()
func vdsoFunctionAddress() uintptr

// vdsoFunctionSize bounds the size of vdsoClockGettime (vdso_amd64.s):
// the span the vDSO declares (TestVDSOFunctionFitsItsSpan checks it).
const vdsoFunctionSize = 192

// start sets the libOS up and starts the program's runtime. It runs on
// the stack the kernel's loader made, with the stand-in g.
func start() {
	stack := mem.Private(upcallStackSize)
	if stack == 0 {
		fatal("no memory for the upcall stack")
	}
	for _, event := range [...]int{exo.UpcallStart, exo.UpcallEpilogue, exo.UpcallFault, exo.UpcallForeign, exo.UpcallInterrupt, exo.UpcallRevocation, exo.UpcallAlarm, exo.UpcallChild, exo.UpcallKick, exo.UpcallWord, exo.UpcallSignal} {
		upcallTable[uint(event)%exo.UpcallTableEntries] = uint64(upcallEntryAddress())
	}
	// The call lock until the first thread runs: the other vCPUs begin in
	// dispatch as soon as they are started.
	lockCalls(0)
	usePolicy()
	vcpus[0].stack, vcpuCount = stack, 1
	threads.UseQueues(1)
	userBases = bare.Info(exo.KernelInfoFeatures)&exo.CpuFeatureFsgsbase != 0
	if r := exo.UpcallRegister(uintptr(unsafe.Pointer(&upcallTable)), stack, upcallStackSize); r != 0 {
		fatalNumber("upcall_register failed: ", r)
	}
	if !useFileCopy() {
		fatal("fault_fixup refused fileCopy's range")
	}
	// Upcalls stay disabled on this vCPU until the first thread runs
	// (upcall_resume enables them): an epilogue or an alarm in here would
	// enter dispatch, which waits for the lock this holds.
	put((stack+upcallStackSize-exo.ContextSize)&^255, exo.ContextDisabled, 1) // the slot, 256-byte aligned at the stack's top
	// The loader's stack: its 2 MiB region is the loader's segment. What
	// it holds is read below, and its strings stay there for good.
	region := uintptr(exo.StartStackTop - mem.RegionSize)
	mem.Ranges.Add(region, region+mem.RegionSize, 0, mem.KindImage)
	var argTexts, envTexts [maxArgs]abi.Text
	var given [24]abi.AuxEntry
	nargs, nenv, naux, ok := abi.ReadInitialStack(bare.Bytes(exo.StartStackTop-exo.StartStackSize, exo.StartStackSize),
		exo.StartStackTop, uintptr(entryStack), argTexts[:], envTexts[:], given[:])
	if !ok {
		fatal("the initial stack the loader left is malformed (see exo.StartStackTop)")
	}
	// Strings over the loader's stack, in arrays on this stack (stores
	// there need no write barrier).
	var args, env [maxArgs]string
	nargs, nenv = min(nargs, maxArgs), min(nenv, maxArgs)
	for i := 0; i < nargs && i < maxArgs; i++ {
		args[i] = bare.StringAt(argTexts[i].Address, argTexts[i].Length)
	}
	for i := 0; i < nenv && i < maxArgs; i++ {
		env[i] = bare.StringAt(envTexts[i].Address, envTexts[i].Length)
	}
	keepCmdline(args[:uint(nargs)%(maxArgs+1)])
	if nargs > 0 {
		nameProcess(args[0]) // what ps shows
	}
	var screenSegment, screenKind, consoleSegment, consolePorts, pclntab, pclntabSize, text uint64
	var entry, phdr, phnum, interpreterBase, execfn uint64
	for i := 0; i < naux && i < len(given); i++ {
		e := given[i]
		switch e.Key {
		case abi.AtEntry:
			entry = e.Value
		case abi.AtPhdr:
			phdr = e.Value
		case abi.AtPhnum:
			phnum = e.Value
		case abi.AtBase:
			interpreterBase = e.Value
		case abi.AtExecfn:
			execfn = e.Value
		case exo.StartAuxPid:
			processID = uint32(e.Value)
		case exo.StartAuxScreenSegment:
			screenSegment = e.Value
		case exo.StartAuxScreenKind:
			screenKind = e.Value
		case exo.StartAuxConsoleSegment:
			consoleSegment = e.Value
		case exo.StartAuxConsolePorts:
			consolePorts = e.Value
		case exo.StartAuxPclntab:
			pclntab = e.Value
		case exo.StartAuxPclntabSize:
			pclntabSize = e.Value
		case abi.AtUID:
			procUID = uint32(e.Value)
		case abi.AtGID:
			procGID = uint32(e.Value)
		case exo.StartAuxCwd:
			startCwd = e.Value
		case exo.StartAuxFiles:
			startFiles = e.Value
		case exo.StartAuxText:
			text = e.Value
		}
	}
	// Two ways in (docs/libos.md): linked into the program, the loader
	// entered Start itself (AT_ENTRY) and the program's runtime is this
	// binary's; as the interpreter image, AT_ENTRY is the program's entry.
	programEntry := uint64(runtimeEntryAddress())
	if entry == 0 {
		fatal("the loader passed no entry point (AT_ENTRY)")
	}
	interpreted := entry != uint64(startAddress())
	if interpreted {
		programEntry = entry
	}
	if phdr == 0 || phnum == 0 || phnum > 64 {
		fatal("the loader passed no program headers (AT_PHDR, AT_PHNUM)")
	}
	mapImage(uintptr(phdr), int(phnum), interpreted)
	programPath = execPath(execfn)
	mem.Owner = uint64(processID) // the frame table's owner of its frames
	setupConsole(screenSegment, screenKind, consoleSegment, consolePorts)
	installInherited()
	useSymbols(pclntab, pclntabSize, text)

	// The main thread's stack, committed lazily like any mapping.
	stackBase := mem.Ranges.Gap(mem.MmapBase, mem.LibOSBase, mainStackSize)
	if stackBase == 0 || !mem.Ranges.Add(stackBase, stackBase+mainStackSize, mem.ProtRead|mem.ProtWrite, mem.KindAnonymous) {
		fatal("no address space for the main stack")
	}
	top := stackBase + mainStackSize
	const room = 8 << 10
	if !mem.Check(top-room, room, true) {
		fatal("no memory for the main stack")
	}
	// The vDSO: clock reads without leaving user mode.
	vdso := mem.Private(abi.VDSOSize)
	if vdso == 0 || !abi.BuildVDSO(bare.Bytes(vdso, abi.VDSOSize), vdso, vdsoFunctionAddress(), vdsoFunctionSize) {
		fatal("no memory for the vDSO")
	}
	var random [16]byte
	fillRandom(random[:])
	aux := [...]abi.AuxEntry{
		{Key: abi.AtPagesz, Value: mem.PageSize},
		{Key: abi.AtRandom},
		{Key: abi.AtPhdr, Value: phdr},
		{Key: abi.AtPhent, Value: 56},
		{Key: abi.AtPhnum, Value: phnum},
		{Key: abi.AtEntry, Value: programEntry},
		{Key: abi.AtBase, Value: interpreterBase},
		{Key: abi.AtSecure, Value: 0},
		{Key: abi.AtSysinfoEhdr, Value: uint64(vdso)},
	}
	sp := abi.InitialStack(bare.Bytes(top-room, room), top, bare.StringAt(programPath.Address, programPath.Length), args[:uint(nargs)%(maxArgs+1)], env[:uint(nenv)%(maxArgs+1)], aux[:], random)
	if sp == 0 {
		fatal("the initial stack does not fit")
	}

	// Thread 0 starts at the runtime's entry on that stack, with FS at the
	// stand-in's TLS block until the runtime sets its own (arch_prctl).
	i := threads.New(processID)
	th := threads.At(i)
	if th.Context = mem.Private(contextSize); th.Context == 0 {
		fatal("no memory for the first thread")
	}
	put(th.Context, exo.ContextRip, programEntry)
	put(th.Context, exo.ContextRsp, uint64(sp))
	put(th.Context, exo.ContextRflags, 0x202)
	put(th.Context, exo.ContextFsBase, uint64(tlsBlockAddress()))
	put(th.Context, exo.ContextFxsave+exo.FxsaveMxcsr, 0x1f80) // the reset MXCSR
	threads.Ready(i, 0)
	if threads.Take(0) != i || !threads.TryHold(i, 0) {
		fatal("the first thread is not in the run queue")
	}
	vcpus[0].current, vcpus[0].fsThread = int32(i+1), int32(i+1)
	startVCPUs()
	unlockCalls()
	r := resumeThroughKernel(th.Context, exo.CallUpcallResume, 0)
	fatalNumber("could not start the runtime: upcall_resume failed: ", r)
}

// execPath finds the NUL-terminated path at address (AT_EXECFN) on the
// loader's stack; none when it is not there.
func execPath(address uint64) abi.Text {
	const bottom, top = exo.StartStackTop - exo.StartStackSize, exo.StartStackTop
	if address < bottom || address >= top {
		return abi.Text{}
	}
	b := bare.Bytes(uintptr(address), uintptr(top-address))
	for i := range b {
		if b[i] == 0 {
			return abi.Text{Address: uintptr(address), Length: min(i, pathMax)}
		}
	}
	return abi.Text{}
}

// mapImage enters the program's PT_LOAD segments, from its phnum program
// headers at phdr (AT_PHDR), in the address-space map. The loader mapped
// them in PT segments of its own, whose 2 MiB regions are closed to
// mappings; with lazy (the program was started beside this interpreter)
// it mapped only the regions with file bytes (elfload.FileBacked), and
// the rest, zero-fill only, is anonymous memory committed on demand.
func mapImage(phdr uintptr, phnum int, lazy bool) {
	var segments [elfload.MaxSegments]elfload.Segment
	n := elfload.LoadSegments(bare.Bytes(phdr, uintptr(phnum)*56), segments[:])
	loaded := segments[:uint(n)%(elfload.MaxSegments+1)]
	for pass := 0; pass < 2; pass++ {
		for k := range loaded {
			s := &loaded[k]
			start := uintptr(s.Vaddr) &^ (mem.PageSize - 1)
			end := (uintptr(s.Vaddr+s.Memsz) + mem.PageSize - 1) &^ (mem.PageSize - 1)
			prot := uint32(mem.ProtRead)
			if s.Write {
				prot |= mem.ProtWrite
			}
			if s.Execute {
				prot |= mem.ProtExec
			}
			for region := start &^ (mem.RegionSize - 1); region < end; region += mem.RegionSize {
				kind := uint32(mem.KindImage)
				if lazy && !elfload.FileBacked(loaded, uint64(region)) {
					kind = mem.KindAnonymous
				}
				switch {
				case pass == 0 && kind == mem.KindImage:
					mem.Ranges.Add(region, region+mem.RegionSize, 0, mem.KindImage) // closed
				case pass == 1:
					mem.Ranges.Add(max(start, region), min(end, region+mem.RegionSize), prot, kind)
				}
			}
		}
	}
}

// put and get write and read a word of a context.
func put(context uintptr, offset int, v uint64) { *(*uint64)(bare.At(context + uintptr(offset))) = v }
func get(context uintptr, offset int) uint64    { return *(*uint64)(bare.At(context + uintptr(offset))) }

// fillRandom fills b with RDRAND's output, or a mix of the TSC where the
// CPU has no RDRAND (the kernel information page says).
func fillRandom(b []byte) {
	useRdrand := bare.Info(exo.KernelInfoFeatures)&exo.CpuFeatureRdrand != 0
	state := bare.Now() ^ 0x9e3779b97f4a7c15
	for i := 0; i < len(b); i += 8 {
		v, ok := uint64(0), false
		if useRdrand {
			v, ok = rdrand()
		}
		if !ok {
			// splitmix64 over the clock: not secret, but never repeating.
			state += 0x9e3779b97f4a7c15 + bare.Now()
			z := state
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
			z = (z ^ (z >> 27)) * 0x94d049bb133111eb
			v = z ^ (z >> 31)
		}
		for j := 0; j < 8; j++ {
			if k := uint(i + j); k < uint(len(b)) {
				b[k] = byte(v >> (8 * j))
			}
		}
	}
}

// fatal reports a libOS failure and ends the process.
func fatal(why string) {
	bare.SayLine("libos: ", why)
	exo.Exit(127)
}

func fatalNumber(why string, n int64) {
	bare.Say("libos: ")
	bare.SayNumber(why, n)
	exo.Exit(127)
}
