# shellcheck shell=bash
# The detached processes of the local test cluster, by pid file: sourced by hack/cluster.sh
# (control plane, pid files in $DIR) and hack/node.sh (node, pid files in $DIR/node).
# The sourcing script sets PID_DIR, LOGS and REPO and defines step().

# The pid recorded for NAME, printed only when that process is alive and is still the
# same program (a recycled pid is never trusted).
live_pid() {
    local name="$1" pidfile="$PID_DIR/$1.pid" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name" || return 1
    echo "$pid"
}

# Start a detached process (own session, no terminal, stdio to a log) and record its pid.
spawn() {
    local name="$1"; shift
    setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
    echo "$!" >"$PID_DIR/$name.pid"
    step "started $name (pid $!, log ${LOGS#"$REPO"/}/$name.log)"
}

# TERM, up to 10 s, then KILL; the pid file goes either way.
stop_one() {
    local name="$1" pid i
    if pid="$(live_pid "$name")"; then
        kill -TERM "$pid" 2>/dev/null || true
        kill -CONT "$pid" 2>/dev/null || true  # a paused process acts on TERM only once continued
        for (( i = 0; i < 100; i++ )); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            step "$name (pid $pid) ignored TERM for 10s: sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        step "stopped $name (pid $pid)"
    fi
    rm -f "$PID_DIR/$name.pid"
}
