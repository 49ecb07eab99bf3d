package linuxabi

// Byte layouts, as offsets and sizes (the personalities read and write
// them in user memory or in memory they map, never through Go structs
// that could be laid out differently). layout_test.go checks each against
// golang.org/x/sys/unix.

// struct timespec.
const (
	TimespecSec  = 0
	TimespecNsec = 8
	TimespecSize = 16
)

// The kernel's struct sigaction (rt_sigaction), with an 8-byte mask.
const (
	SigactionHandler  = 0
	SigactionFlags    = 8
	SigactionRestorer = 16
	SigactionMask     = 24
	SigactionSize     = 32
	SigsetSize        = 8
)

// stack_t (sigaltstack).
const (
	StackSp    = 0
	StackFlags = 8
	StackSize  = 16
	StackTSize = 24
)

// The rt_sigframe a signal handler starts on: the return address (the
// handler's sa_restorer), the ucontext, then the siginfo. The FXSAVE
// image the ucontext's fpstate points at lies above it, 64-byte aligned.
const (
	FrameReturnAddress = 0
	FrameUcontext      = 8
	FrameSiginfo       = FrameUcontext + UcontextSize
	SignalFrameSize    = FrameSiginfo + SiginfoSize
	FxsaveSize         = 512
	RedZone            = 128
)

// struct ucontext.
const (
	UcontextFlags    = 0
	UcontextLink     = 8
	UcontextStack    = 16  // stack_t uc_stack
	UcontextMcontext = 40  // struct sigcontext
	UcontextSigmask  = 296 // sigset_t
	UcontextSize     = 304
)

// Offsets in struct sigcontext, in Linux's order of the registers.
const (
	McR8 = iota * 8
	McR9
	McR10
	McR11
	McR12
	McR13
	McR14
	McR15
	McRdi
	McRsi
	McRbp
	McRbx
	McRdx
	McRax
	McRcx
	McRsp
	McRip
	McEflags
	McSegments // cs, gs, fs, ss (16 bits each)
	McErr
	McTrapno
	McOldmask
	McCr2
	McFpstate
	McReserved
	McSize = McReserved + 8*8
)

// siginfo: signo, errno, code, then the union (the fault address, or the
// sender's pid and uid for tgkill).
const (
	SiginfoSigno = 0
	SiginfoErrno = 4
	SiginfoCode  = 8
	SiginfoAddr  = 16
	SiginfoPid   = 16
	SiginfoUID   = 20
	SiginfoSize  = 128
)

// struct stat (x86-64).
const (
	StatDev     = 0
	StatIno     = 8
	StatNlink   = 16
	StatMode    = 24
	StatUID     = 28
	StatGID     = 32
	StatRdev    = 40
	StatSize    = 48
	StatBlksize = 56
	StatBlocks  = 64
	StatAtime   = 72
	StatMtime   = 88
	StatCtime   = 104
	StatLength  = 144
)

// struct linux_dirent64's header; the name follows, NUL-terminated, and
// the record is padded to 8 bytes.
const (
	DirentIno    = 0
	DirentOff    = 8
	DirentReclen = 16
	DirentType   = 18
	DirentName   = 19
)

// struct epoll_event: packed on x86-64 (12 bytes).
const (
	EpollEventEvents = 0
	EpollEventData   = 4
	EpollEventSize   = 12
)

// struct utsname: six fields of 65 bytes.
const (
	UtsnameField = 65
	UtsnameSize  = 6 * UtsnameField
)
