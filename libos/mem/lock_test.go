package mem

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLockExcludesWriters runs readers and writers of the memory lock on
// several goroutines: a writer is always alone, readers share it.
func TestLockExcludesWriters(t *testing.T) {
	var inside, writers atomic.Int32
	var wg sync.WaitGroup
	var bad atomic.Int32
	for g := range 6 {
		wg.Add(1)
		go func(writer bool) {
			defer wg.Done()
			for range 3000 {
				if writer {
					Lock()
					if writers.Add(1) != 1 || inside.Load() != 0 {
						bad.Add(1)
					}
					writers.Add(-1)
					Unlock()
					continue
				}
				RLock()
				inside.Add(1)
				if writers.Load() != 0 {
					bad.Add(1)
				}
				inside.Add(-1)
				RUnlock()
			}
		}(g%3 == 0)
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d times a writer was not alone", bad.Load())
	}
	if lockWord != 0 {
		t.Errorf("lock word %#x after the run, want 0", lockWord)
	}
}

// TestReadersShareAndWriterIsNotStarved checks that two readers hold the
// lock at once, and that a writer gets it while readers keep coming.
func TestReadersShareAndWriterIsNotStarved(t *testing.T) {
	RLock()
	got := make(chan bool)
	go func() { RLock(); got <- true; RUnlock() }()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("a second reader waited for the first")
	}
	RUnlock()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				RLock()
				time.Sleep(10 * time.Microsecond) // overlapping readers
				RUnlock()
			}
		}()
	}
	locked := make(chan bool)
	go func() { Lock(); locked <- true; Unlock() }()
	select {
	case <-locked:
	case <-time.After(10 * time.Second):
		t.Error("a writer starved behind a stream of readers")
	}
	close(stop)
	wg.Wait()
}
