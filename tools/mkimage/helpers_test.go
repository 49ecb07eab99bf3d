package main

import (
	"syscall"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mkfifo(path string) error {
	return syscall.Mkfifo(path, 0o644)
}
