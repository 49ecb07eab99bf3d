package linux

import abi "exogo/abi/linuxabi"

// fileCall serves the file calls lockedCall does not name; handled false
// for a number it does not know either.
func fileCall(number, a0, a1, a2, a3, a4 uint64) (int64, bool) {
	switch number {
	case abi.SysPwrite64:
		return sysPwrite(a0, a1, a2, a3), true
	case abi.SysStat:
		return sysNewfstatat(atFdcwd, a0, a1, 0), true
	case abi.SysLstat:
		return sysNewfstatat(atFdcwd, a0, a1, atSymlinkNofollow), true
	case abi.SysMkdirat:
		return sysMkdirat(a0, a1, a2), true
	case abi.SysMkdir:
		return sysMkdirat(atFdcwd, a0, a1), true
	case abi.SysMknodat:
		return sysMknodat(a0, a1, a2, a3), true
	case abi.SysMknod:
		return sysMknodat(atFdcwd, a0, a1, a2), true
	case abi.SysUnlinkat:
		return sysUnlinkat(a0, a1, a2), true
	case abi.SysUnlink:
		return sysUnlinkat(atFdcwd, a0, 0), true
	case abi.SysRmdir:
		return sysUnlinkat(atFdcwd, a0, atRemovedir), true
	case abi.SysRenameat2:
		return sysRenameat2(a0, a1, a2, a3, a4), true
	case abi.SysRenameat:
		return sysRenameat2(a0, a1, a2, a3, 0), true
	case abi.SysRename:
		return sysRenameat2(atFdcwd, a0, atFdcwd, a1, 0), true
	case abi.SysLinkat:
		return sysLinkat(a0, a1, a2, a3, a4), true
	case abi.SysLink:
		return sysLinkat(atFdcwd, a0, atFdcwd, a1, 0), true
	case abi.SysSymlinkat:
		return sysSymlinkat(a0, a1, a2), true
	case abi.SysSymlink:
		return sysSymlinkat(a0, atFdcwd, a1), true
	case abi.SysFchmodat:
		return sysFchmodat(a0, a1, a2, 0), true // no flags argument
	case abi.SysFchmodat2:
		return sysFchmodat(a0, a1, a2, a3), true
	case abi.SysChmod:
		return sysFchmodat(atFdcwd, a0, a1, 0), true
	case abi.SysFchmod:
		return onTarget(a0, 0, 0, doChmod, a1, 0), true
	case abi.SysFchownat:
		return sysFchownat(a0, a1, a2, a3, a4), true
	case abi.SysChown:
		return sysFchownat(atFdcwd, a0, a1, a2, 0), true
	case abi.SysLchown:
		return sysFchownat(atFdcwd, a0, a1, a2, atSymlinkNofollow), true
	case abi.SysFchown:
		return onTarget(a0, 0, 0, doChown, uint64(uint32(a1)), uint64(uint32(a2))), true
	case abi.SysUtimensat:
		return sysUtimensat(a0, a1, a2, a3), true
	case abi.SysFaccessat:
		return sysFaccessat(a0, a1, a2, 0), true // no flags argument
	case abi.SysFaccessat2:
		return sysFaccessat(a0, a1, a2, a3), true
	case abi.SysAccess:
		return sysFaccessat(atFdcwd, a0, a1, 0), true
	case abi.SysFtruncate:
		return sysFtruncate(a0, a1), true
	case abi.SysTruncate:
		return sysTruncate(a0, a1), true
	case abi.SysChdir:
		return sysChdir(a0), true
	case abi.SysFchdir:
		return sysFchdir(a0), true
	case abi.SysGetcwd:
		return sysGetcwd(a0, a1), true
	case abi.SysUmask:
		return sysUmask(a0), true
	case abi.SysStatfs:
		if r := onTarget(atFdcwd, a0, 0, doAccess, 0, 0); r != 0 {
			return r, true // the path must exist
		}
		return sysStatfs(a1), true
	case abi.SysFstatfs:
		if fileAt(a0) == nil {
			return -abi.EBADF, true
		}
		return sysStatfs(a1), true
	case abi.SysFsync, abi.SysFdatasync, abi.SysFadvise64, abi.SysFlock:
		// Files are memory: nothing to write back, no advice to take;
		// TODO(issue 9): flock between processes (it always succeeds).
		if fileAt(a0) == nil {
			return -abi.EBADF, true
		}
		return 0, true
	case abi.SysDup:
		return sysDup3(a0, ^uint64(0), 0, true), true
	case abi.SysDup2:
		return sysDup3(a0, a1, 0, true), true
	case abi.SysDup3:
		return sysDup3(a0, a1, a2, false), true
	case abi.SysCopyFileRange, abi.SysSplice, abi.SysSendfile:
		return -abi.EINVAL, true // Go falls back to read and write
	}
	return 0, false
}
