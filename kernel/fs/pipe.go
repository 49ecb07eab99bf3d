package fs

import "exogo/kernel/segment"

// Pipes: nameless nodes of type S_IFIFO (kernel/exo's fs_pipe) whose
// bytes the processes that link them share. A libOS keeps a pipe's ring
// and its counters there (libos/linux, pipes.go); the kernel knows
// nothing of them. What it keeps is what no process can be trusted to
// say: how many links may write the node. It counts them after every
// change of links (Collect, Recount), writes the count to the metadata
// page (MetaWriters) and marks the word changed for kernel/exo, which
// takes it with NextChanged and wakes the processes watching it: so a
// reader learns that the last writer went, even one whose process was
// ended without a word. A pipe
// node is doomed from birth: Collect frees it once nothing links it.

// MaxPipeLength bounds a pipe node's bytes (its ring and counters).
const MaxPipeLength = 1 << 20

// MaxPipeNodes bounds the pipe nodes that exist at once (a quarter of
// the nodes, a bounded share of the frames): fs_pipe needs no right, and
// pipes must not take the nodes and space files need.
const MaxPipeNodes = MaxNodes / 4

// MakePipe makes a nameless pipe node of length zeroed bytes, mode 0600,
// owned by c, and returns its id. Nothing links it yet: the caller links
// it before anything calls Collect.
func (f *FS) MakePipe(mem segment.Memory, c Cred, length uint64, now int64) (uint32, Status) {
	if length > MaxPipeLength {
		return 0, TooBig
	}
	if f.pipes >= MaxPipeNodes {
		return 0, NoSpace
	}
	i, status := f.newNode(mem, TypeFifo|0o600, c, now)
	if status != OK {
		return 0, status
	}
	n := &f.nodes[i%MaxNodes]
	n.links, n.doomed = 0, true
	f.doomed++
	f.pipes++
	if _, status := f.resize(mem, i, length, now); status != OK {
		f.freeNode(mem, i)
		return 0, status
	}
	f.writeMeta(mem, i)
	return f.id(i), OK
}

// Named FIFOs (mkfifo: Make with TypeFifo) are pipes with a name: the
// named node holds what a libOS keeps as its data node, and a nameless
// peer, made with it and held while it lives, what it keeps as its tail
// node (libos/linux, pipes.go): a process that opens the FIFO links the
// named node (writable to write) and its peer (Peer: writable to read),
// and the kernel counts each node's writable links as for any pipe, so
// the writers and the readers each see how many of the other there are.

// PeerLength is a named FIFO's peer's length: one page.
const PeerLength = PageSize

// MaxNamedFifos bounds the named FIFOs: they outlive their makers, as
// files do, so they do not take from MaxPipeNodes, which pipes (fs_pipe)
// need; each is two nodes.
const MaxNamedFifos = MaxNodes / 16

// makePeer gives named FIFO node i, just made, length zeroed bytes and a
// nameless peer of PeerLength, owned by c. Node i counts as a named FIFO
// from here on (named), so the caller frees it on failure, and nothing is
// left of the peer then.
func (f *FS) makePeer(mem segment.Memory, i uint32, c Cred, length uint64, now int64) Status {
	switch {
	case length > MaxPipeLength:
		return TooBig
	case f.named >= MaxNamedFifos:
		return NoSpace
	}
	n := &f.nodes[i%MaxNodes]
	n.named = true
	f.named++
	if _, status := f.resize(mem, i, length, now); status != OK {
		return status
	}
	t, status := f.newNode(mem, TypeFifo|0o600, c, now)
	if status != OK {
		return status
	}
	p := &f.nodes[t%MaxNodes]
	p.links, p.isPeer, p.held = 0, true, true // (no pipe's count to give back if freed)
	if _, status := f.resize(mem, t, PeerLength, now); status != OK {
		f.freeNode(mem, t)
		return status
	}
	p.doomed = true
	f.doomed++
	n.peer = t
	f.writeMeta(mem, t)
	return OK
}

// releasePeer lets peer node t go with its named FIFO: freed at once if
// nothing links it, else by Collect once nothing does.
func (f *FS) releasePeer(mem segment.Memory, t uint32) {
	p := &f.nodes[t%MaxNodes]
	if !p.used || !p.held {
		return
	}
	p.held = false
	if info, status := f.Segments.Info(p.seg); status == segment.OK && info.Links == 0 && info.Parents == 0 {
		f.freeNode(mem, t)
	}
}

// Peer returns the id of named FIFO id's peer.
func (f *FS) Peer(id uint32) (uint32, Status) {
	n, _, ok := f.lookup(id)
	switch {
	case !ok:
		return 0, BadNode
	case n.mode&TypeMask != TypeFifo || n.peer == 0:
		return 0, Invalid
	}
	return f.id(n.peer), OK
}

// Recount counts node id's writers again if it is a pipe (after a link
// was made).
func (f *FS) Recount(mem segment.Memory, id uint32) {
	if n, i, ok := f.lookup(id); ok && n.mode&TypeMask == TypeFifo {
		f.countWriters(mem, i)
	}
}

// countWriters counts pipe node i's writable links; a change is written
// to its metadata page and marked for NextChanged.
func (f *FS) countWriters(mem segment.Memory, i uint32) {
	n := &f.nodes[i%MaxNodes]
	w := f.Segments.WritableLinks(mem, n.seg)
	if w == n.writers {
		return
	}
	n.writers = w
	f.writeMeta(mem, i)
	if !n.changed {
		n.changed = true
		f.changed++
	}
}

// NextChanged returns the physical address of the MetaWriters word of a
// pipe whose count changed since it was last returned, or false when
// there is none left.
func (f *FS) NextChanged() (uint64, bool) {
	// From where the last one was found: a process's end can change many
	// pipes at once, and each call must not scan the table again.
	for k := uint32(0); k < MaxNodes && f.changed > 0; k++ {
		i := (f.changedCursor + k) % MaxNodes
		if n := &f.nodes[i]; n.used && n.changed {
			n.changed = false
			f.changed--
			f.changedCursor = i
			return n.meta + MetaWriters, true
		}
	}
	f.changed = 0
	return 0, false
}
