package linux

import "exogo/libos/exo"

// When a thread gives its vCPU up to another: the scheduling policy, the
// time slice and the alarm that ends it.

// alarmDue acts on vCPU v's alarm, whose time (now) has passed and which
// the kernel no longer holds: the threads whose deadlines passed become
// runnable, and under round-robin the running thread yields when others
// wait (its verdict).
func alarmDue(v int, now uint64) int {
	vcpus[uint(v)%exo.VcpuMax].armed = 0
	threads.Expire(now, v)
	if !fifo && threads.Waiting() > 0 {
		return yield
	}
	return resume
}

// slice is how long a thread runs while others wait, before the alarm
// hands the vCPU to the next (under the round-robin policy).
const slice = 2_000_000

// The thread-scheduling policy, chosen when the program is linked:
// -ldflags "-X exogo/libos/linux.SchedulingPolicy=fifo" (the Makefile
// links cmd/policies so as /bin/policies-fifo).
//
//   - "round-robin" (the default, also when empty): a thread runs for a
//     time slice while others wait, then goes to the back of its vCPU's
//     queue; the alarm upcall ends the slice.
//   - "fifo": a thread runs until it blocks, yields (sched_yield) or
//     exits; threads made runnable wait in their queue in the order they
//     came, and no event takes the vCPU from a thread (as Linux's
//     SCHED_FIFO within one priority).
//
// The vCPUs, queues and stealing are the same under both.
var SchedulingPolicy string

// fifo is true under the fifo policy (set by start).
var fifo bool

// usePolicy reads SchedulingPolicy; an unknown one ends the program.
func usePolicy() {
	switch SchedulingPolicy {
	case "", "round-robin":
	case "fifo":
		fifo = true
	default:
		fatal("unknown scheduling policy in exogo/libos/linux.SchedulingPolicy (link with round-robin or fifo)")
	}
}

// Policy returns the name of the thread-scheduling policy the program was
// linked with.
func Policy() string {
	if fifo {
		return "fifo"
	}
	return "round-robin"
}

// armAlarm makes sure an alarm comes to vCPU v no later than the end of
// the running thread's slice (when others wait) and the earliest deadline
// of a blocked thread, so that a thread that makes no calls can neither
// starve the others nor delay a sleeper (the runtime's sysmon above all).
// It only ever brings the alarm forward: an alarm that comes early costs
// one upcall, which re-arms it, where moving it back and forth would cost
// a call at almost every switch. now is the time. It runs at every
// resume, so it counts the waiting threads only when their slice would
// bring the alarm forward.
func armAlarm(v int, now uint64) {
	me := &vcpus[uint(v)%exo.VcpuMax]
	want := threads.Earliest()
	if end := now + slice; !fifo && (want == 0 || end < want) && (me.armed == 0 || end < me.armed) && threads.Waiting() > 0 {
		want = end
	}
	if want != 0 && (me.armed == 0 || want < me.armed) {
		me.armed = want
		me.alarmSets++
		exo.AlarmSet(want)
	}
}
