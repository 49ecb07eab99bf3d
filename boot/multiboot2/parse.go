package multiboot2

// This file walks the boot information. It is restricted Go: see the
// package comment.
//
// The boot information GRUB builds is laid out as
//
//	offset 0: total_size u32   size of the whole structure, this field included
//	offset 4: reserved   u32
//	offset 8: tags
//
// and each tag is
//
//	offset 0: type u32
//	offset 4: size u32         of this tag, header included, padding excluded
//	offset 8: payload          size-8 bytes
//
// padded with zero bytes so that the next tag starts 8-aligned. The list
// ends with a tag of type 0 and size 8.

// Parse decodes the boot information in info into *out, overwriting all of
// *out.
//
// info should start at the boot information's total_size field and be at
// least total_size bytes long; the kernel typically builds it with
// unsafe.Slice after reading total_size at the address GRUB passed in EBX.
// Parse reads only info, never past it, keeps no reference to it, does not
// allocate and does not panic whatever the bytes are.
//
// The result is StatusOK when nothing was wrong, otherwise the status of
// the first problem found; out.Problems says which tags were at fault, and
// out holds every tag and entry that was valid.
func Parse(info []byte, out *Info) ParseStatus {
	*out = Info{}
	if len(info) < 8 {
		out.report(StatusTooShort, TagEnd, 0)
		return StatusTooShort
	}
	total := int(le32(info))
	out.TotalSize = uint32(total)
	if total < 8 {
		out.report(StatusTotalSizeTooSmall, TagEnd, 0)
		return StatusTotalSizeTooSmall
	}
	body := info[8:]
	if total-8 <= len(body) {
		body = body[:total-8]
	} else {
		out.report(StatusTotalSizeTooLarge, TagEnd, 0)
	}
	out.walkTags(body, 8)
	return out.Problems[0].Status
}

// walkTags decodes the tags in body, which starts offset bytes into the
// boot information, stopping at the end tag or at the first tag whose size
// makes the walk impossible to continue.
func (i *Info) walkTags(body []byte, offset int) {
	for {
		if len(body) < 8 {
			i.report(StatusMissingEndTag, TagEnd, offset)
			return
		}
		tagType := TagType(le32(body))
		size := int(le32(body[4:]))
		if size < 8 {
			i.report(StatusTagTooSmall, tagType, offset)
			return
		}
		if size > len(body) {
			i.report(StatusTagOverrun, tagType, offset)
			return
		}
		if tagType == TagEnd {
			if size != 8 {
				i.report(StatusBadEndTag, tagType, offset)
			}
			return
		}
		i.decodeTag(tagType, body[:size], offset)

		// Step over the tag and its padding. If the padding itself does
		// not fit, the next iteration sees an empty body and reports
		// the missing end tag.
		advance := (size + 7) &^ 7
		if advance > len(body) {
			advance = len(body)
		}
		body = body[advance:]
		offset += advance
	}
}

// report records a problem with tag tagType at offset bytes into the boot
// information.
func (i *Info) report(status ParseStatus, tagType TagType, offset int) {
	index := i.ProblemCount
	i.ProblemCount++
	if index < 0 || index >= len(i.Problems) {
		return
	}
	i.Problems[index] = Problem{Status: status, Tag: tagType, Offset: uint32(offset)}
}

// le16, le32 and le64 read a little-endian integer from the start of b, or
// return 0 if b is too short. Callers check len(b) first; once these are
// inlined the compiler proves the length test redundant and drops it.

func le16(b []byte) uint16 {
	if len(b) < 2 {
		return 0
	}
	return uint16(b[0]) | uint16(b[1])<<8
}

func le32(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return uint64(le32(b)) | uint64(le32(b[4:]))<<32
}

// stringLength returns the number of bytes before the first NUL in b, and
// false if b contains no NUL.
func stringLength(b []byte) (int, bool) {
	for index := 0; index < len(b); index++ {
		if b[index] == 0 {
			return index, true
		}
	}
	return 0, false
}
