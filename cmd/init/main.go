// Command init is the first program: an ordinary Go program on the libOS
// that runs /etc/rc from the boot module line by line. A line is a program
// path and its arguments (separated by spaces; # starts a comment); init
// starts it in its own process through the libOS's ELF loader, waits for
// it and prints its exit status. A line "poweroff" powers the machine off
// with the last status (QEMU's exit status says whether it was 0).
//
// make iso RC=path replaces /etc/rc, make iso EXTRA_BIN='file ...' adds
// programs to /bin; make run CMDLINE='init=init' boots into it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"

	"exogo/libos/exo"
	_ "exogo/libos/linux"
	"exogo/libos/spawn"
)

const rcPath = "/etc/rc"

func main() {
	rc, err := os.Open(rcPath)
	if err != nil {
		fmt.Printf("init: cannot read %s: %v (make iso RC=path puts a script there)\n", rcPath, err)
		os.Exit(1)
	}
	defer rc.Close()
	env := []string{"PATH=/bin", "HOME=/"}
	last := 0
	lines := bufio.NewScanner(rc)
	for number := 1; lines.Scan(); number++ {
		line := lines.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "poweroff" {
			fmt.Printf("init: powering off (last status %d)\n", last)
			poweroff(last)
		}
		path := fields[0]
		if !strings.Contains(path, "/") {
			path = "/bin/" + path
		}
		fmt.Printf("init: %s:%d: %s\n", rcPath, number, strings.Join(fields, " "))
		pid, err := spawn.Start(path, fields, env)
		if err != nil {
			fmt.Printf("init: %s:%d: %v\n", rcPath, number, err)
			last = 127
			continue
		}
		status, err := spawn.Wait(pid)
		if err != nil {
			fmt.Printf("init: %v\n", err)
			last = 127
			continue
		}
		last = status
		fmt.Printf("init: %s (process %d) exited with status %d\n", path, pid, status)
	}
	if err := lines.Err(); err != nil {
		fmt.Printf("init: reading %s: %v\n", rcPath, err)
	}
	fmt.Printf("init: %s done (last status %d)\n", rcPath, last)
	os.Exit(last)
}

// poweroff ends init and powers the machine off (the exokernel's poweroff
// call, which needs the device right the first process holds).
func poweroff(status int) {
	syscall.Syscall(exo.CallPoweroff, uintptr(status), 0, 0)
	fmt.Println("init: the kernel refused to power off")
	os.Exit(status)
}
