package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"

	"exogo/libos/spawn"
)

// checkFiles reads the file system (filled from the boot module) through
// os, as any Go program would, writes a file in /tmp, and checks the
// errors Linux would give.
func checkFiles() {
	program, err := os.ReadFile("/bin/hello")
	check("os.ReadFile of /bin/hello reads the program", err == nil && strings.HasPrefix(string(program), "\x7fELF"), errString(err))
	entries, err := os.ReadDir("/bin")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	check("os.ReadDir(/bin) lists the programs", err == nil && slices.Contains(names, "hello") && slices.Contains(names, "libos-test"), strings.Join(names, " ")+" "+errString(err))
	info, err := os.Stat("/bin/hello")
	check("os.Stat of a program: a regular file with its size", err == nil && info.Mode().IsRegular() && info.Size() > 100000, errString(err))
	dir, err := os.Stat("/bin/../bin/")
	check("os.Stat of a directory through .. ", err == nil && dir.IsDir(), errString(err))
	f, err := os.Open("/bin/hello")
	if err == nil {
		var head [4]byte
		n, _ := f.ReadAt(head[:], 1)
		offset, _ := f.Seek(-3, 2)
		check("pread and lseek on a file", n == 4 && string(head[:3]) == "ELF" && offset == info.Size()-3, "")
		f.Close()
	}
	name := fmt.Sprintf("/tmp/libos-test-%d", os.Getpid())
	err = os.WriteFile(name, []byte("written"), 0o600)
	back, rerr := os.ReadFile(name)
	check("a file written in /tmp reads back", err == nil && rerr == nil && string(back) == "written", errString(err)+errString(rerr))
	check("and is removed", os.Remove(name) == nil, "")
	_, err = os.OpenFile("/bin/hello", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	check("O_CREAT|O_EXCL of an existing file: EEXIST", errors.Is(err, syscall.EEXIST), errString(err))
	_, err = os.Open("/bin/no-such-file")
	check("a missing file: ENOENT", errors.Is(err, syscall.ENOENT), errString(err))
	_, err = os.Open("/bin/hello/x")
	check("a path through a file: ENOTDIR", errors.Is(err, syscall.ENOTDIR), errString(err))
	_, err = os.Open("/" + strings.Repeat("x", 300))
	check("a 300-byte path: ENAMETOOLONG", errors.Is(err, syscall.ENAMETOOLONG), errString(err))
}

// checkProcesses starts children; a child (libos-test run by init)
// starts a grandchild.
func checkProcesses() {
	if os.Getpid() != 1 {
		pid, err := spawn.Start("/bin/hello", []string{"hello", "exit=4"}, nil)
		status, werr := spawn.Wait(pid)
		check("a child starts a process of its own", err == nil && werr == nil && status == 4, errString(err)+errString(werr))
		return
	}
	pid, err := spawn.Start("/bin/hello", []string{"hello", "exit=5"}, nil)
	status, werr := spawn.Wait(pid)
	check("a child's exit status reaches wait4", err == nil && werr == nil && status == 5, errString(err)+errString(werr))
	pid, err = spawn.Start("/bin/libos-test", []string{"libos-test"}, nil)
	if err == nil {
		kerr := spawn.Kill(pid)
		var ws syscall.WaitStatus
		_, werr = syscall.Wait4(pid, &ws, 0, nil)
		check("a killed child is reported as killed by SIGKILL (WIFSIGNALED)", kerr == nil && werr == nil && ws.Signaled() && ws.Signal() == syscall.SIGKILL,
			fmt.Sprintf("%v %v %#x", errString(kerr), errString(werr), uint32(ws)))
	} else {
		check("a second child starts", false, errString(err))
	}
	_, err = spawn.Wait(pid)
	check("waiting for a child already reported: ECHILD", errors.Is(err, syscall.ECHILD), errString(err))
	_, err = spawn.Start("/bin", []string{"bin"}, nil)
	check("starting a directory: EACCES", errors.Is(err, syscall.EACCES), errString(err))
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
