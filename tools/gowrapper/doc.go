// Package gowrapper holds the host tests of tools/go, the script that runs
// the Go toolchain go.mod pins and fetches it when the machine lacks it.
// The tests run the script against fake go, apt-get and sudo commands, so
// they check its choices without a network or a real install.
package gowrapper
