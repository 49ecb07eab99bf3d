package segment

// Grants: another process's right to use a segment, and the authority
// each link and mapping records.

// Grant lets grantee use segment id with rights r (Read is implied; GrantOn
// lets it grant on in turn).
//
// The owner may grant anything, and granting again replaces the rights.
// A grantee holding GrantOn may grant rights it holds itself (RightsExceeded
// otherwise); its grant only ever adds to what the grantee already has, so
// that one grantee cannot take rights from another. Grants are one flat
// list per segment: Withdraw (owner only, withdraw.go) ends one process's
// grant, with the links and mappings made on it, not the grants that
// process passed on (each is a grant of its own).
//
// Lowering a grant does not change links already made (they keep the
// permissions they were made with); withdrawing it removes them.
func (t *Table) Grant(caller uint16, id ID, grantee uint16, r Rights) Status {
	t.acquire()
	status := t.grant(caller, id, grantee, r)
	t.release()
	return status
}

func (t *Table) grant(caller uint16, id ID, grantee uint16, r Rights) Status {
	d, _, status := t.lookup(id)
	if status != OK {
		return status
	}
	owner := d.owner == caller
	held, _ := d.grantOf(caller)
	if !owner && held&GrantOn == 0 {
		return NotOwner
	}
	r |= Read
	if r&^grantRights != 0 {
		return BadRights
	}
	if !owner && r&^held != 0 {
		return RightsExceeded
	}
	if grantee == 0 || grantee == d.owner || grantee == caller {
		return BadGrantee
	}
	if i, ok := d.grantSlot(grantee); ok {
		if owner {
			d.grants[i%MaxGrants].Rights = r
		} else {
			d.grants[i%MaxGrants].Rights |= r
		}
		return OK
	}
	free, ok := d.grantSlot(0)
	if !ok {
		return TooManyGrants
	}
	d.grants[free%MaxGrants] = Grant{Process: grantee, Rights: r}
	d.grantCount++
	t.grantsHeld[grantee]++
	return OK
}

// grantSlot returns the index of process's grant in d.grants (process 0:
// the first free slot). A grant keeps its slot while it lasts: the links
// and mappings made on it carry the slot's number (authority).
func (d *descriptor) grantSlot(process uint16) (uint, bool) {
	for i := range d.grants {
		if d.grants[i].Process == process {
			return uint(i), true
		}
	}
	return 0, false
}

// grantOf returns the rights process holds through a grant on d.
func (d *descriptor) grantOf(process uint16) (Rights, bool) {
	if process == 0 {
		return 0, false
	}
	i, ok := d.grantSlot(process)
	if !ok {
		return 0, false
	}
	return d.grants[i%MaxGrants].Rights, true
}

// The authority of a link or of a child's mapping: on whose right it was
// made, kept in bits the CPU ignores in an entry that points at a table
// (bits 52-55), so that withdrawing a grant finds what rested on it.
// 0 is the owner's own; n is the grant in slot n-1.
const (
	authorityShift = 52
	authorityMask  = 0xf << authorityShift
)

// authority returns the authority bits for caller acting on d, which
// d.allows has accepted: 0 for the owner, else its grant's slot + 1.
func (d *descriptor) authority(caller uint16) uint64 {
	if caller == d.owner {
		return 0
	}
	i, _ := d.grantSlot(caller)
	return uint64(i%MaxGrants+1) << authorityShift
}
