package server

import (
	"sync"
	"time"
)

// instMetrics are Redis's instantaneous metrics (INFO stats'
// instantaneous_ops_per_sec, instantaneous_input_kbps and
// instantaneous_output_kbps): every instSampleEvery the rate since the
// sample before, and the average of the last instSamples of them, as
// Redis's trackInstantaneousMetric in serverCron.
type instMetrics struct {
	mu      sync.Mutex
	last    [3]int64 // commands, network bytes in, out at the last sample
	lastAt  time.Time
	samples [3][instSamples]float64 // per second
	next    int
}

const (
	instSampleEvery = 100 * time.Millisecond
	instSamples     = 16 // Redis's STATS_METRIC_SAMPLES
)

// sample records the counters' rates since the last sample.
func (m *instMetrics) sample(now time.Time, counters [3]int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.lastAt.IsZero() {
		if secs := now.Sub(m.lastAt).Seconds(); secs > 0 {
			for i := range counters {
				m.samples[i][m.next] = float64(max(counters[i]-m.last[i], 0)) / secs
			}
			m.next = (m.next + 1) % instSamples
		}
	}
	m.last, m.lastAt = counters, now
}

// rate is the average of metric i's samples, per second.
func (m *instMetrics) rate(i int) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	sum := 0.0
	for _, v := range m.samples[i] {
		sum += v
	}
	return sum / instSamples
}

// sampleLoop samples the server's counters until it closes.
func (s *Server) sampleLoop() {
	defer s.wg.Done()
	t := time.NewTicker(instSampleEvery)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case now := <-t.C:
			in, out := s.netBytes()
			s.inst.sample(now, [3]int64{s.db.TotalCalls(), in, out})
			s.evictClients()
		}
	}
}
