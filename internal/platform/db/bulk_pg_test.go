package db

import (
	"bytes"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// The arrays Rows hands pgx encode to the same bytes as pgx's own
// encoding of the plain slices, NULLs included, without an allocation per
// element.
func TestPGArraysEncode(t *testing.T) {
	strs := []string{"", "a", "héllo, {wörld}", "NULL", `"q"`, "x"}
	ints := []int64{0, -1, 1 << 40, 255, 256}
	blobs := [][]byte{nil, {}, {0, 1, 0xff}, []byte("bytes")}
	r := Rows{Cols: Cols("s text", "n bigint", "b bytea")}
	n := max(len(strs), len(ints), len(blobs))
	args, err := r.arrays(n, func(i int, v []any) {
		v[0], v[1] = strs[i%len(strs)], ints[i%len(ints)]
		if b := blobs[i%len(blobs)]; b != nil {
			v[2] = b
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	plainS, plainN, plainB := make([]string, n), make([]int64, n), make([][]byte, n)
	for i := range n {
		plainS[i], plainN[i], plainB[i] = strs[i%len(strs)], ints[i%len(ints)], blobs[i%len(blobs)]
	}
	m := pgtype.NewMap()
	for j, c := range []struct {
		oid   uint32
		plain any
	}{{pgtype.TextArrayOID, plainS}, {pgtype.Int8ArrayOID, plainN}, {pgtype.ByteaArrayOID, plainB}} {
		for _, format := range []int16{pgtype.BinaryFormatCode, pgtype.TextFormatCode} {
			want, err := m.Encode(c.oid, format, c.plain, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Encode(c.oid, format, args[j], nil)
			if err != nil {
				t.Fatalf("column %d, format %d: %v", j, format, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("column %d, format %d:\n got %q\nwant %q", j, format, got, want)
			}
		}
	}

	// Encoding a column of 1,000 rows allocates no more than one of 10.
	allocs := func(rows int) float64 {
		col := make(textArray, rows)
		for i := range col {
			col[i] = textElem(strs[i%len(strs)] + "padding")
		}
		plan := m.PlanEncode(pgtype.TextArrayOID, pgtype.BinaryFormatCode, col)
		buf := make([]byte, 0, 64*rows)
		return testing.AllocsPerRun(20, func() {
			if _, err := plan.Encode(col, buf[:0]); err != nil {
				t.Fatal(err)
			}
		})
	}
	if small, large := allocs(10), allocs(1000); large > small {
		t.Fatalf("encoding 1,000 rows allocates %v times, 10 rows %v: an allocation per element", large, small)
	}
}
