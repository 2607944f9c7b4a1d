// This file holds what the stored forms of RoomState and CallState share:
// the format version, and a decoder that is lenient on additions (keys this
// version does not know are kept verbatim, a later version is accepted) and
// strict on contradictions (a duplicate or case-variant key, null for a
// known key, text that is not one JSON object in valid UTF-8).

package gurulize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// stateVersion is the version of the JSON encoding of RoomState and
// CallState that this SDK writes, as "v". Decoding accepts it and any later
// version, whose additions it keeps.
const stateVersion = 1

// later holds what a state decoded from a later version carried that this
// version does not understand, so that encoding the state again loses
// nothing. It is never modified once decoded, so copies of a state share it.
type later struct {
	v        int                        // the version the state was written with, above stateVersion
	extra    map[string]json.RawMessage // unknown keys, verbatim
	statuses map[string][2]int64        // a CallState's statuses under names this version does not know
}

// version returns the version to write: this SDK's, or the later one the
// state was decoded from.
func (l *later) version() int {
	if l == nil || l.v < stateVersion {
		return stateVersion
	}
	return l.v
}

// keep returns what to keep of a decoded state's additions, or nil when
// there are none.
func keep(v int, extra map[string]json.RawMessage, statuses map[string][2]int64) *later {
	if v <= stateVersion && len(extra) == 0 && len(statuses) == 0 {
		return nil
	}
	return &later{v: v, extra: extra, statuses: statuses}
}

// splitObject decodes data as one JSON object in valid UTF-8 whose keys are
// unique, even ignoring case, and returns the values of the keys in names
// (never null) and, verbatim, those of the other keys. A key that differs
// from one of names only in case is an error, not an unknown key.
func splitObject(data []byte, names []string) (known, extra map[string]json.RawMessage, err error) {
	if !utf8.Valid(data) {
		return nil, nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("not a JSON object")
	}
	known = make(map[string]json.RawMessage, len(names))
	seen := make(map[string]string) // by folded key: the key as written
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key := tok.(string) // an object's key is always a string
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, err
		}
		folded := strings.ToLower(strings.ToUpper(key))
		if first, dup := seen[folded]; dup {
			return nil, nil, fmt.Errorf("key %s given twice (as %s)", quoteExcerpt(key), quoteExcerpt(first))
		}
		seen[folded] = key
		switch i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, key) }); {
		case i >= 0 && names[i] != key:
			return nil, nil, fmt.Errorf("key %s is spelled %s", quoteExcerpt(key), names[i])
		case i >= 0 && string(raw) == "null":
			return nil, nil, fmt.Errorf("%s is null", key)
		case i >= 0:
			known[key] = raw
		default:
			if extra == nil {
				extra = make(map[string]json.RawMessage)
			}
			extra[key] = raw
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("data after the JSON object")
	}
	return known, extra, nil
}

// decodeKnown decodes the known keys of an object into v, a pointer to a
// struct whose JSON tags are those keys.
func decodeKnown(known map[string]json.RawMessage, v any) error {
	b, err := json.Marshal(known)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// withExtra returns obj, an encoded JSON object, with the keys of extra
// appended in sorted order.
func withExtra(obj []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return obj, nil
	}
	out := bytes.TrimSuffix(obj, []byte("}"))
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, key...), ':'), extra[k]...)
	}
	return append(out, '}'), nil
}
