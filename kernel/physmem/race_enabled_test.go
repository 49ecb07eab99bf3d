//go:build race

package physmem_test

// raceEnabled is true when the race detector is compiled in.
const raceEnabled = true
