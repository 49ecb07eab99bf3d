package multiboot2

// ParseStatus says what Parse found wrong with the boot information, or
// StatusOK. It is a small integer rather than an error so that restricted
// code can record, compare and return it without allocating.
type ParseStatus uint8

// Parse statuses. The fatal ones (StatusTooShort, StatusTotalSizeTooSmall)
// stop Parse before any tag is read; StatusTagTooSmall, StatusTagOverrun and
// StatusMissingEndTag stop the tag walk at the offending tag; all others
// skip or trim one tag or entry and let parsing continue.
const (
	StatusOK ParseStatus = iota
	// The slice is shorter than the 8-byte fixed part.
	StatusTooShort
	// total_size is below 8 or not a multiple of 8.
	StatusTotalSizeTooSmall
	// total_size is larger than the slice; the slice was parsed.
	StatusTotalSizeTooLarge
	// A tag's size field is below 8, so the walk cannot continue.
	StatusTagTooSmall
	// A tag runs past total_size (or the slice).
	StatusTagOverrun
	// The tags ended without an end tag (type 0, size 8).
	StatusMissingEndTag
	// An end tag has a size other than 8.
	StatusBadEndTag
	// A tag is too short for the fixed fields of its type; it was skipped.
	StatusTagTooShortForType
	// A string (command line, boot loader name, module name) has no NUL
	// inside its tag; the string was not recorded.
	StatusStringNotTerminated
	// A module's end address is below its start; the module was skipped.
	StatusBadModule
	// More than MaxModules modules; the extra ones were dropped.
	StatusTooManyModules
	// A memory map's entry_size is below 24; the memory map was skipped.
	StatusBadMemoryMapEntrySize
	// A memory map's entries do not fill the tag exactly; the trailing
	// partial entry was ignored.
	StatusMemoryMapNotDivisible
	// More than MaxMemoryMapEntries entries; the extra ones were dropped.
	StatusTooManyMemoryMapEntries
	// A framebuffer tag has an unknown framebuffer type or a palette that
	// runs past the tag; the colour information was not recorded.
	StatusBadFramebuffer
	// An ELF sections tag's headers do not fit in the tag; it was skipped.
	StatusBadELFSections
	// Two tags of a type that should appear once; the later one won.
	StatusDuplicateTag
	statusLimit
)

var statusNames = [statusLimit]string{
	StatusOK:                      "ok",
	StatusTooShort:                "boot information shorter than 8 bytes",
	StatusTotalSizeTooSmall:       "total_size too small or unaligned",
	StatusTotalSizeTooLarge:       "total_size larger than the buffer",
	StatusTagTooSmall:             "tag size below 8",
	StatusTagOverrun:              "tag runs past the end",
	StatusMissingEndTag:           "missing end tag",
	StatusBadEndTag:               "end tag size is not 8",
	StatusTagTooShortForType:      "tag too short for its type",
	StatusStringNotTerminated:     "string without NUL",
	StatusBadModule:               "module end below start",
	StatusTooManyModules:          "too many modules",
	StatusBadMemoryMapEntrySize:   "memory map entry_size below 24",
	StatusMemoryMapNotDivisible:   "memory map size not a multiple of entry_size",
	StatusTooManyMemoryMapEntries: "too many memory map entries",
	StatusBadFramebuffer:          "bad framebuffer colour information",
	StatusBadELFSections:          "ELF section headers do not fit",
	StatusDuplicateTag:            "duplicate tag",
}

// String returns a short constant description of the status, for logs. It
// does not allocate.
func (s ParseStatus) String() string {
	if s >= statusLimit {
		return "unknown status"
	}
	return statusNames[s]
}

// Fatal reports whether the status stopped Parse before any tag was read.
func (s ParseStatus) Fatal() bool {
	return s == StatusTooShort || s == StatusTotalSizeTooSmall
}
