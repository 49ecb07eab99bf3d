package linuxabi

import (
	"encoding/binary"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The layouts against golang.org/x/sys/unix, which generates its structs
// from Linux's own headers.
func TestLayoutsMatchLinux(t *testing.T) {
	var ts unix.Timespec
	var st unix.Stat_t
	var ev unix.EpollEvent
	var uts unix.Utsname
	var si unix.Siginfo
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"timespec.sec", TimespecSec, unsafe.Offsetof(ts.Sec)},
		{"timespec.nsec", TimespecNsec, unsafe.Offsetof(ts.Nsec)},
		{"timespec size", TimespecSize, unsafe.Sizeof(ts)},
		{"stat.dev", StatDev, unsafe.Offsetof(st.Dev)},
		{"stat.ino", StatIno, unsafe.Offsetof(st.Ino)},
		{"stat.nlink", StatNlink, unsafe.Offsetof(st.Nlink)},
		{"stat.mode", StatMode, unsafe.Offsetof(st.Mode)},
		{"stat.uid", StatUID, unsafe.Offsetof(st.Uid)},
		{"stat.gid", StatGID, unsafe.Offsetof(st.Gid)},
		{"stat.rdev", StatRdev, unsafe.Offsetof(st.Rdev)},
		{"stat.size", StatSize, unsafe.Offsetof(st.Size)},
		{"stat.blksize", StatBlksize, unsafe.Offsetof(st.Blksize)},
		{"stat.blocks", StatBlocks, unsafe.Offsetof(st.Blocks)},
		{"stat.atime", StatAtime, unsafe.Offsetof(st.Atim)},
		{"stat.mtime", StatMtime, unsafe.Offsetof(st.Mtim)},
		{"stat.ctime", StatCtime, unsafe.Offsetof(st.Ctim)},
		{"stat size", StatLength, unsafe.Sizeof(st)},
		{"epoll_event.events", EpollEventEvents, unsafe.Offsetof(ev.Events)},
		{"epoll_event.fd (data)", EpollEventData, unsafe.Offsetof(ev.Fd)},
		{"epoll_event size", EpollEventSize, unsafe.Sizeof(ev)},
		{"siginfo.si_signo", SiginfoSigno, unsafe.Offsetof(si.Signo)},
		{"siginfo.si_errno", SiginfoErrno, unsafe.Offsetof(si.Errno)},
		{"siginfo.si_code", SiginfoCode, unsafe.Offsetof(si.Code)},
		{"siginfo size", SiginfoSize, unsafe.Sizeof(si)},
		{"utsname size", UtsnameSize, unsafe.Sizeof(uts)},
		{"utsname field", UtsnameField, unsafe.Sizeof(uts.Sysname)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: offset %d here, %d in Linux", c.name, c.got, c.want)
		}
	}
}

// x/sys/unix has no signal-frame types; the Go runtime's own definitions
// (runtime/defs_linux_amd64.go, generated from Linux's headers with cgo
// -godefs) are what the runtime's signal handler reads, so the frame is
// checked against them, type-checked from the toolchain's source.
func TestSignalLayoutsMatchLinux(t *testing.T) {
	path := filepath.Join(runtime.GOROOT(), "src", "runtime", "defs_linux_amd64.go")
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatalf("reading the runtime's Linux definitions: %v", err)
	}
	sizes := types.SizesFor("gc", "amd64")
	conf := types.Config{Importer: importer.Default(), Sizes: sizes, Error: func(error) {}}
	pkg, _ := conf.Check("runtime", fset, []*ast.File{file}, nil)
	offset := func(typeName string, fields ...string) uintptr {
		obj := pkg.Scope().Lookup(typeName)
		if obj == nil {
			t.Fatalf("the runtime has no type %s", typeName)
		}
		var at int64
		typ := obj.Type()
		for _, name := range fields {
			st, ok := typ.Underlying().(*types.Struct)
			if !ok {
				t.Fatalf("%s is not a struct", typeName)
			}
			var vars []*types.Var
			index := -1
			for i := 0; i < st.NumFields(); i++ {
				vars = append(vars, st.Field(i))
				if st.Field(i).Name() == name {
					index = i
				}
			}
			if index < 0 {
				t.Fatalf("%s has no field %s", typeName, name)
			}
			at += sizes.Offsetsof(vars)[index]
			typ = vars[index].Type()
		}
		return uintptr(at)
	}
	size := func(typeName string) uintptr {
		return uintptr(sizes.Sizeof(pkg.Scope().Lookup(typeName).Type()))
	}
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"sigaction.handler", SigactionHandler, offset("sigactiont", "sa_handler")},
		{"sigaction.flags", SigactionFlags, offset("sigactiont", "sa_flags")},
		{"sigaction.restorer", SigactionRestorer, offset("sigactiont", "sa_restorer")},
		{"sigaction.mask", SigactionMask, offset("sigactiont", "sa_mask")},
		{"sigaction size", SigactionSize, size("sigactiont")},
		{"stack_t.ss_sp", StackSp, offset("stackt", "ss_sp")},
		{"stack_t.ss_flags", StackFlags, offset("stackt", "ss_flags")},
		{"stack_t.ss_size", StackSize, offset("stackt", "ss_size")},
		{"stack_t size", StackTSize, size("stackt")},
		{"ucontext.uc_stack", UcontextStack, offset("ucontext", "uc_stack")},
		{"ucontext.uc_mcontext", UcontextMcontext, offset("ucontext", "uc_mcontext")},
		{"ucontext.uc_sigmask", UcontextSigmask, offset("ucontext", "uc_sigmask")},
		{"sigcontext.r8", McR8, offset("sigcontext", "r8")},
		{"sigcontext.rdi", McRdi, offset("sigcontext", "rdi")},
		{"sigcontext.rax", McRax, offset("sigcontext", "rax")},
		{"sigcontext.rsp", McRsp, offset("sigcontext", "rsp")},
		{"sigcontext.rip", McRip, offset("sigcontext", "rip")},
		{"sigcontext.eflags", McEflags, offset("sigcontext", "eflags")},
		{"sigcontext.cs", McSegments, offset("sigcontext", "cs")},
		{"sigcontext.err", McErr, offset("sigcontext", "err")},
		{"sigcontext.trapno", McTrapno, offset("sigcontext", "trapno")},
		{"sigcontext.oldmask", McOldmask, offset("sigcontext", "oldmask")},
		{"sigcontext.cr2", McCr2, offset("sigcontext", "cr2")},
		{"sigcontext.fpstate", McFpstate, offset("sigcontext", "fpstate")},
		{"sigcontext size", McSize, size("sigcontext")},
		{"siginfo.si_signo", SiginfoSigno, offset("siginfoFields", "si_signo")},
		{"siginfo.si_code", SiginfoCode, offset("siginfoFields", "si_code")},
		{"siginfo.si_addr", SiginfoAddr, offset("siginfoFields", "si_addr")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: offset %d here, %d in the Go runtime's Linux definitions", c.name, c.got, c.want)
		}
	}
}

func TestInitialStack(t *testing.T) {
	const top = 0x7fff_0000
	stack := make([]byte, 4096)
	random := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	aux := []AuxEntry{{AtPagesz, 4096}, {AtRandom, 0}, {AtEntry, 0x401000}}
	sp := InitialStack(stack, top, "", []string{"hello", "-v"}, []string{"A=1"}, aux, random)
	if sp == 0 || sp%16 != 0 || sp < top-4096 {
		t.Fatalf("stack pointer %#x", sp)
	}
	word := func(at uintptr) uint64 { return binary.LittleEndian.Uint64(stack[at-(top-4096):]) }
	str := func(at uintptr) string {
		b := stack[at-(top-4096):]
		n := 0
		for b[n] != 0 {
			n++
		}
		return string(b[:n])
	}
	if word(sp) != 2 {
		t.Fatalf("argc %d", word(sp))
	}
	if str(uintptr(word(sp+8))) != "hello" || str(uintptr(word(sp+16))) != "-v" || word(sp+24) != 0 {
		t.Errorf("argv wrong")
	}
	if str(uintptr(word(sp+32))) != "A=1" || word(sp+40) != 0 {
		t.Errorf("envp wrong")
	}
	a := sp + 48
	if word(a) != AtPagesz || word(a+8) != 4096 || word(a+16) != AtRandom || word(a+40) != 0x401000 || word(a+48) != AtNull {
		t.Errorf("auxv wrong")
	}
	r := uintptr(word(a + 24))
	for i := uintptr(0); i < 16; i++ {
		if stack[r+i-(top-4096)] != byte(i+1) {
			t.Fatalf("random bytes wrong")
		}
	}
	if InitialStack(make([]byte, 64), top, "", []string{"hello"}, nil, aux, random) != 0 {
		t.Errorf("a stack too small was accepted")
	}
	if n := testing.AllocsPerRun(10, func() {
		InitialStack(stack, top, "", []string{"hello", "-v"}, []string{"A=1"}, aux, random)
	}); n != 0 {
		t.Errorf("InitialStack allocates %v times", n)
	}
}

func TestDirentMatchesLinux(t *testing.T) {
	var d unix.Dirent
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"dirent64.d_ino", DirentIno, unsafe.Offsetof(d.Ino)},
		{"dirent64.d_off", DirentOff, unsafe.Offsetof(d.Off)},
		{"dirent64.d_reclen", DirentReclen, unsafe.Offsetof(d.Reclen)},
		{"dirent64.d_type", DirentType, unsafe.Offsetof(d.Type)},
		{"dirent64.d_name", DirentName, unsafe.Offsetof(d.Name)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: offset %d here, %d in Linux", c.name, c.got, c.want)
		}
	}
}
