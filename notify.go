package keel

import (
	"strconv"
	"sync/atomic"
)

// Keyspace notifications (notify-keyspace-events), Redis 7.0's notify.c.
// A command that changes a key signals an event, as Redis's
// notifyKeyspaceEvent calls do, with the same names and in the same order;
// when the event's class is enabled it is published on
// __keyspace@<db>__:<key> (the message is the event) if K is enabled, and
// on __keyevent@<db>__:<event> (the message is the key) if E is.
//
// The publisher is the server's Pub/Sub (SetPublisher). A write's
// notifications are published when its record is appended (commit), in
// the order signalled, each with the record's LSN: the server hands them
// to a subscriber once that record is durable, as Redis sends no reply
// before its fsync under appendfsync always. A read's (keymiss, expired)
// are published at once. Notifications are not logged: a replay signals
// nothing, as an AOF load publishes nothing.

// NotifyClass is a set of notification classes, one bit per letter of
// notify-keyspace-events.
type NotifyClass uint32

const (
	NotifyKeyspace NotifyClass = 1 << iota // K: __keyspace@<db>__:<key> channels
	NotifyKeyevent                         // E: __keyevent@<db>__:<event> channels
	NotifyGeneric                          // g: DEL, EXPIRE, RENAME, ...
	NotifyString                           // $
	NotifyList                             // l
	NotifySet                              // s
	NotifyHash                             // h
	NotifyZSet                             // z
	NotifyExpired                          // x: a key deleted by its expiry
	NotifyEvicted                          // e: a key evicted (keel evicts none: noeviction)
	NotifyStream                           // t
	NotifyKeyMiss                          // m: a read found no key
	NotifyModule                           // d: module events (keel has no modules)
	NotifyNew                              // n: a key added to a database

	// NotifyAll is A: every class of change (not m nor n), as in Redis.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZSet |
		NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// notifyLetters maps each class to its letter, in the order Redis's
// keyspaceEventsFlagsToString writes them.
var notifyLetters = []struct {
	c NotifyClass
	l byte
}{
	{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'}, {NotifyHash, 'h'},
	{NotifyZSet, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'}, {NotifyStream, 't'},
	{NotifyModule, 'd'}, {NotifyNew, 'n'},
}

// ParseNotifyClasses reads a notify-keyspace-events value; false when a
// letter is not one of "Ag$lshzxeKEtmdn".
func ParseNotifyClasses(s string) (NotifyClass, bool) {
	var f NotifyClass
	for i := 0; i < len(s); i++ {
		switch l := s[i]; l {
		case 'A':
			f |= NotifyAll
		case 'K':
			f |= NotifyKeyspace
		case 'E':
			f |= NotifyKeyevent
		case 'm':
			f |= NotifyKeyMiss
		default:
			found := false
			for _, nl := range notifyLetters {
				if nl.l == l {
					f |= nl.c
					found = true
				}
			}
			if !found {
				return 0, false
			}
		}
	}
	return f, true
}

// String is f as CONFIG GET shows it (Redis's
// keyspaceEventsFlagsToString): A for every class of change (n then goes
// unsaid), else their letters; then K, E and m.
func (f NotifyClass) String() string {
	var b []byte
	if f&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, nl := range notifyLetters {
			if f&nl.c != 0 {
				b = append(b, nl.l)
			}
		}
	}
	if f&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// Publisher publishes a notification for the command session s runs
// (nil-safe: the active expiry's session has no client): channel and
// message are the caller's to keep; lsn is the record the change is in (0:
// nothing to wait for).
type Publisher func(s *Session, lsn uint64, channel, message []byte)

// notifier is the DB's notification state.
type notifier struct {
	classes atomic.Uint32
	publish atomic.Pointer[Publisher]
}

// SetNotifyClasses sets the enabled classes (notify-keyspace-events).
func (db *DB) SetNotifyClasses(f NotifyClass) { db.notes.classes.Store(uint32(f)) }

// SetPublisher sets where notifications go.
func (db *DB) SetPublisher(p Publisher) { db.notes.publish.Store(&p) }

// notifying reports whether events of class are published at all: the
// callers that would build something for an event ask first.
func (c *Ctx) notifying(class NotifyClass) bool {
	f := NotifyClass(c.DB.notes.classes.Load())
	return f&class != 0 && f&(NotifyKeyspace|NotifyKeyevent) != 0
}

// notify signals event on key in the session's database.
func (c *Ctx) notify(class NotifyClass, event string, key []byte) {
	c.notifyIn(c.S.DB, class, event, key)
}

// notifyIn signals event on key in database dbi (Redis's
// notifyKeyspaceEvent). Small enough to inline: with the class off, a
// command pays one atomic load.
func (c *Ctx) notifyIn(dbi int, class NotifyClass, event string, key []byte) {
	if NotifyClass(c.DB.notes.classes.Load())&class != 0 {
		c.signal(dbi, class, event, key)
	}
}

// event is a notification a write signalled, kept until its record is in
// the log: published earlier, a subscriber's connection could wait for
// the durability of a record not yet appended.
type event struct {
	dbi  int
	name string
	key  []byte // a copy: the command's buffers may be reused before commit
}

// signal is notifyIn once the class is on: a write's event waits for its
// commit (publishEvents), a read's is published at once.
func (c *Ctx) signal(dbi int, class NotifyClass, name string, key []byte) {
	if !c.notifying(class) {
		return
	}
	if c.w != nil {
		c.w.events = append(c.w.events, event{dbi, name, append([]byte(nil), key...)})
		return
	}
	c.publishEvents([]event{{dbi, name, key}}, uint64(c.DB.log.LastLSN()))
}

// publishEvents publishes evs, whose changes are in the log up to lsn.
// The caller holds db.mu (a write's commit) or ran a read under it, so
// events are published in the order their changes were made.
func (c *Ctx) publishEvents(evs []event, lsn uint64) {
	if len(evs) == 0 {
		return
	}
	p := c.DB.notes.publish.Load()
	f := NotifyClass(c.DB.notes.classes.Load())
	if p == nil {
		return
	}
	for _, e := range evs {
		db := strconv.Itoa(e.dbi)
		if f&NotifyKeyspace != 0 {
			(*p)(c.S, lsn, append([]byte("__keyspace@"+db+"__:"), e.key...), []byte(e.name))
		}
		if f&NotifyKeyevent != 0 {
			(*p)(c.S, lsn, []byte("__keyevent@"+db+"__:"+e.name), append([]byte(nil), e.key...))
		}
	}
}
