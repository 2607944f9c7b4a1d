// Package lenient decodes JSON values whose type the provider does not fix:
// integers that arrive either as JSON numbers or as JSON strings.
package lenient

import "errors"

// Int64 is a base-10 integer written as a JSON number (2) or a JSON string
// ("2"). null and "" leave it unset. Fractions, exponents, signs other than a
// leading '-', surrounding spaces and out-of-range values are errors.
type Int64 struct {
	Value int64
	Set   bool
}

// ErrNotInteger is returned for a JSON value that is not an integer.
var ErrNotInteger = errors.New("not an integer")

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int64) UnmarshalJSON(b []byte) error {
	*n = Int64{}
	if len(b) == 0 {
		return ErrNotInteger
	}
	if string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		if len(b) < 2 || b[len(b)-1] != '"' {
			return ErrNotInteger
		}
		b = b[1 : len(b)-1]
		if len(b) == 0 {
			return nil
		}
	}
	v, err := ParseInt(b)
	if err != nil {
		return err
	}
	n.Value, n.Set = v, true
	return nil
}

// ParseInt parses a base-10 integer with an optional leading '-', without
// allocating. It rejects '+', spaces, underscores and anything else.
func ParseInt(b []byte) (int64, error) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg = true
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, ErrNotInteger
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, ErrNotInteger
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, ErrNotInteger
		}
		return -int64(v), nil
	}
	if v > 1<<63-1 {
		return 0, ErrNotInteger
	}
	return int64(v), nil
}
