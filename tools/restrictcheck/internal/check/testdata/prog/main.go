// Command restrictprog is a test input for restrictcheck: it links the clean
// and dirty restricted packages so their functions end up in the binary.
package main

import (
	"restrictprog/clean"
	"restrictprog/dirty"
	"restrictprog/helper"
)

func main() {
	println(clean.Checksum(3), clean.Lookup(9))
	dirty.Append(1)
	dirty.Escape(2)
	println(dirty.Index([]int{1, 2}, 1))
	dirty.StorePointer(new(int))
	dirty.MapWrite(4, 5)
	println(dirty.ViaHelper(6))
	println(dirty.CallHook(7))
	println(dirty.HostedOnly())
	println(helper.Leaky(8))
}
