package linux

import (
	"exogo/abi/elfload"
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
	"exogo/libos/uthread"
)

// Processes: the libOS loads a program from the file system into a child
// process with its own ELF loader (segments, never the kernel's loader),
// starts it, learns of its end from the kernel's child upcall and reports
// its status through wait4.
//
// A child is filled through a window in the parent's own address space: a
// fresh PT segment is linked there, its pages get frames (frame_alloc_map)
// and the file's bytes, read-only pages are protected in place
// (segment_protect), and the segment is unlinked, linked into the child and
// given to it (segment_give): the child owns and is charged for its image
// and stack, and the parent keeps nothing to clean up. The exception is
// the interpreter image's read-only regions, which the parent builds once,
// keeps (charged to it) and links into every child read-only (load.go).

// SysSpawn is exogo's own call (not Linux's): spawn(path, argv, envp)
// starts the program at path (a file of the file system, with an execute
// bit) in a new child process and returns its process id. libos/spawn wraps it for programs.
const SysSpawn = 0x2000

const (
	// spawnWindow is where the parent links a child's segment while it
	// fills it (2 MiB, in the libOS's part of the address space).
	spawnWindow = 0x7e60_0000_0000
	maxChildren = 64
	childrenKey = 0x2000 // the uthread key of threads waiting in wait4
	maxArgs     = 64
)

// child is one child process, from spawn until wait4 reports it.
type child struct {
	pid    uint32
	exited bool
	status uint32 // process_reap's: an exit status, or exo.ExitSignaled and the signal
}

var (
	children [maxChildren]child
	// spawnFrames are the frames of the segment being filled, freed if
	// the spawn fails before the segment is given away.
	spawnFrames [512]uint64
	spawnPlan   elfload.Plan
	// spawnText holds copies of a spawn's argument and environment
	// strings.
	spawnText [2][4096]byte
)

// sysSpawn starts the program at path with the argument and environment
// vectors at argv and envp (NULL-terminated arrays of C strings).
func sysSpawn(path, argv, envp uint64) int64 {
	var w walkResult
	if errno := walkPath(atFdcwd, path, followLast, &w); errno != 0 {
		return errno
	}
	image, size, program, errno := openProgram(&w)
	w.release()
	if errno != 0 {
		return errno
	}
	result := spawnImage(path, image, size, argv, envp)
	releaseSlot(program)
	return result
}

// openProgram opens the regular file walk w found for running: it must
// have an execute bit. It returns where its bytes are and how many, and
// the slot it is linked at (release it).
func openProgram(w *walkResult) (uintptr, uint64, uintptr, int64) {
	switch {
	case !w.found:
		return 0, 0, 0, -abi.ENOENT
	case w.n == 0 || w.entry.dtype != dtFile:
		return 0, 0, 0, -abi.EACCES // a directory or a device
	}
	if errno := statWalked(w); errno != 0 {
		return 0, 0, 0, errno
	}
	if !mayAccess(statCopy[exo.FileMetaMode/8], statCopy[exo.FileMetaUid/8], 1) {
		return 0, 0, 0, -abi.EACCES
	}
	slot, ok := takeSlot()
	if !ok {
		return 0, 0, 0, -abi.EMFILE
	}
	if id := exo.FsOpen(w.dir, w.nameArg(), 0, 0, slot); id < 0 {
		freeUnlinked(slot)
		return 0, 0, 0, errnoOf(id)
	}
	return slot + exo.FsDataOffset, metaWord(slot, exo.FileMetaLength), slot, 0
}

// spawnImage starts the program whose file bytes are at image (size of
// them), named by the path at path, in a new child.
func spawnImage(path uint64, imageAddress uintptr, size, argv, envp uint64) int64 {
	name, errno := absolutePath(path)
	if errno != 0 {
		return errno
	}
	if size == 0 {
		say3("libos: cannot run ", name, ": ", "an empty file")
		return -abi.ENOEXEC // (and it has no page to read)
	}
	image := bare.Bytes(imageAddress, uintptr(size))
	plan := &spawnPlan
	if problem := elfload.Parse(image, mem.UserStart, mem.LibOSBase, plan); problem != elfload.OK {
		say3("libos: cannot run ", name, ": ", problem.String())
		return -abi.ENOEXEC
	}
	// A program that does not bring its own libOS is loaded beside the
	// interpreter image and entered there (elfload.Native).
	interpreter, entry := uintptr(0), plan.Entry
	if !elfload.Native(image, plan) {
		var errno int64
		if interpreter, errno = findInterpreter(name); errno != 0 {
			return errno
		}
		entry = interpreterPlan.Entry
	}
	// The vectors, copied into spawnText and made strings in arrays on
	// this stack (stores there need no write barrier).
	var texts [2][maxArgs]abi.Text
	nargs, ok1 := userStrings(argv, &texts[0], spawnText[0][:])
	nenv, ok2 := userStrings(envp, &texts[1], spawnText[1][:])
	if !ok1 || !ok2 {
		return -abi.E2BIG
	}
	var args, env [maxArgs]string
	for i := 0; i < nargs && i < maxArgs; i++ {
		args[i] = bare.StringAt(texts[0][i].Address, texts[0][i].Length)
	}
	for i := 0; i < nenv && i < maxArgs; i++ {
		env[i] = bare.StringAt(texts[1][i].Address, texts[1][i].Length)
	}
	symbols, _ := elfload.Sections(image, plan)                                                                    // zeros without them: reports by address
	id := exo.ProcessCreate(exo.ProcessRightsCreateProcess | exo.ProcessRightsConsole | exo.ProcessRightsPowerOff) // all it may pass on: a shell's commands create processes and power off
	if id < 0 {
		return -abi.EAGAIN
	}
	slot := -1
	for i := range children {
		if children[i].pid == 0 {
			slot = i
			break
		}
	}
	base := uint64(0)
	if interpreter != 0 {
		base = interpreterPlan.Low
	}
	if slot < 0 || !loadImage(uint64(id), imageAddress, plan, false, interpreter != 0) ||
		(interpreter != 0 && !loadImage(uint64(id), interpreter, &interpreterPlan, true, false)) ||
		!startStack(uint64(id), name, args[:uint(nargs)%(maxArgs+1)], env[:uint(nenv)%(maxArgs+1)], plan, base, symbols) {
		destroyChild(uint64(id))
		if slot < 0 {
			return -abi.EAGAIN
		}
		say3("libos: cannot run ", name, ": ", "not enough memory for its segments and stack")
		return -abi.ENOMEM
	}
	if vfork.swapped && (procUID != vfork.uid || procGID != vfork.gid) &&
		exo.ProcessSetUser(uint64(id), uint64(procUID), uint64(procGID)) < 0 {
		destroyChild(uint64(id)) // a vfork child's setuid: vfork.go
		return -abi.EPERM
	}
	if r := exo.ProcessStart(uint64(id), uintptr(entry), uintptr(childStackPointer)); r != 0 {
		destroyChild(uint64(id))
		return -abi.EAGAIN
	}
	children[uint(slot)%maxChildren] = child{pid: uint32(id)}
	return id
}

// interpreterPlan is the interpreter image's plan, made by findInterpreter.
var interpreterPlan elfload.Plan

// execPathBuffer holds the absolute path of the program being spawned,
// its AT_EXECFN (what /proc/self/exe says, as on Linux).
var execPathBuffer [pathMax + 1]byte

// absolutePath returns the path at address made absolute: after the
// current directory's path when it is relative.
func absolutePath(address uint64) (string, int64) {
	p, errno := userString(address, pathBuffers[1][:])
	if errno != 0 {
		return "", errno
	}
	if len(p) > 0 && p[0] == '/' {
		n := copy(execPathBuffer[:pathMax], p)
		return bare.String(execPathBuffer[:min(uint(n), pathMax)]), 0
	}
	n, errno := cwdPath(execPathBuffer[:])
	if errno != 0 {
		return "", errno
	}
	k := uint(n)
	if k > 1 && k < pathMax {
		execPathBuffer[k] = '/'
		k++
	}
	if k+uint(len(p)) > pathMax {
		return "", -abi.ENAMETOOLONG
	}
	k += uint(copy(execPathBuffer[min(k, pathMax):pathMax], p))
	return bare.String(execPathBuffer[:min(k, pathMax)]), 0
}

// interpreterSlot is where the interpreter image's file stays linked
// (its read-only regions are built from it once and shared: load.go).
var interpreterSlot uintptr

// interpreterPath is the interpreter image's path in the file system.
const interpreterPath = "/" + elfload.Interpreter

// findInterpreter finds the libOS's interpreter image and checks it, for
// the program name; it returns the image's address or an errno (after
// saying why).
func findInterpreter(name string) (uintptr, int64) {
	if interpreterSlot != 0 {
		return interpreterSlot + exo.FsDataOffset, 0
	}
	var w walkResult
	errno := walkString(interpreterPath, &w)
	image, size, slot := uintptr(0), uint64(0), uintptr(0)
	if errno == 0 {
		image, size, slot, errno = openProgram(&w)
		w.release()
		if errno == 0 && size == 0 {
			releaseSlot(slot)
			errno = -abi.ENOEXEC // empty: no page to read
		}
	}
	if errno != 0 {
		say3("libos: cannot run ", name, ": ", "it is not built for exogo, and there is no interpreter image "+interpreterPath)
		return 0, -abi.ENOEXEC
	}
	if problem := elfload.Parse(bare.Bytes(image, uintptr(size)), exo.StartLibosBase, exo.StartInterpreterTop, &interpreterPlan); problem != elfload.OK {
		say3("libos: the interpreter image "+interpreterPath, " is unusable: ", problem.String(), "")
		releaseSlot(slot)
		return 0, -abi.ENOEXEC
	}
	interpreterSlot = slot
	return image, 0
}

// say3 writes a line of four parts.
func say3(a, b, c, d string) {
	bare.Say(a)
	bare.Say(b)
	bare.Say(c)
	bare.SayLine(d, "")
}

// reapChildren collects the status of every child that exited (the child
// upcall, and the idle loop) and wakes the threads waiting in wait4.
func reapChildren() {
	woke := false
	for {
		r := exo.ProcessReap(0)
		if r < 0 {
			break
		}
		pid, status := uint32(r&0xffff), uint32(r>>16)
		if pid == execProxy && pid != 0 {
			// The program execve started ended (vfork.go): this one
			// ends the same way.
			if signaled(status) {
				killedBy(uint64(status))
			}
			exitProcess(uint64(status))
		}
		for i := range children {
			if c := &children[i]; c.pid == pid {
				c.exited, c.status = true, status
				woke = true
			}
		}
	}
	if woke {
		threads.Wake(childrenKey, uthread.MaxThreads, callsHolder)
	}
}

// sysWait4 reports a child's end: pid > 0 that child, -1 any. Its status
// word is Linux's: for an exit, status << 8; for a child killed by a
// signal (its default action, this process's kill, or the kernel's end
// for a fault it could not deliver: exo.ExitSignaled), the signal
// (WIFSIGNALED).
func sysWait4(context uintptr, current int, pid, statusAddress, options uint64) int {
	const wnohang = 1
	reapChildren()
	any := false
	for i := range children {
		c := &children[i]
		if c.pid == 0 || (int64(pid) != -1 && uint64(c.pid) != pid) {
			continue
		}
		any = true
		if !c.exited {
			continue
		}
		word := (c.status & 0xff) << 8
		if signaled(c.status) {
			word = c.status & 0x7f
		}
		if statusAddress != 0 && !putUser32(statusAddress, word) {
			putErrno(context, abi.EFAULT)
			return resume
		}
		put(context, exo.ContextRax, uint64(c.pid))
		*c = child{}
		return resume
	}
	return noChildEnded(context, current, any, options&wnohang != 0)
}

// noChildEnded answers a wait that found no ended child: ECHILD when
// there is none to wait for, 0 with WNOHANG; else the thread blocks
// until a child ends, and the call runs again.
func noChildEnded(context uintptr, current int, any, nohang bool) int {
	switch {
	case !any:
		putErrno(context, abi.ECHILD)
		return resume
	case nohang:
		put(context, exo.ContextRax, 0)
		return resume
	}
	threads.Block(current, childrenKey, 0, 0, restartCall(context))
	return block
}

// sysKill signals a process: the program itself (as tgkill on its main
// thread), or another, through the kernel (process_signal: root, or the
// same user), whose libOS takes it as from outside (postSignals). A
// child's SIGKILL ends it here (process_destroy), and wait4 reports it
// at once.
func sysKill(context uintptr, current int, pid, signal uint64) int64 {
	if signal > abi.NumberOfSignals {
		return -abi.EINVAL
	}
	if pid == uint64(processID) {
		if signal == 0 {
			return 0 // it exists
		}
		return sysTgkill(context, current, pid, pid, signal)
	}
	if int64(pid) <= 0 {
		return -abi.ESRCH // process groups (0, -1, -pgid) are not built
	}
	reapChildren() // a child that ended is a zombie until waited for: signals do nothing to it
	for i := range children {
		if c := &children[i]; c.pid != 0 && uint64(c.pid) == pid && c.exited {
			return 0 // a zombie takes signals and does nothing
		}
		if c := &children[i]; c.pid != 0 && uint64(c.pid) == pid && signal == abi.SIGKILL && destroyChild(pid) {
			// The kernel tells no one of an end its parent caused.
			c.exited, c.status = true, uint32(exo.ExitSignaled|signal)
			threads.Wake(childrenKey, uthread.MaxThreads, callsHolder)
			return 0
		}
	}
	switch r := exo.ProcessSignal(pid, signal); r {
	case 0:
		return 0
	case -exo.ErrNoRight:
		return -abi.EPERM
	}
	return -abi.ESRCH
}

// postSignals takes the signals another process sent (mask: bit N-1 for
// signal N) as from outside, one by one. The first process, as Linux's
// init, takes only those it handles. A process whose program execve
// replaced (its proxy: vfork.go) passes them on to that program, which
// others know by this process's pid.
func postSignals(mask uint64) {
	first := parentPID() == 0
	for signal := uint64(1); signal <= abi.NumberOfSignals && mask != 0; signal++ {
		if mask&(1<<(signal-1)) == 0 {
			continue
		}
		mask &^= 1 << (signal - 1)
		switch {
		case execProxy != 0:
			exo.ProcessSignal(uint64(execProxy), signal)
		case !first || actions[signal%uint64(len(actions))].handler > 1:
			postSignal(signal)
		}
	}
}

// destroyChild ends a child (process_destroy: a vCPU running on another
// CPU ends at once, by IPI); it reports whether the child is gone.
func destroyChild(pid uint64) bool { return exo.ProcessDestroy(pid) == 0 }

// putErrno makes a call's result -errno. errno is Linux's (positive)
// number; a call's negative result (-errno) is taken as it is, so either
// way of writing it gives the right result.
func putErrno(context uintptr, errno int64) {
	if errno > 0 {
		errno = -errno
	}
	put(context, exo.ContextRax, uint64(errno))
}

// sysWaitid is waitid for idtype P_ALL (and P_PGID, as P_ALL: process
// groups are not built) and P_PID, with WEXITED (required), WNOHANG and
// WNOWAIT (report, and leave the child to wait4: how os.Process.Wait
// waits). It fills Linux's siginfo for SIGCHLD.
func sysWaitid(context uintptr, current int, idtype, id, infop, options uint64) int {
	const (
		pAll, pPid, pPgid         = 0, 1, 2
		wnohang, wexited, wnowait = 1, 4, 0x0100_0000
		cldExited, cldKilled      = 1, 2
		siginfoSize               = 128
	)
	pid := int64(-1)
	switch {
	case options&wexited == 0 || options&^uint64(wnohang|wexited|wnowait) != 0:
		putErrno(context, abi.EINVAL)
		return resume
	case idtype == pPid:
		pid = int64(id)
	case idtype != pAll && idtype != pPgid:
		putErrno(context, abi.EINVAL)
		return resume
	}
	info, ok := userBytes(infop, siginfoSize, true)
	if !ok && infop != 0 {
		putErrno(context, abi.EFAULT)
		return resume
	}
	reapChildren()
	any := false
	for i := range children {
		c := &children[i]
		if c.pid == 0 || (pid != -1 && int64(c.pid) != pid) {
			continue
		}
		any = true
		if !c.exited {
			continue
		}
		if ok {
			clear(info)
			putWord32(info, 0, abi.SIGCHLD)
			code, status := uint32(cldExited), c.status&0xff
			if signaled(c.status) {
				code, status = cldKilled, c.status&0x7f
			}
			putWord32(info, 8, code)
			putWord32(info, 16, c.pid)
			putWord32(info, 20, procUID)
			putWord32(info, 24, status)
		}
		if options&wnowait == 0 {
			*c = child{}
		}
		put(context, exo.ContextRax, 0)
		return resume
	}
	if any && options&wnohang != 0 && ok {
		clear(info) // si_pid 0: none ended yet
	}
	return noChildEnded(context, current, any, options&wnohang != 0)
}
