package qemu

import (
	"fmt"
	"strings"
)

// The walkthroughs in docs/ (walkthrough-*.md) are followed by a test, so
// that every command they show still works and still prints what they say.
// A walkthrough is ordinary Markdown; the test reads its fenced blocks:
//
//	```go file=PATH        the block is the whole new content of PATH
//	```conf append=PATH    the block is appended to PATH
//	```console             commands and what they print: a line "$ CMD"
//	                       is a command (run by bash in the repository's
//	                       root); the lines after it, up to the next
//	                       command, must each appear in its output, in
//	                       order, as part of a line. "..." stands for
//	                       lines left out. A command's exit status is
//	                       not checked: what it prints is.
//
// Any other fenced block is an illustration and is not run.

// StepKind says what a walkthrough step does.
type StepKind int

// The kinds of steps.
const (
	StepWriteFile StepKind = iota
	StepAppendFile
	StepCommands
)

// Step is one fenced block of a walkthrough that the test acts on.
type Step struct {
	Kind     StepKind
	Path     string    // the file written or appended to
	Text     string    // the file's content, or what is appended
	Commands []Command // for StepCommands
	Line     int       // where the block starts in the Markdown (1-based)
}

// Command is a shell command with the output lines it must print.
type Command struct {
	Shell  string
	Expect []string
}

// ParseWalkthrough returns the steps of a walkthrough in order.
func ParseWalkthrough(markdown string) ([]Step, error) {
	var steps []Step
	lines := strings.Split(markdown, "\n")
	for i := 0; i < len(lines); i++ {
		info, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), "```")
		if !ok {
			continue
		}
		start := i + 1
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		if end == len(lines) {
			return nil, fmt.Errorf("line %d: a fenced block that never ends", start)
		}
		body := lines[start:end]
		i = end
		step, act, err := parseBlock(info, body)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", start, err)
		}
		if act {
			step.Line = start
			steps = append(steps, step)
		}
	}
	return steps, nil
}

// parseBlock reads one fenced block with its info string; act is false
// for an illustration.
func parseBlock(info string, body []string) (step Step, act bool, err error) {
	fields := strings.Fields(info)
	if len(fields) == 0 {
		return step, false, nil
	}
	if fields[0] == "console" {
		step.Kind = StepCommands
		for _, line := range body {
			if shell, ok := strings.CutPrefix(line, "$ "); ok {
				step.Commands = append(step.Commands, Command{Shell: shell})
				continue
			}
			line = strings.TrimSpace(line)
			if line == "" || line == "..." {
				continue
			}
			if len(step.Commands) == 0 {
				return step, false, fmt.Errorf("output %q before any command", line)
			}
			c := &step.Commands[len(step.Commands)-1]
			c.Expect = append(c.Expect, line)
		}
		if len(step.Commands) == 0 {
			return step, false, fmt.Errorf("a console block without a command")
		}
		return step, true, nil
	}
	for _, field := range fields[1:] {
		key, value, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		switch key {
		case "file":
			step.Kind = StepWriteFile
		case "append":
			step.Kind = StepAppendFile
		default:
			continue
		}
		if value == "" || strings.HasPrefix(value, "/") || strings.Contains(value, "..") {
			return step, false, fmt.Errorf("%s=%q: want a path inside the repository", key, value)
		}
		step.Path = value
		step.Text = strings.Join(body, "\n") + "\n"
		return step, true, nil
	}
	return step, false, nil
}

// MissingOutput returns the first expected line that output lacks (each
// must be part of a line, in order after the previous one), or "" when
// every one is there.
func MissingOutput(output string, expect []string) string {
	lines := strings.Split(strings.ReplaceAll(output, "\r", ""), "\n")
	next := 0
	for _, want := range expect {
		found := false
		for next < len(lines) {
			line := lines[next]
			next++
			if strings.Contains(line, want) {
				found = true
				break
			}
		}
		if !found {
			return want
		}
	}
	return ""
}
