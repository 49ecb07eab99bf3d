package linuxabi

// clone flags.
const (
	CloneVM            = 0x100
	CloneFS            = 0x200
	CloneFiles         = 0x400
	CloneSighand       = 0x800
	CloneVfork         = 0x4000
	CloneThread        = 0x10000
	CloneSysvsem       = 0x40000
	CloneSetTLS        = 0x80000
	CloneParentSetTID  = 0x100000
	CloneChildClearTID = 0x200000
	CloneChildSetTID   = 0x1000000
)

// futex operations: the command in the low 7 bits, with flags above.
const (
	FutexWait          = 0
	FutexWake          = 1
	FutexWaitBitset    = 9
	FutexWakeBitset    = 10
	FutexPrivateFlag   = 128
	FutexClockRealtime = 256
)

// mmap protections, flags and madvise advice.
const (
	ProtNone  = 0
	ProtRead  = 1
	ProtWrite = 2
	ProtExec  = 4

	MapShared         = 0x1
	MapPrivate        = 0x2
	MapFixed          = 0x10
	MapAnonymous      = 0x20
	MapNoreserve      = 0x4000
	MapStack          = 0x20000
	MapFixedNoreplace = 0x100000

	MadvNormal     = 0
	MadvDontneed   = 4
	MadvFree       = 8
	MadvHugepage   = 14
	MadvNohugepage = 15
	MadvCollapse   = 25
)

// arch_prctl codes.
const (
	ArchSetGS = 0x1001
	ArchSetFS = 0x1002
	ArchGetFS = 0x1003
	ArchGetGS = 0x1004
)

// Clocks.
const (
	ClockRealtime         = 0
	ClockMonotonic        = 1
	ClockProcessCputimeID = 2
	ClockThreadCputimeID  = 3
	ClockMonotonicRaw     = 4
	ClockRealtimeCoarse   = 5
	ClockMonotonicCoarse  = 6
	ClockBoottime         = 7
)

// RealtimeClock reports whether clock reads the wall clock (the realtime
// family); the others a personality knows (up to ClockBoottime) count from
// boot.
func RealtimeClock(clock uint64) bool {
	return clock == ClockRealtime || clock == ClockRealtimeCoarse
}

// Signals (those either personality names), sigaction flags,
// sigprocmask's how, sigaltstack flags and siginfo codes.
const (
	SIGHUP  = 1
	SIGINT  = 2
	SIGQUIT = 3
	SIGILL  = 4
	SIGTRAP = 5
	SIGABRT = 6
	SIGBUS  = 7
	SIGFPE  = 8
	SIGKILL = 9
	SIGSEGV = 11
	SIGPIPE = 13
	SIGALRM = 14
	SIGTERM = 15
	SIGCHLD = 17
	SIGSTOP = 19
	SIGURG  = 23
	SIGPROF = 27

	NumberOfSignals = 64

	SaSiginfo  = 0x4
	SaOnstack  = 0x0800_0000
	SaRestart  = 0x1000_0000
	SaRestorer = 0x0400_0000
	SaNodefer  = 0x4000_0000

	SigBlock   = 0
	SigUnblock = 1
	SigSetmask = 2

	SsOnstack = 1
	SsDisable = 2

	// MinSigstksz is the smallest alternate stack sigaltstack accepts.
	MinSigstksz = 2048

	SegvMaperr = 1 // address not mapped
	SegvAccerr = 2 // permissions
	IllIllopn  = 2
	FpeIntdiv  = 1
	BusAdrerr  = 2
	SiKernel   = 0x80 // a fault with no address (#GP)
	SiTkill    = -6
)

// Auxiliary-vector keys.
const (
	AtNull        = 0
	AtPhdr        = 3
	AtPhent       = 4
	AtPhnum       = 5
	AtPagesz      = 6
	AtBase        = 7
	AtEntry       = 9
	AtUID         = 11
	AtEUID        = 12
	AtGID         = 13
	AtEGID        = 14
	AtPlatform    = 15
	AtHwcap       = 16
	AtClktck      = 17
	AtSecure      = 23
	AtRandom      = 25
	AtExecfn      = 31
	AtSysinfoEhdr = 33
)

// File-descriptor flags and fcntl commands.
const (
	ORdonly    = 0
	OWronly    = 1
	ORdwr      = 2
	OCreat     = 0x40
	OExcl      = 0x80
	ONoctty    = 0x100
	OTrunc     = 0x200
	OAppend    = 0x400
	ONonblock  = 0x800
	ODirectory = 0x10000
	ONofollow  = 0x20000
	OCloexec   = 0x80000

	FDupfd        = 0
	FGetfd        = 1
	FSetfd        = 2
	FGetfl        = 3
	FSetfl        = 4
	FDupfdCloexec = 1030

	FdCloexec = 1

	AtFdcwd = -100
)

// epoll.
const (
	EpollCtlAdd = 1
	EpollCtlDel = 2
	EpollCtlMod = 3

	EpollIn    = 0x1
	EpollOut   = 0x4
	EpollErr   = 0x8
	EpollHup   = 0x10
	EpollRdhup = 0x2000
	EpollEt    = 0x8000_0000
)

// Terminal ioctls (the console's: libos/linux, tty.go).
const (
	TCGETS     = 0x5401
	TCSETS     = 0x5402
	TCSETSW    = 0x5403
	TCSETSF    = 0x5404
	TCFLSH     = 0x540b
	TIOCSCTTY  = 0x540e
	TIOCGPGRP  = 0x540f
	TIOCSPGRP  = 0x5410
	TIOCGWINSZ = 0x5413
	TIOCSWINSZ = 0x5414
	FIONREAD   = 0x541b
	FIONBIO    = 0x5421
	TIOCNOTTY  = 0x5422
	TIOCGSID   = 0x5429
	FIONCLEX   = 0x5450
	FIOCLEX    = 0x5451
)

// reboot(2): the magic numbers every call carries and the commands.
const (
	RebootMagic1      = 0xfee1dead
	RebootMagic2      = 672274793
	RebootMagic2A     = 85072278
	RebootMagic2B     = 369367448
	RebootMagic2C     = 537993216
	RebootCmdRestart  = 0x01234567
	RebootCmdHalt     = 0xcdef0123
	RebootCmdCadOn    = 0x89abcdef
	RebootCmdCadOff   = 0
	RebootCmdPowerOff = 0x4321fedc
	RebootCmdRestart2 = 0xa1b2c3d4
)
