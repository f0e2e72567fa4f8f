#!/usr/bin/env bash
# keel vs redis-server, measured in the same run on the same machine
# (make bench). Three parts:
#
#   1. throughput: redis-benchmark against redis then keel, alternating, for
#      appendfsync everysec and always, tests SET GET INCR MSET, pipeline 1
#      and 16 (50 clients, 100-byte values, keys from a 1M range);
#   2. memory: VmRSS of each fresh server after ~1M random SETs, with DBSIZE;
#   3. restart: load BENCH_RESTART_KEYS distinct keys into each, SAVE (an
#      RDB for redis, a checkpoint for keel), SIGKILL, restart, and time
#      until PING answers PONG;
#   4. types: lists, sets, sorted sets, hashes and streams — redis-benchmark
#      LPUSH RPOP LRANGE_100 SADD SPOP ZADD ZRANGE ZRANK HSET HGET
#      HGETALL(100 fields) XADD, XADD MAXLEN ~ 1000 (a capped stream),
#      XRANGE(COUNT 100), EVAL and EVALSHA of a script (GET and INCR of a
#      random key) (pipeline 1 and 16), a
#      BLPOP/LPUSH ping-pong and an XREADGROUP/XACK consumer group
#      (scripts/probe);
#   5. typemem: memory per element of a 1,000,000-element list, set and
#      zset (one key each, 17-byte elements), from VmRSS before and after;
#   6. pause: the latency of one-at-a-time writes while a BGSAVE runs over
#      1M list elements, 1M set members and 1M zset members (redis forks,
#      keel checkpoints copy-on-write): p50, p99.9 and max;
#   7. streambig (opt-in, not in the default list): keel alone under
#      GOMEMLIMIT=BENCH_BIG_LIMIT_MB, with hashes and streams totalling 4x
#      that limit written first; XADD, XRANGE COUNT 100 at random offsets,
#      HGET of random fields and HGETALL of random hashes (scripts/probe
#      bigread), and the peak RSS (VmHWM). Redis is not run: it keeps the
#      whole dataset in memory.
#
# Environment:
#   BENCH_N             requests per throughput test (default 200000)
#   BENCH_ROUNDS        runs of each throughput row per server (default 3),
#                       alternating which server goes first; the table has
#                       each server's median, the range of the pair ratios
#                       and the ratio of the servers' CPU over all rounds
#   BENCH_MEM_N         SETs for the memory test (default 1000000)
#   BENCH_RESTART_KEYS  keys for the restart test (default 1000000; the
#                       issue's target is 5000000)
#   BENCH_PARTS         which parts to run (default "throughput memory restart
#                       types typemem pause")
#   BENCH_MODES         appendfsync modes of the throughput part (default
#                       "everysec always")
#   BENCH_TESTS         its redis-benchmark tests (default "SET GET INCR MSET")
#   BENCH_TYPE_N        elements per value for typemem and pause (default 1000000)
#   BENCH_BIG_LIMIT_MB  streambig: memory limit in MiB (default 384; data is 4x): a
#                       memory cgroup when one can be made, else GOMEMLIMIT
#   BENCH_BIG_SECONDS   streambig: seconds per measured row (default 10)
#   KEEL_BIN            keel binary to use as is (default: build bin/keel)
#
# The table is printed and written to bench-results/<date>.md. Only the
# processes this script starts are stopped, by PID, also on error or ^C.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_N:-200000}
ROUNDS=${BENCH_ROUNDS:-3}
MEM_N=${BENCH_MEM_N:-1000000}
RESTART_KEYS=${BENCH_RESTART_KEYS:-1000000}
PARTS=${BENCH_PARTS:-"throughput memory restart types typemem pause"}
TYPE_N=${BENCH_TYPE_N:-1000000}
MODES=${BENCH_MODES:-"everysec always"}
TESTS=${BENCH_TESTS:-"SET GET INCR MSET"}
KEEL=${KEEL_BIN:-}
CLIENTS=50

for tool in redis-server redis-benchmark redis-cli; do
	command -v "$tool" >/dev/null || { echo "bench: $tool not found (make oracle installs it)" >&2; exit 1; }
done
if [ -z "$KEEL" ]; then
	# Always rebuild (a no-op when up to date): a stale bin/keel would
	# silently benchmark old code.
	KEEL=bin/keel
	go build -o "$KEEL" ./cmd/keel
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/keel-bench.XXXXXX")
PROBE="$TMP/probe"
go build -o "$PROBE" ./scripts/probe
PIDS=() # processes started by this script and still running
declare -A PID_OF # server PID by port (the servers of pair's CPU column)

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# forget PID: drop it from PIDS once it has exited (so a reused PID is never
# signalled by cleanup).
forget() {
	local keep=() p
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# free_port prints a loopback port nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768+)
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# wait_pong PORT PID: wait until PING answers PONG (redis answers LOADING
# while it loads) or the process dies.
wait_pong() {
	local port=$1 pid=$2 i
	for ((i = 0; i < 60000; i++)); do
		if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || { echo "bench: server on port $port (pid $pid) died" >&2; return 1; }
		sleep 0.01
	done
	echo "bench: server on port $port did not answer PING" >&2
	return 1
}

# start_redis DIR PORT FSYNC [AOF]: starts redis-server; sets STARTED_PID.
start_redis() {
	local dir=$1 port=$2 fsync=$3 aof=${4:-yes}
	mkdir -p "$dir"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly "$aof" \
		--appendfsync "$fsync" --save '' --daemonize no --logfile "$dir/redis.log" &
	STARTED_PID=$!
	PIDS+=("$STARTED_PID")
	PID_OF[$port]=$STARTED_PID
	wait_pong "$port" "$STARTED_PID"
}

# start_keel DIR PORT FSYNC [ARGS...]: starts keel (extra ARGS are keel
# directives); sets STARTED_PID.
start_keel() {
	local dir=$1 port=$2 fsync=$3
	shift 3
	mkdir -p "$dir"
	"$KEEL" --port "$port" --dir "$dir/data" --appendfsync "$fsync" "$@" 2>>"$dir/keel.log" &
	STARTED_PID=$!
	PIDS+=("$STARTED_PID")
	PID_OF[$port]=$STARTED_PID
	wait_pong "$port" "$STARTED_PID"
}

# stop PID: SIGKILL and reap.
stop() {
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget "$1"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# rps PORT TEST PIPE: requests per second of one redis-benchmark run.
rps() {
	redis-benchmark -h 127.0.0.1 -p "$1" -t "$2" -n "$N" -c "$CLIENTS" -P "$3" -r 1000000 -d 100 -q --csv |
		awk -F'","' 'NR > 1 && NF > 1 {v = $2} END {print v + 0}'
}

# rps_cmd PORT PIPE CMD...: requests per second of one redis-benchmark run
# of an arbitrary command (__rand_int__ is replaced from a 1000 range).
rps_cmd() {
	local port=$1 pipe=$2
	shift 2
	redis-benchmark -h 127.0.0.1 -p "$port" -n "$N" -c "$CLIENTS" -P "$pipe" -r 1000 -q --csv "$@" |
		awk -F'","' 'NR > 1 && NF > 1 {v = $2} END {print v + 0}'
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }'; }

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# cpu_ticks PID: the user+system CPU, in clock ticks, of the process (all
# its threads, those that exited included), of its children it has reaped
# (cutime, cstime) and of those still running. Redis forks for an AOF
# rewrite or a BGSAVE: that child's work is the server's, as keel's
# flushes and compactions are keel's (until session 26 only the parent
# counted: an MSET p16 row of three rounds spent 613 ticks in Redis's
# rewrite children besides 1620 in redis-server itself). The fields are
# read after the last ')', as a command name may hold spaces.
cpu_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{
		pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		# f[2] is the parent pid; f[12..15] utime, stime, cutime, cstime
		if (pid == p || f[2] == p) t += f[12] + f[13] + f[14] + f[15]
	} END { print t + 0 }'
}

# pair RPORT KPORT MEASURE ARGS...: runs "MEASURE PORT ARGS..." ROUNDS
# times against each server, alternating which goes first (a server's
# background work after its run then lands on the other as often as not),
# and prints "| redis median | keel median | ratio of medians | min–max of
# the per-round ratios | server CPU, keel / redis |".
#
# The CPU column divides the CPU each server process used during its runs
# (all rounds; both served the same requests): below 1, keel did the
# work with less. On a 2-core machine the load generator shares the cores
# with the server, so requests per second move with scheduling (±10% at
# pipeline 1 from one round to the next); CPU per request moves less. It
# counts the server's background work (keel's flushes and compactions,
# Redis's fsync thread and its AOF rewrite children) while the row runs,
# and after it until both servers are idle (settle): the work a row's
# writes leave behind is the row's, not the next row's (until session 21 it landed on the rows
# after a write row: HGET p16 read 1.21 after HSET p16, and 0.98 alone).
# Between the rounds of one row nobody waits: a round meets the
# background work of the rounds before it, as sustained writes do.
pair() {
	local rp=$1 kp=$2 i r k rs=() ks=() qs=() rt=0 kt=0 t0
	shift 2
	local rpid=${PID_OF[$rp]} kpid=${PID_OF[$kp]}
	for ((i = 0; i < ROUNDS; i++)); do
		if ((i % 2 == 0)); then
			t0=$(cpu_ticks "$rpid") r=$("$1" "$rp" "${@:2}") rt=$((rt + $(cpu_ticks "$rpid") - t0))
			t0=$(cpu_ticks "$kpid") k=$("$1" "$kp" "${@:2}") kt=$((kt + $(cpu_ticks "$kpid") - t0))
		else
			t0=$(cpu_ticks "$kpid") k=$("$1" "$kp" "${@:2}") kt=$((kt + $(cpu_ticks "$kpid") - t0))
			t0=$(cpu_ticks "$rpid") r=$("$1" "$rp" "${@:2}") rt=$((rt + $(cpu_ticks "$rpid") - t0))
		fi
		rs+=("$r") ks+=("$k") qs+=("$(ratio "$r" "$k")")
	done
	settle "$rpid" "$kpid"
	rt=$((rt + SETTLED[0])) kt=$((kt + SETTLED[1]))
	r=$(median "${rs[@]}") k=$(median "${ks[@]}")
	echo "$r | $k | $(ratio "$r" "$k") | $(printf '%s\n' "${qs[@]}" | sort -g | sed -n '1p;$p' | paste -sd'-' | sed 's/-/–/') | $(ratio "$rt" "$kt") |"
}

# rss_settled PID: the process's VmRSS (KiB) once it has held still for
# 3 s, at least 8 s and at most 30 s from now.
rss_settled() {
	local pid=$1 last cur same=0 n
	sleep 5
	last=$(rss_kb "$pid")
	for ((n = 0; n < 25; n++)); do
		sleep 1
		cur=$(rss_kb "$pid")
		if ((cur == last)); then
			same=$((same + 1))
		else
			same=0
		fi
		last=$cur
		if ((same >= 3)); then
			break
		fi
	done
	echo "$last"
}

# settle PID...: waits until every process used at most a tick in half a
# second (at most 60 s), and sets SETTLED to the CPU ticks each used
# meanwhile, in order.
settle() {
	local pids=("$@") t0=() prev=() cur=() i n busy
	for i in "${!pids[@]}"; do
		t0[i]=$(cpu_ticks "${pids[i]}")
		prev[i]=${t0[i]}
	done
	for ((n = 0; n < 120; n++)); do
		sleep 0.5
		busy=0
		for i in "${!pids[@]}"; do
			cur[i]=$(cpu_ticks "${pids[i]}")
			if ((cur[i] - prev[i] > 1)); then
				busy=1
			fi
			prev[i]=${cur[i]}
		done
		((busy)) || break
	done
	SETTLED=()
	for i in "${!pids[@]}"; do
		SETTLED[i]=$((prev[i] - t0[i]))
	done
}

# probe_pingpong PORT N and probe_xgroup PORT N: the probe's figures, for
# pair.
probe_pingpong() { "$PROBE" pingpong -addr "127.0.0.1:$1" -n "$2" | sed 's/.*rtps=//'; }
probe_xgroup() { "$PROBE" xgroup -addr "127.0.0.1:$1" -n "$2" -clients "$CLIENTS" | sed 's/.*eps=//'; }

# gen_sets COUNT: the RESP stream of COUNT SETs of distinct keys with
# 100-byte values, for redis-cli --pipe. Values are slices of a fixed
# pseudo-random text, so neither RDB compression nor keel gets them for free.
gen_sets() {
	awk -v n="$1" 'BEGIN {
		srand(42); a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		for (j = 0; j < 8192; j++) r = r substr(a, int(rand() * 62) + 1, 1)
		for (i = 0; i < n; i++) {
			k = "key:" i
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n", length(k), k, substr(r, (i * 7919) % 8000 + 1, 100)
		}
	}'
}

DATE=$(date -u +%Y-%m-%dT%H-%M-%SZ)
OUT_DIR=bench-results
OUT="$OUT_DIR/$DATE.md"
mkdir -p "$OUT_DIR"
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
{
	echo "# keel vs redis-server — $DATE"
	echo
	echo "machine: $(nproc) cores, $CPU; $(redis-server --version | awk '{print $1, $2, $3}'); keel $("$KEEL" --version)"
	echo "redis-benchmark: -c $CLIENTS -d 100 -r 1000000, n=$N; both servers on loopback, benchmark on the same cores"
	echo "keel source: $(git describe --always --dirty 2>/dev/null || echo unknown); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
} | tee "$OUT"

if [[ " $PARTS " == *" throughput "* ]]; then
	{
		echo "## Throughput (ops/s)"
		echo
		echo "| mode | test | pipeline | redis_ops | keel_ops | ratio | ratio range ($ROUNDS rounds) | CPU keel/redis |"
		echo "|---|---|---|---|---|---|---|---|"
	} | tee -a "$OUT"
	for mode in $MODES; do
		rp=$(free_port)
		start_redis "$TMP/redis-$mode" "$rp" "$mode"
		rpid=$STARTED_PID
		kp=$(free_port)
		start_keel "$TMP/keel-$mode" "$kp" "$mode"
		kpid=$STARTED_PID
		for test in $TESTS; do
			for pipe in 1 16; do
				echo "| $mode | $test | $pipe | $(pair "$rp" "$kp" rps "$test" "$pipe")" | tee -a "$OUT"
			done
		done
		stop "$rpid"
		stop "$kpid"
	done
	echo | tee -a "$OUT"
fi

if [[ " $PARTS " == *" memory "* ]]; then
	rp=$(free_port)
	start_redis "$TMP/redis-mem" "$rp" everysec
	rpid=$STARTED_PID
	kp=$(free_port)
	start_keel "$TMP/keel-mem" "$kp" everysec
	kpid=$STARTED_PID
	for port in "$rp" "$kp"; do
		redis-benchmark -h 127.0.0.1 -p "$port" -t set -n "$MEM_N" -c "$CLIENTS" -P 16 -r 100000000 -d 100 -q >/dev/null
	done
	rkeys=$(redis-cli -p "$rp" dbsize)
	kkeys=$(redis-cli -p "$kp" dbsize)
	rrss=$(rss_kb "$rpid")
	krss=$(rss_kb "$kpid")
	{
		echo "## Memory after $MEM_N SETs (-r 100000000, 100-byte values, appendfsync everysec)"
		echo
		echo "| server | keys (DBSIZE) | VmRSS (MiB) |"
		echo "|---|---|---|"
		echo "| redis | $rkeys | $((rrss / 1024)) |"
		echo "| keel | $kkeys | $((krss / 1024)) |"
		echo
		echo "keel/redis RSS ratio: $(ratio "$rrss" "$krss")"
		echo
	} | tee -a "$OUT"
	stop "$rpid"
	stop "$kpid"
fi

if [[ " $PARTS " == *" restart "* ]]; then
	# Redis restarts from its RDB here (appendonly no), the fastest way it
	# has; keel from its checkpoint plus the (truncated) WAL.
	rp=$(free_port)
	start_redis "$TMP/redis-restart" "$rp" everysec no
	rpid=$STARTED_PID
	kp=$(free_port)
	start_keel "$TMP/keel-restart" "$kp" everysec
	kpid=$STARTED_PID
	load() {
		local port=$1 t0 t1
		t0=$(date +%s.%N)
		gen_sets "$RESTART_KEYS" | redis-cli -p "$port" --pipe >"$TMP/pipe-$port.log"
		t1=$(date +%s.%N)
		elapsed "$t0" "$t1"
	}
	rload=$(load "$rp")
	kload=$(load "$kp")
	rkeys=$(redis-cli -p "$rp" dbsize)
	kkeys=$(redis-cli -p "$kp" dbsize)
	rrss=$(rss_kb "$rpid")
	krss=$(rss_kb "$kpid")
	timed() {
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		elapsed "$t0" "$t1"
	}
	rsave=$(timed redis-cli -p "$rp" save)
	ksave=$(timed redis-cli -p "$kp" save)
	stop "$rpid"
	stop "$kpid"
	# Started in this shell (not in a $(...) subshell) so the PIDs stay ours.
	t0=$(date +%s.%N)
	start_redis "$TMP/redis-restart" "$rp" everysec no
	t1=$(date +%s.%N)
	rpid=$STARTED_PID
	rrestart=$(elapsed "$t0" "$t1")
	t0=$(date +%s.%N)
	start_keel "$TMP/keel-restart" "$kp" everysec
	t1=$(date +%s.%N)
	kpid=$STARTED_PID
	krestart=$(elapsed "$t0" "$t1")
	rkeys2=$(redis-cli -p "$rp" dbsize)
	kkeys2=$(redis-cli -p "$kp" dbsize)
	{
		echo "## Restart with $RESTART_KEYS keys (100-byte values)"
		echo
		echo "| server | load (s, redis-cli --pipe) | VmRSS loaded (MiB) | SAVE (s) | on-disk after SAVE | restart to PONG (s) | keys before / after |"
		echo "|---|---|---|---|---|---|---|"
		echo "| redis (RDB) | $rload | $((rrss / 1024)) | $rsave | $(du -sh "$TMP/redis-restart" | cut -f1) | $rrestart | $rkeys / $rkeys2 |"
		echo "| keel | $kload | $((krss / 1024)) | $ksave | $(du -sh "$TMP/keel-restart/data" | cut -f1) | $krestart | $kkeys / $kkeys2 |"
		echo
		echo "keel/redis restart time ratio: $(ratio "$rrestart" "$krestart")"
		echo
	} | tee -a "$OUT"
	stop "$rpid"
	stop "$kpid"
fi

if [[ " $PARTS " == *" types "* ]]; then
	{
		echo "## Lists, sets, sorted sets, hashes, streams: throughput (ops/s, appendfsync everysec)"
		echo
		echo "| test | pipeline | redis_ops | keel_ops | ratio | ratio range ($ROUNDS rounds) | CPU keel/redis |"
		echo "|---|---|---|---|---|---|---|"
	} | tee -a "$OUT"
	rp=$(free_port)
	start_redis "$TMP/redis-types" "$rp" everysec
	rpid=$STARTED_PID
	kp=$(free_port)
	start_keel "$TMP/keel-types" "$kp" everysec
	kpid=$STARTED_PID
	BENCH_SCRIPT="redis.call('get', KEYS[1]) return redis.call('incr', KEYS[1])"
	for port in "$rp" "$kp"; do
		BENCH_SCRIPT_SHA=$(redis-cli -p "$port" SCRIPT LOAD "$BENCH_SCRIPT")
	done
	# s100: 200 entries, so XRANGE ... COUNT 100 always returns 100.
	for port in "$rp" "$kp"; do
		for i in $(seq 1 200); do echo "XADD s100 * field:$i value-$i"; done | redis-cli -p "$port" >/dev/null
	done
	for pipe in 1 16; do
		for test in LPUSH RPOP LRANGE_100 SADD SPOP ZADD; do
			echo "| $test | $pipe | $(pair "$rp" "$kp" rps "$test" "$pipe")" | tee -a "$OUT"
		done
		# ZADD above filled myzset with up to 1M members (element:<n>).
		echo "| ZRANGE 0 9 WITHSCORES | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" ZRANGE myzset 0 9 WITHSCORES)" | tee -a "$OUT"
		echo "| ZRANK | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" ZRANK myzset element:__rand_int__)" | tee -a "$OUT"
		# Hashes (on disk in keel): HSET fills myhash (element:<n>).
		echo "| HSET | $pipe | $(pair "$rp" "$kp" rps HSET "$pipe")" | tee -a "$OUT"
		echo "| HGET | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" HGET myhash element:__rand_int__)" | tee -a "$OUT"
		for port in "$rp" "$kp"; do
			redis-cli -p "$port" HSET h100 $(for i in $(seq 1 100); do echo "field:$i value-$i"; done) >/dev/null
		done
		echo "| HGETALL (100 fields) | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" HGETALL h100)" | tee -a "$OUT"
		# Streams: XADD appends to mystream with auto ids ('*' is passed
		# literally); XRANGE reads the first 100 of s100's 200 entries.
		echo "| XADD | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" XADD mystream '*' field value)" | tee -a "$OUT"
		# A capped stream: each XADD trims its head (whole nodes, ~).
		echo "| XADD MAXLEN ~ 1000 | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" XADD capped MAXLEN '~' 1000 '*' field value)" | tee -a "$OUT"
		echo "| XRANGE (COUNT 100) | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" XRANGE s100 - + COUNT 100)" | tee -a "$OUT"
		# Scripting: a script that reads and writes a random key (EVAL
		# hashes its body each time, as Redis does), and the same by SHA1.
		echo "| EVAL (GET + INCR) | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" EVAL "$BENCH_SCRIPT" 1 'counter:__rand_int__')" | tee -a "$OUT"
		echo "| EVALSHA (GET + INCR) | $pipe | $(pair "$rp" "$kp" rps_cmd "$pipe" EVALSHA "$BENCH_SCRIPT_SHA" 1 'counter:__rand_int__')" | tee -a "$OUT"
	done
	pn=$((N / 10))
	echo "| BLPOP/LPUSH ping-pong (round trips/s) | 1 | $(pair "$rp" "$kp" probe_pingpong "$pn")" | tee -a "$OUT"
	# N entries prefilled, $CLIENTS consumers of one group, each looping
	# XREADGROUP COUNT 10 ... > then XACK of what it read.
	echo "| XREADGROUP+XACK (entries/s, COUNT 10, $CLIENTS consumers) | 1 | $(pair "$rp" "$kp" probe_xgroup "$N")" | tee -a "$OUT"
	echo | tee -a "$OUT"
	stop "$rpid"
	stop "$kpid"
fi

if [[ " $PARTS " == *" typemem "* ]]; then
	{
		echo "## Memory per element: one key of $TYPE_N elements (17-byte members)"
		echo
		echo "| type | redis (B/elem) | keel (B/elem) | ratio |"
		echo "|---|---|---|---|"
	} | tee -a "$OUT"
	for typ in list set zset; do
		rp=$(free_port)
		start_redis "$TMP/redis-mem-$typ" "$rp" everysec
		rpid=$STARTED_PID
		kp=$(free_port)
		start_keel "$TMP/keel-mem-$typ" "$kp" everysec
		kpid=$STARTED_PID
		per() {
			local port=$1 pid=$2 before after
			before=$(rss_kb "$pid")
			"$PROBE" load -addr "127.0.0.1:$port" -type "$typ" -key k -n "$TYPE_N" >/dev/null
			# Settled: keel returns freed pages after 3 s idle (memtrim.go),
			# as Redis's allocator purges its dirty pages. Read once RSS held
			# still for 3 s, at least 8 s after the load: the trim lands 4 to
			# 6 s after it, and a read at 5 s caught it or not (zset read 110
			# or 133 bytes per member from one run to the next).
			after=$(rss_settled "$pid")
			awk -v a="$before" -v b="$after" -v n="$TYPE_N" 'BEGIN {printf "%.1f", (b - a) * 1024 / n}'
		}
		r=$(per "$rp" "$rpid")
		k=$(per "$kp" "$kpid")
		echo "| $typ | $r | $k | $(ratio "$r" "$k") |" | tee -a "$OUT"
		stop "$rpid"
		stop "$kpid"
	done
	echo | tee -a "$OUT"
fi

if [[ " $PARTS " == *" pause "* ]]; then
	{
		echo "## Write latency during a background save of $TYPE_N list elements, set members and zset members"
		echo
		echo "redis: BGSAVE (fork, RDB); keel: BGSAVE (checkpoint of every engine, copy-on-write)."
		echo
		echo "| server | save (ms) | writes during it | p50 (ms) | p99.9 (ms) | max (ms) | RSS before / peak (MiB) |"
		echo "|---|---|---|---|---|---|---|"
	} | tee -a "$OUT"
	for who in redis keel; do
		port=$(free_port)
		if [ "$who" = redis ]; then
			start_redis "$TMP/redis-pause" "$port" everysec no
		else
			start_keel "$TMP/keel-pause" "$port" everysec
		fi
		pid=$STARTED_PID
		for typ in list set zset; do
			"$PROBE" load -addr "127.0.0.1:$port" -type "$typ" -key "$typ" -n "$TYPE_N" >/dev/null
		done
		before=$(rss_kb "$pid")
		# Peak RSS of the server (redis: parent plus the forked child's
		# private pages are not visible here; keel: one process).
		peak=$before
		( while kill -0 "$pid" 2>/dev/null; do rss_kb "$pid"; sleep 0.01; done ) >"$TMP/rss-$who" 2>/dev/null &
		watcher=$!
		res=$("$PROBE" ckptpause -addr "127.0.0.1:$port" -d 200ms)
		kill "$watcher" 2>/dev/null || true
		wait "$watcher" 2>/dev/null || true
		peak=$(sort -n "$TMP/rss-$who" | tail -1)
		f() { echo "$res" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
		fork=$(f latest_fork_usec)
		note=""
		[ -n "$fork" ] && note=" (fork $((fork / 1000)) ms)"
		echo "| $who$note | $(f save_ms) | $(f writes) | $(f p50_ms) | $(f p999_ms) | $(f max_ms) | $((before / 1024)) / $((${peak:-$before} / 1024)) |" | tee -a "$OUT"
		stop "$pid"
	done
	echo | tee -a "$OUT"
fi

if [[ " $PARTS " == *" streambig "* ]]; then
	LIMIT_MB=${BENCH_BIG_LIMIT_MB:-384}
	BIG_SECONDS=${BENCH_BIG_SECONDS:-10}
	# The memory keel may use: a hard limit when a memory cgroup can be
	# made here (cgroup v2, or v1's memory controller, as root), with the
	# Go runtime's soft limit (GOMEMLIMIT) at half of it so that the
	# replies in flight fit; else GOMEMLIMIT alone at the limit.
	cg=""
	if [ -w /sys/fs/cgroup/cgroup.procs ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		cg=/sys/fs/cgroup/keel-bench-$$
		mkdir "$cg" 2>/dev/null && echo $((LIMIT_MB * 1024 * 1024)) >"$cg/memory.max" 2>/dev/null || cg=""
	elif [ -w /sys/fs/cgroup/memory/cgroup.procs ]; then
		cg=/sys/fs/cgroup/memory/keel-bench-$$
		mkdir "$cg" 2>/dev/null && echo $((LIMIT_MB * 1024 * 1024)) >"$cg/memory.limit_in_bytes" 2>/dev/null || cg=""
	fi
	GOLIMIT_MB=$LIMIT_MB
	[ -n "$cg" ] && GOLIMIT_MB=$((LIMIT_MB / 2))
	# 4x the limit, half in hashes of 100 fields, half in 8 streams, every
	# value 1000 bytes of pseudo-random text.
	data_bytes=$((4 * LIMIT_MB * 1024 * 1024))
	layout=(-value 1000 -fields 100 -hashes $((data_bytes / 2 / (100 * 1000)))
		-streams 8 -entries $((data_bytes / 2 / (8 * 1000))))
	# Cache and write buffers sized under the limit (one block cache shared
	# by the on-disk engines, one write buffer per engine: strings,
	# hashes, streams).
	keel_args=(--block-cache-size "$((GOLIMIT_MB * 3 / 8))mb" --strings-buffer-size "$((GOLIMIT_MB / 16))mb"
		--hashes-buffer-size "$((GOLIMIT_MB / 16))mb" --streams-buffer-size "$((GOLIMIT_MB / 16))mb")
	# Without a cgroup there is no hard limit: prlimit's RLIMIT_AS caps
	# address space, which a Go process reserves far beyond its RSS (keel
	# idles at ~1.6 GiB VmSize), and RLIMIT_RSS is not enforced by Linux.
	# Peak RSS (VmHWM) shows whether the limit held.
	port=$(free_port)
	GOMEMLIMIT="${GOLIMIT_MB}MiB" start_keel "$TMP/keel-big" "$port" everysec "${keel_args[@]}"
	pid=$STARTED_PID
	if [ -n "$cg" ]; then
		echo "$pid" >"$cg/cgroup.procs"
		limit_text="a hard memory limit of ${LIMIT_MB} MiB (memory cgroup $cg; the page cache keel's files use counts in it) and GOMEMLIMIT=${GOLIMIT_MB}MiB"
	else
		limit_text="GOMEMLIMIT=${LIMIT_MB}MiB (the Go runtime's soft limit; no hard limit: no memory cgroup could be made, and prlimit's address-space limit is no RAM limit for a Go process)"
	fi
	load=$("$PROBE" bigload -addr "127.0.0.1:$port" "${layout[@]}" -clients 4)
	kv() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }
	load_hwm=$(hwm_kb "$pid")
	load_rss=$(rss_kb "$pid")
	{
		echo "## Streams and hashes 4x larger than keel's memory limit (keel only)"
		echo
		echo "keel under $limit_text, ${keel_args[*]},"
		echo "appendfsync everysec. Redis is not run: it holds the whole dataset in memory, 4x this limit."
		echo "Data: $(kv "$load" hashes) hashes x $(kv "$load" fields) fields and $(kv "$load" streams) streams x $(kv "$load" entries) entries,"
		echo "$(kv "$load" value)-byte values, $(kv "$load" data_mib) MiB of values, written in $(kv "$load" seconds) s ($(kv "$load" mibps) MiB/s, 4 connections pipelined);"
		if [ -n "$cg" ]; then
			echo "on disk after the load: $(du -sm "$TMP/keel-big/data" | cut -f1) MiB; the cgroup limits the page cache too, so most reads of it go to the disk."
		else
			echo "on disk after the load: $(du -sm "$TMP/keel-big/data" | cut -f1) MiB. The OS page cache is not limited (the machine has"
			echo "$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB): reads that miss keel's caches are served from it once touched."
		fi
		echo "Peak RSS (VmHWM) after the load: $((load_hwm / 1024)) MiB (VmRSS $((load_rss / 1024)) MiB)."
		echo
		echo "Each row: ${BIG_SECONDS} s, $CLIENTS connections, random keys and offsets over the whole dataset (scripts/probe bigread)."
		echo
		echo "| test | pipeline | keel_ops | peak RSS during the row (MiB) |"
		echo "|---|---|---|---|"
	} | tee -a "$OUT"
	peak=$load_hwm
	for pipe in 1 16; do
		for op in xadd xrange hget hgetall; do
			# Writing 5 to clear_refs resets VmHWM to the current RSS, so
			# each row reports its own peak.
			echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true
			res=$("$PROBE" bigread -addr "127.0.0.1:$port" "${layout[@]}" -op "$op" -d "${BIG_SECONDS}s" -clients "$CLIENTS" -pipe "$pipe")
			case $op in
			xadd) name="XADD (random stream, * id)" ;;
			xrange) name="XRANGE (COUNT 100, random offset)" ;;
			hget) name="HGET (random hash and field)" ;;
			hgetall) name="HGETALL (random hash, 100 fields)" ;;
			esac
			hwm=$(hwm_kb "$pid")
			((hwm > peak)) && peak=$hwm
			echo "| $name | $pipe | $(kv "$res" ops_per_sec) | $((hwm / 1024)) |" | tee -a "$OUT"
		done
	done
	{
		echo
		echo "Peak RSS over the whole part: $((peak / 1024)) MiB against the ${LIMIT_MB} MiB limit and $((data_bytes / 1048576)) MiB of data."
		[ -n "$cg" ] && [ -r "$cg/memory.max_usage_in_bytes" ] && echo "Cgroup peak usage (RSS and page cache): $(($(cat "$cg/memory.max_usage_in_bytes") / 1048576)) MiB."
		echo
	} | tee -a "$OUT"
	stop "$pid"
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
fi

echo "results written to $OUT"
