package uthread

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPingPongOnVCPUs runs the table as the libOS does, on vCPUs that are
// goroutines, with no other lock: pairs of threads hand a turn back and
// forth through futex words (check under the word's list lock, block,
// wake), some waits with deadlines that pass on a clock the vCPUs move and some
// ended by signals (Interrupt), so wakes, deadlines, signals, stealing and
// yields all race. Every turn must arrive
// (exact counts, no hang), and no thread may be held while another vCPU
// is still on it (before its Leave), and no two vCPUs may wait for each
// other.
func TestPingPongOnVCPUs(t *testing.T) {
	const (
		vcpus  = 4
		pairs  = 6
		rounds = 4000
	)
	var tab Table
	var words [pairs]atomic.Uint32 // whose turn: 0 the first of the pair, 1 the second
	var turns [2 * pairs]int
	var on [2 * pairs]atomic.Int32 // 1 + the vCPU between Take and Leave
	var clock atomic.Uint64
	var running [2 * pairs]atomic.Bool // between Take and the block, yield or exit: a second Take means it was queued twice
	var finished, overlaps, timeouts, twice, interrupts atomic.Int32
	for i := 0; i < 2*pairs; i++ {
		if tab.New(1) != i {
			t.Fatal("New")
		}
		tab.Ready(i, i%vcpus)
	}
	address := func(p int) uintptr { return uintptr(0x1000 + 64*p) }
	var wg sync.WaitGroup
	stop := time.Now().Add(60 * time.Second)
	for q := 0; q < vcpus; q++ {
		wg.Add(1)
		go func(q int) {
			defer wg.Done()
			last := None // the thread whose TLS block this vCPU is on
			leave := func() {
				if last != None {
					on[last].Store(0)
					tab.Leave(last, q)
					last = None
				}
			}
			for finished.Load() < 2*pairs && time.Now().Before(stop) {
				timeouts.Add(int32(tab.Expire(clock.Add(1), q)))
				i := tab.Take(q)
				if i != last && (i == None || !tab.TryHold(i, q)) {
					leave()
					if i != None {
						if !tab.Hold(i, q, 1<<30) {
							overlaps.Add(1)
						}
					}
				}
				if i == None {
					runtime.Gosched()
					continue
				}
				if i != last {
					leave()
				}
				if was := on[i].Swap(int32(q + 1)); was != 0 && was != int32(q+1) {
					overlaps.Add(1)
				}
				if running[i].Swap(true) {
					twice.Add(1)
				}
				last = i
				p, role := i/2, uint32(i%2)
				w := &words[p]
				if turns[i]%3 == 0 {
					// A signal for a thread of the other pair, which
					// may be blocked, waking, or running.
					if tab.Interrupt((i+2)%(2*pairs), -4, false, q) {
						interrupts.Add(1)
					}
				}
				if turns[i] == rounds {
					running[i].Store(false)
					on[i].Store(0)
					tab.Release(i)
					last = None
					finished.Add(1)
					continue
				}
				if w.Load() == role {
					w.Store(1 - role)
					turns[i]++
					tab.Wake(address(p), 1, q)
					running[i].Store(false)
					tab.Ready(i, q)
					continue
				}
				l := tab.LockWord(address(p))
				if w.Load() == role {
					tab.UnlockWord(l)
					running[i].Store(false)
					tab.Ready(i, q)
					continue
				}
				deadline := uint64(0)
				if turns[i]%5 == 0 {
					deadline = clock.Load() + 20
				}
				running[i].Store(false)
				tab.BlockLocked(l, i, address(p), deadline, -110, 0)
			}
			leave()
		}(q)
	}
	wg.Wait()
	if finished.Load() != 2*pairs {
		for i := 0; i < 2*pairs; i++ {
			th := tab.At(i)
			t.Logf("thread %d: state %d, turns %d, onCPU %d, deadline %d", i, th.State(), turns[i], *tab.OnCPU(i), th.Deadline())
		}
		t.Fatalf("only %d of %d threads finished: a wake-up was lost", finished.Load(), 2*pairs)
	}
	for i, n := range turns {
		if n != rounds {
			t.Errorf("thread %d took %d turns, want %d", i, n, rounds)
		}
	}
	if twice.Load() != 0 {
		t.Errorf("%d times a thread was taken while it ran: it was queued twice", twice.Load())
	}
	if interrupts.Load() == 0 {
		t.Error("no wait was interrupted: the test did not race Interrupt")
	}
	if overlaps.Load() != 0 {
		t.Errorf("%d times a thread was taken while another vCPU was still on it", overlaps.Load())
	}
	if n := tab.Expire(^uint64(0), 0); n != 0 || tab.Earliest() != 0 {
		t.Errorf("%d threads gone still had deadlines", n)
	}
	if tab.Live() != 0 || tab.Waiting() != 0 {
		t.Errorf("left behind: %d live, %d queued, earliest %d", tab.Live(), tab.Waiting(), tab.Earliest())
	}
	t.Logf("%d waits timed out, %d interrupted, %d spins", timeouts.Load(), interrupts.Load(), tab.Spins)
}
