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

// CreateDevice makes a PT segment owned by owner whose slot 0 maps the
// frame metadata (an ordinary frame owner holds, read-only to users: it
// describes the device) and whose slots 1..pages map device memory from
// physical on, writable, no-execute, with the cache bits cache (device
// memory is not RAM: those slots hold no references). Kernel only.
func (t *Table) CreateDevice(mem Memory, owner uint16, metadata, physical uint64, pages int, cache paging.Flags) (ID, Status) {
	if mem.Frames == nil {
		return 0, NoMemory
	}
	if pages < 1 || pages >= Entries || physical%paging.PageSize != 0 || metadata%paging.PageSize != 0 {
		return 0, BadIndex
	}
	t.acquire()
	id, status := t.create(mem, owner, Level1)
	if status != OK {
		t.release()
		return 0, status
	}
	d, _, _ := t.lookup(id)
	if mem.Frames.AddReferenceAs(metadata, owner, physmem.UseProcess) != physmem.Done {
		t.destroy(mem, owner, id)
		t.release()
		return 0, FrameNotOwned
	}
	*entry(mem, d.table, 0) = metadata&paging.AddressMask | uint64(paging.Present|paging.User|paging.NoExecute)
	for i := 1; i <= pages; i++ {
		*entry(mem, d.table, uint(i)) = (physical+uint64(i-1)*paging.PageSize)&paging.AddressMask |
			uint64(paging.Present|paging.User|paging.Writable|paging.NoExecute|cache)
	}
	d.device = true
	t.release()
	return id, OK
}
