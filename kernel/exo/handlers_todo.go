// Handlers not written yet. Each returns -ErrNotImplemented (except
// sysNull, which is complete), so that Dispatch compiles and a process
// calling one learns that the call exists but does nothing yet.
//
// This file is NOT generated and the generator does not read it. To
// implement a call, move its function to a file of its own (segments.go,
// processes.go, ...) and write the body; the signature is the one in the
// comment on its Call constant in dispatch_gen.go. For a new call added to
// syscalls.conf, `go run ./kernel/exo/internal/gensyscalls -handlers`
// prints a stub for every call to copy from.

package exo

// sysDeviceGrant implements device_grant: give another process the right to a device the caller holds.
func sysDeviceGrant(caller *Caller, device uint32, process uint32) int64 {
	return -ErrNotImplemented
}
