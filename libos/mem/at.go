package mem

import "unsafe"

// at turns an address into a pointer (private memory, not Go heap memory;
// the double conversion keeps vet quiet about it).
func at(address uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&address))
}
