package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math/rand/v2"

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
	// maxProgramBytes bounds what an ELF may ask to be mapped.
	maxProgramBytes = 256 << 20
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
// image, maps its loadable segments and a stack with frames it owns, and
// starts it. The first process gets every right.
func loadFirstProgram(name string, image []byte, archive bootArchive) (*process.Process, error) {
	file, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return nil, fmt.Errorf("%s is not an ELF file: %v", name, err)
	}
	if file.Class != elf.ELFCLASS64 || file.Machine != elf.EM_X86_64 || file.Type != elf.ET_EXEC {
		return nil, fmt.Errorf("%s is not an x86-64 executable (class %v, machine %v, type %v)", name, file.Class, file.Machine, file.Type)
	}
	total := uint64(0)
	for _, p := range file.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if p.Vaddr < uint64(layout.UserStart) || p.Vaddr+p.Memsz > uint64(layout.UserEnd) || p.Vaddr+p.Memsz < p.Vaddr || p.Filesz > p.Memsz {
			return nil, fmt.Errorf("%s: segment at %#x (%d bytes) is outside user space [%#x, %#x)", name, p.Vaddr, p.Memsz, layout.UserStart, layout.UserEnd)
		}
		total += p.Memsz
	}
	if total > maxProgramBytes {
		return nil, fmt.Errorf("%s wants %d MiB mapped; the limit is %d MiB", name, total>>20, maxProgramBytes>>20)
	}

	var p *process.Process
	var status process.Status
	withInterruptsOff(func() {
		smp.Lock() // processes on other CPUs may be creating processes too
		p, status = process.Create(0, process.RightCreateProcess|process.RightConsole|process.RightDevices)
		smp.Unlock()
	})
	if status != process.OK {
		return nil, fmt.Errorf("cannot create the first process (status %d)", status)
	}
	regions := map[uintptr]uint64{} // 2 MiB region -> the PT segment mapping it
	for _, segment := range file.Progs {
		if segment.Type != elf.PT_LOAD {
			continue
		}
		data := make([]byte, segment.Filesz)
		if _, err := segment.ReadAt(data, 0); err != nil {
			return nil, fmt.Errorf("%s: reading segment at %#x: %v", name, segment.Vaddr, err)
		}
		permissions := exo.Permissions(0)
		if segment.Flags&elf.PF_W != 0 {
			permissions |= exo.PermissionsWrite
		}
		if segment.Flags&elf.PF_X != 0 {
			permissions |= exo.PermissionsExecute
		}
		if err := mapUser(p, regions, uintptr(segment.Vaddr), uintptr(segment.Memsz), data, permissions); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}
	screen, kind := screenSegment(p)
	module := bootModuleSegment(p, archive)
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
		{Key: abi.AtEntry, Value: file.Entry},
		{Key: exo.StartAuxPid, Value: uint64(p.ID)},
		{Key: exo.StartAuxScreenSegment, Value: screen},
		{Key: exo.StartAuxScreenKind, Value: kind},
		{Key: exo.StartAuxBootModuleSegment, Value: module},
	}
	if pclntab, text := file.Section(".gopclntab"), file.Section(".text"); pclntab != nil && text != nil {
		aux = append(aux, abi.AuxEntry{Key: exo.StartAuxPclntab, Value: pclntab.Addr},
			abi.AuxEntry{Key: exo.StartAuxPclntabSize, Value: pclntab.Size},
			abi.AuxEntry{Key: exo.StartAuxText, Value: text.Addr})
	}
	sp := abi.InitialStack(stack, firstStackTop, []string{name}, nil, aux, random)
	if sp == 0 {
		return nil, fmt.Errorf("%s: the initial stack does not fit in %d KiB", name, firstStackSize>>10)
	}
	if err := mapUser(p, regions, firstStackTop-firstStackSize, firstStackSize, stack, exo.PermissionsWrite); err != nil {
		return nil, fmt.Errorf("%s: stack: %v", name, err)
	}
	// Said before it runs, so that the line comes before its output.
	fmt.Printf("exogo: starting %s as process %d\n", name, p.ID)
	if err := startProcess(p, uintptr(file.Entry), sp, screen, kind); err != nil {
		return nil, err
	}
	return p, nil
}

// bootModuleSegment gives the first process the boot module (the cpio
// archive it was loaded from) as a read-only segment, linked at
// exo.StartBootModule. It returns the segment's id, or 0.
func bootModuleSegment(p *process.Process, archive bootArchive) (id uint64) {
	if archive.length == 0 {
		return 0
	}
	withInterruptsOff(func() {
		smp.Lock()
		defer smp.Unlock()
		id = exo.CreateBootModuleSegment(p, archive.physical, archive.length)
		if id != 0 && !exo.LinkInto(p, id, exo.StartBootModule, 0) {
			id = 0
		}
	})
	if id == 0 {
		fmt.Println("exogo: the boot module could not be given to the first process as a segment")
	}
	return id
}

// bootArchive is where the boot module holding the first program lies in
// physical memory.
type bootArchive struct {
	physical, length uint64
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
