package main

import (
	"fmt"
	"os"

	"exogo/kernel/linux"
)

// main runs on the Go runtime, like any Go program's main.
func main() {
	fmt.Println("exogo: kernel main")
	fmt.Println("exogo: hello from the Go runtime in ring 0")
	linux.PowerOff(0x10)
	os.Exit(0)
}
