// Command loadgen sends requests at a fixed rate (open loop: latency counts from each request's scheduled time, so
// a slow server cannot slow the generator down and hide its own queueing) and reports p50/p99 latency and the error
// rate as one JSON line. With -floor it measures a bare net/http hello handler it serves itself on loopback: the
// machine's floor for the same rate. Run by scripts/service/bench.sh (npm run bench), never by a test.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

// Result is one run's summary.
type Result struct {
	Target     string  `json:"target"`
	Rate       int     `json:"rate"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	ErrorRate  float64 `json:"error_rate"`
	P50Ms      float64 `json:"p50_ms"`
	P99Ms      float64 `json:"p99_ms"`
	AchievedHz float64 `json:"achieved_rate"`
}

func main() {
	base := flag.String("url", "", "service base URL on loopback (http://127.0.0.1:<port>)")
	floor := flag.Bool("floor", false, "measure a bare net/http hello handler instead of the service")
	rate := flag.Int("rate", 200, "requests per second")
	duration := flag.Duration("duration", 10*time.Second, "measured duration (after a warm-up of a fifth of it)")
	flag.Parse()
	if (*base == "") == !*floor || *rate < 1 {
		flag.Usage()
		os.Exit(2)
	}
	target := "service"
	if *floor {
		target = "floor (net/http hello)"
		*base = helloServer()
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	requests, err := scenario(client, *base, *floor)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	run(client, requests, *rate, *duration/5) // warm-up: connections, pools, caches
	r := run(client, requests, *rate, *duration)
	r.Target = target
	_ = json.NewEncoder(os.Stdout).Encode(r)
}

// helloServer serves "hello" on a loopback port and returns its URL.
func helloServer() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	hello := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello")) }),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = hello.Serve(ln) }()
	return "http://" + ln.Addr().String()
}

// scenario returns the request for the i-th tick: against the service, one write (POST /v1/items) in four and
// reads of an existing item otherwise; against the floor, GET /.
func scenario(client *http.Client, base string, floor bool) (func(i int) *http.Request, error) {
	if floor {
		return func(int) *http.Request { r, _ := http.NewRequest("GET", base+"/", nil); return r }, nil
	}
	create := func() *http.Request {
		r, _ := http.NewRequest("POST", base+"/v1/items", bytes.NewReader([]byte(`{"name":"load"}`)))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	resp, err := client.Do(create())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var item struct{ ID int64 }
	if err := json.NewDecoder(resp.Body).Decode(&item); err != nil || resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("seed item: %s %v", resp.Status, err)
	}
	read := fmt.Sprintf("%s/v1/items/%d", base, item.ID)
	return func(i int) *http.Request {
		if i%4 == 0 {
			return create()
		}
		r, _ := http.NewRequest("GET", read, nil)
		return r
	}, nil
}

func run(client *http.Client, request func(int) *http.Request, rate int, d time.Duration) Result {
	n := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	latencies := make([]time.Duration, n)
	failed := make([]bool, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		scheduled := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(scheduled))
		wg.Go(func() {
			resp, err := client.Do(request(i))
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
			latencies[i] = time.Since(scheduled)
			failed[i] = err != nil || resp.StatusCode >= 400
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	errors := 0
	for _, f := range failed {
		if f {
			errors++
		}
	}
	slices.Sort(latencies)
	ms := func(q float64) float64 { return float64(latencies[int(q*float64(n-1))].Microseconds()) / 1000 }
	return Result{
		Rate: rate, Requests: n, Errors: errors, ErrorRate: float64(errors) / float64(n),
		P50Ms: ms(0.50), P99Ms: ms(0.99), AchievedHz: float64(n) / elapsed.Seconds(),
	}
}
