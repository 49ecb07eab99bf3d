package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Roles 7 and 8: quanta and the abort protocol. Both spin, competing with
// the parent for the CPU, with epilogue and start upcalls registered.
//   7 cooperative: its epilogue handler yields, then resumes: it is never
//     descheduled by force (no aborts).
//   8 ignores its epilogues: the handler resumes at once without yielding;
//     after the grace period the kernel deschedules it by force, counts the
//     abort, and gives it a start upcall (with the count) when it runs again.
// Each writes its counts to the mailbox. On a machine with several CPUs a
// child may get a CPU of its own: nothing competes, no epilogue comes, and
// the parent reports the check as not exercised.

var (
	role            uint64
	epilogues       uint64
	starts          uint64
	abortsSeen      uint64
	epilogueWindows uint64
	lateEpilogues   uint64 // role 7: epilogues its handler ran after the deadline (detail)
)

const (
	boxCooperativeEpilogues = 7
	boxCooperativeAborts    = 8
	boxIgnoringStarts       = 9
	boxIgnoringAborts       = 10
	boxQuantaDone           = 11 // +1 per child finished
	boxCooperativeLate      = 37 // epilogues role 7 answered after their deadline
	wantEpilogues           = 3
	contextAborts           = 192
)

// onQuantaUpcall handles roles 7 and 8's epilogue and start upcalls.
func onQuantaUpcall(context uintptr, event, detail uint64) {
	if a := *bare.Word(context + contextAborts); a > abortsSeen {
		abortsSeen = a
	}
	switch event {
	case exo.UpcallEpilogue: // detail is the time to yield by
		epilogues++
		if role == 7 {
			if exo.TimeNow() > int64(detail) {
				lateEpilogues++ // it got its CPU back only after the grace period
			}
			exo.Yield()
		}
	case exo.UpcallStart: // detail is the abort count
		starts++
		if detail > abortsSeen {
			abortsSeen = detail
		}
	}
	bare.Resume(context)
}

func quanta(r uint64) {
	role = r
	bare.UseUpcalls(&upcallTable, upcallStack, upcallPages)
	deadline := exo.TimeNow() + 3_000_000_000
	for exo.TimeNow() < deadline {
		if role == 7 && epilogues >= wantEpilogues {
			break
		}
		if role == 8 && starts >= wantEpilogues {
			break
		}
		for i := 0; i < 100000; i++ { // spin without calls for a while
			epilogueWindows++
		}
	}
	if role == 7 {
		*mailbox(boxCooperativeEpilogues) = epilogues
		*mailbox(boxCooperativeAborts) = abortsSeen
		*mailbox(boxCooperativeLate) = lateEpilogues
	} else {
		*mailbox(boxIgnoringStarts) = starts
		*mailbox(boxIgnoringAborts) = abortsSeen
	}
	*mailbox(boxQuantaDone) += 1
}

// checkQuanta runs roles 7 and 8 together and checks what they saw.
func checkQuanta() {
	cooperative := spawn(7, 0, 0)
	ignoring := spawn(8, 0, 0)
	check("start the epilogue children", cooperative > 0 && ignoring > 0)
	deadline := exo.TimeNow() + 20_000_000_000
	for *mailbox(boxQuantaDone) < 2 && exo.TimeNow() < deadline {
		exo.Yield()
	}
	if *mailbox(boxCooperativeEpilogues) == 0 && *mailbox(boxIgnoringStarts) == 0 {
		bare.Say("exo-test: not exercised: epilogues (each child had a CPU to itself)\n")
		return
	}
	bare.SayNumber("exo-test: cooperative child: epilogue upcalls ", int64(*mailbox(boxCooperativeEpilogues)))
	bare.SayNumber("exo-test: ignoring child: aborts (descheduled by force) ", int64(*mailbox(boxIgnoringAborts)))
	// How many epilogues come depends on competition: with several CPUs a
	// child may have had one to itself part of the time, and QEMU's vCPUs,
	// more than the host's cores, can lose the host for longer than a
	// grace period. The QEMU test with one CPU requires both lines.
	if late := *mailbox(boxCooperativeLate); late > 0 {
		// Its handler ran after the deadline the upcall gave: between the
		// upcall and its handler the CPU was away for longer than the
		// grace period (under QEMU, 1 run in 4 or so, the guest's CPU
		// is the host's to take).
		bare.SayNumber("exo-test: cooperative child: epilogues whose handler ran past their deadline: ", int64(late))
	}
	if *mailbox(boxCooperativeEpilogues) >= wantEpilogues {
		check("epilogue: a child that yields in its epilogue gets them and is never descheduled by force when it yields by the deadline",
			*mailbox(boxCooperativeAborts) <= *mailbox(boxCooperativeLate))
	} else {
		bare.Say("exo-test: not exercised fully: the cooperative child competed for its CPU only part of the time\n")
	}
	if *mailbox(boxIgnoringStarts) >= wantEpilogues {
		check("abort protocol: a child that ignores its epilogues is descheduled by force, counted, and told by start upcalls",
			*mailbox(boxIgnoringAborts) >= wantEpilogues)
	} else {
		bare.Say("exo-test: not exercised fully: the ignoring child competed for its CPU only part of the time\n")
	}
}
