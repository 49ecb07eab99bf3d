package process

import "testing"

func TestBlockCacheHitsOnlyInItsGenerationAndSpace(t *testing.T) {
	var c blockCache
	const root, gen = 0x1000, 7
	if _, ok := c.lookup(root, gen, 0x40_0000, false); ok {
		t.Fatal("an empty cache hit")
	}
	c.insert(root, gen, 0x40_0100, 0xffff_8000_0012_3100, true)
	if d, ok := c.lookup(root, gen, 0x40_0200, true); !ok || d != 0xffff_8000_0012_3200 {
		t.Fatalf("same page, writable: %#x %v", d, ok)
	}
	if _, ok := c.lookup(root, gen, 0x40_1000, false); ok {
		t.Fatal("the next page hit")
	}
	if _, ok := c.lookup(root+0x1000, gen, 0x40_0200, false); ok {
		t.Fatal("another address space hit")
	}
	// The other space's lookup emptied the cache: gone for root too.
	if _, ok := c.lookup(root, gen, 0x40_0200, false); ok {
		t.Fatal("an entry survived a change of address space")
	}
	c.insert(root, gen, 0x40_0000, 0xffff_8000_0012_3000, true)
	if _, ok := c.lookup(root, gen+1, 0x40_0000, false); ok {
		t.Fatal("an entry survived a new generation (a TLB invalidation)")
	}
	// An insert with a generation older than the cache's is dropped: the
	// walk that found it may have raced with an invalidation.
	c.insert(root, gen, 0x40_0000, 0xffff_8000_0012_3000, true)
	if _, ok := c.lookup(root, gen+1, 0x40_0000, false); ok {
		t.Fatal("an insert from an older generation was kept")
	}
}

func TestBlockCacheKeepsRights(t *testing.T) {
	var c blockCache
	c.lookup(1, 1, 0, false)
	c.insert(1, 1, 0x7000, 0xffff_8000_0000_7000, false) // read-only walk
	if _, ok := c.lookup(1, 1, 0x7000, true); ok {
		t.Fatal("a page cached for reading was given for writing")
	}
	if _, ok := c.lookup(1, 1, 0x7010, false); !ok {
		t.Fatal("a page cached for reading missed a read")
	}
	// Page 0 is a valid key too (its valid bit tells it from an empty entry).
	c.insert(1, 1, 0x10, 0xffff_8000_0000_0000, true)
	if d, ok := c.lookup(1, 1, 0x20, true); !ok || d != 0xffff_8000_0000_0020 {
		t.Fatalf("page 0: %#x %v", d, ok)
	}
}

func TestBlockCacheReplacesInTurn(t *testing.T) {
	var c blockCache
	c.lookup(1, 1, 0, false)
	for i := uintptr(0); i < blockCacheEntries+1; i++ {
		c.insert(1, 1, 0x10000+i*0x1000, 0xffff_8000_0100_0000+i*0x1000, true)
	}
	if _, ok := c.lookup(1, 1, 0x10000, false); ok {
		t.Fatal("the oldest entry stayed after the cache filled")
	}
	for i := uintptr(1); i < blockCacheEntries+1; i++ {
		if d, ok := c.lookup(1, 1, 0x10000+i*0x1000, true); !ok || d != 0xffff_8000_0100_0000+i*0x1000 {
			t.Fatalf("entry %d: %#x %v", i, d, ok)
		}
	}
}
