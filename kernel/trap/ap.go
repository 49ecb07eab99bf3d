package trap

import (
	"exogo/arch/amd64"
	"exogo/kernel/cpu"
	"exogo/kernel/rawmem"
	"exogo/kernel/sched"
	"exogo/kernel/smp"
	"exogo/kernel/timer"
)

// Application processors. Boot code gives each AP its stacks with
// PrepareAP, starts it through kernel/smp's trampoline at APEntryAddress
// with APBootStack as its stack, and the AP continues in apMain.

// apStacks[i] holds CPU i's trap (IST1) and double-fault (IST2) stack tops.
var apStacks [amd64.MaxCPUs][2]uintptr

// PrepareAP records CPU index's stacks (tops of guarded kernel stacks) and
// builds its idle frame at the top of the idle stack.
func PrepareAP(index int, trapTop, doubleFaultTop, idleTop uintptr) {
	apStacks[uint(index)%amd64.MaxCPUs] = [2]uintptr{trapTop, doubleFaultTop}
	c := cpu.ByIndex(index)
	c.IdleStackTop = idleTop
	c.IdleFrame = idleTop - cpu.FrameSize
	cpu.InitFrame((*cpu.Frame)(rawmem.Pointer(c.IdleFrame)), uint64(IdleLoopAddress()), uint64(c.IdleFrame-64), 0)
}

// APBootStack is the stack CPU index starts on: the idle stack below the
// idle frame (the idle loop itself uses no stack; what apMain leaves there
// is abandoned when it enters the idle frame).
func APBootStack(index int) uintptr { return cpu.ByIndex(index).IdleFrame - 64 }

// APEntryAddress is the 64-bit entry point for the trampoline.
func APEntryAddress() uintptr { return apEntryAddress() }

func apEntryAddress() uintptr

// apMain sets up the AP whose index boot code gave it, and enters its idle
// loop, from which the scheduler gives it user threads. Restricted Go on
// the AP's boot stack, interrupts disabled; it does not return.
func apMain(index int) {
	stacks := apStacks[uint(index)%amd64.MaxCPUs]
	c := InitCPU(index, stacks[0], stacks[1])
	c.SetInKernel(true)
	timer.StartLAPICTimer(TimerVector, SpuriousVector)
	c.Current = ^uintptr(0)
	c.SetStackTop(c.IdleStackTop)
	sched.CPUOnline(index)
	smp.Online(index)
	Enter(c.IdleFrame)
}
