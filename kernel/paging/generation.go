package paging

import "sync/atomic"

// generation counts the TLB invalidations the kernel has asked for
// (kernel/smp's shootdown adds one before each, for every kind). Every
// change that removes or weakens a mapping is followed by one, before what
// it mapped is freed: that is what keeps the CPUs' TLBs right. A
// translation the kernel caches in software (kernel/process's block cache)
// is therefore valid exactly while the generation it was made in is
// current, as a TLB entry is valid until the invalidation that drops it.
var generation uint64

// InvalidationBegins records that a TLB invalidation begins: translations
// cached in software before now may be stale.
func InvalidationBegins() { atomic.AddUint64(&generation, 1) }

// Generation returns the current generation (see InvalidationBegins).
func Generation() uint64 { return atomic.LoadUint64(&generation) }
