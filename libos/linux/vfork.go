package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// fork+exec the way Go's os/exec does it (syscall.forkAndExecInChild):
// clone(CLONE_VFORK|CLONE_VM) returns 0 in a "child" that shares the
// parent's memory and runs on the calling thread's stack while the
// parent waits; the child moves descriptors (dup3, fcntl, close),
// changes directory, user and session, and calls execve; the parent
// goes on, with the child's pid, once the child has exec'd or exited.
//
// An exokernel process cannot be forked, and needs not be for this: the
// libOS runs the "child" on the same thread, in child mode. Its calls
// see a copy of the descriptor table, the current directory and the
// user (swapped in for each of its calls, so the process's other threads
// keep their own), and the calls that would change the whole process
// (signal handlers, the session) change nothing. execve then spawns the
// program as a new process with the child's descriptors, directory and
// user (spawnImage, inherit.go), and the thread goes back to where the
// parent called clone, with the new process's pid. An exit in child mode
// (execve failed: Go's child writes the errno to its pipe and exits 253)
// leaves a child that wait4 reports with that status.
//
// execve outside child mode (syscall.Exec) runs the program as a child
// and ends this process with the child's status once it ends: the
// program's pid is not this process's, as it would be on Linux.

var vfork struct {
	active  bool
	swapped bool // the child's state is the live one (during its calls)
	thread  int
	saved   uintptr // the thread's context at clone (contextSize bytes)
	// The other side's state: the child's while the parent's is live,
	// the parent's while the child's is.
	fds           [maxFiles]uint16
	consoleClosed [3]bool
	cwdSlot       uintptr
	cwdNode       uint32
	uid, gid      uint32
	mask          uint64 // the thread's signal mask before child mode
}

// nextZombie numbers the children that ended before exec: above any
// process id (which are 16 bits).
var nextZombie uint32 = 0x10000

// vforkBegin starts child mode on thread current (clone with CLONE_VFORK
// and CLONE_VM, or vfork): it returns 0 (the child's result) or an errno.
func vforkBegin(context uintptr, current int) (int64, bool) {
	if vfork.active {
		// One at a time: another thread's child runs its calls. (Go's
		// forkExec lets forks run at once: acquireForkLock.) The call
		// runs again once that child has exec'd or exited.
		threads.Block(current, vforkKey, 0, 0, restartCall(context))
		return 0, true
	}
	if vfork.saved == 0 {
		if vfork.saved = memPrivate(contextSize); vfork.saved == 0 {
			return -abi.ENOMEM, false
		}
	}
	fsStart() // the current directory to copy
	copyContext(vfork.saved, context)
	vfork.active, vfork.thread = true, current
	vfork.fds, vfork.consoleClosed = fdTable, consoleClosed
	for fd := range vfork.fds {
		if e := vfork.fds[fd]; e != 0 && e&^fdCloexec != 1 {
			descs[uint(e&^fdCloexec-1)%maxOpen].refs++ // the child's copy names it too
		}
	}
	vfork.cwdSlot, vfork.cwdNode = cwdSlot, cwdNode
	if cwdSlot != 0 {
		holdSlot(cwdSlot)
	}
	vfork.uid, vfork.gid = procUID, procGID
	// No signal reaches the child: on Linux it would find the default
	// actions (exec resets them), never the parent's handlers, which
	// would run here on the parent's goroutine (the runtime's preemption
	// signal among them). They wait, pending, for the parent.
	th := threads.At(current)
	vfork.mask, th.SignalMask = th.SignalMask, ^uint64(0)
	return 0, false
}

// vforkKey is the wait address of threads whose vfork waits for another's
// child mode to end.
const vforkKey = uintptr(0x2900)

// vforkSwap exchanges the live state with the other side's.
func vforkSwap() {
	for fd := range fdTable { // element by element: no 2 KiB temporary on the upcall stack
		fdTable[fd], vfork.fds[fd] = vfork.fds[fd], fdTable[fd]
	}
	consoleClosed, vfork.consoleClosed = vfork.consoleClosed, consoleClosed
	cwdSlot, vfork.cwdSlot = vfork.cwdSlot, cwdSlot
	cwdNode, vfork.cwdNode = vfork.cwdNode, cwdNode
	procUID, vfork.uid = vfork.uid, procUID
	procGID, vfork.gid = vfork.gid, procGID
	vfork.swapped = !vfork.swapped
}

// vforkCall serves a call of the thread in child mode (under the call
// lock).
func vforkCall(context uintptr, current int, number uint64) int {
	a0, a1, a2 := get(context, argument0), get(context, argument1), get(context, argument2)
	switch number {
	case abi.SysExecve:
		vforkSwap()
		pid := sysSpawn(a0, a1, a2)
		vforkSwap()
		if pid < 0 {
			put(context, exo.ContextRax, uint64(pid))
			return resume
		}
		return vforkEnd(context, pid)
	case abi.SysExit, abi.SysExitGroup:
		return vforkEnd(context, zombie(uint32(a0)))
	case abi.SysRtSigaction, abi.SysRtSigprocmask, abi.SysSetsid, abi.SysSetpgid, abi.SysPrctl, abi.SysIoctl, abi.SysPrlimit64:
		// The signal handlers and mask are the parent's (a new program
		// gets the defaults; no signal reaches the child: vforkBegin);
		// sessions and process groups are not built.
		put(context, exo.ContextRax, 0)
		return resume
	case abi.SysClone, abi.SysVfork, abi.SysFork:
		putErrno(context, abi.EAGAIN)
		return resume
	}
	vforkSwap()
	verdict := lockedCall(context, current, number)
	vforkSwap()
	return verdict
}

// vforkEnd ends child mode: the child's descriptors and directory go,
// and the thread resumes where the parent called clone, with pid.
func vforkEnd(context uintptr, pid int64) int {
	vforkSwap()
	for fd := uint64(0); fd < maxFiles; fd++ {
		if fdTable[fd] != 0 {
			closeFD(fd)
		}
	}
	if cwdSlot != 0 {
		releaseSlot(cwdSlot)
	}
	vforkSwap()
	vfork.active = false
	threads.At(vfork.thread).SignalMask = vfork.mask
	threads.Wake(vforkKey, uthread.MaxThreads, callsHolder)
	pipeActivity() // what the child's calls changed, seen with the parent's descriptors
	copyContext(context, vfork.saved)
	put(context, exo.ContextRax, uint64(pid))
	return resume
}

// zombie records a child that ended in child mode with status, for
// wait4, and returns its made-up pid.
func zombie(status uint32) int64 {
	for i := range children {
		if c := &children[i]; c.pid == 0 {
			pid := nextZombie
			nextZombie++
			if nextZombie == 0 {
				nextZombie = 0x10000
			}
			*c = child{pid: pid, exited: true, status: status & 0xff}
			return int64(pid)
		}
	}
	return -abi.EAGAIN
}

// execProxy is the child that execve outside child mode started: this
// process ends with its status (reapChildren).
var execProxy uint32

// sysExecve runs the program at path in a child and makes this process
// wait for it and end with its status; the calling thread never returns
// (other threads stop at the end).
func sysExecve(context uintptr, current int, path, argv, envp uint64) int {
	pid := sysSpawn(path, argv, envp)
	if pid < 0 {
		putErrno(context, pid)
		return resume
	}
	execProxy = uint32(pid)
	// The program this process was is gone: its close-on-exec
	// descriptors with it, and no signal interrupts the wait.
	for fd := uint64(0); fd < maxFiles; fd++ {
		if fdTable[fd]&fdCloexec != 0 {
			closeFD(fd)
		}
	}
	threads.At(current).SignalMask = ^uint64(0)
	threads.Block(current, uintptr(0x2800), 0, 0, 0) // woken by nothing
	return block
}
