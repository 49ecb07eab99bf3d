// Package libos will hold exogo's library operating systems: the code linked
// into user programs that does what the exokernel leaves out (memory
// management over physical frames and segments, the RAM filesystem, the
// console driver, the M:N thread scheduler driven by upcalls, and the Linux
// personality that lets unmodified Go programs run).
//
// Not built yet: the exokernel interface these sit on (issue "The exokernel
// core") comes first. This package is empty on purpose so that the tree's
// layout is the one the docs describe; see docs/README.md.
package libos
