package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// nowNanos is the monotonic clock: nanoseconds since boot.
func nowNanos() uint64 { return bare.Now() }

// Clocks from the kernel information page: no kernel call.
func sysClockGettime(clock, address uint64) int64 {
	// TODO: CPU-time clocks count the time since boot (no per-thread CPU time yet).
	if clock > abi.ClockBoottime {
		return -abi.EINVAL
	}
	now := int64(bare.Now())
	if abi.RealtimeClock(clock) {
		now += int64(bare.Info(exo.KernelInfoWallClockBoot))
	}
	if !writeTimespec(address, now) {
		return -abi.EFAULT
	}
	return 0
}

func sysGettimeofday(address uint64) int64 {
	if address == 0 {
		return 0
	}
	now := int64(bare.Now()) + int64(bare.Info(exo.KernelInfoWallClockBoot))
	if !putUser64(address, uint64(now/1e9)) || !putUser64(address+8, uint64(now%1e9/1e3)) {
		return -abi.EFAULT
	}
	return 0
}

// sysSchedGetaffinity reports the CPUs the threads may run on: as many as
// the libOS has vCPUs (the runtime sets GOMAXPROCS from it).
func sysSchedGetaffinity(size, address uint64) int64 {
	if size < 8 {
		return -abi.EINVAL
	}
	if !putUser64(address, 1<<uint(vcpuCount)-1) {
		return -abi.EFAULT
	}
	return 8
}

func sysGetrandom(address, length uint64) int64 {
	if length > 1<<25 {
		length = 1 << 25
	}
	b, ok := userBytes(address, length, true)
	if !ok {
		return -abi.EFAULT
	}
	fillRandom(b)
	return int64(length)
}

func sysUname(address uint64) int64 {
	b, ok := userBytes(address, abi.UtsnameSize, true)
	if !ok {
		return -abi.EFAULT
	}
	for i := range b {
		b[i] = 0
	}
	fields := [...]string{"Linux", "exogo", "6.1.0-exogo", "exogo libOS", "x86_64", "(none)"}
	for i, s := range fields {
		for j := 0; j < len(s) && j < abi.UtsnameField-1; j++ {
			if k := uint(i*abi.UtsnameField + j); k < uint(len(b)) {
				b[k] = s[j]
			}
		}
	}
	return 0
}

// sysPrlimit reports limits (the runtime raises RLIMIT_NOFILE's soft limit
// to the hard one; other limits are infinite) and accepts new ones.
func sysPrlimit(resource, newLimit, oldLimit uint64) int64 {
	const rlimitNofile, infinity = 7, ^uint64(0)
	if resource >= 16 {
		return -abi.EINVAL
	}
	if oldLimit != 0 {
		soft, hard := infinity, infinity
		if resource == rlimitNofile {
			soft, hard = maxFiles, maxFiles
		}
		if !putUser64(oldLimit, soft) || !putUser64(oldLimit+8, hard) {
			return -abi.EFAULT
		}
	}
	if newLimit != 0 {
		if _, ok := userBytes(newLimit, 16, false); !ok {
			return -abi.EFAULT
		}
	}
	return 0
}
