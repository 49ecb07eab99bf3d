package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"exogo/abi/elfload"
	abi "exogo/abi/linuxabi"

	"exogo/arch/amd64"
	"exogo/kernel/exo"
	"exogo/kernel/layout"
	"exogo/kernel/paging"
	"exogo/kernel/process"
	"exogo/kernel/rawmem"
	"exogo/kernel/smp"
)

// The kernel loads exactly one program: the first, from the boot module.
// Every other program is loaded by a libOS, which maps a child's segments
// itself (docs/exokernel.md). This is hosted Go: it runs in main.

// Where the first program's stack goes: the top of the user half, below a
// guard gap (the start protocol's, which a libOS's loader follows too).
const (
	firstStackTop  = exo.StartStackTop
	firstStackSize = exo.StartStackSize
)

// withInterruptsOff runs f with interrupts disabled: the frame table and
// page tables are also changed in trap context, whose locks a hosted thread
// must not hold when a timer interrupt switches threads.
func withInterruptsOff(f func()) {
	amd64.DisableInterrupts()
	defer amd64.EnableInterrupts()
	f()
}

// loadFirstProgram creates the first process from the ELF executable in
// image, maps its loadable segments (and, for a program that does not
// bring its own libOS, the libOS's interpreter image from files) and a
// stack with frames it owns, and starts it. The first process gets every
// right. The file is checked, and the way it is loaded chosen, by the
// same code a libOS's spawn uses (abi/elfload).
func loadFirstProgram(name string, image []byte, files map[string][]byte) (*process.Process, error) {
	var plan elfload.Plan
	if problem := elfload.Parse(image, uint64(layout.UserStart), exo.StartLibosBase, &plan); problem != elfload.OK {
		return nil, fmt.Errorf("cannot run %s: %v", name, problem)
	}
	entry, interpreterBase := plan.Entry, uint64(0)
	var interpreter []byte
	var interpreterPlan elfload.Plan
	if !elfload.Native(image, &plan) {
		var ok bool
		if interpreter, ok = files[elfload.Interpreter]; !ok {
			return nil, fmt.Errorf("cannot run %s: it is not built for exogo, and the boot module has no interpreter image %s (see the Makefile's programs target)", name, elfload.Interpreter)
		}
		if problem := elfload.Parse(interpreter, exo.StartLibosBase, exo.StartInterpreterTop, &interpreterPlan); problem != elfload.OK {
			return nil, fmt.Errorf("cannot run %s: the interpreter image %s is unusable: %v", name, elfload.Interpreter, problem)
		}
		entry, interpreterBase = interpreterPlan.Entry, interpreterPlan.Low
	}

	var p *process.Process
	var status process.Status
	withInterruptsOff(func() {
		smp.Lock() // processes on other CPUs may be creating processes too
		p, status = process.Create(0, process.RightCreateProcess|process.RightConsole|process.RightDevices|process.RightPowerOff)
		smp.Unlock()
	})
	if status != process.OK {
		return nil, fmt.Errorf("cannot create the first process (status %d)", status)
	}
	started := false
	defer func() {
		if !started {
			// Whatever was made for it goes back (the frame census
			// after the message shows nothing is left).
			withInterruptsOff(func() {
				smp.Lock()
				exo.AbandonLoad(p)
				smp.Unlock()
			})
		}
	}()
	regions := map[uintptr]uint64{} // 2 MiB region -> the PT segment mapping it
	if err := mapPlan(p, regions, image, &plan, interpreter != nil); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if interpreter != nil {
		if err := mapPlan(p, regions, interpreter, &interpreterPlan, false); err != nil {
			return nil, fmt.Errorf("%s: the interpreter image: %v", name, err)
		}
	}
	screen, kind := screenSegment(p)
	// The initial stack, as Linux lays it out, with exogo's entries in the
	// auxiliary vector (a libOS reads them; a runtime-free program ignores
	// the stack).
	stack := make([]byte, firstStackSize)
	var random [16]byte
	binary.LittleEndian.PutUint64(random[:], rand.Uint64())
	binary.LittleEndian.PutUint64(random[8:], rand.Uint64())
	aux := []abi.AuxEntry{
		{Key: abi.AtPagesz, Value: paging.PageSize},
		{Key: abi.AtRandom},
		{Key: abi.AtEntry, Value: plan.Entry},
		{Key: abi.AtPhdr, Value: plan.Phdr},
		{Key: abi.AtPhent, Value: 56},
		{Key: abi.AtPhnum, Value: uint64(plan.Phnum)},
		{Key: abi.AtBase, Value: interpreterBase},
		{Key: exo.StartAuxPid, Value: uint64(p.ID)},
		{Key: exo.StartAuxScreenSegment, Value: screen},
		{Key: exo.StartAuxScreenKind, Value: kind},
	}
	if symbols, ok := elfload.Sections(image, &plan); ok {
		aux = append(aux, abi.AuxEntry{Key: exo.StartAuxPclntab, Value: symbols.Pclntab},
			abi.AuxEntry{Key: exo.StartAuxPclntabSize, Value: symbols.PclntabSize},
			abi.AuxEntry{Key: exo.StartAuxText, Value: symbols.Text})
	}
	sp := abi.InitialStack(stack, firstStackTop, "/bin/"+name, []string{name}, nil, aux, random)
	if sp == 0 {
		return nil, fmt.Errorf("%s: the initial stack does not fit in %d KiB", name, firstStackSize>>10)
	}
	if err := mapUser(p, regions, firstStackTop-firstStackSize, firstStackSize, stack, exo.PermissionsWrite); err != nil {
		return nil, fmt.Errorf("%s: stack: %v", name, err)
	}
	// Said before it runs, so that the line comes before its output.
	how := ""
	if interpreter != nil {
		how = " with the libOS's interpreter image"
	}
	fmt.Printf("exogo: starting %s as process %d%s\n", name, p.ID, how)
	if err := startProcess(p, uintptr(entry), sp, screen, kind); err != nil {
		return nil, err
	}
	started = true
	return p, nil
}

// mapPlan maps the segments of plan (elfload.Parse's, for file) into p.
// With lazy (a program started beside the interpreter image) it maps only
// the 2 MiB regions that hold file bytes (elfload.FileBacked): the
// interpreter commits the rest, zero-fill only, on demand.
func mapPlan(p *process.Process, regions map[uintptr]uint64, file []byte, plan *elfload.Plan, lazy bool) error {
	segments := plan.Segments[:plan.Count]
	for _, segment := range segments {
		permissions := exo.Permissions(0)
		if segment.Write {
			permissions |= exo.PermissionsWrite
		}
		if segment.Execute {
			permissions |= exo.PermissionsExecute
		}
		data := file[segment.Offset : segment.Offset+segment.Filesz]
		start, end := segment.Vaddr, segment.Vaddr+segment.Memsz
		for region := start &^ (paging.HugePageSize - 1); region < end; region += paging.HugePageSize {
			if lazy && !elfload.FileBacked(segments, region) {
				continue
			}
			from, to := max(start, region), min(end, region+paging.HugePageSize)
			var part []byte
			if offset := from - start; offset < uint64(len(data)) {
				part = data[offset:min(uint64(len(data)), to-start)]
			}
			if err := mapUser(p, regions, uintptr(from), uintptr(to-from), part, permissions); err != nil {
				return err
			}
		}
	}
	return nil
}

// screenSegment gives the first process the screen as a device segment
// (XOmB's /dev/console): a metadata page, then the screen's memory. The
// process starts with the segment's id in RDI and its kind in RSI (0 when
// there is no screen to give). The kernel keeps writing its own log there
// too.
func screenSegment(p *process.Process) (id, kind uint64) {
	var describe [exo.ScreenSize]byte
	put := func(offset int, v uint64) {
		for i := 0; i < 8; i++ {
			describe[offset+i] = byte(v >> (8 * i))
		}
	}
	var physical, length uint64
	switch bootScreen {
	case screenVGA:
		kind, physical, length = exo.ScreenKindVgaText, 0xb8000, 80*25*2
		put(exo.ScreenWidth, 80)
		put(exo.ScreenHeight, 25)
		put(exo.ScreenPitch, 160)
		put(exo.ScreenBitsPerPixel, 16)
	case screenFramebuffer:
		fb := bootInfo.Framebuffer
		kind, physical, length = exo.ScreenKindFramebuffer, fb.Address, uint64(fb.Pitch)*uint64(fb.Height)
		put(exo.ScreenWidth, uint64(fb.Width))
		put(exo.ScreenHeight, uint64(fb.Height))
		put(exo.ScreenPitch, uint64(fb.Pitch))
		put(exo.ScreenBitsPerPixel, uint64(fb.BitsPerPixel))
		copy(describe[exo.ScreenColourLayout:], []byte{fb.RedPosition, fb.RedSize, fb.GreenPosition, fb.GreenSize, fb.BluePosition, fb.BlueSize})
	default:
		return 0, 0
	}
	put(exo.ScreenKind, kind)
	put(exo.ScreenMemoryOffset, 4096)
	put(exo.ScreenMemoryLength, length)
	withInterruptsOff(func() {
		smp.Lock()
		id = exo.CreateScreenSegment(p, physical&^0xfff, length+physical&0xfff, &describe)
		smp.Unlock()
	})
	if id == 0 {
		fmt.Println("exogo: the screen could not be given to the first process as a segment")
		return 0, 0
	}
	return id, kind
}

// mapUser maps [start, start+size) in p's space with fresh frames charged
// to p, filled from data (the rest zero), through PT segments p owns
// (exo.LoaderSegment), one for each 2 MiB region, kept in regions.
func mapUser(p *process.Process, regions map[uintptr]uint64, start, size uintptr, data []byte, permissions exo.Permissions) error {
	first := start &^ (paging.PageSize - 1)
	for page := first; page < start+size; page += paging.PageSize {
		region := page &^ (paging.HugePageSize - 1)
		var result int64
		withInterruptsOff(func() {
			smp.Lock()
			defer smp.Unlock()
			if regions[region] == 0 {
				id := exo.LoaderSegment(p, region)
				if id < 0 {
					result = id
					return
				}
				regions[region] = uint64(id)
			}
			result = exo.LoaderPage(p, regions[region], uint32((page-region)/paging.PageSize), permissions)
		})
		var frame uint64
		switch {
		case result == -exo.ErrBusy:
			// Two ELF segments share this page: keep the first frame.
			physical, _, status := p.Space.Lookup(page)
			if status != paging.OK {
				return fmt.Errorf("page %#x: shared with another ELF segment, but not mapped (%v)", page, status)
			}
			frame = physical
		case result == -exo.ErrLimit:
			return fmt.Errorf("mapping %#x: not enough memory: a process may hold %d MiB (%s)", page, process.DefaultFrameLimit>>8, exo.ErrorName(result))
		case result == -exo.ErrNoMemory:
			return fmt.Errorf("mapping %#x: not enough memory: the machine has no free frame left (%s)", page, exo.ErrorName(result))
		case result < 0:
			return fmt.Errorf("mapping %#x: %s", page, exo.ErrorName(result))
		default:
			frame = uint64(result)
		}
		// Copy the part of data that lands in this page.
		pageBytes := rawmem.Bytes(layout.Physical(frame), paging.PageSize)
		for i := uintptr(0); i < paging.PageSize; i++ {
			va := page + i
			if va >= start && va-start < uintptr(len(data)) {
				pageBytes[i] = data[va-start]
			}
		}
	}
	return nil
}

// startProcess gives p a thread that enters user mode at entry with the
// stack pointer at stack.
func startProcess(p *process.Process, entry, stack uintptr, arg0, arg1 uint64) error {
	ok := false
	withInterruptsOff(func() {
		smp.Lock()
		ok = exo.StartProcess(p, entry, stack, arg0, arg1)
		smp.Unlock()
	})
	if !ok {
		return fmt.Errorf("no kernel stack or thread slot for process %d", p.ID)
	}
	return nil
}
