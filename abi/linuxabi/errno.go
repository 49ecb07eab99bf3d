package linuxabi

// Errno values. A system call fails by returning the negated value in RAX.
const (
	EPERM        = 1
	ENOENT       = 2
	ESRCH        = 3
	EINTR        = 4
	EIO          = 5
	E2BIG        = 7
	ENOEXEC      = 8
	EBADF        = 9
	ECHILD       = 10
	EAGAIN       = 11
	ENOMEM       = 12
	EACCES       = 13
	EFAULT       = 14
	EBUSY        = 16
	EEXIST       = 17
	ENODEV       = 19
	ENOTDIR      = 20
	EISDIR       = 21
	EINVAL       = 22
	ENFILE       = 23
	EMFILE       = 24
	ENOTTY       = 25
	ENOSPC       = 28
	ESPIPE       = 29
	EROFS        = 30
	EPIPE        = 32
	ERANGE       = 34
	ENAMETOOLONG = 36
	ENOSYS       = 38
	EOVERFLOW    = 75
	EOPNOTSUPP   = 95
	ELOOP        = 40
	ENOTEMPTY    = 39
	EMLINK       = 31
	EFBIG        = 27
	ETXTBSY      = 26
	EXDEV        = 18
	ENXIO        = 6
	ETIMEDOUT    = 110
)
