package db

// Prepares is how many statements the SQLite connections' caches have
// prepared so far.
func Prepares() int64 { return prepares.Load() }
