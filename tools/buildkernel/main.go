// Command buildkernel builds the exogo kernel ELF.
//
// It is the only way the kernel is built, so that the build and linker.ld
// cannot disagree:
//
//  1. read the entry symbol and the text address from linker.ld;
//  2. run the stock `go build` for GOOS=linux GOARCH=amd64 CGO_ENABLED=0 with
//     -ldflags "-T <text address> -E <entry>";
//  3. patch the linked ELF: write the Multiboot2 header and the kernel
//     information block (see package exogo/boot/kernelinfo) into the ELF
//     header page, which Go's linker leaves zero-filled and loads with the
//     text segment;
//  4. check the result: header magic 8-aligned in the first 32 KiB with a
//     valid checksum, entry and load addresses as linker.ld documents.
//
// Usage:
//
//	go run ./tools/buildkernel -o build/exogo.elf [-ld linker.ld] [-pkg ./kernel]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	output := flag.String("o", "build/exogo.elf", "where to write the kernel ELF")
	linkerScript := flag.String("ld", "linker.ld", "the linker script that documents the layout")
	pkg := flag.String("pkg", "./kernel", "the kernel's main package")
	flag.Parse()

	layout, err := ReadLayout(*linkerScript)
	if err != nil {
		fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(*output), 0o755); err != nil {
		fail(err)
	}
	build := exec.Command("go", BuildArgs(layout, *output, *pkg)...)
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOAMD64=v1")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fail(fmt.Errorf("go build of the kernel failed: %v", err))
	}
	if err := Patch(*output, layout); err != nil {
		fail(err)
	}
	if err := Check(*output, layout); err != nil {
		fail(err)
	}
}

// BuildArgs returns the arguments of the `go build` that links the kernel.
// -trimpath keeps file names in fault reports short and the same on every
// machine.
func BuildArgs(layout Layout, output, pkg string) []string {
	// The linker parses -T as a signed 64-bit number: an upper-half
	// address is written as its negative two's-complement value.
	ldflags := fmt.Sprintf("-T %d -E %s", int64(layout.TextAddress), layout.Entry)
	return []string{"build", "-trimpath", "-o", output, "-ldflags", ldflags, pkg}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "buildkernel:", err)
	os.Exit(1)
}
