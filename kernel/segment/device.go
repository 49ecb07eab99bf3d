package segment

import (
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// Device segments expose device memory by physical name, as segments
// (XOmB section 2.3: the console is a segment holding the video memory and
// a page describing it). The kernel makes them and gives them to a
// process, which links them and grants them on like any segment; nobody
// maps or unmaps their slots.

// MaxDevicePages is the most device memory one device segment holds, in
// pages: a PD segment of PT segments, 1 GiB, less the metadata page.
const MaxDevicePages = Entries*Entries - 1

// CreateDevice makes a device segment owned by owner. Its first page (slot
// 0 of its first PT) maps the frame metadata, an ordinary frame owner holds,
// read-only to users: it describes the device. The following pages map
// device memory from physical on, no-execute, with the extra entry bits
// flags: paging.Writable for memory users may write, the cache bits for a
// device's registers or a screen; neither for read-only memory such as the
// boot module. Device memory is not RAM a process holds: those slots hold
// no references.
//
// Up to Entries-1 pages it is a PT segment (2 MiB). Beyond, up to
// MaxDevicePages (a large framebuffer), it is a PD segment (1 GiB, to be
// linked at a 1 GiB boundary) whose slots hold PT device segments made here
// for owner, the first 2 MiB of the device's span in slot 0 and so on.
// Kernel only.
func (t *Table) CreateDevice(mem Memory, owner uint16, metadata, physical uint64, pages int, flags paging.Flags) (ID, Status) {
	if mem.Frames == nil {
		return 0, NoMemory
	}
	if pages < 1 || pages > MaxDevicePages || physical%paging.PageSize != 0 || metadata%paging.PageSize != 0 {
		return 0, BadIndex
	}
	t.acquire()
	id, status := t.createDevice(mem, owner, metadata, physical, pages, flags)
	t.release()
	return id, status
}

// createDevice is CreateDevice under the table's lock.
func (t *Table) createDevice(mem Memory, owner uint16, metadata, physical uint64, pages int, flags paging.Flags) (ID, Status) {
	if pages < Entries {
		return t.createDevicePT(mem, owner, metadata, physical, 0, pages, flags)
	}
	children := (pages + Entries) / Entries // pages + the metadata page, in PTs
	if int(t.live)+1+children > MaxSegments {
		return 0, TableFull
	}
	top, status := t.create(mem, owner, Level2)
	if status != OK {
		return 0, status
	}
	d, _, _ := t.lookup(top)
	d.device = true
	for k := 0; k < children; k++ {
		child, status := t.createDevicePT(mem, owner, metadata, physical, k*Entries, pages, flags)
		if status != OK {
			t.destroyDevice(mem, owner, top)
			return 0, status
		}
		c, _, _ := t.lookup(child)
		e := entry(mem, d.table, uint(k))
		if status := t.addRef(c, entryPhysical(mem, e), 0, owner); status != OK {
			t.destroy(mem, owner, child)
			t.destroyDevice(mem, owner, top)
			return 0, status
		}
		*e = encode(c.table, Read|Write)
		c.parents++
	}
	return top, OK
}

// createDevicePT makes one PT device segment: the slots of the device's
// span from first (slot 0 of the span is metadata, slot i > 0 is device
// page i-1, up to pages). The caller holds the table's lock.
func (t *Table) createDevicePT(mem Memory, owner uint16, metadata, physical uint64, first, pages int, flags paging.Flags) (ID, Status) {
	id, status := t.create(mem, owner, Level1)
	if status != OK {
		return 0, status
	}
	d, _, _ := t.lookup(id)
	if first == 0 {
		if mem.Frames.AddReferenceAs(metadata, owner, physmem.UseProcess) != physmem.Done {
			t.destroy(mem, owner, id)
			return 0, FrameNotOwned
		}
		*entry(mem, d.table, 0) = metadata&paging.AddressMask | uint64(paging.Present|paging.User|paging.NoExecute)
	}
	for slot := 0; slot < Entries; slot++ {
		i := first + slot // index in the span
		if i == 0 || i > pages {
			continue
		}
		*entry(mem, d.table, uint(slot)) = (physical+uint64(i-1)*paging.PageSize)&paging.AddressMask |
			uint64(paging.Present|paging.User|paging.NoExecute|flags&(paging.Writable|paging.DeviceMemory))
	}
	d.device = true
	return id, OK
}

// destroyDevice undoes a PD device segment under construction: its
// children, then itself. The caller holds the table's lock.
func (t *Table) destroyDevice(mem Memory, owner uint16, top ID) {
	d, _, status := t.lookup(top)
	if status != OK {
		return
	}
	for k := uint(0); k < Entries; k++ {
		e := entry(mem, d.table, k)
		if !present(*e) {
			continue
		}
		child := t.dropEntry(mem, Level2, e)
		t.destroy(mem, owner, child)
	}
	t.destroy(mem, owner, top)
}

// DeviceRoot returns the physical address of the root table of id, when id
// names a live device segment: with the address recorded when the kernel
// made it, a name that proves it is still that segment (a destroyed
// segment's id may come back for another, but only the kernel makes
// device segments).
func (t *Table) DeviceRoot(id ID) (uint64, bool) {
	t.acquire()
	d, _, status := t.lookup(id)
	table, ok := uint64(0), status == OK && d.device
	if ok {
		table = d.table
	}
	t.release()
	return table, ok
}
