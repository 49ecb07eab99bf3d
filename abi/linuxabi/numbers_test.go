package linuxabi

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// The numbers against golang.org/x/sys/unix.
func TestNumbersMatchLinux(t *testing.T) {
	checks := []struct {
		name      string
		got, want int64
	}{
		{"EPERM", EPERM, int64(unix.EPERM)}, {"ENOENT", ENOENT, int64(unix.ENOENT)},
		{"ESRCH", ESRCH, int64(unix.ESRCH)}, {"EINTR", EINTR, int64(unix.EINTR)},
		{"EIO", EIO, int64(unix.EIO)}, {"EBADF", EBADF, int64(unix.EBADF)},
		{"ECHILD", ECHILD, int64(unix.ECHILD)}, {"EAGAIN", EAGAIN, int64(unix.EAGAIN)},
		{"ENOMEM", ENOMEM, int64(unix.ENOMEM)}, {"EACCES", EACCES, int64(unix.EACCES)},
		{"EFAULT", EFAULT, int64(unix.EFAULT)}, {"EBUSY", EBUSY, int64(unix.EBUSY)},
		{"EEXIST", EEXIST, int64(unix.EEXIST)}, {"ENODEV", ENODEV, int64(unix.ENODEV)},
		{"ENOTDIR", ENOTDIR, int64(unix.ENOTDIR)}, {"EISDIR", EISDIR, int64(unix.EISDIR)},
		{"EINVAL", EINVAL, int64(unix.EINVAL)}, {"EMFILE", EMFILE, int64(unix.EMFILE)}, {"ENFILE", ENFILE, int64(unix.ENFILE)},
		{"ENOTTY", ENOTTY, int64(unix.ENOTTY)}, {"ENOSPC", ENOSPC, int64(unix.ENOSPC)},
		{"ESPIPE", ESPIPE, int64(unix.ESPIPE)}, {"EPIPE", EPIPE, int64(unix.EPIPE)},
		{"ERANGE", ERANGE, int64(unix.ERANGE)}, {"ENOSYS", ENOSYS, int64(unix.ENOSYS)},
		{"ETIMEDOUT", ETIMEDOUT, int64(unix.ETIMEDOUT)}, {"E2BIG", E2BIG, int64(unix.E2BIG)},
		{"ENOEXEC", ENOEXEC, int64(unix.ENOEXEC)}, {"EROFS", EROFS, int64(unix.EROFS)},
		{"ENAMETOOLONG", ENAMETOOLONG, int64(unix.ENAMETOOLONG)},
		{"ENXIO", ENXIO, int64(unix.ENXIO)}, {"EOVERFLOW", EOVERFLOW, int64(unix.EOVERFLOW)}, {"EXDEV", EXDEV, int64(unix.EXDEV)}, {"ETXTBSY", ETXTBSY, int64(unix.ETXTBSY)}, {"EFBIG", EFBIG, int64(unix.EFBIG)}, {"EMLINK", EMLINK, int64(unix.EMLINK)}, {"ENOTEMPTY", ENOTEMPTY, int64(unix.ENOTEMPTY)}, {"ELOOP", ELOOP, int64(unix.ELOOP)}, {"EOPNOTSUPP", EOPNOTSUPP, int64(unix.EOPNOTSUPP)},

		{"read", SysRead, unix.SYS_READ}, {"write", SysWrite, unix.SYS_WRITE},
		{"open", SysOpen, unix.SYS_OPEN}, {"close", SysClose, unix.SYS_CLOSE},
		{"fstat", SysFstat, unix.SYS_FSTAT}, {"lseek", SysLseek, unix.SYS_LSEEK},
		{"mmap", SysMmap, unix.SYS_MMAP}, {"mprotect", SysMprotect, unix.SYS_MPROTECT},
		{"munmap", SysMunmap, unix.SYS_MUNMAP}, {"brk", SysBrk, unix.SYS_BRK},
		{"rt_sigaction", SysRtSigaction, unix.SYS_RT_SIGACTION},
		{"rt_sigprocmask", SysRtSigprocmask, unix.SYS_RT_SIGPROCMASK},
		{"rt_sigreturn", SysRtSigreturn, unix.SYS_RT_SIGRETURN}, {"ioctl", SysIoctl, unix.SYS_IOCTL},
		{"pread64", SysPread64, unix.SYS_PREAD64}, {"pwrite64", SysPwrite64, unix.SYS_PWRITE64},
		{"readv", SysReadv, unix.SYS_READV}, {"writev", SysWritev, unix.SYS_WRITEV},
		{"sched_yield", SysSchedYield, unix.SYS_SCHED_YIELD}, {"mincore", SysMincore, unix.SYS_MINCORE},
		{"madvise", SysMadvise, unix.SYS_MADVISE}, {"dup", SysDup, unix.SYS_DUP}, {"dup2", SysDup2, unix.SYS_DUP2},
		{"nanosleep", SysNanosleep, unix.SYS_NANOSLEEP}, {"getpid", SysGetpid, unix.SYS_GETPID},
		{"clone", SysClone, unix.SYS_CLONE}, {"fork", SysFork, unix.SYS_FORK}, {"vfork", SysVfork, unix.SYS_VFORK},
		{"execve", SysExecve, unix.SYS_EXECVE}, {"exit", SysExit, unix.SYS_EXIT}, {"wait4", SysWait4, unix.SYS_WAIT4},
		{"kill", SysKill, unix.SYS_KILL}, {"uname", SysUname, unix.SYS_UNAME}, {"fcntl", SysFcntl, unix.SYS_FCNTL},
		{"getcwd", SysGetcwd, unix.SYS_GETCWD}, {"gettimeofday", SysGettimeofday, unix.SYS_GETTIMEOFDAY},
		{"getrlimit", SysGetrlimit, unix.SYS_GETRLIMIT}, {"getuid", SysGetuid, unix.SYS_GETUID},
		{"getgid", SysGetgid, unix.SYS_GETGID}, {"geteuid", SysGeteuid, unix.SYS_GETEUID},
		{"getegid", SysGetegid, unix.SYS_GETEGID}, {"getppid", SysGetppid, unix.SYS_GETPPID},
		{"setpgid", SysSetpgid, unix.SYS_SETPGID}, {"getpgrp", SysGetpgrp, unix.SYS_GETPGRP},
		{"setsid", SysSetsid, unix.SYS_SETSID}, {"getpgid", SysGetpgid, unix.SYS_GETPGID},
		{"getsid", SysGetsid, unix.SYS_GETSID}, {"waitid", SysWaitid, unix.SYS_WAITID},
		{"pidfd_open", SysPidfdOpen, unix.SYS_PIDFD_OPEN}, {"poll", SysPoll, unix.SYS_POLL},
		{"ppoll", SysPpoll, unix.SYS_PPOLL}, {"pselect6", SysPselect6, unix.SYS_PSELECT6},
		{"epoll_wait", SysEpollWait, unix.SYS_EPOLL_WAIT},
		{"sigaltstack", SysSigaltstack, unix.SYS_SIGALTSTACK}, {"prctl", SysPrctl, unix.SYS_PRCTL},
		{"arch_prctl", SysArchPrctl, unix.SYS_ARCH_PRCTL}, {"gettid", SysGettid, unix.SYS_GETTID},
		{"tkill", SysTkill, unix.SYS_TKILL}, {"futex", SysFutex, unix.SYS_FUTEX},
		{"sched_getaffinity", SysSchedGetaffinity, unix.SYS_SCHED_GETAFFINITY},
		{"getdents64", SysGetdents64, unix.SYS_GETDENTS64}, {"set_tid_address", SysSetTidAddress, unix.SYS_SET_TID_ADDRESS},
		{"clock_gettime", SysClockGettime, unix.SYS_CLOCK_GETTIME}, {"clock_getres", SysClockGetres, unix.SYS_CLOCK_GETRES},
		{"clock_nanosleep", SysClockNanosleep, unix.SYS_CLOCK_NANOSLEEP}, {"exit_group", SysExitGroup, unix.SYS_EXIT_GROUP},
		{"epoll_wait", SysEpollWait, unix.SYS_EPOLL_WAIT}, {"epoll_ctl", SysEpollCtl, unix.SYS_EPOLL_CTL},
		{"tgkill", SysTgkill, unix.SYS_TGKILL}, {"openat", SysOpenat, unix.SYS_OPENAT},
		{"newfstatat", SysNewfstatat, unix.SYS_NEWFSTATAT}, {"readlinkat", SysReadlinkat, unix.SYS_READLINKAT}, {"readlink", SysReadlink, unix.SYS_READLINK},
		{"faccessat", SysFaccessat, unix.SYS_FACCESSAT}, {"pselect6", SysPselect6, unix.SYS_PSELECT6},
		{"epoll_pwait", SysEpollPwait, unix.SYS_EPOLL_PWAIT}, {"eventfd2", SysEventfd2, unix.SYS_EVENTFD2},
		{"epoll_create1", SysEpollCreate1, unix.SYS_EPOLL_CREATE1}, {"pipe2", SysPipe2, unix.SYS_PIPE2}, {"pipe", SysPipe, unix.SYS_PIPE},
		{"prlimit64", SysPrlimit64, unix.SYS_PRLIMIT64}, {"getrandom", SysGetrandom, unix.SYS_GETRANDOM},
		{"statx", SysStatx, unix.SYS_STATX}, {"rseq", SysRseq, unix.SYS_RSEQ}, {"faccessat2", SysFaccessat2, unix.SYS_FACCESSAT2}, {"getgroups", SysGetgroups, unix.SYS_GETGROUPS}, {"setuid", SysSetuid, unix.SYS_SETUID}, {"setgid", SysSetgid, unix.SYS_SETGID}, {"setreuid", SysSetreuid, unix.SYS_SETREUID}, {"setregid", SysSetregid, unix.SYS_SETREGID}, {"setgroups", SysSetgroups, unix.SYS_SETGROUPS}, {"setresuid", SysSetresuid, unix.SYS_SETRESUID}, {"getresuid", SysGetresuid, unix.SYS_GETRESUID}, {"setresgid", SysSetresgid, unix.SYS_SETRESGID}, {"getresgid", SysGetresgid, unix.SYS_GETRESGID}, {"reboot", SysReboot, unix.SYS_REBOOT},
		{"stat", SysStat, unix.SYS_STAT}, {"lstat", SysLstat, unix.SYS_LSTAT}, {"access", SysAccess, unix.SYS_ACCESS}, {"sendfile", SysSendfile, unix.SYS_SENDFILE}, {"fsync", SysFsync, unix.SYS_FSYNC}, {"fdatasync", SysFdatasync, unix.SYS_FDATASYNC}, {"truncate", SysTruncate, unix.SYS_TRUNCATE}, {"ftruncate", SysFtruncate, unix.SYS_FTRUNCATE}, {"chdir", SysChdir, unix.SYS_CHDIR}, {"fchdir", SysFchdir, unix.SYS_FCHDIR}, {"rename", SysRename, unix.SYS_RENAME}, {"mkdir", SysMkdir, unix.SYS_MKDIR}, {"rmdir", SysRmdir, unix.SYS_RMDIR}, {"link", SysLink, unix.SYS_LINK}, {"unlink", SysUnlink, unix.SYS_UNLINK}, {"symlink", SysSymlink, unix.SYS_SYMLINK}, {"chmod", SysChmod, unix.SYS_CHMOD}, {"fchmod", SysFchmod, unix.SYS_FCHMOD}, {"chown", SysChown, unix.SYS_CHOWN}, {"fchown", SysFchown, unix.SYS_FCHOWN}, {"lchown", SysLchown, unix.SYS_LCHOWN}, {"umask", SysUmask, unix.SYS_UMASK}, {"statfs", SysStatfs, unix.SYS_STATFS}, {"fstatfs", SysFstatfs, unix.SYS_FSTATFS}, {"flock", SysFlock, unix.SYS_FLOCK}, {"fadvise64", SysFadvise64, unix.SYS_FADVISE64}, {"mkdirat", SysMkdirat, unix.SYS_MKDIRAT}, {"mknodat", SysMknodat, unix.SYS_MKNODAT}, {"mknod", SysMknod, unix.SYS_MKNOD}, {"fchownat", SysFchownat, unix.SYS_FCHOWNAT}, {"unlinkat", SysUnlinkat, unix.SYS_UNLINKAT}, {"renameat", SysRenameat, unix.SYS_RENAMEAT}, {"linkat", SysLinkat, unix.SYS_LINKAT}, {"symlinkat", SysSymlinkat, unix.SYS_SYMLINKAT}, {"fchmodat", SysFchmodat, unix.SYS_FCHMODAT}, {"splice", SysSplice, unix.SYS_SPLICE}, {"utimensat", SysUtimensat, unix.SYS_UTIMENSAT}, {"fallocate", SysFallocate, unix.SYS_FALLOCATE}, {"dup3", SysDup3, unix.SYS_DUP3}, {"preadv", SysPreadv, unix.SYS_PREADV}, {"pwritev", SysPwritev, unix.SYS_PWRITEV}, {"renameat2", SysRenameat2, unix.SYS_RENAMEAT2}, {"copyfilerange", SysCopyFileRange, unix.SYS_COPY_FILE_RANGE}, {"fchmodat2", SysFchmodat2, unix.SYS_FCHMODAT2},

		{"CLONE_VM", CloneVM, unix.CLONE_VM}, {"CLONE_FS", CloneFS, unix.CLONE_FS},
		{"CLONE_FILES", CloneFiles, unix.CLONE_FILES}, {"CLONE_SIGHAND", CloneSighand, unix.CLONE_SIGHAND},
		{"CLONE_VFORK", CloneVfork, unix.CLONE_VFORK}, {"CLONE_THREAD", CloneThread, unix.CLONE_THREAD},
		{"CLONE_SYSVSEM", CloneSysvsem, unix.CLONE_SYSVSEM}, {"CLONE_SETTLS", CloneSetTLS, unix.CLONE_SETTLS},
		{"CLONE_PARENT_SETTID", CloneParentSetTID, unix.CLONE_PARENT_SETTID},
		{"CLONE_CHILD_CLEARTID", CloneChildClearTID, unix.CLONE_CHILD_CLEARTID},
		{"CLONE_CHILD_SETTID", CloneChildSetTID, unix.CLONE_CHILD_SETTID},

		{"PROT_READ", ProtRead, unix.PROT_READ}, {"PROT_WRITE", ProtWrite, unix.PROT_WRITE},
		{"PROT_EXEC", ProtExec, unix.PROT_EXEC}, {"MAP_SHARED", MapShared, unix.MAP_SHARED},
		{"MAP_PRIVATE", MapPrivate, unix.MAP_PRIVATE}, {"MAP_FIXED", MapFixed, unix.MAP_FIXED},
		{"MAP_ANONYMOUS", MapAnonymous, unix.MAP_ANONYMOUS}, {"MAP_NORESERVE", MapNoreserve, unix.MAP_NORESERVE},
		{"MAP_STACK", MapStack, unix.MAP_STACK}, {"MAP_FIXED_NOREPLACE", MapFixedNoreplace, unix.MAP_FIXED_NOREPLACE},
		{"MADV_DONTNEED", MadvDontneed, unix.MADV_DONTNEED}, {"MADV_FREE", MadvFree, unix.MADV_FREE},
		{"MADV_HUGEPAGE", MadvHugepage, unix.MADV_HUGEPAGE}, {"MADV_NOHUGEPAGE", MadvNohugepage, unix.MADV_NOHUGEPAGE},
		{"MADV_COLLAPSE", MadvCollapse, unix.MADV_COLLAPSE},

		{"CLOCK_REALTIME", ClockRealtime, unix.CLOCK_REALTIME}, {"CLOCK_MONOTONIC", ClockMonotonic, unix.CLOCK_MONOTONIC},
		{"CLOCK_PROCESS_CPUTIME_ID", ClockProcessCputimeID, unix.CLOCK_PROCESS_CPUTIME_ID},
		{"CLOCK_THREAD_CPUTIME_ID", ClockThreadCputimeID, unix.CLOCK_THREAD_CPUTIME_ID},
		{"CLOCK_MONOTONIC_RAW", ClockMonotonicRaw, unix.CLOCK_MONOTONIC_RAW},
		{"CLOCK_REALTIME_COARSE", ClockRealtimeCoarse, unix.CLOCK_REALTIME_COARSE},
		{"CLOCK_MONOTONIC_COARSE", ClockMonotonicCoarse, unix.CLOCK_MONOTONIC_COARSE},
		{"CLOCK_BOOTTIME", ClockBoottime, unix.CLOCK_BOOTTIME},

		{"SIGHUP", SIGHUP, int64(unix.SIGHUP)}, {"SIGINT", SIGINT, int64(unix.SIGINT)},
		{"SIGQUIT", SIGQUIT, int64(unix.SIGQUIT)}, {"SIGILL", SIGILL, int64(unix.SIGILL)},
		{"SIGTRAP", SIGTRAP, int64(unix.SIGTRAP)}, {"SIGABRT", SIGABRT, int64(unix.SIGABRT)},
		{"SIGBUS", SIGBUS, int64(unix.SIGBUS)}, {"SIGFPE", SIGFPE, int64(unix.SIGFPE)},
		{"SIGKILL", SIGKILL, int64(unix.SIGKILL)}, {"SIGSEGV", SIGSEGV, int64(unix.SIGSEGV)},
		{"SIGPIPE", SIGPIPE, int64(unix.SIGPIPE)}, {"SIGALRM", SIGALRM, int64(unix.SIGALRM)},
		{"SIGTERM", SIGTERM, int64(unix.SIGTERM)}, {"SIGCHLD", SIGCHLD, int64(unix.SIGCHLD)},
		{"SIGSTOP", SIGSTOP, int64(unix.SIGSTOP)}, {"SIGURG", SIGURG, int64(unix.SIGURG)},
		{"SIGPROF", SIGPROF, int64(unix.SIGPROF)},

		{"TCGETS", TCGETS, unix.TCGETS}, {"TCSETS", TCSETS, unix.TCSETS}, {"TCSETSW", TCSETSW, unix.TCSETSW},
		{"TCSETSF", TCSETSF, unix.TCSETSF}, {"TCFLSH", TCFLSH, unix.TCFLSH}, {"TIOCSCTTY", TIOCSCTTY, unix.TIOCSCTTY},
		{"TIOCGPGRP", TIOCGPGRP, unix.TIOCGPGRP}, {"TIOCSPGRP", TIOCSPGRP, unix.TIOCSPGRP},
		{"TIOCGWINSZ", TIOCGWINSZ, unix.TIOCGWINSZ}, {"TIOCSWINSZ", TIOCSWINSZ, unix.TIOCSWINSZ},
		{"FIONREAD", FIONREAD, unix.TIOCINQ}, {"FIONBIO", FIONBIO, 0x5421}, {"TIOCNOTTY", TIOCNOTTY, unix.TIOCNOTTY},
		{"TIOCGSID", TIOCGSID, 0x5429}, {"FIONCLEX", FIONCLEX, 0x5450}, {"FIOCLEX", FIOCLEX, 0x5451}, // (not in x/sys/unix)

		{"LINUX_REBOOT_MAGIC1", RebootMagic1, unix.LINUX_REBOOT_MAGIC1}, {"LINUX_REBOOT_MAGIC2", RebootMagic2, unix.LINUX_REBOOT_MAGIC2},
		{"LINUX_REBOOT_MAGIC2A", RebootMagic2A, 85072278}, {"LINUX_REBOOT_MAGIC2B", RebootMagic2B, 369367448}, {"LINUX_REBOOT_MAGIC2C", RebootMagic2C, 537993216}, // (not in x/sys/unix)
		{"LINUX_REBOOT_CMD_RESTART", RebootCmdRestart, unix.LINUX_REBOOT_CMD_RESTART}, {"LINUX_REBOOT_CMD_HALT", RebootCmdHalt, unix.LINUX_REBOOT_CMD_HALT},
		{"LINUX_REBOOT_CMD_CAD_ON", RebootCmdCadOn, unix.LINUX_REBOOT_CMD_CAD_ON}, {"LINUX_REBOOT_CMD_CAD_OFF", RebootCmdCadOff, unix.LINUX_REBOOT_CMD_CAD_OFF},
		{"LINUX_REBOOT_CMD_POWER_OFF", RebootCmdPowerOff, unix.LINUX_REBOOT_CMD_POWER_OFF}, {"LINUX_REBOOT_CMD_RESTART2", RebootCmdRestart2, unix.LINUX_REBOOT_CMD_RESTART2},

		{"SIG_BLOCK", SigBlock, unix.SIG_BLOCK}, {"SIG_UNBLOCK", SigUnblock, unix.SIG_UNBLOCK},
		{"SIG_SETMASK", SigSetmask, unix.SIG_SETMASK},

		{"O_RDONLY", ORdonly, unix.O_RDONLY}, {"O_WRONLY", OWronly, unix.O_WRONLY}, {"O_RDWR", ORdwr, unix.O_RDWR},
		{"O_CREAT", OCreat, unix.O_CREAT}, {"O_EXCL", OExcl, unix.O_EXCL}, {"O_NOCTTY", ONoctty, unix.O_NOCTTY},
		{"O_TRUNC", OTrunc, unix.O_TRUNC}, {"O_APPEND", OAppend, unix.O_APPEND}, {"O_NONBLOCK", ONonblock, unix.O_NONBLOCK},
		{"O_DIRECTORY", ODirectory, unix.O_DIRECTORY}, {"O_NOFOLLOW", ONofollow, unix.O_NOFOLLOW},
		{"O_CLOEXEC", OCloexec, unix.O_CLOEXEC},
		{"F_DUPFD", FDupfd, unix.F_DUPFD}, {"F_GETFD", FGetfd, unix.F_GETFD}, {"F_SETFD", FSetfd, unix.F_SETFD},
		{"F_GETFL", FGetfl, unix.F_GETFL}, {"F_SETFL", FSetfl, unix.F_SETFL},
		{"F_DUPFD_CLOEXEC", FDupfdCloexec, unix.F_DUPFD_CLOEXEC}, {"FD_CLOEXEC", FdCloexec, unix.FD_CLOEXEC},
		{"AT_FDCWD", AtFdcwd, unix.AT_FDCWD},

		{"EPOLL_CTL_ADD", EpollCtlAdd, unix.EPOLL_CTL_ADD}, {"EPOLL_CTL_DEL", EpollCtlDel, unix.EPOLL_CTL_DEL},
		{"EPOLL_CTL_MOD", EpollCtlMod, unix.EPOLL_CTL_MOD}, {"EPOLLIN", EpollIn, unix.EPOLLIN},
		{"EPOLLOUT", EpollOut, unix.EPOLLOUT}, {"EPOLLERR", EpollErr, unix.EPOLLERR}, {"EPOLLHUP", EpollHup, unix.EPOLLHUP},
		{"EPOLLRDHUP", EpollRdhup, unix.EPOLLRDHUP}, {"EPOLLET", EpollEt, unix.EPOLLET},
		{"ARCH_SET_FS", ArchSetFS, 0x1002},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d here, %d in Linux", c.name, c.got, c.want)
		}
	}
}

// headerNumbers are the numbers x/sys/unix lacks, checked against Linux's
// UAPI headers (Debian's linux-libc-dev, which tools/install-deps.sh
// installs).
var headerNumbers = []struct {
	name string
	ours int64
}{
	{"AT_BASE", AtBase},
	{"AT_CLKTCK", AtClktck},
	{"AT_EGID", AtEGID},
	{"AT_ENTRY", AtEntry},
	{"AT_EUID", AtEUID},
	{"AT_EXECFN", AtExecfn},
	{"AT_GID", AtGID},
	{"AT_HWCAP", AtHwcap},
	{"AT_NULL", AtNull},
	{"AT_PAGESZ", AtPagesz},
	{"AT_PHDR", AtPhdr},
	{"AT_PHENT", AtPhent},
	{"AT_PHNUM", AtPhnum},
	{"AT_PLATFORM", AtPlatform},
	{"AT_RANDOM", AtRandom},
	{"AT_SECURE", AtSecure},
	{"AT_SYSINFO_EHDR", AtSysinfoEhdr},
	{"AT_UID", AtUID},
	{"BUS_ADRERR", BusAdrerr},
	{"FPE_INTDIV", FpeIntdiv},
	{"FUTEX_CLOCK_REALTIME", FutexClockRealtime},
	{"FUTEX_PRIVATE_FLAG", FutexPrivateFlag},
	{"FUTEX_WAIT", FutexWait},
	{"FUTEX_WAIT_BITSET", FutexWaitBitset},
	{"FUTEX_WAKE", FutexWake},
	{"FUTEX_WAKE_BITSET", FutexWakeBitset},
	{"ILL_ILLOPN", IllIllopn},
	{"MINSIGSTKSZ", MinSigstksz},
	{"SA_NODEFER", SaNodefer},
	{"SA_ONSTACK", SaOnstack},
	{"SA_RESTART", SaRestart},
	{"SA_RESTORER", SaRestorer},
	{"SA_SIGINFO", SaSiginfo},
	{"SEGV_ACCERR", SegvAccerr},
	{"SEGV_MAPERR", SegvMaperr},
	{"SI_KERNEL", SiKernel},
	{"SI_TKILL", SiTkill},
	{"SS_DISABLE", SsDisable},
	{"SS_ONSTACK", SsOnstack},
}

var headerFiles = []string{
	"linux/futex.h", "linux/auxvec.h", "x86_64-linux-gnu/asm/auxvec.h",
	"asm-generic/siginfo.h", "asm-generic/signal-defs.h", "x86_64-linux-gnu/asm/signal.h", "linux/signal.h",
}

func TestNumbersMatchLinuxHeaders(t *testing.T) {
	define := regexp.MustCompile(`(?m)^#define[ \t]+(\w+)[ \t]+\(?(-?(?:0x[0-9a-fA-F]+|[0-9]+))\)?[ \t]*(?:/\*.*)?$`)
	values := map[string]int64{}
	for _, name := range headerFiles {
		text, err := os.ReadFile(filepath.Join("/usr/include", name))
		if err != nil {
			t.Fatalf("%v: install Linux's headers (tools/install-deps.sh installs linux-libc-dev)", err)
		}
		for _, m := range define.FindAllStringSubmatch(string(text), -1) {
			if _, seen := values[m[1]]; seen {
				continue
			}
			v, err := strconv.ParseInt(m[2], 0, 64)
			if err == nil {
				values[m[1]] = v
			}
		}
	}
	for _, c := range headerNumbers {
		want, ok := values[c.name]
		if !ok {
			t.Errorf("%s: not found in %v", c.name, headerFiles)
		} else if c.ours != want {
			t.Errorf("%s: %d here, %d in Linux's headers", c.name, c.ours, want)
		}
	}
}

func TestCallSet(t *testing.T) {
	var s CallSet
	if !s.Add(7) || s.Add(7) || !s.Add(511) || s.Add(511) || !s.Add(512) || !s.Add(512) || !s.Add(8) {
		t.Error("CallSet.Add")
	}
}
