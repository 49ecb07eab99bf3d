package main

import (
	"exogo/arch/amd64"
	"exogo/boot/multiboot2"
	"exogo/kernel/console"
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
	"exogo/kernel/rawmem"
)

// Program-header fields of the kernel's own ELF image, which is loaded
// (headers included) at loadBase.
const (
	elfProgramHeaderOffset = 0x20 // e_phoff
	elfProgramHeaderSize   = 0x36 // e_phentsize (u16)
	elfProgramHeaderCount  = 0x38 // e_phnum (u16)
	elfLoadable            = 1    // PT_LOAD
	elfExecutable          = 1    // PF_X
	elfWritable            = 2    // PF_W
)

const lowMemoryEnd = 1 << 20

// directMapEnd is the end of the physical memory the direct map covers.
var directMapEnd uint64

// setUpMemory builds the frame table from the memory map and switches to the
// kernel's own page tables. Until the switch, physical memory below 4 GiB is
// identity-mapped by the boot page tables, so the frame table and new page
// tables are first edited at their physical addresses and rebased onto the
// direct map afterwards.
func setUpMemory(infoPhysical, infoSize uintptr) {
	if !bootInfo.HasMemoryMap {
		console.WriteString("exogo: the boot loader gave no memory map; halted\n")
		amd64.HaltForever()
	}
	usable = multiboot2.SanitizeMemoryMap(bootInfo.MemoryMapEntries(), regions[:])
	count := usable.Count
	// Keep out what is in use: low memory (BIOS data, the future
	// application-processor trampoline), the kernel image, the boot
	// information and the modules.
	count, _ = multiboot2.ExcludeRange(regions[:], count, 0, lowMemoryEnd)
	count, _ = multiboot2.ExcludeRange(regions[:], count, imagePhysical(loadBase), imagePhysical(imageEnd))
	count, _ = multiboot2.ExcludeRange(regions[:], count, uint64(infoPhysical), uint64(infoPhysical+infoSize))
	for i := 0; i < bootInfo.ModuleCount && i < len(bootInfo.Modules); i++ {
		m := bootInfo.Modules[i]
		count, _ = multiboot2.ExcludeRange(regions[:], count, uint64(m.Start), uint64(m.End))
	}

	// The frame table covers every frame up to the top of RAM. It goes in
	// the first region below 4 GiB large enough to hold it.
	frames := usable.TopOfRAM / physmem.FrameSize
	tableBytes := (physmem.TableBytes(frames) + physmem.FrameSize - 1) &^ (physmem.FrameSize - 1)
	tableAt := uint64(0)
	for i := 0; i < count && i < len(regions); i++ {
		// Regions can start mid-page where boot data was cut out of them;
		// the table starts on a page (it is mapped page by page into
		// every process, kernel/memory/frametable.go).
		r := regions[i]
		start := (r.Start + physmem.FrameSize - 1) &^ (physmem.FrameSize - 1)
		if r.End <= 4<<30 && start < r.End && r.End-start >= tableBytes {
			tableAt = start
			break
		}
	}
	if tableAt == 0 || frames == 0 {
		console.WriteString("exogo: not enough memory below 4 GiB for the frame table; halted\n")
		amd64.HaltForever()
	}
	count, _ = multiboot2.ExcludeRange(regions[:], count, tableAt, tableAt+tableBytes)

	memory.Frames.Init(uintptr(tableAt), frames, 0)
	memory.Frames.SetReserve(memory.ReserveFrames)
	for i := 0; i < count && i < len(regions); i++ {
		memory.Frames.SetRange(regions[i].Start, regions[i].End, physmem.UseFree)
	}
	// The modules first: a frame one shares with the kernel's image, the
	// boot information or the frame table stays the kernel's, so that
	// freeing the modules later (releaseModules) never frees it.
	for i := 0; i < bootInfo.ModuleCount && i < len(bootInfo.Modules); i++ {
		m := bootInfo.Modules[i]
		memory.Frames.SetRange(uint64(m.Start), uint64(m.End), physmem.UseBootModule)
	}
	memory.Frames.SetRange(imagePhysical(loadBase), imagePhysical(imageEnd), physmem.UseKernel)
	memory.Frames.SetRange(uint64(infoPhysical), uint64(infoPhysical+infoSize), physmem.UseKernel)
	memory.Frames.SetRange(tableAt, tableAt+tableBytes, physmem.UseKernel)

	space, ok := paging.NewSpace(&memory.Frames, 0)
	if !ok {
		console.WriteString("exogo: no memory for the kernel's page tables; halted\n")
		amd64.HaltForever()
	}
	memory.Kernel = space
	mapDirect()
	mapImage()
	if status := memory.Kernel.PopulateKernelHalf(&memory.Frames); status != paging.OK {
		mapFailed("the kernel half's page tables", layout.DirectMap, status)
	}
	if !memory.BuildFrameTableView(tableAt, tableBytes) {
		console.WriteString("exogo: the frame table is not visible to processes (over 1 GiB, or no memory)\n")
	}
	if !memory.BuildKernelInfoView() {
		console.WriteString("exogo: no memory for the kernel information page; processes read no time page\n")
	}

	// Switch. From here on physical memory is reached through the direct
	// map only.
	memory.Kernel.DirectMap = layout.DirectMap
	memory.Frames.Rebase(layout.DirectMap+uintptr(tableAt), layout.DirectMap)
	amd64.WriteCR3(memory.Kernel.Root)
}

// mapDirect maps all physical memory up to the top of RAM (at least 4 GiB,
// so device memory below 4 GiB such as the local APIC is covered, and up to
// the framebuffer) at layout.DirectMap with 2 MiB pages.
func mapDirect() {
	end := usable.TopOfRAM
	if end < 4<<30 {
		end = 4 << 30
	}
	if fb := bootInfo.Framebuffer; bootInfo.HasFramebuffer {
		if fbEnd := fb.Address + uint64(fb.Pitch)*uint64(fb.Height); fbEnd > end {
			end = fbEnd
		}
	}
	end = (end + paging.HugePageSize - 1) &^ (paging.HugePageSize - 1)
	directMapEnd = end
	for p := uint64(0); p < end && uintptr(p) < layout.DirectMapSize; p += paging.HugePageSize {
		if status := memory.Kernel.MapHuge(&memory.Frames, layout.DirectMap+uintptr(p), p, memory.KernelData); status != paging.OK {
			mapFailed("the direct map", uintptr(p), status)
		}
	}
}

// mapImage maps the kernel image at its virtual addresses, segment by
// segment with the permissions of its ELF program headers: text
// read+execute, read-only data read-only and no-execute, data and bss
// writable and no-execute. The lower half stays empty: it belongs to user
// processes, and a nil dereference in the kernel faults.
func mapImage() {
	phoff := uintptr(*rawmem.Uint64(loadBase + elfProgramHeaderOffset))
	entrySize := uintptr(*(*uint16)(rawmem.Pointer(loadBase + elfProgramHeaderSize)))
	count := uintptr(*(*uint16)(rawmem.Pointer(loadBase + elfProgramHeaderCount)))
	if phoff == 0 || phoff+entrySize*count > paging.PageSize || entrySize < 56 {
		console.WriteString("exogo: the kernel's ELF program headers are not in its first page; halted\n")
		amd64.HaltForever()
	}
	for i := uintptr(0); i < count; i++ {
		header := loadBase + phoff + i*entrySize
		if *rawmem.Uint32(header) != elfLoadable {
			continue
		}
		flags := *rawmem.Uint32(header + 4)
		address := uintptr(*rawmem.Uint64(header + 16))
		size := uintptr(*rawmem.Uint64(header + 40)) // p_memsz
		pageFlags := paging.Global
		if flags&elfExecutable == 0 {
			pageFlags |= paging.NoExecute
		}
		if flags&elfWritable != 0 {
			pageFlags |= paging.Writable
		}
		for p := address &^ (paging.PageSize - 1); p < address+size; p += paging.PageSize {
			status := memory.Kernel.Map(&memory.Frames, p, imagePhysical(p), pageFlags)
			if status != paging.OK && status != paging.AlreadyMapped {
				mapFailed("the kernel image", p, status)
			}
		}
	}
}

func mapFailed(what string, address uintptr, status paging.Status) {
	console.WriteString("exogo: cannot map ")
	console.WriteString(what)
	console.WriteString(" at ")
	console.WriteHex(uint64(address))
	console.WriteString(": ")
	console.WriteString(status.String())
	console.WriteString("; halted\n")
	amd64.HaltForever()
}
