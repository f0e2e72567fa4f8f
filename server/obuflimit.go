package server

import (
	"strconv"
	"strings"
	"time"
)

// Output buffer limits (client-output-buffer-limit), Redis's
// checkClientOutputBufferLimits for the classes of client keel has,
// normal and pubsub (a subscribed client, Config.obufFor): after a
// command adds its reply, or a message reaches a subscriber (pubsub.go),
// a client whose replies not yet written to its socket reach the hard
// limit, or have stayed at the soft limit or above for longer than the
// soft seconds, is disconnected without the rest of its replies. 0
// disables a limit.
//
// What differs from Redis: keel stops reading a client whose socket is
// full (event loops) or that is being written to (goroutines), so a
// client that does not read its replies holds at most one read's worth
// of them (a batch, up to replyFlushBytes, plus the reply that crossed
// it) where Redis buffers every reply of its pipeline; what the limits
// bound here is mostly single large replies (KEYS, LRANGE, HGETALL of big
// values).

// obufLimit is one class's limits: bytes, bytes, seconds.
type obufLimit struct{ hard, soft, softSeconds int64 }

// obufClasses are the classes of client-output-buffer-limit, in Redis's
// order and under the names CONFIG GET reports.
var obufClasses = []string{"normal", "slave", "pubsub"}

var (
	errObufArgs  error = redisText("Wrong number of arguments in buffer limit configuration.")
	errObufClass error = redisText("Invalid client class specified in buffer limit configuration.")
	errObufValue error = redisText("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
)

// updateObufLimits applies "class hard soft seconds ..." to cur: the
// classes named change, the others keep their limits; nothing changes
// unless every group is valid.
func updateObufLimits(cur, v string) (string, error) {
	lims := parseObufLimits(cur)
	f := strings.Fields(v)
	if len(f)%4 != 0 {
		return "", errObufArgs
	}
	for i := 0; i < len(f); i += 4 {
		var class int
		switch strings.ToLower(f[i]) {
		case "normal":
			class = 0
		case "slave", "replica":
			class = 1
		case "pubsub":
			class = 2
		default:
			return "", errObufClass
		}
		hard, err1 := parseMemory(f[i+1])
		soft, err2 := parseMemory(f[i+2])
		secs, err3 := strconv.ParseInt(f[i+3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || hard < 0 || soft < 0 || secs < 0 {
			return "", errObufValue
		}
		lims[class] = obufLimit{hard, soft, secs}
	}
	return formatObufLimits(lims), nil
}

// parseObufLimits reads a value updateObufLimits produced (or the
// default).
func parseObufLimits(v string) [3]obufLimit {
	var lims [3]obufLimit
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		for c, name := range obufClasses {
			if f[i] == name {
				hard, _ := strconv.ParseInt(f[i+1], 10, 64)
				soft, _ := strconv.ParseInt(f[i+2], 10, 64)
				secs, _ := strconv.ParseInt(f[i+3], 10, 64)
				lims[c] = obufLimit{hard, soft, secs}
			}
		}
	}
	return lims
}

func formatObufLimits(lims [3]obufLimit) string {
	var b strings.Builder
	for c, name := range obufClasses {
		if c > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name)
		for _, n := range []int64{lims[c].hard, lims[c].soft, lims[c].softSeconds} {
			b.WriteByte(' ')
			b.WriteString(strconv.FormatInt(n, 10))
		}
	}
	return b.String()
}

// obufUncounted is what the limits do not count of the replies pending:
// Redis's static reply buffer (PROTO_REPLY_CHUNK_BYTES), which takes a
// client's first 16 KiB of replies, is not in the reply_bytes they bound
// (so a limit of 5 bytes still lets +OK through).
const obufUncounted = 16 << 10

// set reports whether any limit is set: the callers read the clock only
// then.
func (lim obufLimit) set() bool { return lim.hard > 0 || lim.soft > 0 }

// overObufLimit reports whether c, holding pending bytes of replies not
// yet written, is to be disconnected by lim (its class's limits)
// at time now. It keeps the time the soft limit was first reached.
func (c *client) overObufLimit(lim obufLimit, pending int64, now time.Time) bool {
	pending = max(pending-obufUncounted, 0)
	if lim.hard > 0 && pending >= lim.hard {
		return true
	}
	if lim.soft == 0 || pending < lim.soft {
		c.obufSoftSince = time.Time{}
		return false
	}
	if c.obufSoftSince.IsZero() {
		c.obufSoftSince = now
		return false
	}
	// Redis compares whole seconds (server.unixtime).
	return now.Unix()-c.obufSoftSince.Unix() > lim.softSeconds
}

// logObufClose is Redis's warning for a client closed by its limits.
func (c *client) logObufClose() {
	c.srv.log.Warn("client scheduled to be closed ASAP for overcoming of output buffer limits", "addr", c.addr)
}
