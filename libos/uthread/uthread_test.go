package uthread

import (
	"testing"
	"time"
)

// run makes thread i runnable on q's queue and takes it back: it runs.
func run(t *testing.T, tab *Table, i, q int) {
	t.Helper()
	tab.Ready(i, q)
	if got := tab.Take(q); got != i || !tab.TryHold(i, q) {
		t.Fatalf("Take = %d, want %d, or not held", got, i)
	}
}

func TestRunQueuesAreFIFOAndStolenFrom(t *testing.T) {
	var tab Table
	a, b, c := tab.New(1), tab.New(1), tab.New(1)
	if a != 0 || b != 1 || c != 2 || tab.At(a).ID != 1 || tab.At(c).ID != 3 || tab.Live() != 3 || tab.At(a).State() != Made {
		t.Fatalf("New: %d %d %d, IDs %d %d", a, b, c, tab.At(a).ID, tab.At(c).ID)
	}
	tab.Ready(b, 0)
	tab.Ready(a, 0)
	tab.Ready(c, 1)
	tab.Ready(a, 0) // already queued: no effect
	if tab.Waiting() != 3 {
		t.Fatalf("Waiting = %d", tab.Waiting())
	}
	// vCPU 0 takes its own first, then steals vCPU 1's.
	for _, want := range []int{b, a, c, None} {
		if got := tab.Take(0); got != want || got != None && !tab.TryHold(got, 0) {
			t.Fatalf("Take = %d, want %d, or not held", got, want)
		}
	}
	if tab.At(c).State() != Running || *tab.OnCPU(c) != 1 {
		t.Fatalf("a taken thread runs on its taker: state %d, onCPU %d", tab.At(c).State(), *tab.OnCPU(c))
	}
	tab.Release(c)
	if tab.Live() != 2 || tab.At(c).State() != Free || *tab.OnCPU(c) != 0 {
		t.Fatal("Release left the thread")
	}
	if d := tab.New(1); d != c || tab.At(d).ID != 4 {
		t.Fatalf("a freed slot is reused with a fresh ID: %d, %d", d, tab.At(d).ID)
	}
	if tab.ByID(4) != c || tab.ByID(3) != None {
		t.Fatal("ByID")
	}
}

func TestHoldWaitsForTheLastVCPUToLeave(t *testing.T) {
	var tab Table
	a := tab.New(1)
	run(t, &tab, a, 0) // on vCPU 0
	tab.Block(a, 0x40, 0, 0, 0)
	if tab.Wake(0x40, 1, 1) != 1 || tab.Take(1) != a { // woken by vCPU 1, into its queue
		t.Fatal("no wake")
	}
	if tab.TryHold(a, 1) {
		t.Fatal("vCPU 1 holds the thread while vCPU 0 is still on its TLS block")
	}
	held := make(chan bool)
	go func() { held <- tab.Hold(a, 1, 1<<30) }()
	select {
	case <-held:
		t.Fatal("Hold did not wait")
	case <-time.After(10 * time.Millisecond):
	}
	tab.Leave(a, 0)
	if ok := <-held; !ok || *tab.OnCPU(a) != 2 {
		t.Fatalf("Hold %v, onCPU %d", ok, *tab.OnCPU(a))
	}
	b := tab.New(1)
	run(t, &tab, b, 0)
	tab.Block(b, 0x80, 0, 0, 0)
	tab.Wake(0x80, 1, 1)
	if tab.Take(1) != b || tab.Hold(b, 1, 100) {
		t.Fatal("Hold did not give up on a holder that never lets go")
	}
}

func TestFutexWakeAndDeadlines(t *testing.T) {
	var tab Table
	var ids [5]int
	for i := range ids {
		ids[i] = tab.New(100)
		run(t, &tab, ids[i], 0)
	}
	tab.Block(ids[0], 0x1000, 0, -110, 0)
	tab.Block(ids[1], 0x1000, 500, -110, 0)
	tab.Block(ids[2], 0x2000, 0, -110, 0)
	tab.Block(ids[3], 0, 300, 0, 0) // a sleep
	tab.Block(ids[4], 0x1000, 0, -110, 0)
	if e := tab.Earliest(); e != 300 {
		t.Fatalf("Earliest = %d", e)
	}
	if n := tab.Wake(0x1000, 2, 0); n != 2 {
		t.Fatalf("Wake woke %d", n)
	}
	if tab.At(ids[0]).State() != Runnable || tab.At(ids[1]).State() != Runnable || tab.At(ids[4]).State() != Blocked {
		t.Fatal("Wake woke the wrong threads")
	}
	if tab.At(ids[1]).Deadline() != 0 || tab.At(ids[1]).WakeResult != 0 {
		t.Fatal("a woken thread keeps its deadline")
	}
	if n := tab.Wake(0, 10, 0); n != 0 {
		t.Fatal("a sleeping thread was woken as a futex waiter")
	}
	if n := tab.Expire(299, 0); n != 0 {
		t.Fatal("expired early")
	}
	if n := tab.Expire(300, 0); n != 1 || tab.At(ids[3]).WakeResult != 0 || tab.At(ids[3]).TimedOut != 1 {
		t.Fatal("the sleep did not expire")
	}
	if got := tab.Take(0); got != ids[0] || !tab.TryHold(got, 0) {
		t.Fatalf("order: %d", got)
	}
	tab.Block(ids[0], 0x2000, 400, -110, 0)
	if n := tab.Expire(1000, 0); n != 1 || tab.At(ids[0]).WakeResult != -110 {
		t.Fatalf("the timed wait did not time out with its result: %d", tab.At(ids[0]).WakeResult)
	}
	if tab.Earliest() != 0 {
		t.Fatal("a deadline is left")
	}
	if n := tab.Wake(0x2000, 10, 0); n != 1 {
		t.Fatalf("the timed-out waiter stayed on its list, or the other left it: %d woken", n)
	}
	for _, want := range []int{ids[1], ids[3], ids[0], ids[2], None} {
		if got := tab.Take(0); got != want {
			t.Fatalf("order: got %d, want %d", got, want)
		}
	}
}

func TestFullTableAndNoAllocation(t *testing.T) {
	var tab Table
	for i := 0; i < MaxThreads; i++ {
		if tab.New(1) == None {
			t.Fatalf("table full at %d", i)
		}
	}
	if tab.New(1) != None {
		t.Fatal("more than MaxThreads threads")
	}
	tab.Ready(5, 0)
	tab.Ready(7, 0)
	if n := testing.AllocsPerRun(100, func() {
		i := tab.Take(0)
		tab.Block(i, 0x10, 20, -1, 0)
		tab.Wake(0x10, 1, 1)
		tab.Expire(30, 1)
		tab.Leave(i, 0)
		j := tab.Take(1)
		tab.Hold(j, 1, 1<<30)
		tab.Leave(j, 1)
		tab.Ready(i, 0)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func TestInterrupt(t *testing.T) {
	var tab Table
	a, b, c := tab.New(100), tab.New(100), tab.New(100)
	run(t, &tab, a, 0)
	run(t, &tab, b, 0)
	tab.Block(a, 0x1000, 900, -110, 0)
	tab.Block(b, 0x1000, 0, 0, 1) // a read (call 0) to run again
	if !tab.Interrupt(a, -4, false, 0) || tab.At(a).State() != Runnable || tab.At(a).WakeResult != -4 || tab.At(a).Deadline() != 0 {
		t.Fatalf("interrupting a futex wait: %+v", *tab.At(a))
	}
	if !tab.Interrupt(b, -4, true, 0) || tab.At(b).RestartCall != 1 {
		t.Fatal("an interrupted restartable call lost its restart")
	}
	if tab.Interrupt(c, -4, false, 0) || tab.Interrupt(a, -4, false, 0) {
		t.Fatal("a thread that is not blocked was interrupted")
	}
	if n := tab.Wake(0x1000, 10, 0); n != 0 {
		t.Fatalf("interrupted threads still waited on the word: %d woken", n)
	}
	if n := tab.Expire(1000, 0); n != 0 {
		t.Fatal("an interrupted thread kept its deadline")
	}
}
