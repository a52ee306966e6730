package events

import "context"

// Taken returns how many events h delivered from offers.
func Taken(h *Hub) int64 { return h.taken.Load() }

// TakeOffers delivers the offers that continue h's position, without
// reading the database.
func TakeOffers(ctx context.Context, h *Hub) { h.takeOffers(ctx) }

var AppendString = appendString
