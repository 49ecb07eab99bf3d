package qemu

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Monitor is a connection to QEMU's human monitor on a Unix socket, for
// tests that press keys (sendkey) or read guest memory (xp).
type Monitor struct {
	conn   net.Conn
	reader *bufio.Reader
}

// MonitorArgs are QEMU's arguments for a monitor listening at path (add
// them to Config.ExtraArgs).
func MonitorArgs(path string) []string {
	return []string{"-monitor", "unix:" + path + ",server=on,wait=off"}
}

const monitorPrompt = "(qemu) "

// DialMonitor connects to the monitor at path, waiting up to timeout for
// QEMU to create it, and reads its greeting.
func DialMonitor(path string, timeout time.Duration) (*Monitor, error) {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.Dial("unix", path)
		if err == nil {
			mo := &Monitor{conn: conn, reader: bufio.NewReader(conn)}
			if _, err := mo.readToPrompt(deadline); err != nil {
				conn.Close()
				return nil, err
			}
			return mo, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("QEMU's monitor at %s: %w", path, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readToPrompt returns what the monitor printed up to its next prompt.
func (mo *Monitor) readToPrompt(deadline time.Time) (string, error) {
	mo.conn.SetReadDeadline(deadline)
	var out strings.Builder
	for !strings.HasSuffix(out.String(), monitorPrompt) {
		b, err := mo.reader.ReadByte()
		if err != nil {
			return out.String(), fmt.Errorf("reading QEMU's monitor: %w", err)
		}
		out.WriteByte(b)
	}
	return strings.TrimSuffix(out.String(), monitorPrompt), nil
}

// Command runs one monitor command and returns what it printed (with the
// monitor's echo of the command).
func (mo *Monitor) Command(command string) (string, error) {
	if _, err := mo.conn.Write([]byte(command + "\n")); err != nil {
		return "", err
	}
	return mo.readToPrompt(time.Now().Add(30 * time.Second))
}

// Close closes the connection (QEMU keeps running).
func (mo *Monitor) Close() { mo.conn.Close() }

// VGA text memory as the tests read it.
const (
	vgaTextAddress = 0xB8000
	vgaColumns     = 80
	vgaRows        = 25
)

// VGAText returns the characters of the VGA text screen, one string per
// row with trailing blanks removed.
func (mo *Monitor) VGAText() ([]string, error) {
	out, err := mo.Command(fmt.Sprintf("xp /%dhx %#x", vgaColumns*vgaRows, vgaTextAddress))
	if err != nil {
		return nil, err
	}
	cells := parseXP(out)
	if len(cells) != vgaColumns*vgaRows {
		return nil, fmt.Errorf("xp printed %d cells, want %d:\n%s", len(cells), vgaColumns*vgaRows, out)
	}
	rows := make([]string, vgaRows)
	for r := range rows {
		var b strings.Builder
		for _, cell := range cells[r*vgaColumns : (r+1)*vgaColumns] {
			b.WriteByte(byte(cell))
		}
		rows[r] = strings.TrimRight(b.String(), " ")
	}
	return rows, nil
}

// parseXP reads the values of an xp dump: lines "ADDRESS: 0xVALUE ...".
func parseXP(out string) []uint64 {
	var values []uint64
	for _, line := range strings.Split(out, "\n") {
		address, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(address, "0000") {
			continue
		}
		for _, field := range strings.Fields(rest) {
			v, err := strconv.ParseUint(strings.TrimPrefix(field, "0x"), 16, 64)
			if err != nil {
				break
			}
			values = append(values, v)
		}
	}
	return values
}
