#!/usr/bin/env bash
# Paired A/B of two server builds: CPU time per request, in short bursts
# that alternate between them, so that both see the same moments of a
# noisy VM. Both servers run at once, are filled alike, settle, then take
# ROUNDS bursts each of one redis-benchmark command (the order alternating
# each round); the output is one line per burst and, at the end, the
# new/old ratio of each pair, sorted, and its median.
#
#   scripts/ab-bursts.sh <old server> <new server> "<fill>" "<command>" [rounds]
#
#   scripts/ab-bursts.sh /tmp/keel.old bin/keel \
#       "-t hset -n 1400000 -P 16 -r 1000000 -d 100" \
#       "-P 16 -r 1000000 HGET myhash element:__rand_int__" 8
#   scripts/ab-bursts.sh /tmp/keel.old bin/keel "" "-P 1 XRANGE s100 - + COUNT 100"
#
# <fill> is redis-benchmark arguments run once on each server before the
# bursts ("" for none); FILL_CMDS, if set, is a file of commands piped to
# redis-cli on each (XADD s100 ... lines, say). Each burst is
# "redis-benchmark -n N -c 50 --csv <command>" (N: BURST_N, default
# 400000). Servers get "--port P --dir D --appendfsync everysec" appended,
# on ports ${AB_PORT:-24301} and the next.
set -euo pipefail
set -f # the command may hold '*' (XADD s * f v)
old=$1 new=$2 fill=$3 cmd=$4 rounds=${5:-6}
n=${BURST_N:-400000}
base=${AB_PORT:-24301}
declare -A pid port dir
port[old]=$base port[new]=$((base + 1))
cleanup() {
	for v in old new; do
		[ -n "${pid[$v]:-}" ] && kill "${pid[$v]}" 2>/dev/null && wait "${pid[$v]}" 2>/dev/null
		[ -n "${dir[$v]:-}" ] && rm -rf "${dir[$v]}"
	done
	return 0
}
trap cleanup EXIT
for v in old new; do
	dir[$v]=$(mktemp -d)
	srv=$old
	[ "$v" = new ] && srv=$new
	eval "exec $srv --port ${port[$v]} --dir ${dir[$v]} --appendfsync everysec" >/dev/null 2>&1 &
	pid[$v]=$!
	for _ in $(seq 50); do redis-cli -p "${port[$v]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
for v in old new; do
	if [ -n "${FILL_CMDS:-}" ]; then redis-cli -p "${port[$v]}" <"$FILL_CMDS" >/dev/null; fi
	# shellcheck disable=SC2086 # fill is a list of arguments
	if [ -n "$fill" ]; then redis-benchmark -p "${port[$v]}" -c 50 -q $fill >/dev/null; fi
done
ticks() { awk '{print $14 + $15}' "/proc/${pid[$1]}/stat"; }
# Settled: no CPU used over a second (flushes and compactions done).
for v in old new; do
	for _ in $(seq 60); do
		a=$(ticks "$v")
		sleep 1
		[ $(($(ticks "$v") - a)) -lt 3 ] && break
	done
done
hz=$(getconf CLK_TCK)
declare -A cpu
ratios=()
for r in $(seq "$rounds"); do
	order="new old"
	((r % 2 == 0)) && order="old new"
	for v in $order; do
		a=$(ticks "$v")
		# shellcheck disable=SC2086 # cmd is a list of arguments
		rps=$(redis-benchmark -p "${port[$v]}" -n "$n" -c 50 --csv $cmd | tail -1 | cut -d, -f2 | tr -d '"')
		cpu[$v]=$(echo "scale=3; ($(ticks "$v") - $a) * 1000000 / $hz / $n" | bc)
		echo "round $r $v rps=${rps%.*} cpu_us/request=${cpu[$v]}"
	done
	ratios+=("$(echo "scale=3; ${cpu[new]} / ${cpu[old]}" | bc)")
done
sorted=$(printf '%s\n' "${ratios[@]}" | sort -g)
echo "new/old CPU per request, by pair: $(echo "$sorted" | paste -sd' ')"
echo "median: $(echo "$sorted" | sed -n "$(((${#ratios[@]} + 1) / 2))p")"
