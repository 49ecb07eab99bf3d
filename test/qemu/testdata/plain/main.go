// Command plain is an ordinary Go program that has never heard of exogo:
// no exogo import, built with plain `go build` for Linux. The QEMU tests
// (unmodified_test.go) put it in /bin with EXTRA_BIN, where the loader
// runs it beside the libOS's interpreter image.
//
//	plain [exit=N] [hog] [nosys] [scribble]
//
// It prints what Linux gave it (arguments, its path, its process id),
// runs goroutines over channels, a timer, a pipe and a garbage
// collection, and exits with status N (default 0). hog allocates and
// touches more memory than the machine has; nosys makes a system call
// nothing implements; scribble writes over the text of the libOS's
// interpreter image, which its processes share read-only (it must fault).
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	exe, err := os.Executable()
	fmt.Printf("plain: pid %d, args %q, executable %q (%v), GOMAXPROCS %d\n", os.Getpid(), os.Args[1:], exe, err, runtime.GOMAXPROCS(0))
	status := 0
	for _, arg := range os.Args[1:] {
		switch {
		case strings.HasPrefix(arg, "exit="):
			status, _ = strconv.Atoi(strings.TrimPrefix(arg, "exit="))
		case arg == "hog":
			hog()
		case arg == "scribble":
			// The interpreter's first page of text (linked at
			// 0x7e0000001000; the Makefile's INTERPRETER_TEXT).
			text := (*byte)(unsafe.Pointer(uintptr(0x7e0000001000)))
			fmt.Println("plain: writing over the interpreter's shared text")
			*text = 0xcc
			fmt.Println("plain: FAIL: the write went through")
		case arg == "nosys":
			// io_uring_setup: a call the libOS does not implement.
			_, _, errno := syscall.Syscall(425, 0, 0, 0)
			fmt.Printf("plain: io_uring_setup: %v\n", errno)
		}
	}
	work()
	os.Exit(status)
}

// work exercises the runtime's use of the libOS: threads, futexes, the
// timer, a pipe, the garbage collector.
func work() {
	results := make(chan int)
	for i := 1; i <= 8; i++ {
		go func() {
			sum := 0
			for j := 0; j < 100_000*i; j++ {
				sum += j % 7
			}
			results <- sum
		}()
	}
	total := 0
	for i := 0; i < 8; i++ {
		total += <-results
	}
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	slept := time.Since(start)
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("plain: FAIL: os.Pipe:", err)
		os.Exit(1)
	}
	go func() {
		for i := 0; i < 100; i++ {
			fmt.Fprintf(w, "line %d of the pipe\n", i)
		}
		w.Close()
	}()
	var got bytes.Buffer
	n, err := io.Copy(&got, r)
	lines := strings.Count(got.String(), "\n")
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	garbage := 0
	for i := 0; i < 2000; i++ {
		garbage += len(make([]byte, 64<<10))
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	fmt.Printf("plain: goroutines %d, slept at least 20ms %v, pipe %d bytes in %d lines (%v), gc cycles %d\n",
		total, slept >= 20*time.Millisecond, n, lines, err, after.NumGC-before.NumGC)
}

// hog allocates 4 GiB in 64 MiB pieces and touches every page.
func hog() {
	var kept [][]byte
	for i := 0; i < 64; i++ {
		b := make([]byte, 64<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		kept = append(kept, b)
		fmt.Printf("plain: hog: %d MiB touched\n", (i+1)*64)
	}
	fmt.Println("plain: hog: FAIL: 4 GiB touched on a smaller machine", len(kept))
}
