package qemu

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ovmfPair is a UEFI firmware image and the variable store template built
// with it; the two must match in size.
type ovmfPair struct{ code, vars string }

// ovmfCandidates are where Debian's ovmf package puts the firmware: the 4 MiB
// build (Debian 12 and later) first, then the older 2 MiB one.
var ovmfCandidates = []ovmfPair{
	{"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"},
	{"/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"},
}

// FindOVMF returns the OVMF firmware and variable store template to use:
// EXOGO_OVMF_CODE and EXOGO_OVMF_VARS when set, otherwise the first pair of
// the Debian ovmf package that exists.
func FindOVMF() (code, vars string, err error) {
	code, vars = os.Getenv("EXOGO_OVMF_CODE"), os.Getenv("EXOGO_OVMF_VARS")
	if code != "" || vars != "" {
		if code == "" || vars == "" {
			return "", "", errors.New("set both EXOGO_OVMF_CODE and EXOGO_OVMF_VARS, or neither")
		}
		return code, vars, nil
	}
	for _, p := range ovmfCandidates {
		if fileExists(p.code) && fileExists(p.vars) {
			return p.code, p.vars, nil
		}
	}
	return "", "", fmt.Errorf("no OVMF firmware in /usr/share/OVMF (package ovmf); run tools/install-deps.sh")
}

// copyVarStore copies the variable store template into dir and returns the
// copy's path. Each boot gets a fresh, writable store.
func copyVarStore(dir, template string) (string, error) {
	in, err := os.Open(template)
	if err != nil {
		return "", err
	}
	defer in.Close()
	path := filepath.Join(dir, "OVMF_VARS.fd")
	out, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", err
	}
	return path, out.Close()
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
