// The states this replica wrote or read last, so that the next callback of
// a room or call can skip reading it (see Store.saveOnce).

package main

import "sync"

// recentMax bounds the states a Store remembers: with one of about 400
// bytes for a room, 10,000 take about 4 MB.
const recentMax = 10000

// recentKey names a row: kind "room" with a string key, "call" with an
// int64.
type recentKey struct {
	kind string
	key  any
}

// recentState is a row's state and its version. The state is the value
// this replica wrote (a gurulize.RoomState or gurulize.CallState, so the
// next callback need not decode it), or the JSON it read.
type recentState struct {
	state   any
	version int64
}

// recent is a bounded map of recent states, safe for concurrent use. When
// full, it forgets an entry at random (the first Go's map iteration gives).
type recent struct {
	mu sync.Mutex
	m  map[recentKey]recentState
}

func (r *recent) get(k recentKey) (recentState, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.m[k]
	return st, ok
}

func (r *recent) put(k recentKey, st recentState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[recentKey]recentState)
	}
	if _, ok := r.m[k]; !ok && len(r.m) >= recentMax {
		for old := range r.m {
			delete(r.m, old)
			break
		}
	}
	r.m[k] = st
}

func (r *recent) drop(k recentKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, k)
}
