// Package smp runs exogo on every CPU: it keeps the table of CPUs (index ->
// local APIC ID, which are online), starts the application processors (APs)
// with INIT-SIPI-SIPI through a real-mode trampoline (trampoline.go), and
// keeps TLBs coherent across CPUs (shootdown.go).
//
// The boot processor (BSP) is CPU 0. Boot code (kernel/boot_threads.go)
// finds the others in the ACPI MADT (kernel/acpi), gives each its stacks
// and per-CPU block and starts them one at a time; each AP runs
// kernel/trap's apMain, which sets the CPU up and calls Online before it
// enters its idle loop and takes user threads (kernel/sched).
//
// Restricted Go (docs/restricted-go.md): all of it runs in earlyMain or in
// trap context. State is integers, written atomically where CPUs share it.
package smp

import (
	"sync/atomic"
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/timer"
)

var (
	// apicIDs[i] is CPU i's local APIC ID (valid for i < known).
	apicIDs [amd64.MaxCPUs]uint32
	known   int32
	// online has bit i set once CPU i runs kernel code with its own
	// per-CPU block, descriptor tables and timer; onlineCount counts them.
	online      uint32
	onlineCount int32
)

// SetBootCPU records the BSP (CPU 0) as online with local APIC ID apicID.
// Precondition: the BSP's LAPIC is enabled (timer.StartLAPICTimer).
func SetBootCPU(apicID uint32) {
	apicIDs[0] = apicID
	if known == 0 {
		known = 1
	}
	markOnline(0)
	sayOnline(0)
}

// Add reserves the next CPU index for the processor with local APIC ID
// apicID and returns it, or -1 when amd64.MaxCPUs are known already.
func Add(apicID uint32) int {
	if known <= 0 || known >= amd64.MaxCPUs {
		return -1
	}
	i := known
	apicIDs[uint32(i)%amd64.MaxCPUs] = apicID
	known++
	return int(i)
}

// Forget gives up the last CPU index Add returned (its processor did not
// start).
func Forget(index int) {
	if index == int(known)-1 && index > 0 {
		known--
	}
}

// Online marks the calling AP, CPU index, as online and says so on the
// console. The AP calls it once it can take interrupts.
func Online(index int) {
	if index <= 0 || index >= amd64.MaxCPUs {
		return
	}
	markOnline(index)
	sayOnline(index)
}

func sayOnline(index int) {
	console.WriteString("exogo: CPU ")
	console.WriteDecimal(uint64(index))
	console.WriteString(" online (APIC id ")
	console.WriteDecimal(uint64(apicIDs[uint(index)%amd64.MaxCPUs]))
	console.WriteString(")\n")
}

func markOnline(index int) {
	bit := uint32(1) << (uint(index) % amd64.MaxCPUs)
	for {
		old := atomic.LoadUint32(&online)
		if old&bit != 0 {
			return
		}
		if atomic.CompareAndSwapUint32(&online, old, old|bit) {
			atomic.AddInt32(&onlineCount, 1)
			return
		}
	}
}

// IsOnline reports whether CPU index is online.
func IsOnline(index int) bool {
	return index >= 0 && index < amd64.MaxCPUs && atomic.LoadUint32(&online)&(1<<uint(index)) != 0
}

// OnlineMask returns the set of online CPUs, bit i for CPU i.
func OnlineMask() uint32 { return atomic.LoadUint32(&online) }

// OnlineCount returns how many CPUs are online (at least 1 after boot).
func OnlineCount() int { return int(atomic.LoadInt32(&onlineCount)) }

// APICID returns CPU index's local APIC ID.
func APICID(index int) uint32 { return apicIDs[uint(index)%amd64.MaxCPUs] }

// SIPI timing (Intel SDM vol. 3, 9.4.4.1, "typical AP initialization
// sequence"): INIT, wait 10 ms, SIPI, wait 200 us, SIPI, wait 200 us.
const (
	initDelay    = 10_000_000
	startupDelay = 200_000
	// aliveWait is how long to wait, after the second SIPI, for the
	// trampoline's first store (QEMU's TCG can be slow to schedule a
	// new virtual CPU).
	aliveWait = 100_000_000
)

// Wake sends the INIT-SIPI-SIPI sequence to the processor with local APIC
// ID apicID, so that it starts in real mode at the trampoline written in
// page, which lies at physical address base. It reports whether the
// processor ran the trampoline's first instructions. Interrupts disabled.
func Wake(page []byte, base uint32, apicID uint32) bool {
	vector := (base >> 12) & 0xff
	if !timer.SendIPI(apicID, timer.IPIInit|timer.IPIAssert) {
		return false
	}
	delay(initDelay)
	for i := 0; i < 2 && !TrampolineAlive(page); i++ {
		if !timer.SendIPI(apicID, timer.IPIStartup|vector) {
			return false
		}
		delay(startupDelay)
	}
	start := timer.Nanotime()
	for !TrampolineAlive(page) && timer.Nanotime()-start < aliveWait {
		amd64.Pause()
	}
	return TrampolineAlive(page)
}

func delay(ns uint64) {
	start := timer.Nanotime()
	for timer.Nanotime()-start < ns {
		amd64.Pause()
	}
}

func atomicLoadByte(b *byte) byte {
	// The alive byte is the low byte of an aligned 32-bit word whose
	// other bytes stay zero.
	return byte(atomic.LoadUint32((*uint32)(unsafe.Pointer(b))))
}

// ReportUserTime prints, for each online CPU, how many timer ticks found it
// running user code and how many traps user code made on it, and the TLB
// shootdowns that needed other CPUs. The kernel
// prints it when it powers off; the QEMU tests read it to check that user
// threads ran on the application processors.
func ReportUserTime() {
	for i := 0; i < amd64.MaxCPUs; i++ {
		if !IsOnline(i) {
			continue
		}
		c := cpu.ByIndex(i)
		console.WriteString("exogo: cpu ")
		console.WriteDecimal(uint64(i))
		console.WriteString(" ran user code for ")
		console.WriteDecimal(atomic.LoadUint64(&c.UserTicks))
		console.WriteString(" ticks (")
		console.WriteDecimal(atomic.LoadUint64(&c.UserTraps))
		console.WriteString(" traps from user mode)\n")
	}
	count, ns := Shootdowns()
	console.WriteString("exogo: ")
	console.WriteDecimal(count)
	console.WriteString(" TLB shootdowns, ")
	console.WriteDecimal(ns / (count | 1) / 1000)
	console.WriteString(" us each on average\n")
}
