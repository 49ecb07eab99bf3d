// Package dirty is restricted code that breaks each rule once.
package dirty

import "restrictprog/helper"

var (
	buf    []int
	saved  *int
	global *int
	m      = map[int]int{}
	hook   = func(x int) int { return x + 1 }
	hosted []int
)

//go:noinline
func Append(x int) {
	buf = append(buf, x) // VIOLATION:append
}

//go:noinline
func Escape(x int) {
	p := new(int) // VIOLATION:new
	*p = x
	saved = p
}

//go:noinline
func Index(s []int, i int) int {
	return s[i] // VIOLATION:index
}

//go:noinline
func StorePointer(p *int) {
	global = p // VIOLATION:store
}

//go:noinline
func MapWrite(k, v int) {
	m[k] = v // VIOLATION:map
}

//go:noinline
func ViaHelper(x int) int {
	return len(helper.Describe(x)) // VIOLATION:helper
}

//go:noinline
func CallHook(x int) int {
	return hook(x) // VIOLATION:indirect
}

// HostedOnly runs only above the runtime; the test exempts it with Hosted.
//
//go:noinline
func HostedOnly() int {
	hosted = append(hosted, 1)
	return len(hosted)
}
