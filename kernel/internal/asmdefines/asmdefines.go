// Package asmdefines reads the numeric #define lines of a Go assembly file,
// so that host tests can check the constants assembly code repeats (frame
// offsets, call numbers) against the Go declarations they copy.
package asmdefines

import (
	"os"
	"strconv"
	"strings"
)

// Read returns the #define names of the assembly file at path whose value
// is a single number (decimal or 0x hexadecimal), with those values.
func Read(path string) (map[string]uint64, error) {
	source, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defines := map[string]uint64{}
	for _, line := range strings.Split(string(source), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 3 && fields[0] == "#define" {
			if v, err := strconv.ParseUint(fields[2], 0, 64); err == nil {
				defines[fields[1]] = v
			}
		}
	}
	return defines, nil
}
