#!/usr/bin/env bash
# Smoke test of `trustindex tui` in a real terminal: run it in tmux, press keys, read the screen.
#
#   tests/tui/smoke.sh                      # uses `trustindex` on PATH
#   TRUSTINDEX="python -m trustindex" tests/tui/smoke.sh
#
# Exits 0 when every step saw what it expected; otherwise prints the screen and exits 1.
set -euo pipefail

TRUSTINDEX=${TRUSTINDEX:-trustindex}
session="trustindex-smoke-$$"
work=$(mktemp -d)
cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

screen() { tmux capture-pane -p -t "$session" 2>/dev/null || true; }
keys() {  # one key at a time, 0.1 s apart: a fast typist
    for key in "$@"; do
        tmux send-keys -t "$session" "$key"
        sleep 0.1
    done
}
fail() { echo "smoke: $1" >&2; echo "----- screen -----" >&2; screen >&2; exit 1; }
wait_for() {  # TEXT [SECONDS]: wait until TEXT is on the screen
    for _ in $(seq 1 $(( ${2:-40} * 20 ))); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    fail "timed out waiting for: $1"
}
wait_for_re() {  # REGEX [SECONDS]: wait until a line of the screen matches REGEX
    for _ in $(seq 1 $(( ${2:-40} * 20 ))); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.05
    done
    fail "timed out waiting for: $1"
}
wait_exit() {  # the app quits: the tmux session ends with it
    for _ in $(seq 1 400); do
        tmux has-session -t "$session" 2>/dev/null || return 0
        sleep 0.05
    done
    fail "the app did not quit"
}
start() {  # WIDTH HEIGHT ARGS...
    local width=$1 height=$2
    shift 2
    tmux new-session -d -s "$session" -x "$width" -y "$height" -c "$work" "$TRUSTINDEX tui --seed 1 $*"
}

# 1. 100 × 30: a weight change re-ranks, the guard catches quitting, saving writes a profile.
start 100 30
wait_for "Nordic"
wait_for "Open/edit"                      # a weight bar has the focus: the app takes keys
keys "=" "5" Enter                        # management weight 5: Japan rises two places
wait_for_re "▲2 .*Japan"
wait_for "unsaved: 1 changed"
keys q
wait_for "Quit with unsaved changes?"
keys s                                    # save first
wait_for "Save weights"
keys Enter
wait_exit
[ -f "$work/balanced-custom.toml" ] || fail "no balanced-custom.toml written"
grep -q "^management = 5" "$work/balanced-custom.toml" || fail "the saved profile lacks management = 5"
grep -q "^# balanced:" "$work/balanced-custom.toml" || fail "the saved profile lost its comments"
first=$($TRUSTINDEX score --weights "$work/balanced-custom.toml" -f csv | sed -n 2p)
case "$first" in 1,japan,*) ;; *) fail "score --weights the saved file ranks first: $first" ;; esac

grep -q "^# balanced-custom: edited from balanced in trustindex tui on " "$work/balanced-custom.toml" \
    || fail "the saved profile does not say what it was edited from"

# 2. 80 × 24 on asem: every tab draws, the rank band follows a weight, a drill, the entity detail; then
#    quitting in the middle of a long analysis returns at once (every job stops: nothing kills the process).
start 80 24 --data asem
wait_for "Open/edit"
wait_for "5–95 % rank"                    # the highlighted entity's rank band
keys Enter
wait_for "Weights ▸ Connectivity"
keys Escape Right
wait_for "unsaved: 1 changed"
keys d
wait_for "rank 1 of 51"
keys a
wait_for "findings" 60
keys e Tab Down Enter                     # explain the second entity, chosen in the ranking
wait_for "rank 2 of 51"
keys r Tab Tab End BSpace BSpace BSpace BSpace 3 0 0 0 0 0 0 BTab BTab Enter
wait_for "3,000,000 runs"
sleep 0.5                                 # the analysis is under way
keys q
wait_for "Quit with unsaved changes?"
began=$(date +%s%N)
tmux send-keys -t "$session" d            # discard the changed weight and quit
wait_exit
took=$(( ($(date +%s%N) - began) / 1000000 ))
[ "$took" -lt 3000 ] || fail "quitting during an analysis took $took ms"

echo "smoke: ok"
