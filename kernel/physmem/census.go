package physmem

// The frame census: every frame counted by what holds it, checked against
// the counts the table keeps as frames come and go.

// Census is a count of every frame of the table by what holds it, made by
// walking the table, beside the counts the table keeps as it goes.
type Census struct {
	Frames    uint64 // entries in the table
	Absent    uint64 // not RAM
	Free      uint64
	Kernel    uint64 // held by the kernel (owner 0)
	Processes uint64 // held by processes (owner != 0), orphans excluded
	Orphans   uint64 // held by an ended owner, still mapped by others

	// The table's own counts of the same things.
	KeptFree      uint64
	KeptProcesses uint64 // the sum of every owner's count
	KeptOrphans   uint64
}

// Balanced reports whether the walk and the kept counts agree, and every
// frame is counted exactly once.
func (c Census) Balanced() bool {
	return c.Absent+c.Free+c.Kernel+c.Processes+c.Orphans == c.Frames &&
		c.Free == c.KeptFree && c.Processes == c.KeptProcesses && c.Orphans == c.KeptOrphans
}

// TakeCensus counts every frame of the table. It holds the lock for the
// whole walk, so the counts are of one moment: for checks at quiet times
// (the end of a test run), not while processes run.
func (t *Table) TakeCensus() Census {
	c := Census{Frames: t.frames}
	t.acquire()
	for i := uint64(0); i < t.frames; i++ {
		e := *t.entry(i)
		switch {
		case Use(e&entryUseMask) == UseAbsent:
			c.Absent++
		case Use(e&entryUseMask) == UseFree:
			c.Free++
		case e&entryOrphan != 0:
			c.Orphans++
		case uint16(e>>entryOwnerShift) == kernelOwner:
			c.Kernel++
		default:
			c.Processes++
		}
	}
	c.KeptFree, c.KeptOrphans = t.FreeFrames(), t.orphans
	for owner := range t.owned {
		c.KeptProcesses += uint64(t.owned[owner])
	}
	t.release()
	return c
}
