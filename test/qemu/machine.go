package qemu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// Machine is a running QEMU.
type Machine struct {
	Config  Config   // with defaults filled in
	Args    []string // QEMU's command line, without the program name
	Console *Console // the guest's first serial port

	cmd      *exec.Cmd
	stdin    io.WriteCloser // the serial line's input
	stderr   lockedBuffer
	tmpDir   string
	timer    *time.Timer
	timedOut atomic.Bool

	done    chan struct{} // closed when QEMU has exited and its output is read
	status  int           // QEMU's exit status, -1 if killed by a signal
	waitErr error         // from exec.Cmd.Wait, other than a non-zero status
}

// Start launches QEMU as c describes. Its clock (and the serial line
// times) starts just before the process does. The machine is killed when
// c.Timeout passes; call Close when done with it.
func Start(c Config) (*Machine, error) {
	c = c.withDefaults()
	if _, err := exec.LookPath(QEMUBinary); err != nil {
		return nil, fmt.Errorf("%s not found (package qemu-system-x86); run tools/install-deps.sh", QEMUBinary)
	}
	if !fileExists(c.Image) {
		return nil, fmt.Errorf("image %s does not exist", c.Image)
	}
	m := &Machine{Config: c, done: make(chan struct{})}
	var varStore string
	if c.Firmware == UEFI {
		if c.OVMFCode == "" || c.OVMFVars == "" {
			code, vars, err := FindOVMF()
			if err != nil {
				return nil, err
			}
			m.Config.OVMFCode, m.Config.OVMFVars = code, vars
		}
		dir, err := os.MkdirTemp("", "exogo-qemu-")
		if err != nil {
			return nil, err
		}
		m.tmpDir = dir
		if varStore, err = copyVarStore(dir, m.Config.OVMFVars); err != nil {
			m.removeTmp()
			return nil, fmt.Errorf("copying the UEFI variable store: %w", err)
		}
	}
	args, err := Args(m.Config, varStore)
	if err != nil {
		m.removeTmp()
		return nil, err
	}
	m.Args = args

	m.cmd = exec.Command(QEMUBinary, args...)
	m.cmd.Stderr = &m.stderr
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		m.removeTmp()
		return nil, err
	}
	if m.stdin, err = m.cmd.StdinPipe(); err != nil {
		m.removeTmp()
		return nil, err
	}
	start := time.Now()
	m.Console = NewConsole(start)
	if err := m.cmd.Start(); err != nil {
		m.removeTmp()
		return nil, fmt.Errorf("starting %s: %w", QEMUBinary, err)
	}
	m.timer = time.AfterFunc(c.Timeout, func() {
		m.timedOut.Store(true)
		m.cmd.Process.Kill()
	})
	go func() {
		// All output must be read before Wait closes the pipe.
		m.Console.Record(stdout, c.SerialLog)
		err := m.cmd.Wait()
		m.timer.Stop()
		var exit *exec.ExitError
		switch {
		case err == nil:
			m.status = 0
		case errors.As(err, &exit):
			m.status = exit.ExitCode()
		default:
			m.status = -1
			m.waitErr = err
		}
		close(m.done)
	}()
	return m, nil
}

// Type sends text to the guest's first serial port, as if typed on a
// terminal attached to it (Enter is "\r").
func (m *Machine) Type(text string) error {
	_, err := io.WriteString(m.stdin, text)
	return err
}

// WaitLine waits up to timeout for a serial line matching re, looking at
// every line since QEMU started.
func (m *Machine) WaitLine(re *regexp.Regexp, timeout time.Duration) (Line, error) {
	l, _, err := m.Console.WaitLine(re, 0, timeout)
	if err != nil && m.timedOut.Load() {
		err = fmt.Errorf("%w (QEMU killed after the %v boot timeout; set EXOGO_QEMU_TIMEOUT to allow more)", err, m.Config.Timeout)
	}
	return l, err
}

// Wait waits for QEMU to exit and returns its exit status (-1 if it was
// killed by a signal). The error is non-nil only when the run went wrong on
// the host side: the boot timeout killed QEMU, or waiting failed.
func (m *Machine) Wait() (int, error) {
	<-m.done
	if m.timedOut.Load() {
		return m.status, fmt.Errorf("QEMU killed after the %v boot timeout; set EXOGO_QEMU_TIMEOUT to allow more", m.Config.Timeout)
	}
	return m.status, m.waitErr
}

// Exited reports whether QEMU has exited.
func (m *Machine) Exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// Stderr returns what QEMU wrote to its standard error so far.
func (m *Machine) Stderr() string {
	return m.stderr.String()
}

// Close kills QEMU if it is still running, waits for it, and removes the
// machine's temporary files.
func (m *Machine) Close() {
	if !m.Exited() {
		m.cmd.Process.Kill()
	}
	<-m.done
	m.removeTmp()
}

func (m *Machine) removeTmp() {
	if m.tmpDir != "" {
		os.RemoveAll(m.tmpDir)
		m.tmpDir = ""
	}
}

// lockedBuffer is a bytes.Buffer that exec's copying goroutine can write
// while another goroutine reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
