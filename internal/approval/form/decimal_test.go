package form_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval/form"
)

func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in, want string
		scale    int
	}{
		{"0", "0", 0},
		{"-0", "0", 0},
		{"-0.000", "0", 0},
		{"12", "12", 0},
		{"12.50", "12.5", 1},
		{"0012.0500", "12.05", 2},
		{"-3.14159", "-3.14159", 5},
		{"0.0001", "0.0001", 4},
		{"-0.5", "-0.5", 1},
		{"100", "100", 0},
		{"123456789012345678901234567890.123456", "123456789012345678901234567890.123456", 6},
	} {
		d, err := form.ParseDecimal(c.in)
		if err != nil || d.String() != c.want || d.Scale() != c.scale {
			t.Errorf("ParseDecimal(%q) = %s (scale %d), %v; want %s (scale %d)", c.in, d, d.Scale(), err, c.want, c.scale)
		}
	}
	for _, in := range []string{"", "-", ".", "1.", ".1", "+1", "1e3", "1E3", "0x10", " 1", "1 ", "1,000", "--1", "1.2.3", "NaN", "Inf", "١٢",
		strings.Repeat("1", form.MaxDigits+1), "0." + strings.Repeat("0", form.MaxDigits) + "1"} {
		if d, err := form.ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %s, want an error", in, d)
		}
	}
	// Leading zeros do not count towards the digit limit.
	if _, err := form.ParseDecimal(strings.Repeat("0", 50) + "1"); err != nil {
		t.Errorf("leading zeros: %v", err)
	}
}

func TestDecimalArithmetic(t *testing.T) {
	d := func(s string) form.Decimal {
		v, err := form.ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		a, b, sum string
		cmp       int
	}{
		{"0.1", "0.2", "0.3", -1},
		{"1.50", "1.5", "3", 0},
		{"-1", "0.999", "-0.001", -1},
		{"5000.01", "5000", "10000.01", 1},
		{"0", "-0", "0", 0},
		{"99999999999999999999", "1", "100000000000000000000", 1},
	} {
		if got := d(c.a).Add(d(c.b)); got.String() != c.sum {
			t.Errorf("%s + %s = %s, want %s", c.a, c.b, got, c.sum)
		}
		if got := d(c.a).Cmp(d(c.b)); got != c.cmp {
			t.Errorf("Cmp(%s, %s) = %d, want %d", c.a, c.b, got, c.cmp)
		}
		if got := d(c.b).Cmp(d(c.a)); got != -c.cmp {
			t.Errorf("Cmp(%s, %s) = %d, want %d", c.b, c.a, got, -c.cmp)
		}
	}
	var zero form.Decimal
	if zero.String() != "0" || zero.Sign() != 0 || zero.Cmp(d("0.00")) != 0 || zero.Add(d("2.5")).String() != "2.5" {
		t.Errorf("the zero Decimal is not 0")
	}
	if got := form.NewDecimal(-1250, 3).String(); got != "-1.25" {
		t.Errorf("NewDecimal(-1250, 3) = %s", got)
	}
	if got := form.NewDecimal(5, 3).String(); got != "0.005" {
		t.Errorf("NewDecimal(5, 3) = %s", got)
	}
	// Adding never changes its operands.
	a, b := d("1.5"), d("2.5")
	_ = a.Add(b)
	if a.String() != "1.5" || b.String() != "2.5" {
		t.Errorf("Add changed its operands: %s %s", a, b)
	}
}

func TestDecimalJSON(t *testing.T) {
	var v struct{ D form.Decimal }
	for in, want := range map[string]string{`{"D":"1.50"}`: `{"D":"1.5"}`, `{"D":12.25}`: `{"D":"12.25"}`, `{"D":0.1}`: `{"D":"0.1"}`} {
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(v); string(b) != want {
			t.Errorf("%s round-trips to %s, want %s", in, b, want)
		}
	}
	for _, in := range []string{`{"D":"x"}`, `{"D":1e2}`, `{"D":true}`} {
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s decoded", in)
		}
	}
}

func TestParseMoney(t *testing.T) {
	for _, c := range []struct {
		in   string
		want form.Money
		str  string
	}{
		{"8000", 800000, "8000.00"},
		{"8000.5", 800050, "8000.50"},
		{"0.07", 7, "0.07"},
		{"-0.05", -5, "-0.05"},
		{"-12.3", -1230, "-12.30"},
		{"1.230", 123, "1.23"},
		{"0", 0, "0.00"},
		{"9999999999999.99", form.MaxMoney, "9999999999999.99"},
		{"-9999999999999.99", -form.MaxMoney, "-9999999999999.99"},
	} {
		m, err := form.ParseMoney(c.in)
		if err != nil || m != c.want || m.String() != c.str {
			t.Errorf("ParseMoney(%q) = %d (%s), %v; want %d (%s)", c.in, m, m, err, c.want, c.str)
		}
		if m.Decimal().String() != strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(c.str, "0"), "0"), ".") && c.str != "0.00" {
			t.Errorf("%s.Decimal() = %s", c.str, m.Decimal())
		}
	}
	for _, in := range []string{"0.001", "1.005", "10000000000000", "-10000000000000", "1e2", "", "1,5"} {
		if m, err := form.ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) = %s, want an error", in, m)
		}
	}
	if s := form.Money(-9223372036854775808).String(); s != "-92233720368547758.08" {
		t.Errorf("the smallest int64 prints as %s", s)
	}
	if _, ok := form.MaxMoney.Add(1); ok {
		t.Error("MaxMoney + 0.01 did not overflow")
	}
	if _, ok := (-form.MaxMoney).Add(-1); ok {
		t.Error("-MaxMoney - 0.01 did not overflow")
	}
	if s, ok := form.Money(10).Add(-25); !ok || s != -15 {
		t.Errorf("0.10 - 0.25 = %s, %v", s, ok)
	}
	var v struct{ M form.Money }
	if err := json.Unmarshal([]byte(`{"M":19.99}`), &v); err != nil || v.M != 1999 {
		t.Fatalf("JSON number: %d %v", v.M, err)
	}
	if b, _ := json.Marshal(v); string(b) != `{"M":"19.99"}` {
		t.Errorf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"M":"0.001"}`), &v); err == nil {
		t.Error("three decimals decoded")
	}
}

// randomAmount writes a random amount the way people type them: whole,
// one or two decimals, trailing zeros, sometimes as a JSON number.
func randomAmount(r *rand.Rand, maxCents int64) (raw string, cents *big.Rat) {
	c := r.Int63n(maxCents + 1)
	units, frac := c/100, c%100
	var s string
	switch r.Intn(4) {
	case 0:
		if frac == 0 {
			s = fmt.Sprint(units)
			break
		}
		fallthrough
	case 1:
		s = fmt.Sprintf("%d.%02d", units, frac)
	case 2:
		s = fmt.Sprintf("%d.%02d0", units, frac)
	default:
		s = fmt.Sprintf("%d.%02d", units, frac)
		if frac%10 == 0 {
			s = strings.TrimSuffix(s, "0")
		}
	}
	// An independent reading of the text: big.Rat parses the decimal.
	want, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	if r.Intn(3) == 0 {
		return s, want // a JSON number, never read as a float
	}
	return `"` + s + `"`, want
}

// Money never loses a cent: tables of many lines total exactly what an
// independent big.Rat sum of the typed amounts gives, for amounts from
// cents to the largest allowed.
func TestMoneyTotalsNeverLoseACent(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	schema := form.Schema{{ID: "lines", Type: form.TypeTable, Label: "Lines", Total: "amount", Columns: []form.Field{
		{ID: "amount", Type: form.TypeMoney, Label: "Amount"},
	}}}
	for i := 0; i < 300; i++ {
		n := 1 + r.Intn(form.MaxRows)
		maxCents := []int64{99, 1_000_00, 123_456_789_01, int64(form.MaxMoney) / int64(form.MaxRows)}[r.Intn(4)]
		rows := make([]string, n)
		want := new(big.Rat)
		for j := range rows {
			raw, amt := randomAmount(r, maxCents)
			rows[j] = `{"amount":` + raw + `}`
			want.Add(want, amt)
		}
		v, err := schema.Check(context.Background(), json.RawMessage(`{"lines":{"rows":[`+strings.Join(rows, ",")+`]}}`), nil)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var tbl form.Table
		if err := json.Unmarshal(v["lines"], &tbl); err != nil {
			t.Fatal(err)
		}
		if tbl.Total != want.FloatString(2) {
			t.Fatalf("case %d: total %s, want %s", i, tbl.Total, want.FloatString(2))
		}
		got, ok := schema.Number(v, "lines")
		wantDec, _ := form.ParseDecimal(want.FloatString(2))
		if !ok || got.Cmp(wantDec) != 0 {
			t.Fatalf("case %d: Number = %s, want %s", i, got, wantDec)
		}
		// Each line is stored with exactly its cents.
		for j, row := range tbl.Rows {
			var s string
			_ = json.Unmarshal(row["amount"], &s)
			if !strings.Contains(s, ".") || len(s)-strings.Index(s, ".") != 3 {
				t.Fatalf("case %d row %d: %s is not two decimals", i, j, s)
			}
		}
	}
}

// Number totals are exact too: decimals with up to four places summed as
// decimals agree with big.Rat.
func TestNumberTotalsAreExact(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	schema := form.Schema{{ID: "t", Type: form.TypeTable, Label: "T", Total: "q", Columns: []form.Field{
		{ID: "q", Type: form.TypeNumber, Label: "Q", Decimals: 4},
	}}}
	for i := 0; i < 200; i++ {
		n := 1 + r.Intn(form.MaxRows)
		rows := make([]string, n)
		want := new(big.Rat)
		for j := range rows {
			s := fmt.Sprintf("%d.%04d", r.Int63n(1_000_000_000_000)-500_000_000_000, r.Intn(10000))
			if strings.HasPrefix(s, "-") || r.Intn(2) == 0 {
				rows[j] = `{"q":"` + s + `"}`
			} else {
				rows[j] = `{"q":` + s + `}`
			}
			x, _ := new(big.Rat).SetString(s)
			want.Add(want, x)
		}
		v, err := schema.Check(context.Background(), json.RawMessage(`{"t":{"rows":[`+strings.Join(rows, ",")+`]}}`), nil)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		got, ok := schema.Number(v, "t")
		w, _ := form.ParseDecimal(want.FloatString(4))
		if !ok || got.Cmp(w) != 0 {
			t.Fatalf("case %d: total %s, want %s", i, got, want.FloatString(4))
		}
	}
}
