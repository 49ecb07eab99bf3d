package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The file lines (issue 9): what a Go program asks of a RAM file system,
// in a directory of /tmp (Linux's initramfs root is a tmpfs-like ramfs;
// exogo's is its RAM file system).

var fileMeasurements = []measurement{
	{"pread-1k", "ns/op", func() float64 { return fileOp(false) }},
	{"pwrite-1k", "ns/op", func() float64 { return fileOp(true) }},
	{"open-close", "ns/op", openClose},
	{"stat", "ns/op", stat},
	{"read-16mib", "ms", read16},
	{"mapped-16mib", "ms", mapped16},
	{"create-remove-1000", "ms", createRemove},
}

func init() { measurements = append(measurements, fileMeasurements...) }

// benchDir is the directory the file lines work in.
var benchDir string

func workDir() string {
	if benchDir == "" {
		os.MkdirAll("/tmp", 0o1777)
		dir, err := os.MkdirTemp("/tmp", "gobench-")
		if err != nil {
			fmt.Println("gobench: cannot make a directory in /tmp:", err)
			os.Exit(1)
		}
		benchDir = dir
	}
	return benchDir
}

// bigFile is a 16 MiB file of the work directory, written once.
func bigFile() string {
	name := filepath.Join(workDir(), "big")
	if info, err := os.Stat(name); err == nil && info.Size() == 16<<20 {
		return name
	}
	data := make([]byte, 16<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		fmt.Println("gobench:", err)
		os.Exit(1)
	}
	return name
}

// fileOp: 1 KiB pread (or pwrite) at offsets spread over the 16 MiB file.
func fileOp(write bool) float64 {
	f, err := os.OpenFile(bigFile(), os.O_RDWR, 0)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	buf := make([]byte, 1024)
	const n = 20000
	start := time.Now()
	for i := 0; i < n; i++ {
		offset := int64(i*4096+512) % (16<<20 - 1024)
		if write {
			_, err = f.WriteAt(buf, offset)
		} else {
			_, err = f.ReadAt(buf, offset)
		}
		if err != nil {
			panic(err)
		}
	}
	return per(start, n)
}

func openClose() float64 {
	name := bigFile()
	const n = 5000
	start := time.Now()
	for i := 0; i < n; i++ {
		f, err := os.Open(name)
		if err != nil {
			panic(err)
		}
		f.Close()
	}
	return per(start, n)
}

func stat() float64 {
	name := bigFile()
	const n = 10000
	var st syscall.Stat_t
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := syscall.Stat(name, &st); err != nil {
			panic(err)
		}
	}
	return per(start, n)
}

// read16 reads the 16 MiB file through read(), 128 KiB at a time.
func read16() float64 {
	f, err := os.Open(bigFile())
	if err != nil {
		panic(err)
	}
	defer f.Close()
	buf := make([]byte, 128<<10)
	start := time.Now()
	total := 0
	for {
		n, err := f.Read(buf)
		total += n
		if err != nil || n == 0 {
			break
		}
	}
	if total != 16<<20 {
		panic(fmt.Sprint("read ", total, " bytes"))
	}
	return float64(time.Since(start).Microseconds()) / 1000
}

// mapped16 maps the 16 MiB file and sums a byte of every 64 (warm: the
// file's pages are there already).
func mapped16() float64 {
	f, err := os.Open(bigFile())
	if err != nil {
		panic(err)
	}
	defer f.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, 16<<20, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		panic(err)
	}
	defer syscall.Munmap(m)
	start := time.Now()
	sum := 0
	for i := 0; i < len(m); i += 64 {
		sum += int(m[i])
	}
	sink += sum
	return float64(time.Since(start).Microseconds()) / 1000
}

// createRemove makes 1000 empty files in a directory and removes them.
func createRemove() float64 {
	dir := filepath.Join(workDir(), "many")
	if err := os.Mkdir(dir, 0o755); err != nil {
		panic(err)
	}
	start := time.Now()
	for i := 0; i < 1000; i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprint("f", i)))
		if err != nil {
			panic(err)
		}
		f.Close()
	}
	for i := 0; i < 1000; i++ {
		if err := os.Remove(filepath.Join(dir, fmt.Sprint("f", i))); err != nil {
			panic(err)
		}
	}
	d := float64(time.Since(start).Microseconds()) / 1000
	os.Remove(dir)
	return d
}
