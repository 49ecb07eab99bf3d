package linuxabi

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadInitialStackRoundTrip: what InitialStack writes, ReadInitialStack
// reads back, strings and auxiliary vector alike, without allocating.
func TestReadInitialStackRoundTrip(t *testing.T) {
	const top = 0x7fff_c000_0000
	stack := make([]byte, 4096)
	args := []string{"init", "", "-flag=1"}
	env := []string{"HOME=/", "PATH=/bin"}
	aux := []AuxEntry{{AtPagesz, 4096}, {AtRandom, 0}, {0x6578_0001, 7}}
	sp := InitialStack(stack, top, "/bin/x", args, env, aux, [16]byte{1, 2, 3})
	if sp == 0 {
		t.Fatal("InitialStack failed")
	}
	var gotArgs, gotEnv [8]Text
	var gotAux [8]AuxEntry
	nargs, nenv, naux, ok := ReadInitialStack(stack, top, sp, gotArgs[:], gotEnv[:], gotAux[:])
	if !ok {
		t.Fatal("ReadInitialStack refused a stack InitialStack built")
	}
	texts := func(list []Text) []string {
		var out []string
		for _, x := range list {
			i := int(x.Address - (top - uintptr(len(stack))))
			out = append(out, string(stack[i:i+x.Length]))
		}
		return out
	}
	if diff := cmp.Diff(args, texts(gotArgs[:nargs])); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(env, texts(gotEnv[:nenv])); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if naux != 4 || gotAux[0] != aux[0] || gotAux[2] != aux[2] || gotAux[1].Key != AtRandom || gotAux[1].Value < uint64(sp) || gotAux[1].Value >= top {
		t.Errorf("aux %v", gotAux[:naux])
	}
	// The program's path, highest on the stack, named by AT_EXECFN.
	if e := gotAux[3]; e.Key != AtExecfn || e.Value != top-uint64(len("/bin/x"))-1 ||
		string(stack[e.Value-(top-uint64(len(stack))):][:len("/bin/x")]) != "/bin/x" {
		t.Errorf("AT_EXECFN entry %v", gotAux[3])
	}
	if n := testing.AllocsPerRun(100, func() {
		ReadInitialStack(stack, top, sp, gotArgs[:], gotEnv[:], gotAux[:])
	}); n != 0 {
		t.Errorf("ReadInitialStack allocates %v times", n)
	}
	// Too little room for the lists: refused, not truncated.
	if _, _, _, ok := ReadInitialStack(stack, top, sp, gotArgs[:2], gotEnv[:], gotAux[:]); ok {
		t.Error("more arguments than the slice holds were accepted")
	}
	if _, _, _, ok := ReadInitialStack(stack, top, sp, gotArgs[:], gotEnv[:], gotAux[:2]); ok {
		t.Error("a longer auxiliary vector than the slice holds was accepted")
	}
}

// TestReadInitialStackHostile: pointers outside the stack, a string without
// its NUL, a stack pointer anywhere, and every corruption of each word are
// refused or read within the stack, never past it.
func TestReadInitialStackHostile(t *testing.T) {
	const top = 0x10000
	stack := make([]byte, 1024)
	sp := InitialStack(stack, top, "", []string{"a", "bb"}, []string{"C=3"}, []AuxEntry{{AtPagesz, 4096}}, [16]byte{})
	var args, env [4]Text
	var aux [4]AuxEntry
	read := func(s []byte, sp uintptr) bool {
		_, _, _, ok := ReadInitialStack(s, top, sp, args[:], env[:], aux[:])
		return ok
	}
	for _, bad := range []uintptr{0, top, top - 4, top - uintptr(len(stack)) - 8, ^uintptr(0)} {
		if read(stack, bad) {
			t.Errorf("stack pointer %#x accepted", bad)
		}
	}
	argv0 := sp + 8 - (top - uintptr(len(stack)))
	for _, p := range []uint64{0x10, top, top + 100, 1 << 63} {
		s := append([]byte(nil), stack...)
		binary.LittleEndian.PutUint64(s[argv0:], p)
		if read(s, sp) {
			t.Errorf("argv[0] = %#x accepted", p)
		}
	}
	// The last string ends without a NUL at the top of the stack.
	s := append([]byte(nil), stack...)
	for i := len(s) - 32; i < len(s); i++ {
		if s[i] == 0 {
			s[i] = 'x'
		}
	}
	read(s, sp) // must not read past the slice (the race detector and bounds checks would say)
	// Every byte of the word area corrupted, one at a time.
	for i := sp - (top - uintptr(len(stack))); i < uintptr(len(stack)); i++ {
		s := append([]byte(nil), stack...)
		s[i] ^= 0xff
		read(s, sp)
	}
}
