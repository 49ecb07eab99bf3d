// Package spawn starts programs of the file system in child processes and
// waits for them, from an ordinary Go program linked with the libOS
// (exogo/libos/linux). It is hosted Go, not part of the libOS: it makes
// the libOS's own spawn call (linux.SysSpawn) and Linux's wait4 and kill,
// which the libOS serves.
//
// os/exec starts programs too (the libOS's vfork child mode, execve);
// this package is for programs that want exogo's call itself.
package spawn

import (
	"fmt"
	"syscall"
	"unsafe"

	"exogo/libos/linux"
)

// Start runs the program at path (a file with an execute bit, such as
// /bin/hello; a relative path starts from the current directory) in a new process with the given arguments (argv[0]
// included) and environment, and returns its process id.
func Start(path string, argv, env []string) (int, error) {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		return 0, err
	}
	a, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return 0, err
	}
	e, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return 0, err
	}
	pid, _, errno := syscall.Syscall(linux.SysSpawn, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&e[0])))
	if errno != 0 {
		return 0, fmt.Errorf("spawn %s: %w", path, errno)
	}
	return int(pid), nil
}

// Wait waits for the child pid to end and returns its exit status: the
// status it passed to exit, or 128 + the signal that killed it (as shells
// report it): its own default action, a kill, or the kernel's end of a
// process that could not take a fault.
func Wait(pid int) (int, error) {
	var status syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &status, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("wait for process %d: %w", pid, err)
		}
		if status.Signaled() {
			return 128 + int(status.Signal()), nil
		}
		return status.ExitStatus(), nil
	}
}

// Kill ends the child pid.
func Kill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }
