package form

// Exact numbers: Decimal for number fields, durations and totals, Money for
// amounts. Neither ever passes through a float: a value is parsed from its
// decimal text, summed and compared as integers, and printed back exactly.

import (
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// MaxDigits is the most digits a decimal may have, before and after its
// point together. It keeps arithmetic on untrusted input small.
const MaxDigits = 36

// MaxMoney is the largest amount a money value may hold, in minor units
// (9,999,999,999,999.99). A table's total of MaxRows such amounts still
// fits in an int64.
const MaxMoney Money = 999_999_999_999_999

var (
	errNotDecimal = errors.New("must be a decimal number such as 12.5")
	errTooLong    = errors.New("has too many digits")
	errCents      = errors.New("must have at most two decimals")
	errTooLarge   = errors.New("is too large")
)

// Decimal is an exact decimal number: an integer scaled by a power of ten.
// The zero value is 0. A Decimal is never changed once made, so copies may
// share their digits; compare Decimals with Cmp, never with ==.
type Decimal struct {
	u     *big.Int // unscaled value; nil is 0
	scale int      // digits after the point; no trailing zeros
}

// NewDecimal returns unscaled × 10^-scale (scale ≥ 0).
func NewDecimal(unscaled int64, scale int) Decimal {
	if scale < 0 {
		panic("form: negative scale")
	}
	return normalize(big.NewInt(unscaled), scale)
}

// normalize drops trailing zeros after the point.
func normalize(u *big.Int, scale int) Decimal {
	if u.Sign() == 0 {
		return Decimal{}
	}
	u = new(big.Int).Set(u)
	ten := big.NewInt(10)
	q, r := new(big.Int), new(big.Int)
	for scale > 0 {
		q.QuoRem(u, ten, r)
		if r.Sign() != 0 {
			break
		}
		u, q = q, u
		scale--
	}
	return Decimal{u: u, scale: scale}
}

// ParseDecimal reads a decimal written as digits with an optional leading
// minus sign and an optional fraction: "12", "-0.5", "8000.00". Exponents,
// a leading plus, a bare point and more than MaxDigits digits are refused.
func ParseDecimal(s string) (Decimal, error) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" || (hasPoint && frac == "") || !digits(intPart) || !digits(frac) {
		return Decimal{}, errNotDecimal
	}
	all := strings.TrimLeft(intPart+frac, "0")
	if len(all) > MaxDigits || len(frac) > MaxDigits {
		return Decimal{}, errTooLong
	}
	u := new(big.Int)
	if all != "" {
		u.SetString(all, 10)
	}
	if neg {
		u.Neg(u)
	}
	return normalize(u, len(frac)), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (d Decimal) big() *big.Int {
	if d.u == nil {
		return new(big.Int)
	}
	return d.u
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.big().Sign() }

// Scale returns the number of digits after the point (trailing zeros are
// never counted: 12.50 has scale 1).
func (d Decimal) Scale() int { return d.scale }

// rescale returns d's unscaled value at a larger scale.
func (d Decimal) rescale(scale int) *big.Int {
	return new(big.Int).Mul(d.big(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.scale)), nil))
}

// Cmp compares d and e: -1 if d < e, 0 if equal, +1 if d > e.
func (d Decimal) Cmp(e Decimal) int {
	s := max(d.scale, e.scale)
	return d.rescale(s).Cmp(e.rescale(s))
}

// Add returns d + e.
func (d Decimal) Add(e Decimal) Decimal {
	s := max(d.scale, e.scale)
	return normalize(new(big.Int).Add(d.rescale(s), e.rescale(s)), s)
}

// String writes d with as few digits as it needs: "12.5", "-3", "0".
func (d Decimal) String() string {
	u := d.big()
	txt := new(big.Int).Abs(u).String()
	sign := ""
	if u.Sign() < 0 {
		sign = "-"
	}
	if d.scale == 0 {
		return sign + txt
	}
	if len(txt) <= d.scale {
		txt = strings.Repeat("0", d.scale-len(txt)+1) + txt
	}
	return sign + txt[:len(txt)-d.scale] + "." + txt[len(txt)-d.scale:]
}

// MarshalJSON writes d as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a JSON string or number holding a decimal.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := decimalText(b)
	if err != nil {
		return err
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// decimalText returns the text of a JSON string or number, without ever
// reading the number as a float.
func decimalText(b json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return s, nil
	}
	var n json.Number
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return "", errNotDecimal
	}
	return n.String(), nil
}

// Money is an amount in minor units (cents, 分) of its field's currency.
type Money int64

// ParseMoney reads an amount written as a decimal with at most two
// decimals ("8000", "8000.5", "-0.05"; "1.230" is 1.23, "1.234" is
// refused), no larger than MaxMoney in either direction.
func ParseMoney(s string) (Money, error) {
	d, err := ParseDecimal(s)
	if err != nil {
		return 0, err
	}
	return d.Money()
}

// Money returns d in minor units, or an error when d has more than two
// decimals or is beyond MaxMoney.
func (d Decimal) Money() (Money, error) {
	if d.scale > 2 {
		return 0, errCents
	}
	u := d.rescale(2)
	if u.CmpAbs(big.NewInt(int64(MaxMoney))) > 0 {
		return 0, errTooLarge
	}
	return Money(u.Int64()), nil
}

// Decimal returns m as a decimal number of units.
func (m Money) Decimal() Decimal { return NewDecimal(int64(m), 2) }

// Add returns m + n, and false when the sum would pass MaxMoney.
func (m Money) Add(n Money) (Money, bool) {
	s := m + n
	if (n > 0 && s < m) || (n < 0 && s > m) || s > MaxMoney || s < -MaxMoney {
		return 0, false
	}
	return s, true
}

// String writes m with exactly two decimals: "8000.00", "-0.05".
func (m Money) String() string {
	sign := ""
	abs := uint64(m)
	if m < 0 {
		sign = "-"
		abs = -abs
	}
	cents := strconv.FormatUint(abs%100, 10)
	if len(cents) == 1 {
		cents = "0" + cents
	}
	return sign + strconv.FormatUint(abs/100, 10) + "." + cents
}

// MarshalJSON writes m as a JSON string with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON reads a JSON string or number holding an amount.
func (m *Money) UnmarshalJSON(b []byte) error {
	s, err := decimalText(b)
	if err != nil {
		return err
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
