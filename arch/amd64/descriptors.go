package amd64

import "unsafe"

// Segment descriptors. In long mode segmentation is mostly gone, but the CPU
// still needs a global descriptor table (GDT): code segments carry the
// privilege level and the 64-bit flag, and the task-state segment (TSS)
// holds the stacks the CPU switches to on interrupts (RSP0 when coming from
// ring 3, the interrupt stack table IST1-7 for gates that name one) and the
// I/O permission bitmap. Each CPU has its own GDT and TSS.

// MaxCPUs is the most CPUs exogo drives.
const MaxCPUs = 16

// Segment selectors: index*8 | requested privilege level. The order of the
// user selectors is the one SYSRET requires (STAR[63:48]+8 = user SS,
// STAR[63:48]+16 = user CS).
const (
	KernelCodeSelector = 0x08
	KernelDataSelector = 0x10
	UserDataSelector   = 0x18 | 3
	UserCodeSelector   = 0x20 | 3
	TaskStateSelector  = 0x28
)

// Descriptors: base and limit are ignored in 64-bit mode for code and data.
const (
	kernelCodeDescriptor = 0x00af9a000000ffff // present, ring 0, code, 64-bit
	kernelDataDescriptor = 0x00cf92000000ffff // present, ring 0, data, writable
	userDataDescriptor   = 0x00cff2000000ffff // present, ring 3, data, writable
	userCodeDescriptor   = 0x00affa000000ffff // present, ring 3, code, 64-bit
)

// The 64-bit TSS is 104 bytes, followed here by the I/O permission bitmap:
// one bit per I/O port (65536 ports, 8 KiB), a set bit denying the port to
// ring 3, and a final byte of ones the CPU requires.
const (
	taskStateSize   = 104
	IOBitmapSize    = 65536 / 8
	taskStateLength = taskStateSize + IOBitmapSize + 1
)

// TaskState is a 64-bit TSS with its I/O bitmap. Its fields are unaligned
// (RSP0 is at byte 4), so it is kept as bytes and written through the
// setters.
type TaskState [taskStateLength]byte

// IOBitmap returns the TSS's I/O permission bitmap: ports whose bit is clear
// are open to user mode on this CPU.
func (t *TaskState) IOBitmap() []byte { return t[taskStateSize : taskStateSize+IOBitmapSize] }

// SetIST sets interrupt stack table entry n (1-7) to the stack top.
func (t *TaskState) SetIST(n int, top uintptr) {
	if n < 1 || n > 7 {
		return
	}
	putUint64(t[:], 36+8*(n-1), uint64(top))
}

// SetRSP0 sets the stack the CPU switches to on an interrupt from ring 3.
func (t *TaskState) SetRSP0(top uintptr) { putUint64(t[:], 4, uint64(top)) }

func putUint64(b []byte, offset int, v uint64) {
	if offset < 0 || offset+8 > len(b) {
		return
	}
	for i := 0; i < 8; i++ {
		b[offset+i] = byte(v >> (8 * i))
	}
}

var (
	gdts       [MaxCPUs][7]uint64
	taskStates [MaxCPUs]TaskState
)

// TaskStateOf returns CPU cpu's TSS. cpu must be below MaxCPUs.
func TaskStateOf(cpu int) *TaskState {
	return &taskStates[uint(cpu)%MaxCPUs]
}

// LoadDescriptorTables installs CPU cpu's GDT (with its TSS) and reloads the
// segment registers and the task register. The caller must have set the
// TSS's IST stacks first. Precondition: interrupts disabled.
func LoadDescriptorTables(cpu int) {
	cpu = int(uint(cpu) % MaxCPUs)
	g := &gdts[cpu]
	g[0] = 0
	g[1] = kernelCodeDescriptor
	g[2] = kernelDataDescriptor
	g[3] = userDataDescriptor
	g[4] = userCodeDescriptor
	// The TSS descriptor is 16 bytes: base split over both words, limit,
	// type 0x9 (available 64-bit TSS), present.
	base := uint64(uintptr(unsafe.Pointer(&taskStates[cpu])))
	limit := uint64(taskStateLength - 1)
	// The I/O map base (offset 102) points just past the TSS; every port
	// starts denied, and the terminating byte is all ones.
	taskStates[cpu][102] = byte(taskStateSize)
	taskStates[cpu][103] = 0
	for i := taskStateSize; i < taskStateLength; i++ {
		taskStates[cpu][i] = 0xff
	}
	g[5] = limit&0xffff | (base&0xffffff)<<16 | 0x89<<40 | (limit>>16&0xf)<<48 | (base>>24&0xff)<<56
	g[6] = base >> 32
	loadGDT(uintptr(unsafe.Pointer(g)), uint16(len(g)*8-1))
	reloadSegments()
	loadTaskRegister(TaskStateSelector)
}

// InterruptGate encodes a 64-bit interrupt gate for handler in the kernel
// code segment, using IST stack ist (0 = none), callable from privilege
// level dpl with INT n.
func InterruptGate(handler uintptr, ist uint8, dpl uint8) (low, high uint64) {
	h := uint64(handler)
	low = h&0xffff | uint64(KernelCodeSelector)<<16 | uint64(ist&7)<<32 | uint64(0x8e|(dpl&3)<<5)<<40 | (h>>16&0xffff)<<48
	return low, h >> 32
}

// LoadIDT loads the interrupt descriptor table at base (limit bytes - 1).
func LoadIDT(base uintptr, limit uint16) { loadIDT(base, limit) }

func loadGDT(base uintptr, limit uint16)
func loadIDT(base uintptr, limit uint16)
func reloadSegments()
func loadTaskRegister(selector uint16)
