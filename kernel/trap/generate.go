package trap

//go:generate go run ./internal/genvectors
