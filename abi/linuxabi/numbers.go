package linuxabi

// System call numbers (x86-64), the ones either personality serves or
// refuses by name.
const (
	SysRead             = 0
	SysWrite            = 1
	SysOpen             = 2
	SysClose            = 3
	SysFstat            = 5
	SysLseek            = 8
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
	SysPipe             = 22
	SysSchedYield       = 24
	SysMincore          = 27
	SysMadvise          = 28
	SysDup              = 32
	SysDup2             = 33
	SysNanosleep        = 35
	SysGetpid           = 39
	SysClone            = 56
	SysFork             = 57
	SysVfork            = 58
	SysExecve           = 59
	SysExit             = 60
	SysWait4            = 61
	SysKill             = 62
	SysUname            = 63
	SysFcntl            = 72
	SysGetcwd           = 79
	SysReadlink         = 89
	SysGettimeofday     = 96
	SysGetrlimit        = 97
	SysGetuid           = 102
	SysGetgid           = 104
	SysGeteuid          = 107
	SysGetegid          = 108
	SysGetppid          = 110
	SysSigaltstack      = 131
	SysPrctl            = 157
	SysArchPrctl        = 158
	SysGettid           = 186
	SysTkill            = 200
	SysFutex            = 202
	SysSchedGetaffinity = 204
	SysGetdents64       = 217
	SysSetTidAddress    = 218
	SysClockGettime     = 228
	SysClockGetres      = 229
	SysClockNanosleep   = 230
	SysExitGroup        = 231
	SysEpollWait        = 232
	SysEpollCtl         = 233
	SysTgkill           = 234
	SysOpenat           = 257
	SysNewfstatat       = 262
	SysReadlinkat       = 267
	SysFaccessat        = 269
	SysPselect6         = 270
	SysEpollPwait       = 281
	SysEventfd2         = 290
	SysEpollCreate1     = 291
	SysPipe2            = 293
	SysPrlimit64        = 302
	SysGetrandom        = 318
	SysStatx            = 332
	SysRseq             = 334
	SysFaccessat2       = 439

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
