package exo

import (
	"sync/atomic"

	"unsafe"

	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/layout"
	"exogo/kernel/process"
	"exogo/kernel/sched"
	"exogo/kernel/smp"
	"exogo/kernel/timer"
)

// Upcalls: the kernel tells a process about events by calling into its
// libOS, as scheduler activations do, instead of hiding them. A process
// registers a table of 16 entry points, which the kernel copies, and each
// of its vCPUs an upcall stack (upcall_register; vcpu_start). For an
// event, the kernel saves the interrupted context's registers at the top
// of the upcall stack of the vCPU it delivers to, where the libOS can read
// them, and enters the entry point on that vCPU with:
//
//	RDI = the context's address    RSI = the event (Upcall*)
//	RDX = detail (vector, system call number, ...)
//	RCX = detail 2 (the fault address for page faults)
//	RSP = just below the context, as after a CALL
//
// The libOS handles the event and continues any context it likes
// (typically the saved one, perhaps edited: a foreign system call's result
// goes in its RAX), either itself, in user mode, or with upcall_resume.
//
// Resuming in user mode needs no kernel: the libOS loads the registers and
// ends with IRETQ, which a ring-3 program may execute to return to ring 3
// and which loads RIP, RFLAGS and RSP at once (IF and IOPL stay as they
// are). upcall_resume is for what user mode cannot do: change the FS or GS
// base along the way.
//
// The x87 and SSE state (MXCSR, XMM0-15) is not copied: at the entry point
// the CPU still holds the interrupted context's, and upcall_resume hands
// the caller's on to the context it resumes (unlike other exokernel calls,
// it keeps XMM0-15). A libOS whose upcall handler uses them saves them
// first (FXSAVE64 into the context's FXSAVE area, at ContextFxsave, or
// just the registers its handler uses, as libos/bare does) and restores
// them just before upcall_resume; one that does not pays nothing.
// An exokernel that copied 512 bytes of FPU state out and back in on every
// upcall would spend its time on state most handlers never touch.
//
// While a vCPU is inside an upcall its upcalls are disabled (the
// "disabled flag" of scheduler activations and Barrelfish dispatchers):
// the kernel delivers no further upcall to it (a quantum's end then simply
// preempts it), and a fault or foreign system call there ends the process,
// since the libOS cannot take it. Other vCPUs take upcalls meanwhile, each
// in its own slot. The kernel reads that state from the process itself
// (InUpcall): a vCPU is inside an upcall while its stack pointer is in its
// upcall stack, or while the disabled word of its context slot (the last word of the header the kernel writes at the top
// of the upcall stack) is not zero. The kernel sets that word when it
// delivers an upcall; upcall_resume clears it, and a libOS that resumes in
// user mode clears it itself, while still on the upcall stack: until its
// IRETQ leaves that stack, the stack pointer keeps upcalls disabled, so no
// upcall can overwrite the slot while the libOS still reads it.

// The upcall events (Upcall*), the number of entry points
// (UpcallTableEntries) and the saved context's layout (Context*, 256-byte
// aligned: a header of ContextFxsave bytes that the kernel writes and
// reads, then room for the libOS's FXSAVE64 image) are declared in
// syscalls.conf, shared with the libOS and its assembly.

// EpilogueGrace is how long a process may run after its epilogue upcall
// before it is descheduled by force (nanoseconds).
const EpilogueGrace = 2_000_000

// saveRegisters writes f's general registers into a context header.
func saveRegisters(h *process.Block, f *cpu.Frame) {
	h[ContextRax/8], h[ContextRbx/8], h[ContextRcx/8], h[ContextRdx/8] = f.RAX, f.RBX, f.RCX, f.RDX
	h[ContextRsi/8], h[ContextRdi/8], h[ContextRbp/8], h[ContextRsp/8] = f.RSI, f.RDI, f.RBP, f.RSP
	h[ContextR8/8], h[ContextR8/8+1], h[ContextR8/8+2], h[ContextR8/8+3] = f.R8, f.R9, f.R10, f.R11
	h[ContextR8/8+4], h[ContextR8/8+5], h[ContextR8/8+6], h[ContextR8/8+7] = f.R12, f.R13, f.R14, f.R15
}

// loadRegisters sets f's general registers from a context header.
func loadRegisters(f *cpu.Frame, h *process.Block) {
	f.RAX, f.RBX, f.RCX, f.RDX = h[ContextRax/8], h[ContextRbx/8], h[ContextRcx/8], h[ContextRdx/8]
	f.RSI, f.RDI, f.RBP, f.RSP = h[ContextRsi/8], h[ContextRdi/8], h[ContextRbp/8], h[ContextRsp/8]
	f.R8, f.R9, f.R10, f.R11 = h[ContextR8/8], h[ContextR8/8+1], h[ContextR8/8+2], h[ContextR8/8+3]
	f.R12, f.R13, f.R14, f.R15 = h[ContextR8/8+4], h[ContextR8/8+5], h[ContextR8/8+6], h[ContextR8/8+7]
}

// Deliver enters p's upcall for event from frame f (the frame of the vCPU
// this CPU runs, about to be resumed): it saves f as a context in that
// vCPU's context slot, at the top of its upcall stack, and points f at the
// entry point. It reports false, changing nothing, when the event cannot
// be delivered (no entry point, upcalls disabled, or an upcall stack the
// kernel cannot write).
//
// Preconditions: smp.Lock held; p's address space is the current one or
// at least not being torn down.
func Deliver(p *process.Process, f *cpu.Frame, event int, detail, detail2 uint64) bool {
	return deliver(p, thisVCPU(p), f, event, detail, detail2) != nil
}

// thisVCPU returns the vCPU of p that this CPU runs (p is the running
// thread's process).
func thisVCPU(p *process.Process) *process.VCPU { return vcpuOn(cpu.This(), p) }

// vcpuOn returns the vCPU of p that CPU c runs.
func vcpuOn(c *cpu.CPU, p *process.Process) *process.VCPU {
	return &p.VCPUs[uint(c.VCPU)%process.MaxVCPUs]
}

// onUpcallStack reports whether frame f of vCPU v is on v's upcall stack:
// inside an upcall, where none can be delivered.
func onUpcallStack(v *process.VCPU, f *cpu.Frame) bool {
	return f.RSP-v.UpcallStack < v.UpcallStackSize
}

// contextSlot returns the address of v's context slot: the top of its
// upcall stack less ContextSize, aligned so that the header lies in one
// page (process.UserBlock); 0 when v has no upcall stack.
func contextSlot(v *process.VCPU) uintptr {
	top := uintptr(v.UpcallStack + v.UpcallStackSize)
	context := (top - ContextSize) &^ (process.BlockBytes - 1)
	if v.UpcallStackSize == 0 || context < uintptr(v.UpcallStack) || top < context {
		return 0
	}
	return context
}

// InUpcall reports whether the vCPU of p this CPU runs, whose frame is f,
// is inside an upcall: its stack pointer is in its upcall stack, or its
// context slot's disabled word is set (or unreadable, which leaves no slot
// to deliver to).
//
// Preconditions: smp.Lock held.
func InUpcall(p *process.Process, f *cpu.Frame) bool {
	v := thisVCPU(p)
	slot := v.UserBlock(p, contextSlot(v), false)
	return slot == nil || disabled(v, f, slot)
}

// disabled reports whether v's upcalls are disabled, given its context
// slot (mapped) and its frame f: the slot's disabled word is set, or the
// stack pointer is in the upcall stack.
func disabled(v *process.VCPU, f *cpu.Frame, slot *process.Block) bool {
	return slot[ContextDisabled/8] != 0 || onUpcallStack(v, f)
}

// deliver is Deliver for vCPU v of p, whose frame is f, returning the
// context header it wrote (nil when it did not deliver), valid while
// smp.Lock stays held.
func deliver(p *process.Process, v *process.VCPU, f *cpu.Frame, event int, detail, detail2 uint64) *process.Block {
	if event < 0 || event >= process.UpcallEntryCount {
		return nil
	}
	entry := p.UpcallEntries[event]
	if entry == 0 {
		return nil
	}
	context := contextSlot(v)
	h := v.UserBlock(p, context, true)
	if h == nil || disabled(v, f, h) {
		return nil
	}
	saveRegisters(h, f)
	h[ContextRip/8] = f.RIP
	h[ContextRflags/8] = f.RFLAGS
	h[ContextFsBase/8] = f.FSBase
	h[ContextGsBase/8] = f.GSBase
	h[ContextEvent/8] = uint64(event)
	h[ContextDetail/8] = detail
	h[ContextDetail2/8] = detail2
	h[ContextErrorCode/8] = f.ErrorCode
	h[ContextAborts/8] = p.Aborts
	for i := ContextAborts/8 + 1; i < ContextDisabled/8; i++ {
		h[i] = 0 // reserved, and the revocation upcall's list
	}
	h[ContextDisabled/8] = 1
	f.RIP = entry
	f.RSP = uint64(context - 8)
	f.RDI = uint64(context)
	f.RSI = uint64(event)
	f.RDX = detail
	f.RCX = detail2
	f.RFLAGS = cpu.FlagInterrupt | cpu.FlagReserved
	return h
}

// userFlags are the RFLAGS bits a context may set: the arithmetic flags,
// TF and DF. IF is always set and IOPL always 0.
const userFlags = 0xcd5 | 1<<8 | 1<<10

// sysUpcallRegister copies the table of entry points (each 0, for no
// upcall, or a user address) and records the upcall stack. A later change
// to the table in user memory has no effect until it is registered again.
// When the context slot is mapped already, its disabled word is cleared:
// upcalls start enabled.
func sysUpcallRegister(caller *Caller, table uintptr, stack uintptr, stackSize uint64) int64 {
	if stackSize < ContextSize+512 {
		return -ErrBadArgument // no room for a context and a handler's frames
	}
	var entries [process.UpcallEntryCount]uint64
	if !process.CopyIn(caller.Process, (*[len(entries) * 8]byte)(unsafe.Pointer(&entries))[:], table) {
		return -ErrBadAddress
	}
	for _, entry := range entries {
		if entry != 0 && (entry < uint64(layout.UserStart) || entry >= uint64(layout.UserMapEnd)) {
			return -ErrBadAddress
		}
	}
	p, v := caller.Process, caller.VCPU
	p.UpcallEntries, v.UpcallStack, v.UpcallStackSize = entries, uint64(stack), stackSize
	enableUpcalls(p, v)
	return 0
}

// enableUpcalls clears the disabled word of v's context slot, if mapped,
// and reports whether it was.
func enableUpcalls(p *process.Process, v *process.VCPU) bool {
	slot := v.UserBlock(p, contextSlot(v), true)
	if slot != nil {
		slot[ContextDisabled/8] = 0
	}
	return slot != nil
}

// sysUpcallResume loads the registers of the context at address (aligned
// to 256 bytes, as the kernel places the contexts it saves) into the
// caller's frame and continues there, with upcalls enabled again; the x87
// and SSE state is the caller's (the entry path saved all of it for this
// call). Everything in the context is the process's to choose but the
// privileges: RIP must be a user address below layout.UserMapEnd (never in
// the last page below the canonical hole), RFLAGS may only carry user flags
// (IF is forced on), and FS and GS bases must be user addresses.
func sysUpcallResume(caller *Caller, context uintptr) int64 {
	if context&(process.BlockBytes-1) != 0 {
		return -ErrMisaligned
	}
	p := caller.Process
	h := caller.VCPU.UserBlock(p, context, false)
	if h == nil {
		return -ErrBadAddress
	}
	rip, fs, gs := h[ContextRip/8], h[ContextFsBase/8], h[ContextGsBase/8]
	if rip >= uint64(layout.UserMapEnd) || fs >= uint64(layout.UserEnd) || gs >= uint64(layout.UserEnd) {
		return -ErrBadAddress
	}
	f := caller.Frame
	loadRegisters(f, h)
	f.RIP, f.FSBase, f.GSBase = rip, fs, gs
	f.RFLAGS = h[ContextRflags/8]&userFlags | cpu.FlagInterrupt | cpu.FlagReserved
	enableUpcalls(p, caller.VCPU)
	caller.Resume = uintptr(unsafe.Pointer(f))
	return 0
}

// Epilogue is the timer's hook when the time slice of the user thread whose
// frame is f is over and another thread waits for its CPU. A vCPU with an
// epilogue upcall gets it, and a grace period of EpilogueGrace in which
// it should save its state and yield. One that is still running when the
// grace period ends is descheduled by force, the abort is counted (the
// abort protocol: the process's count is in every later upcall context),
// and it gets a start upcall when it next runs. A vCPU without an epilogue
// upcall is simply preempted. Epilogue returns the frame to resume.
func Epilogue(f *cpu.Frame, now uint64) uintptr {
	frame := uintptr(unsafe.Pointer(f))
	p := process.ByID(cpu.This().Process)
	if p == nil {
		return sched.Yield(now)
	}
	v := thisVCPU(p)
	if v.EpiloguePending {
		v.EpiloguePending = false
		p.Aborts++
		v.StartPending = true
		return sched.Yield(now)
	}
	if Deliver(p, f, UpcallEpilogue, now+EpilogueGrace, 0) {
		v.EpiloguePending = true
		sched.ExtendSlice(now, EpilogueGrace)
		return frame
	}
	return sched.Yield(now)
}

// BeforeResume is called with the frame a CPU is about to resume. When it
// belongs to a vCPU, it delivers what is pending for it, in this order: a
// start upcall when the vCPU was descheduled by force (the libOS decides
// what runs on the CPU it gets back; the saved context is the one the
// kernel took the CPU from), the process's events (revocation, interrupt
// lines, a child's end: to whichever of its vCPUs next resumes with
// upcalls enabled), then the vCPU's kick and alarm. Each upcall delivered
// disables upcalls, so at most one is; the others wait for the next trap.
// A vCPU of a process being ended ends instead. It returns the frame to
// resume.
func BeforeResume(frame uintptr) uintptr {
	c := cpu.This()
	p := process.ByID(c.Process)
	if p == nil {
		return frame
	}
	f := (*cpu.Frame)(unsafePointer(frame))
	if f.CS&3 != 3 {
		return frame
	}
	for p.Exiting {
		// Each vCPU of a process being ended ends here, and the frame
		// to resume instead goes through the same checks.
		smp.Lock()
		if !p.Exiting {
			smp.Unlock()
			break
		}
		frame = endVCPU(p, timer.Nanotime())
		smp.Unlock()
		c = cpu.This()
		if p = process.ByID(c.Process); p == nil {
			return frame
		}
		if f = (*cpu.Frame)(unsafePointer(frame)); f.CS&3 != 3 {
			return frame
		}
	}
	loadIOPorts(c, p)
	v := thisVCPU(p)
	// The flags are read without the lock, which the common path then
	// never takes: StartPending is only set by this vCPU's own epilogue
	// (on this CPU); a revocation, an interrupt, a kick or an end set by
	// another CPU an instant too late is seen at the next trap (or at
	// once, when that CPU sent this one an IPI).
	// An alarm waits while the vCPU is inside an upcall (its stack
	// pointer in the upcall stack, as after a foreign call or fault just
	// delivered): it could not be delivered, and the slow path would look
	// at the context slot at every trap for nothing.
	if !somethingPending(p, v) && (v.AlarmAt == 0 || onUpcallStack(v, f) || timer.Nanotime() < v.AlarmAt) {
		return frame // nothing to deliver, or only an alarm not due yet or not deliverable
	}
	smp.Lock()
	if v.StartPending {
		v.StartPending = false
		Deliver(p, f, UpcallStart, p.Aborts, uint64(c.VCPU))
	}
	deliverRevocation(p, f)
	if pending := atomic.SwapUint32(&p.InterruptsPending, 0); pending != 0 && !Deliver(p, f, UpcallInterrupt, uint64(pending), 0) {
		// Back for later: a new event for vCPU 0's wait (which runs
		// without smp.Lock) if it looked while they were taken here,
		// on another vCPU.
		atomic.OrUint32(&p.InterruptsPending, pending)
		if v != &p.VCPUs[0] {
			wakeWaiter(p)
		}
	}
	if p.ChildPending && (p.UpcallEntries[UpcallChild] == 0 || Deliver(p, f, UpcallChild, 0, 0)) {
		p.ChildPending = false
	}
	if wordUpcall(p) && atomic.CompareAndSwapUint32(&p.WordPending, 1, 0) && !Deliver(p, f, UpcallWord, 0, 0) {
		// Back for later, as a new event for vCPU 0's wait (see the
		// interrupt lines above).
		atomic.StoreUint32(&p.WordPending, 1)
		if v != &p.VCPUs[0] {
			wakeWaiter(p)
		}
	}
	if signalUpcall(p) {
		if taken := atomic.SwapUint64(&p.SignalsPending, 0); taken != 0 && !Deliver(p, f, UpcallSignal, taken, 0) {
			// Back for later, as the word event above.
			atomic.OrUint64(&p.SignalsPending, taken)
			if v != &p.VCPUs[0] {
				wakeWaiter(p)
			}
		}
	}
	if v.KickPending && (p.UpcallEntries[UpcallKick] == 0 || Deliver(p, f, UpcallKick, 0, 0)) {
		v.KickPending = false
	}
	deliverAlarm(p, v, f)
	smp.Unlock()
	return frame
}

// deliverAlarm is BeforeResume's part for v's alarm: when it is due, the
// alarm upcall; it stays armed while upcalls are disabled (the next trap,
// at most a tick later, tries again) and is dropped when the process has
// no alarm entry point.
//
// Preconditions: smp.Lock held.
func deliverAlarm(p *process.Process, v *process.VCPU, f *cpu.Frame) {
	if v.AlarmAt == 0 {
		return
	}
	now := timer.Nanotime()
	if now < v.AlarmAt {
		return
	}
	if p.UpcallEntries[UpcallAlarm] == 0 || Deliver(p, f, UpcallAlarm, now, v.AlarmAt) {
		v.AlarmAt = 0
	}
}

func unsafePointer(address uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&address))
}

// reportUndeliverable says why a process (whose thread's frame is f) that
// needed an upcall is ended.
func reportUndeliverable(p *process.Process, f *cpu.Frame, what string) {
	var line console.Line
	line.String("exogo: process ").Decimal(uint64(p.ID)).String(": ").String(what)
	v := thisVCPU(p)
	slot := process.UserBlock(p, contextSlot(v), true)
	switch {
	case v.UpcallStackSize == 0:
		line.String(" and no upcalls registered")
	case slot != nil && disabled(v, f, slot):
		line.String(" inside an upcall (upcalls disabled)")
	default:
		line.String(" and its upcall cannot be entered (no entry point, or an unwritable upcall stack)")
	}
	line.String("; ending it").Write()
	var where console.Line
	where.String("exogo: process ").Decimal(uint64(p.ID)).String(": on vCPU ").Decimal(uint64(cpu.This().VCPU)).
		String(" at ").Hex(f.RIP).String(", stack ").Hex(f.RSP).String(", call or vector ").Decimal(f.RAX).Write()
}

// somethingPending reports whether an upcall other than the alarm waits
// for v of p (read without the lock, as a hint: BeforeResume looks again
// under it).
func somethingPending(p *process.Process, v *process.VCPU) bool {
	return v.StartPending || v.KickPending || p.RevokeNotify || p.InterruptsPending != 0 || p.ChildPending || wordUpcall(p) || signalUpcall(p)
}

// eventWaits reports whether an event that can be delivered as an upcall
// waits for v of p (somethingPending, less the events the process has no
// entry point for, which BeforeResume would only put back: those must not
// send every call through it).
func eventWaits(p *process.Process, v *process.VCPU) bool {
	e := &p.UpcallEntries
	return v.StartPending && e[UpcallStart] != 0 || v.KickPending && e[UpcallKick] != 0 ||
		p.RevokeNotify && e[UpcallRevocation] != 0 || p.InterruptsPending != 0 && e[UpcallInterrupt] != 0 ||
		p.ChildPending && e[UpcallChild] != 0 || wordUpcall(p) || signalUpcall(p)
}
