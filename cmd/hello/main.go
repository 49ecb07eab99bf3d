// Command hello is an ordinary Go program: fmt, a map, goroutines, a
// channel and the garbage collector, running in ring 3 on the libOS
// (libos/linux), which serves its runtime's Linux system calls. It prints
// its process id and arguments; an argument exit=N makes it exit with
// status N (init's QEMU test uses it), and an argument read makes it read
// lines from the console until the end of input (Ctrl-D), printing each;
// fault makes it touch address 0 with SIGSEGV blocked, which the libOS
// cannot deliver: it ends the program with a report by symbol; scribble
// makes it write over its own libOS's private memory (its threads' saved
// registers, upcall stacks, the vDSO): it must die alone.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"exogo/libos/exo"
	"exogo/libos/linux" // the libOS: the Makefile links the program at its Start
)

func main() {
	fmt.Println("hello from Go on exogo")
	fmt.Printf("hello: process %d, arguments %q\n", os.Getpid(), os.Args[1:])

	counts := map[string]int{}
	for _, w := range strings.Fields("the quick brown fox jumps over the lazy dog the end") {
		counts[w]++
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Strings(words)
	fmt.Printf("map: %d words, \"the\" %d times, first %q\n", len(words), counts["the"], words[0])

	var wg sync.WaitGroup
	results := make(chan int, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			sum := 0
			for i := 0; i <= 1000*(g+1); i++ {
				sum += i
			}
			results <- sum
		}(g)
	}
	wg.Wait()
	close(results)
	total := 0
	for r := range results {
		total += r
	}
	fmt.Println("goroutines: total", total)

	var garbage [][]byte
	for i := 0; i < 2000; i++ {
		garbage = append(garbage, make([]byte, 4096))
		if len(garbage) > 100 {
			garbage = garbage[1:]
		}
	}
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	fmt.Println("gc: cycles", stats.NumGC, "ok")

	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	fmt.Println("sleep: at least 20ms:", time.Since(start) >= 20*time.Millisecond)

	fmt.Fprintln(os.Stderr, "hello: done")
	for _, a := range os.Args[1:] {
		if a == "read" {
			readLines()
		}
		if a == "fault" {
			fault()
		}
		if a == "scribble" {
			scribble()
		}
		if n, ok := strings.CutPrefix(a, "press="); ok {
			pages, _ := strconv.Atoi(n)
			press(pages)
		}
		if n, ok := strings.CutPrefix(a, "exit="); ok {
			status, _ := strconv.Atoi(n)
			os.Exit(status)
		}
	}
}

// press takes memory until the machine has pages fewer free frames than
// the kernel's revocation watermark (linux.FreeFrames counts them), so
// that the kernel asks the process holding the most frames to give some
// back (libos-test's check of the pool of free frames).
func press(pages int) {
	want := int(linux.FreeFrames()) - exo.RevokeWatermark + pages
	if want <= 0 {
		fmt.Println("hello: memory is already low")
		return
	}
	b, err := syscall.Mmap(-1, 0, want*4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Println("hello: mmap:", err)
		return
	}
	for i := 0; i < want; i++ {
		b[i*4096] = 1
	}
	fmt.Printf("hello: took %d pages, %d frames are free now\n", want, linux.FreeFrames())
	syscall.Munmap(b)
}

// readLines prints each line typed on the console until the end of input.
func readLines() {
	fmt.Println("hello: reading lines; end with Ctrl-D")
	lines := bufio.NewScanner(os.Stdin)
	n := 0
	for lines.Scan() {
		n++
		fmt.Printf("hello: read %d: %q\n", n, lines.Text())
	}
	if err := lines.Err(); err != nil {
		fmt.Println("hello: reading:", err)
	}
	fmt.Printf("hello: end of input after %d lines\n", n)
}

// fault blocks SIGSEGV in this thread and touches address 0 (not inlined:
// the report names it).
//
//go:noinline
func fault() {
	runtime.LockOSThread()
	blocked := uint64(1) << (syscall.SIGSEGV - 1)
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0 /* SIG_BLOCK */, uintptr(unsafe.Pointer(&blocked)), 0, 8, 0, 0)
	fmt.Println("hello: SIGSEGV blocked; touching address 0")
	touchNil(nil)
	fmt.Println("hello: FAIL: still running after the fault")
}

//go:noinline
func touchNil(p *int) { *p = 1 }

// scribble writes 0xa5 over the first 256 KiB of the libOS's private
// memory (libos/mem.PrivateBase), which the program can reach like any
// memory of its own.
func scribble() {
	fmt.Println("hello: writing over my libOS's private memory")
	base := uintptr(0x7e40_0000_0000)
	private := unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&base))), 256<<10)
	for i := range private {
		private[i] = 0xa5
	}
	time.Sleep(time.Millisecond) // a call or two: the libOS at work again
	fmt.Println("hello: FAIL: still running after scribbling")
}
