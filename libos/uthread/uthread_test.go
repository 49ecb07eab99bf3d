package uthread

import "testing"

func TestRunQueueIsFIFO(t *testing.T) {
	var tab Table
	a, b, c := tab.New(1), tab.New(1), tab.New(1)
	if a != 0 || b != 1 || c != 2 || tab.At(a).ID != 1 || tab.At(c).ID != 3 || tab.Live() != 3 {
		t.Fatalf("New: %d %d %d, IDs %d %d", a, b, c, tab.At(a).ID, tab.At(c).ID)
	}
	tab.Ready(b)
	tab.Ready(a)
	tab.Ready(c)
	tab.Ready(a) // already queued: no effect
	for _, want := range []int{b, a, c, None} {
		if got := tab.Next(); got != want {
			t.Fatalf("Next = %d, want %d", got, want)
		}
	}
	tab.Ready(c)
	tab.Release(c) // a queued thread leaves the queue when released
	if got := tab.Next(); got != None || tab.Live() != 2 {
		t.Fatalf("released thread still queued (%d), live %d", got, tab.Live())
	}
	if d := tab.New(1); d != c || tab.At(d).ID != 4 {
		t.Fatalf("a freed slot is reused with a fresh ID: %d, %d", d, tab.At(d).ID)
	}
}

func TestFutexWakeAndDeadlines(t *testing.T) {
	var tab Table
	var ids [5]int
	for i := range ids {
		ids[i] = tab.New(100)
	}
	tab.Block(ids[0], 0x1000, 0, -110)
	tab.Block(ids[1], 0x1000, 500, -110)
	tab.Block(ids[2], 0x2000, 0, -110)
	tab.Block(ids[3], 0, 300, 0) // a sleep
	tab.Block(ids[4], 0x1000, 0, -110)
	if e := tab.Earliest(); e != 300 {
		t.Fatalf("Earliest = %d", e)
	}
	if n := tab.Wake(0x1000, 2); n != 2 {
		t.Fatalf("Wake woke %d", n)
	}
	if tab.At(ids[0]).State != Runnable || tab.At(ids[1]).State != Runnable || tab.At(ids[4]).State != Blocked {
		t.Fatal("Wake woke the wrong threads")
	}
	if tab.At(ids[1]).Deadline != 0 || tab.At(ids[1]).WakeResult != 0 {
		t.Fatal("a woken thread keeps its deadline")
	}
	if n := tab.Wake(0, 10); n != 0 {
		t.Fatal("a sleeping thread was woken as a futex waiter")
	}
	if n := tab.Expire(299); n != 0 {
		t.Fatal("expired early")
	}
	if n := tab.Expire(300); n != 1 || tab.At(ids[3]).WakeResult != 0 {
		t.Fatal("the sleep did not expire")
	}
	tab.Block(ids[2], 0x2000, 400, -110)
	if n := tab.Expire(1000); n != 1 || tab.At(ids[2]).WakeResult != -110 {
		t.Fatalf("the timed wait did not time out with its result: %d", tab.At(ids[2]).WakeResult)
	}
	if tab.Earliest() != 0 {
		t.Fatal("a deadline is left")
	}
	for _, want := range []int{ids[0], ids[1], ids[3], ids[2], None} {
		if got := tab.Next(); got != want {
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
	if n := testing.AllocsPerRun(100, func() {
		tab.Ready(5)
		tab.Next()
		tab.Block(7, 0x10, 20, -1)
		tab.Wake(0x10, 1)
		tab.Expire(30)
		tab.Next()
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func TestInterrupt(t *testing.T) {
	var tab Table
	a, b, c := tab.New(100), tab.New(100), tab.New(100)
	tab.Block(a, 0x1000, 900, -110)
	tab.Block(b, 0x1000, 0, 0)
	tab.At(b).RestartCall = 1 // a read (call 0) to run again
	if !tab.Interrupt(a, -4, false) || tab.At(a).State != Runnable || tab.At(a).WakeResult != -4 || tab.At(a).Deadline != 0 {
		t.Fatalf("interrupting a futex wait: %+v", *tab.At(a))
	}
	if !tab.Interrupt(b, -4, true) || tab.At(b).RestartCall != 1 {
		t.Fatal("an interrupted restartable call lost its restart")
	}
	if tab.Interrupt(c, -4, false) {
		t.Fatal("a thread that is not blocked was interrupted")
	}
	if n := tab.Wake(0x1000, 10); n != 0 {
		t.Fatalf("interrupted threads still waited on the word: %d woken", n)
	}
	if n := tab.Expire(1000); n != 0 {
		t.Fatal("an interrupted thread kept its deadline")
	}
}
