package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// A fuzzer (roles 2...) makes random exokernel calls. It keeps a model of
// what it holds (frames, segments, slots, links) so that most calls name
// real objects, and it checks what the kernel answers against what the
// frame table said before the call.

// Where a fuzzer links segments: PT segments in a 128 MiB arena, PD
// segments in 8 GiB, PDPT segments in 2 TiB. Nothing it needs to live
// (its image, stack and mailbox) is in them, and it never unlinks those.
// The file system's links go past them (fsfuzz.go).
const (
	arenaPT    = 0x3000_0000
	arenaPD    = 0x80_0000_0000
	arenaPDPT  = 0x100_0000_0000
	frameQuota = 192 // frames a fuzzer holds at most (revocation stays out of the picture)
	maxSegs    = 48
	ringSize   = 32
	pageWord   = 0x0f0f_0000_0000_0000 // a fuzzer's own mark in its pages
)

type segmentModel struct {
	id       uint64
	level    uint64
	linkedAt uintptr
	linkedRW bool      // linked writable
	mapped   [8]uint64 // PT segments: slots mapped, one bit each
	writable [8]uint64 // and mapped writable
}

// setSlot records slot of m as mapped with permissions (or not mapped).
func (m *segmentModel) setSlot(slot uint64, mapped bool, permissions uint64) {
	if slot >= 512 {
		return
	}
	bit := uint64(1) << (slot % 64)
	m.mapped[slot/64%8] &^= bit
	m.writable[slot/64%8] &^= bit
	if mapped {
		m.mapped[slot/64%8] |= bit
		if permissions&uint64(exo.PermissionsWrite) != 0 {
			m.writable[slot/64%8] |= bit
		}
	}
}

type record struct {
	number uint64
	args   [4]uint64
	result int64
}

var (
	rng      uint64
	me       uint64
	index    int
	frames   [frameQuota]uint64
	nframes  int
	segs     [maxSegs]segmentModel
	nsegs    int
	ring     [ringSize]record
	calls    uint64
	okCalls  uint64
	failures uint64
	// allocMapped counts frame_alloc_map's frames, kept under a quota too.
	allocMapped int
)

// own returns the model of segment id, or nil.
func own(id uint64) *segmentModel {
	for i := 0; i < nsegs && i < maxSegs; i++ {
		if segs[i].id == id {
			return &segs[i]
		}
	}
	return nil
}

// fail reports a failure with the last calls.
func fail(reason string, detail uint64) {
	failures++
	*fuzzerBox(index, 1) = failures
	var l line
	l.text("exo-fuzz: FAIL: fuzzer ").decimal(uint64(index)).text(": ").text(reason).text(" ").hex(detail).say()
	l = line{}
	l.text("exo-fuzz: fuzzer ").decimal(uint64(index)).text(": its last calls, oldest first (seed ").decimal(*mailbox(boxSeed)).text("):").say()
	for i := uint64(0); i < ringSize; i++ {
		if calls < ringSize-i {
			continue
		}
		r := ring[(calls+i)%ringSize]
		l = line{}
		l.text("exo-fuzz:   ").text(exo.CallName(r.number)).text("(")
		for a := 0; a < exo.ArgCount(r.number) && a < 4; a++ {
			if a > 0 {
				l.text(", ")
			}
			l.hex(r.args[uint(a)%4])
		}
		l.text(") = ")
		if r.result < 0 {
			l.text(exo.ErrorName(r.result))
		} else {
			l.hex(uint64(r.result))
		}
		l.say()
	}
}

// call makes one exokernel call and records it.
func call(number uint64, a0, a1, a2, a3 uint64) int64 {
	result := rawCall(number, a0, a1, a2, a3, random(), random())
	ring[calls%ringSize] = record{number: number, args: [4]uint64{a0, a1, a2, a3}, result: result}
	calls++
	if result >= 0 {
		okCalls++
	}
	return result
}

// mustFail makes a call the kernel must refuse (the fuzzer holds no right
// that would allow it).
func mustFail(number uint64, a0, a1, a2, a3 uint64, why string) {
	if call(number, a0, a1, a2, a3) >= 0 {
		fail(why, a0)
	}
}

// isMyData reports whether the frame table says frame is this fuzzer's
// own process data (what frame_free and segment_map_frame may accept).
func isMyData(frame uint64) bool {
	if frame%4096 != 0 || frame >= tableFrames*4096 {
		return false
	}
	e := frameEntry(frame)
	use := bare.EntryUse(e)
	return bare.EntryOwner(e) == me && (use == useProcess || use == exo.FrameUseKept) && e&(1<<40) == 0
}

func fuzz(i int) uint64 {
	index = i
	seed := *mailbox(boxSeed)
	rng = mix(seed+uint64(i)*0x9e37_79b9_7f4a_7c15) | 1
	me = bare.MyID()
	total := *mailbox(boxCalls)
	fsSetup()
	for calls < total && *mailbox(boxStop) == 0 {
		step()
		if calls%32 == 0 {
			scan()
			*fuzzerBox(index, 0) = calls
			*fuzzerBox(index, 3) = okCalls
			if chance(25) {
				exo.Yield()
			}
		}
	}
	scan()
	*fuzzerBox(index, 0) = calls
	*fuzzerBox(index, 3) = okCalls
	*fuzzerBox(index, 2) = 1
	return failures
}

// step makes one random call.
func step() {
	switch below(38) {
	case 0, 1, 2: // frame_alloc
		if nframes < frameQuota {
			if f := call(exo.CallFrameAlloc, 0, 0, 0, 0); f >= 0 {
				frames[uint(nframes)%frameQuota] = uint64(f)
				nframes++
			}
		}
	case 3, 4: // frame_free
		frame := pickFrame()
		mine := isMyData(frame)
		if call(exo.CallFrameFree, frame, 0, 0, 0) == 0 {
			if !mine {
				fail("frame_free freed a frame that was not my data:", frame)
			}
			forgetFrame(frame)
		}
	case 5, 6: // segment_create
		level := pickLevel()
		if id := call(exo.CallSegmentCreate, level, 0, 0, 0); id >= 0 {
			if nsegs < maxSegs {
				segs[uint(nsegs)%maxSegs] = segmentModel{id: uint64(id), level: level}
				nsegs++
			} else {
				call(exo.CallSegmentDestroy, uint64(id), 0, 0, 0)
			}
		}
	case 7: // segment_destroy
		id := pickSegment()
		m := own(id)
		linked := m != nil && m.linkedAt != 0
		if call(exo.CallSegmentDestroy, id, 0, 0, 0) == 0 && m != nil {
			if linked {
				fail("segment_destroy destroyed a segment I still link:", id)
			}
			*m = segs[uint(nsegs-1)%maxSegs]
			nsegs--
		}
	case 8, 9, 10: // segment_map_frame
		id, slot, frame, permissions := pickSegment(), pickSlot(), pickFrame(), pickPermissions()
		mine := isMyData(frame)
		if call(exo.CallSegmentMapFrame, id, slot, frame, permissions) == 0 {
			if !mine {
				fail("segment_map_frame mapped a frame that was not my data:", frame)
			}
			if m := own(id); m != nil {
				m.setSlot(slot, true, permissions)
			}
		}
	case 11, 12: // frame_alloc_map
		id, slot, permissions := pickSegment(), pickSlot(), pickPermissions()
		if allocMapped < frameQuota && call(exo.CallFrameAllocMap, id, slot, permissions, 0) >= 0 {
			allocMapped++
			if m := own(id); m != nil {
				m.setSlot(slot, true, permissions)
			}
		}
	case 13: // segment_unmap
		id, slot := pickSegment(), pickSlot()
		if call(exo.CallSegmentUnmap, id, slot, 0, 0) == 0 {
			if m := own(id); m != nil {
				m.setSlot(slot, false, 0)
			}
		}
	case 14: // segment_map_segment
		call(exo.CallSegmentMapSegment, pickSegment(), pickSlot(), pickSegment(), pickPermissions())
	case 15, 16, 17: // segment_link
		id := pickSegment()
		m := own(id)
		level := pickLevel()
		if m != nil && chance(80) {
			level = m.level
		}
		address, permissions := pickAddress(level), pickPermissions()
		if call(exo.CallSegmentLink, id, address, permissions, 0) == 0 && m != nil && m.linkedAt == 0 {
			m.linkedAt = uintptr(address)
			m.linkedRW = permissions&uint64(exo.PermissionsWrite) != 0
		}
	case 18, 19: // segment_unlink (never of what this program needs to run)
		level := pickLevel()
		address := pickAddress(level)
		if chance(60) && nsegs > 0 {
			m := &segs[below(uint64(nsegs))%maxSegs]
			if m.linkedAt != 0 {
				address, level = uint64(m.linkedAt), m.level
			}
		}
		if call(exo.CallSegmentUnlink, address, level, 0, 0) == 0 {
			for k := 0; k < nsegs && k < maxSegs; k++ {
				if segs[k].linkedAt == uintptr(address) {
					segs[k].linkedAt = 0
				}
			}
		}
	case 20: // segment_grant
		call(exo.CallSegmentGrant, pickSegment(), pickProcess(), below(16), 0)
	case 21: // segment_withdraw
		call(exo.CallSegmentWithdraw, pickSegment(), pickProcess(), 0, 0)
	case 22: // processes: a fuzzer may create them (the right passes to
		// children), but ends each child at once, so it never has one
		switch below(4) {
		case 0:
			// Any rights: those it lacks (power off, devices) are not
			// passed on; a bit that is no right is refused.
			rights := below(32)
			child := call(exo.CallProcessCreate, rights, 0, 0, 0)
			switch {
			case rights >= 16 && child != -exo.ErrBadArgument:
				fail("process_create with a bit that is no right did not fail with EXO_BAD_ARGUMENT:", uint64(child))
			case child > 0:
				if r := call(exo.CallProcessDestroy, uint64(child), 0, 0, 0); r != 0 {
					fail("process_destroy of the child just created failed:", uint64(r))
				}
			case rights < 16 && child != -exo.ErrLimit && child != -exo.ErrNoMemory:
				fail("process_create failed with an unexpected error:", uint64(child))
			}
		case 1:
			mustFail(exo.CallProcessLinkSegment, pickProcess(), pickSegment(), pickAddress(1), 0, "process_link_segment into a process not my child succeeded:")
		case 2:
			mustFail(exo.CallProcessStart, pickProcess(), pickAddress(1), pickAddress(1), 0, "process_start of a process not my child succeeded:")
		case 3:
			mustFail(exo.CallProcessDestroy, pickProcess(), 0, 0, 0, "process_destroy of a process not my child succeeded:")
		}
	case 23: // devices: a fuzzer holds no right to them
		switch below(3) {
		case 0:
			mustFail(exo.CallIoportBind, [...]uint64{0xcf8, 0xcf9, 0x64, 0x3f8, 0x60, 0x20, below(0x10000)}[below(7)%7], 1+below(8), 0, 0, "ioport_bind without the device right succeeded:")
		case 1:
			mustFail(exo.CallIrqBind, below(20), 0, 0, 0, "irq_bind without the device right succeeded:")
		case 2:
			mustFail(exo.CallDeviceGrant, [...]uint64{below(16), 0x10000 + below(0x10000)}[below(2)%2], pickProcess(), 0, 0, "device_grant of a device I do not hold succeeded:")
		}
	case 24: // calls that would hand the kernel's memory to the caller
		switch below(4) {
		case 0:
			mustFail(exo.CallTlsSet, hostileKernelAddress(), 0, 0, 0, "tls_set to a kernel or non-canonical address succeeded:")
		case 1:
			mustFail(exo.CallUpcallResume, hostileKernelAddress(), 0, 0, 0, "upcall_resume of a context in kernel memory succeeded:")
		case 2:
			mustFail(exo.CallUpcallRegister, hostileKernelAddress(), arenaPT, 8192, 0, "upcall_register with a table in kernel memory succeeded:")
		case 3:
			mustFail(exo.CallDebugWrite, hostileKernelAddress(), 1+below(64), 0, 0, "debug_write from kernel memory succeeded:")
		}
	case 25: // unknown exokernel call numbers (in the exokernel's range:
		// below it, a number is a Linux call for the foreign upcall, which a
		// fuzzer has not registered, and would end it)
		number := exo.CallBase + below(0x1000)
		if exo.CallName(number) == "" {
			mustFail(number, random(), random(), random(), random(), "an unknown call number succeeded:")
		}
	case 26:
		call(exo.CallRevokeReply, below(4096), 0, 0, 0)
	case 27:
		call(exo.CallYield, 0, 0, 0, 0)
	case 28:
		call(exo.CallNull, 0, 0, 0, 0)
	case 29:
		call(exo.CallTimeNow, 0, 0, 0, 0)
	case 30: // an alarm at any time (a fuzzer registers no alarm entry: dropped when due)
		call(exo.CallAlarmSet, random(), 0, 0, 0)
	case 31: // a short wait, or one whose deadline has passed
		call(exo.CallWait, uint64(exo.TimeNow())+below(200_000), 0, 0, 0)
	case 32: // segment_protect
		id, slot, permissions := pickSegment(), pickSlot(), pickPermissions()
		if call(exo.CallSegmentProtect, id, slot, permissions, 0) == 0 {
			if m := own(id); m != nil {
				m.setSlot(slot, true, permissions)
			}
		}
	case 33: // children: a fuzzer has none to reap or give to; nor the power right
		if below(8) == 0 {
			mustFail(exo.CallPoweroff, random(), 0, 0, 0, "poweroff without the power right succeeded:")
		} else if below(2) == 0 {
			mustFail(exo.CallProcessReap, [...]uint64{0, pickProcess()}[below(2)%2], 0, 0, 0, "process_reap without a child succeeded:")
		} else {
			mustFail(exo.CallSegmentGive, pickSegment(), pickProcess(), 0, 0, "segment_give to a process not my child succeeded:")
		}
	case 34: // vCPUs: a fuzzer registers no start entry point, so it gets no
		// second vCPU; waking or kicking its only one (0) is harmless (the
		// kick is dropped: no kick entry point), any other index fails
		number := [...]uint64{exo.CallVcpuWake, exo.CallVcpuKick}[below(2)%2]
		switch index := below(10); {
		case below(3) == 0:
			mustFail(exo.CallVcpuStart, pickAddress(1), below(1<<20), 0, 0, "vcpu_start without a start entry point succeeded:")
		case index == 0:
			call(number, 0, 0, 0, 0)
		default:
			mustFail(number, index, 0, 0, 0, "vcpu_wake or vcpu_kick of a vCPU I do not have succeeded:")
		}
	case 35: // words: watch and notify anywhere, aligned or not (a fuzzer
		// registers no word entry point: a notify of its own watch only
		// ends its waits)
		address := pickAddress(1) + below(4096)&^[...]uint64{3, 0}[below(8)/7%2]
		if below(2) == 0 {
			call(exo.CallWordWatch, address, below(2), 0, 0)
		} else {
			call(exo.CallWordNotify, address, random()%3, 0, 0)
		}
		if below(16) == 0 {
			mustFail([...]uint64{exo.CallWordWatch, exo.CallWordNotify}[below(2)%2], hostileKernelAddress(), 1, 0, 0, "a word call on a kernel address succeeded:")
		}
	case 36:
		releaseSlots()
	case 37:
		fsStep()
	}
}

// releaseSlots is step's segment_release: a range of slots, often of a
// segment it owns, sometimes past the end, keeping none, a few or any
// number of the frames. It may free at most the frames its model says are
// mapped there (one per slot); the frames it freed leave the model (those
// it kept are still my data).
func releaseSlots() {
	id, first := pickSegment(), pickSlot()
	count := below(600)
	m := own(id)
	mapped := uint64(0)
	if m != nil && first < 512 {
		for slot := first; slot < first+count && slot < 512; slot++ {
			if m.mapped[slot/64%8]&(1<<(slot%64)) != 0 {
				mapped++
			}
		}
	}
	freed := call(exo.CallSegmentRelease, id, first, count, [...]uint64{0, below(8), random()}[below(3)%3])
	if freed < 0 {
		return
	}
	if m == nil {
		fail("segment_release released slots of a segment I do not own:", id)
		return
	}
	if uint64(freed) > mapped {
		fail("segment_release freed more frames than I mapped there:", uint64(freed))
	}
	for slot := first; slot < first+count && slot < 512; slot++ {
		m.setSlot(slot, false, 0)
	}
	for k := nframes - 1; k >= 0; k-- {
		if frame := frames[uint(k)%frameQuota]; !isMyData(frame) {
			forgetFrame(frame)
		}
	}
}

// hostileKernelAddress is an address in the kernel half or non-canonical.
func hostileKernelAddress() uint64 {
	return [...]uint64{0xffff_ffff_8010_0000, 0xffff_8000_0000_0000, 0x0000_8000_0000_0000, 0x0000_9000_0000_0000, ^uint64(0) &^ 0xff}[below(5)%5]
}

// forgetFrame drops frame from the model of frames held.
func forgetFrame(frame uint64) {
	for k := 0; k < nframes && k < frameQuota; k++ {
		if frames[k] == frame {
			frames[uint(k)%frameQuota] = frames[uint(nframes-1)%frameQuota]
			nframes--
			return
		}
	}
}

// scan reads the first words of every page of the PT segments this fuzzer
// owns and links, where it mapped a page: a canary word there means it
// reached the canary's memory. It marks each page with its own word
// (which the canary would see, should the page be the canary's too).
func scan() {
	for k := 0; k < nsegs && k < maxSegs; k++ {
		m := &segs[k]
		if m.level != 1 || m.linkedAt < arenaPT || m.linkedAt >= arenaPT+64<<21 {
			continue
		}
		for slot := uint64(0); slot < 512; slot++ {
			if m.mapped[slot/64%8]&(1<<(slot%64)) == 0 {
				continue
			}
			page := m.linkedAt + uintptr(slot)*pageSize
			for w := uintptr(0); w < 16; w++ {
				if v := *bare.Word(page + w*8); v>>32 == canaryMarker {
					fail("read a canary word in my own memory at", uint64(page+w*8))
					*mailbox(boxStop) = 1
					return
				}
			}
			if m.linkedRW && m.writable[slot/64%8]&(1<<(slot%64)) != 0 {
				*bare.Word(page + 16*8) = pageWord | uint64(index)
			}
		}
	}
}
