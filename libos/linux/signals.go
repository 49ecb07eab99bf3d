package linux

import (
	abi "exogo/abi/linuxabi"
)

// The signal state the runtime sets up: an action per signal (process
// wide), a mask and an alternate stack per thread. Delivery is not built
// yet (TODO in threads.go, sysTgkill).

type action struct {
	handler, flags, restorer, mask uint64
}

var actions [abi.NumberOfSignals + 1]action

func sysSigaction(signal, newAction, oldAction, size uint64) int64 {
	if signal == 0 || signal > abi.NumberOfSignals || size != abi.SigsetSize {
		return -abi.EINVAL
	}
	old := actions[signal]
	if newAction != 0 {
		if signal == abi.SIGKILL || signal == abi.SIGSTOP {
			return -abi.EINVAL
		}
		b, ok := userBytes(newAction, abi.SigactionSize, false)
		if !ok {
			return -abi.EFAULT
		}
		actions[signal] = action{
			handler:  word(b, abi.SigactionHandler),
			flags:    word(b, abi.SigactionFlags),
			restorer: word(b, abi.SigactionRestorer),
			mask:     word(b, abi.SigactionMask),
		}
	}
	if oldAction != 0 {
		b, ok := userBytes(oldAction, abi.SigactionSize, true)
		if !ok {
			actions[signal] = old
			return -abi.EFAULT
		}
		putWord(b, abi.SigactionHandler, old.handler)
		putWord(b, abi.SigactionFlags, old.flags)
		putWord(b, abi.SigactionRestorer, old.restorer)
		putWord(b, abi.SigactionMask, old.mask)
	}
	return 0
}

func sysSigprocmask(current int, how, newSet, oldSet, size uint64) int64 {
	if size != abi.SigsetSize {
		return -abi.EINVAL
	}
	th := threads.At(current)
	old := th.SignalMask
	if newSet != 0 {
		set, ok := getUser64(newSet)
		if !ok {
			return -abi.EFAULT
		}
		set &^= 1<<(abi.SIGKILL-1) | 1<<(abi.SIGSTOP-1)
		switch how {
		case abi.SigBlock:
			th.SignalMask |= set
		case abi.SigUnblock:
			th.SignalMask &^= set
		case abi.SigSetmask:
			th.SignalMask = set
		default:
			return -abi.EINVAL
		}
	}
	if oldSet != 0 && !putUser64(oldSet, old) {
		th.SignalMask = old
		return -abi.EFAULT
	}
	return 0
}

func sysSigaltstack(current int, newStack, oldStack uint64) int64 {
	th := threads.At(current)
	oldSp, oldSize, oldFlags := th.AltStack, th.AltStackSize, th.AltStackFlags
	if oldSize == 0 {
		oldFlags = abi.SsDisable
	}
	if newStack != 0 {
		b, ok := userBytes(newStack, abi.StackTSize, false)
		if !ok {
			return -abi.EFAULT
		}
		flags := word(b, abi.StackFlags) & 0xffff_ffff
		switch {
		case flags&abi.SsDisable != 0:
			th.AltStack, th.AltStackSize, th.AltStackFlags = 0, 0, 0
		case flags != 0:
			return -abi.EINVAL
		case word(b, abi.StackSize) < abi.MinSigstksz:
			return -abi.ENOMEM
		default:
			th.AltStack, th.AltStackSize, th.AltStackFlags = word(b, abi.StackSp), word(b, abi.StackSize), 0
		}
	}
	if oldStack != 0 {
		b, ok := userBytes(oldStack, abi.StackTSize, true)
		if !ok {
			return -abi.EFAULT
		}
		putWord(b, abi.StackSp, oldSp)
		putWord(b, abi.StackFlags, oldFlags)
		putWord(b, abi.StackSize, oldSize)
	}
	return 0
}

// word and putWord read and write a little-endian 64-bit word of b.
func word(b []byte, at int) uint64 {
	if at < 0 || at+8 > len(b) {
		return 0
	}
	v := uint64(0)
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[at+i])
	}
	return v
}

func putWord32(b []byte, at int, v uint32) {
	if at < 0 || at+4 > len(b) {
		return
	}
	for i := 0; i < 4; i++ {
		b[at+i] = byte(v >> (8 * i))
	}
}

func putWord(b []byte, at int, v uint64) {
	if at < 0 || at+8 > len(b) {
		return
	}
	for i := 0; i < 8; i++ {
		b[at+i] = byte(v >> (8 * i))
	}
}
