package fresh

import "testing"

// TestCacheServesOnlyItsGeneration: an answer is handed only to a request
// that read the generation it was stored at; a newer or an older one drops
// the answers (never serves them).
func TestCacheServesOnlyItsGeneration(t *testing.T) {
	c := NewCache[string, int](Members, 2)
	g1 := Gens{Members: 1}
	c.Put(g1, "a", 1)
	if v, ok := c.Get(g1, "a"); !ok || v != 1 {
		t.Fatalf("same generation: %d %v", v, ok)
	}
	// Another kind's counter does not matter.
	if _, ok := c.Get(Gens{Sessions: 7, Members: 1}, "a"); !ok {
		t.Fatal("another kind's generation dropped the answer")
	}
	g2 := Gens{Members: 2}
	if _, ok := c.Get(g2, "a"); ok {
		t.Fatal("answer served at a newer generation")
	}
	// A request that read the older generation stores what it read; a
	// request at the newer one never sees it.
	c.Put(g1, "b", 2)
	if _, ok := c.Get(g2, "b"); ok {
		t.Fatal("answer of an older generation served at a newer one")
	}
	// Bounded: past max the cache starts empty.
	c.Put(g2, "d", 4)
	c.Put(g2, "e", 5)
	if c.Len() > 2 {
		t.Fatalf("%d answers held, max 2", c.Len())
	}
}
