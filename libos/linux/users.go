package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
)

// Users: the kernel checks a process's user and group against the file
// system's permission bits (process_set_user); the libOS keeps a copy
// for getuid and friends. A process starts as its parent's (AT_UID and
// AT_GID, from the loader; the first process is root). There is one user
// per process: real, effective and saved are the same, and there are no
// supplementary groups.

var procUID, procGID uint32

// setUser asks the kernel to run this process as uid and gid (^0: keep).
func setUser(uid, gid uint64) int64 {
	if uint32(uid) == ^uint32(0) {
		uid = uint64(procUID)
	}
	if uint32(gid) == ^uint32(0) {
		gid = uint64(procGID)
	}
	if vfork.swapped {
		// A vfork child's (Go's Credential): the user it will be spawned
		// as; the process's own stays (only root may change it, as the
		// kernel would check).
		if procUID != 0 && (uint32(uid) != procUID || uint32(gid) != procGID) {
			return -abi.EPERM
		}
		procUID, procGID = uint32(uid), uint32(gid)
		return 0
	}
	if r := exo.ProcessSetUser(0, uint64(uint32(uid)), uint64(uint32(gid))); r < 0 {
		return -abi.EPERM
	}
	procUID, procGID = uint32(uid), uint32(gid)
	dropCaches()
	return 0
}

// userCall serves the user and group calls; handled false for others.
func userCall(number, a0, a1, a2 uint64) (int64, bool) {
	switch number {
	case abi.SysGetuid, abi.SysGeteuid:
		return int64(procUID), true
	case abi.SysGetgid, abi.SysGetegid:
		return int64(procGID), true
	case abi.SysSetuid:
		return setUser(a0, ^uint64(0)), true
	case abi.SysSetgid:
		return setUser(^uint64(0), a0), true
	case abi.SysSetreuid, abi.SysSetresuid:
		return setUser(pickID(a1, a0), ^uint64(0)), true // the effective one, else the real one
	case abi.SysSetregid, abi.SysSetresgid:
		return setUser(^uint64(0), pickID(a1, a0)), true
	case abi.SysGetresuid, abi.SysGetresgid:
		id := uint64(procUID)
		if number == abi.SysGetresgid {
			id = uint64(procGID)
		}
		for _, address := range [3]uint64{a0, a1, a2} {
			if b, ok := userBytes(address, 4, true); ok {
				putWord32(b, 0, uint32(id))
			} else {
				return -abi.EFAULT, true
			}
		}
		return 0, true
	case abi.SysGetgroups:
		return 0, true
	case abi.SysReboot:
		return sysReboot(a0, a1, a2), true
	case abi.SysSetgroups:
		if procUID != 0 {
			return -abi.EPERM, true
		}
		return 0, true
	}
	return 0, false
}

// pickID is the first of a and b that is not -1.
func pickID(a, b uint64) uint64 {
	if uint32(a) != ^uint32(0) {
		return a
	}
	return b
}

// mayAccess reports whether this process's user may access a node of
// mode, whose owner and group are ids (the metadata page's word: the
// user in the low 32 bits, the group in the high), as want asks (4 read,
// 2 write, 1 execute), as the kernel decides.
func mayAccess(mode, ids uint64, want uint32) bool {
	if procUID == 0 {
		return want&1 == 0 || mode&0o170000 == 0o040000 || mode&0o111 != 0
	}
	perm := uint32(mode)
	if procUID == uint32(ids) {
		perm >>= 6
	} else if procGID == uint32(ids>>32) {
		perm >>= 3
	}
	return perm&want == want
}

// sysReboot serves reboot(2) as Linux checks it: root (else EPERM), then
// the magic numbers (else EINVAL). Power-off and halt power the machine
// off with status 0 (the kernel's poweroff, which ends every process and
// which it refuses to a process without the power right: EPERM too);
// Ctrl-Alt-Del's setting is accepted and changes nothing. Restart is
// ENOSYS: the kernel has no reboot.
func sysReboot(magic1, magic2, command uint64) int64 {
	switch {
	case procUID != 0:
		return -abi.EPERM
	case uint32(magic1) != abi.RebootMagic1:
		return -abi.EINVAL
	case uint32(magic2) != abi.RebootMagic2 && uint32(magic2) != abi.RebootMagic2A &&
		uint32(magic2) != abi.RebootMagic2B && uint32(magic2) != abi.RebootMagic2C:
		return -abi.EINVAL
	}
	switch uint32(command) {
	case abi.RebootCmdPowerOff, abi.RebootCmdHalt:
		exo.Poweroff(0) // returns only when refused
		return -abi.EPERM
	case abi.RebootCmdCadOn, abi.RebootCmdCadOff:
		return 0
	case abi.RebootCmdRestart, abi.RebootCmdRestart2:
		return -abi.ENOSYS
	}
	return -abi.EINVAL
}
