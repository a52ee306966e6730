package main

import (
	"context"
	"errors"
	"log/slog"
)

// seedConfig says where and what to seed.
type seedConfig struct {
	DataDir     string
	DatabaseURL string
	Members     int
	Convs       int
	ConvSize    int
	Log         *slog.Logger
}

// fixture is what the load needs: a bearer token per member, the group
// conversations and their members (indexes into Tokens).
type fixture struct {
	Tokens      []string
	ConvIDs     []string
	ConvMembers [][]int
	// SendPath is the send route with %s for the conversation id.
	SendPath string
}

func seed(ctx context.Context, c seedConfig) (*fixture, error) {
	return nil, errors.New("seeding needs identity, directory and chat")
}
