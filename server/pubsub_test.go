package server

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestPubSubGoRedis: go-redis's PubSub, under RESP2 and RESP3, in every
// connection model: subscriptions by channel and by pattern receive what
// another client publishes, in order.
func TestPubSubGoRedis(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		for _, proto := range []int{2, 3} {
			t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
				ctx := ctxT(t)
				sub := newClient(t, ks, func(o *redis.Options) { o.Protocol = proto })
				pub := newClient(t, ks)
				ps := sub.Subscribe(ctx, "orders")
				defer ps.Close()
				if err := ps.PSubscribe(ctx, "audit.*"); err != nil {
					t.Fatal(err)
				}
				// Receive the two confirmations: the subscriptions are in
				// place before anything is published.
				for range 2 {
					if _, err := ps.Receive(ctx); err != nil {
						t.Fatal(err)
					}
				}
				const n = 200
				for i := range n {
					if err := pub.Publish(ctx, "orders", "o"+strconv.Itoa(i)).Err(); err != nil {
						t.Fatal(err)
					}
					if got := pub.Publish(ctx, "audit.login", "a"+strconv.Itoa(i)).Val(); got != 1 {
						t.Fatalf("PUBLISH audit.login reached %d clients, want 1", got)
					}
				}
				var orders, audits int
				for range 2 * n {
					m, err := ps.ReceiveMessage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					switch m.Channel {
					case "orders":
						if m.Payload != "o"+strconv.Itoa(orders) || m.Pattern != "" {
							t.Fatalf("message %+v, want o%d", m, orders)
						}
						orders++
					case "audit.login":
						if m.Payload != "a"+strconv.Itoa(audits) || m.Pattern != "audit.*" {
							t.Fatalf("message %+v, want a%d from audit.*", m, audits)
						}
						audits++
					default:
						t.Fatalf("message on %q", m.Channel)
					}
				}
				if n, err := pub.PubSubNumSub(ctx, "orders").Result(); err != nil || n["orders"] != 1 {
					t.Fatalf("NUMSUB orders = %v, %v", n, err)
				}
				if err := ps.Close(); err != nil {
					t.Fatal(err)
				}
				// A closed subscriber leaves the hub.
				deadline := time.Now().Add(5 * time.Second)
				for {
					n, err := pub.PubSubNumSub(ctx, "orders").Result()
					if err != nil {
						t.Fatal(err)
					}
					if n["orders"] == 0 {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("NUMSUB orders = %d after the subscriber closed", n["orders"])
					}
					time.Sleep(10 * time.Millisecond)
				}
				if got := pub.PubSubNumPat(ctx).Val(); got != 0 {
					t.Fatalf("NUMPAT = %d after the subscriber closed", got)
				}
			})
		}
	})
}

// TestPubSubConcurrentPublishers: many publishers at once, on whichever
// loops or goroutines serve them, and subscribers that also publish:
// every subscriber receives every message, each publisher's in the order
// it published them, and every PUBLISH counts every subscriber.
func TestPubSubConcurrentPublishers(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		const subscribers, publishers, perPublisher = 4, 6, 300
		subs := make([]*respConn, subscribers)
		for i := range subs {
			subs[i] = mustDialRESP(t, ks.addr)
			if _, err := subs[i].Do("SUBSCRIBE", "fan"); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, publishers)
		for p := range publishers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := dialRESP(ks.addr)
				if err != nil {
					errs <- err
					return
				}
				defer c.Close()
				for i := range perPublisher {
					v, err := c.Do("PUBLISH", "fan", fmt.Sprintf("%d:%d", p, i))
					if err != nil {
						errs <- err
						return
					}
					if v.Int != subscribers {
						errs <- fmt.Errorf("PUBLISH reached %d subscribers, want %d", v.Int, subscribers)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for s, c := range subs {
			next := make([]int, publishers)
			for range publishers * perPublisher {
				v, err := c.Read()
				if err != nil {
					t.Fatalf("subscriber %d: %v", s, err)
				}
				if len(v.Elems) != 3 || v.Elems[0].Str != "message" {
					t.Fatalf("subscriber %d: %v", s, v)
				}
				var p, i int
				if _, err := fmt.Sscanf(v.Elems[2].Str, "%d:%d", &p, &i); err != nil || i != next[p] {
					t.Fatalf("subscriber %d: %q after %d of publisher %d", s, v.Elems[2].Str, next[p], p)
				}
				next[p]++
			}
		}
	})
}

// TestDiffPubSubOutputLimit: a subscriber that does not read, under the
// pubsub class's hard limit, is disconnected on both servers once the
// messages it holds exceed it, and leaves its channel.
func TestDiffPubSubOutputLimit(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	s := newSession(t, p, 1)
	s.do(0, []string{"CONFIG", "SET", "client-output-buffer-limit", "pubsub 262144 0 0"})
	kSub, oSub := p.dial(t)
	for _, c := range []*respConn{kSub, oSub} {
		if _, err := c.Do("SUBSCRIBE", "flood"); err != nil {
			t.Fatal(err)
		}
	}
	payload := string(make([]byte, 64<<10))
	// 64 MiB in all: more than the sockets' buffers hold, so the
	// messages pile up in the servers.
	// Each server gets messages until it has dropped the subscriber: how
	// many its socket absorbs first depends on the kernel's buffers, which
	// grow on a loaded machine (stopping both when Redis closed left keel
	// under its limit in one run).
	kClosed, oClosed := false, false
	for i := 0; i < 1024 && !(kClosed && oClosed); i++ {
		if !oClosed {
			o, err := s.o[0].Do("PUBLISH", "flood", payload)
			if err != nil {
				t.Fatal(err)
			}
			oClosed = o.Int == 0
		}
		if !kClosed {
			k, err := s.k[0].Do("PUBLISH", "flood", payload)
			if err != nil {
				t.Fatal(err)
			}
			kClosed = k.Int == 0
		}
	}
	if !oClosed {
		t.Fatal("redis-server never closed the subscriber: the case does not test the limit")
	}
	// keel may close it a little later (its owner does, after the
	// publisher's command); both end with nobody subscribed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		k, o, _ := s.do(0, []string{"PUBSUB", "NUMSUB", "flood"})
		if o.Elems[1].Int != 0 {
			t.Fatalf("redis-server kept the subscriber: %v", o)
		}
		if k.Elems[1].Int == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keel kept the subscriber over its output limit: %v", k)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for name, c := range map[string]*respConn{"keel": kSub, "redis": oSub} {
		if _, closed := c.ReadUntilClosed(10 * time.Second); !closed {
			t.Errorf("%s: the subscriber's connection is still open", name)
		}
	}
}

// TestNotifyActiveExpiry: the most common use of keyspace notifications,
// a listener for expired keys, hears a key expire that nobody reads
// again: the active expiry deletes it and signals it.
func TestNotifyActiveExpiry(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		ctx := ctxT(t)
		c := newClient(t, ks)
		if err := c.ConfigSet(ctx, "notify-keyspace-events", "Ex").Err(); err != nil {
			t.Fatal(err)
		}
		ps := c.Subscribe(ctx, "__keyevent@0__:expired")
		defer ps.Close()
		if _, err := ps.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, "session:1", "x", 50*time.Millisecond).Err(); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-ps.Channel():
			if m.Channel != "__keyevent@0__:expired" || m.Payload != "session:1" {
				t.Fatalf("message %+v", m)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no expired event within 10 s")
		}
	})
}
