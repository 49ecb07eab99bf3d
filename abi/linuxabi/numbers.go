package linuxabi

// System call numbers (x86-64), the ones either personality serves or
// refuses by name.
const (
	SysRead             = 0
	SysWrite            = 1
	SysOpen             = 2
	SysClose            = 3
	SysStat             = 4
	SysFstat            = 5
	SysLstat            = 6
	SysLseek            = 8
	SysPoll             = 7
	SysMmap             = 9
	SysMprotect         = 10
	SysMunmap           = 11
	SysBrk              = 12
	SysRtSigaction      = 13
	SysRtSigprocmask    = 14
	SysRtSigreturn      = 15
	SysIoctl            = 16
	SysPread64          = 17
	SysPwrite64         = 18
	SysReadv            = 19
	SysWritev           = 20
	SysAccess           = 21
	SysPipe             = 22
	SysSchedYield       = 24
	SysMincore          = 27
	SysMadvise          = 28
	SysDup              = 32
	SysDup2             = 33
	SysNanosleep        = 35
	SysGetpid           = 39
	SysSendfile         = 40
	SysClone            = 56
	SysFork             = 57
	SysVfork            = 58
	SysExecve           = 59
	SysExit             = 60
	SysWait4            = 61
	SysKill             = 62
	SysUname            = 63
	SysFcntl            = 72
	SysFlock            = 73
	SysFsync            = 74
	SysFdatasync        = 75
	SysTruncate         = 76
	SysFtruncate        = 77
	SysGetcwd           = 79
	SysChdir            = 80
	SysFchdir           = 81
	SysRename           = 82
	SysMkdir            = 83
	SysMknod            = 133
	SysRmdir            = 84
	SysLink             = 86
	SysUnlink           = 87
	SysSymlink          = 88
	SysReadlink         = 89
	SysChmod            = 90
	SysFchmod           = 91
	SysChown            = 92
	SysFchown           = 93
	SysLchown           = 94
	SysUmask            = 95
	SysGettimeofday     = 96
	SysGetrlimit        = 97
	SysGetuid           = 102
	SysGetgid           = 104
	SysSetuid           = 105
	SysSetgid           = 106
	SysGeteuid          = 107
	SysGetegid          = 108
	SysSetpgid          = 109
	SysGetppid          = 110
	SysGetpgrp          = 111
	SysSetsid           = 112
	SysSetreuid         = 113
	SysSetregid         = 114
	SysGetgroups        = 115
	SysSetgroups        = 116
	SysSetresuid        = 117
	SysGetresuid        = 118
	SysSetresgid        = 119
	SysGetresgid        = 120
	SysSigaltstack      = 131
	SysStatfs           = 137
	SysFstatfs          = 138
	SysPrctl            = 157
	SysReboot           = 169
	SysArchPrctl        = 158
	SysGettid           = 186
	SysTkill            = 200
	SysFutex            = 202
	SysSchedGetaffinity = 204
	SysGetdents64       = 217
	SysGetpgid          = 121
	SysGetsid           = 124
	SysSetTidAddress    = 218
	SysFadvise64        = 221
	SysClockGettime     = 228
	SysClockGetres      = 229
	SysClockNanosleep   = 230
	SysExitGroup        = 231
	SysEpollWait        = 232
	SysEpollCtl         = 233
	SysTgkill           = 234
	SysOpenat           = 257
	SysMkdirat          = 258
	SysMknodat          = 259
	SysFchownat         = 260
	SysNewfstatat       = 262
	SysUnlinkat         = 263
	SysRenameat         = 264
	SysLinkat           = 265
	SysSymlinkat        = 266
	SysReadlinkat       = 267
	SysFchmodat         = 268
	SysFaccessat        = 269
	SysPselect6         = 270
	SysPpoll            = 271
	SysSplice           = 275
	SysUtimensat        = 280
	SysEpollPwait       = 281
	SysFallocate        = 285
	SysEventfd2         = 290
	SysEpollCreate1     = 291
	SysDup3             = 292
	SysPipe2            = 293
	SysPreadv           = 295
	SysPwritev          = 296
	SysPrlimit64        = 302
	SysWaitid           = 247
	SysPidfdOpen        = 434
	SysRenameat2        = 316
	SysGetrandom        = 318
	SysCopyFileRange    = 326
	SysStatx            = 332
	SysRseq             = 334
	SysFaccessat2       = 439
	SysFchmodat2        = 452

	// SysMax bounds the numbers a personality tables (per-number
	// statistics, "logged once" bits).
	SysMax = 512
)

// CallSet is a set of system call numbers, for reporting each unknown
// call once. The zero value is empty.
type CallSet [SysMax / 64]uint64

// Add adds number and reports whether it was not in the set yet (numbers
// at or above SysMax are always new).
func (s *CallSet) Add(number uint64) bool {
	if number >= SysMax {
		return true
	}
	word, bit := number/64%uint64(len(s)), uint64(1)<<(number%64)
	if s[word]&bit != 0 {
		return false
	}
	s[word] |= bit
	return true
}
