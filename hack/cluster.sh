#!/usr/bin/env bash
# Local Kubernetes test cluster for this collection: etcd + kube-apiserver +
# kube-controller-manager v1.20.2 on free loopback ports, and, when the machine can run
# one, a real node (containerd, kubelet, kube-scheduler: hack/node.sh). Fast tests still
# use tests/helpers/fake_kubelet.py to play the kubelet for Pods bound to "fake-node".
#
# Usage: hack/cluster.sh up | down [--purge] | status | pause|resume|kill|restart COMPONENT
#
#   up      Reuse a running cluster, else start one. Writes .cluster/kubeconfig.
#           When GITOPS_K8S_TEST_KUBECONFIG names a kubeconfig file, that cluster is
#           used instead (.cluster/kubeconfig links to it) and nothing is built or started.
#   down    Stop the processes (TERM, then KILL after a timeout) and remove the data; the
#           node's Pods, bridge, NAT rules and mounts go too.
#           Logs stay in .cluster/logs unless --purge is given.
#   status  Print the state; exit 0 when the cluster answers /readyz, 1 otherwise.
#   pause|resume|kill|restart COMPONENT   (etcd, kube-apiserver, kube-controller-manager)
#           SIGSTOP / SIGCONT / SIGKILL one component, or start it again with the same
#           data and ports and wait until it is ready (fault tests use a private
#           GITOPS_K8S_CLUSTER_DIR: never freeze the shared cluster).
#
# Env: GITOPS_K8S_TEST_KUBECONFIG  use this existing cluster instead of a local one
#      GITOPS_K8S_CLUSTER_NAME     a named instance (letters, digits, '-'): another control
#                                  plane beside the default one, with its own free ports, data
#                                  and kubeconfig in <repo>/.cluster-NAME; never a node (the
#                                  default instance owns it) nor an external cluster
#      GITOPS_K8S_CLUSTER_DIR      state directory (default: <repo>/.cluster, or
#                                  <repo>/.cluster-NAME for a named instance)
#      GITOPS_K8S_CACHE            binary cache root (see hack/build-control-plane.sh)
#      GITOPS_K8S_KUBE_BIN         use the kube-apiserver/kube-controller-manager in this directory
#      GITOPS_K8S_READY_TIMEOUT    seconds to wait for each component (default: 120)
#      GITOPS_K8S_NODE             0: no node (control plane only); default: start one when
#                                  the machine can (hack/node.sh can-run says why not)
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
NAME="${GITOPS_K8S_CLUSTER_NAME:-}"
if [[ -n "$NAME" ]]; then
    [[ "$NAME" =~ ^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$ ]] \
        || { echo "GITOPS_K8S_CLUSTER_NAME=$NAME: use lower-case letters, digits and '-' (at most 32)" >&2; exit 2; }
    # one node per machine (the default instance's), and a named instance is always local
    GITOPS_K8S_NODE=0
    unset GITOPS_K8S_TEST_KUBECONFIG
fi
DIR="${GITOPS_K8S_CLUSTER_DIR:-$REPO/.cluster${NAME:+-$NAME}}"
# The binaries' directory is the one hack/kube-source.sh caches them in (its
# CACHE= and BIN= lines), unless GITOPS_K8S_KUBE_BIN names another directory.
KBIN="${GITOPS_K8S_KUBE_BIN:-$(bash -c "$(grep -E '^(CACHE|BIN)=' "$HERE/kube-source.sh"); echo \"\$BIN\"")}"
TIMEOUT="${GITOPS_K8S_READY_TIMEOUT:-120}"
KUBECONFIG_OUT="$DIR/kubeconfig"
STATE="$DIR/state"
LOGS="$DIR/logs"
COMPONENTS=(etcd kube-apiserver kube-controller-manager)
PY="$(command -v python3)"
UTIL=("$PY" "$HERE/cluster_util.py")
START=$(date +%s)

LABEL="cluster${NAME:+ $NAME}"
step() { printf '[%s %4ss] %s\n' "$LABEL" "$(( $(date +%s) - START ))" "$*"; }
die() { printf '[%s %4ss] ERROR: %s\n' "$LABEL" "$(( $(date +%s) - START ))" "$*" >&2; exit 1; }

# live_pid, spawn and stop_one, over the pid files in PID_DIR
# shellcheck disable=SC2034
PID_DIR="$DIR"
# shellcheck disable=SC1091
source "$HERE/processes.sh"

log_tail() {
    local name="$1"
    echo "----- last lines of $LOGS/$name.log -----" >&2
    tail -n 25 "$LOGS/$name.log" >&2 2>/dev/null || true
    echo "-----" >&2
}

load_env() {
    # shellcheck disable=SC1091
    [[ -f "$DIR/env" ]] && source "$DIR/env"
}

ready() {
    load_env || return 1
    [[ -n "${APISERVER_PORT:-}" && -f "$STATE/tokens.csv" ]] || return 1
    "${UTIL[@]}" wait-http "https://127.0.0.1:$APISERVER_PORT/readyz" 3 "$(admin_token)" 2>/dev/null
}

admin_token() { cut -d, -f1 "$STATE/tokens.csv" | head -n 1; }

all_alive() {
    local c
    for c in "${COMPONENTS[@]}"; do
        live_pid "$c" >/dev/null || return 1
    done
}


stop_all() {
    local i
    for (( i = ${#COMPONENTS[@]} - 1; i >= 0; i-- )); do
        stop_one "${COMPONENTS[$i]}"
    done
}


wait_or_die() {
    local name="$1" i; shift
    # Right after spawn the pid may still be the forked shell that has not exec'd the
    # program yet (live_pid checks its command line): give it a moment.
    for (( i = 0; i < 20; i++ )); do
        live_pid "$name" >/dev/null && break
        sleep 0.1
    done
    if ! live_pid "$name" >/dev/null; then
        log_tail "$name"
        die "$name exited during start-up"
    fi
    if ! "$@"; then
        log_tail "$name"
        die "$name did not become ready within ${TIMEOUT}s"
    fi
}

# Spawn one component with the ports (from $DIR/env) and the data of this cluster, and
# wait until it answers. `up` starts each one with it, `restart` starts one again.
# The *_PORT variables come from the env file load_env sources.
# shellcheck disable=SC2153
start_component() {
    local name="$1"
    load_env
    case "$name" in
        etcd)
            spawn etcd etcd --name gitops-k8s-test --data-dir "$STATE/etcd" \
                --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
                --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
                --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
                --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
                --initial-cluster "gitops-k8s-test=http://127.0.0.1:$ETCD_PEER_PORT"
            wait_or_die etcd "${UTIL[@]}" wait-http "http://127.0.0.1:$ETCD_PORT/health" "$TIMEOUT"
            step "etcd is healthy"
            ;;
        kube-apiserver)
            spawn kube-apiserver "$KBIN/kube-apiserver" \
                --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
                --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
                --secure-port="$APISERVER_PORT" --insecure-port=0 \
                --cert-dir="$STATE/certs" \
                --token-auth-file="$STATE/tokens.csv" \
                --authorization-mode=RBAC \
                --service-account-key-file="$STATE/sa.pub" \
                --service-account-signing-key-file="$STATE/sa.key" \
                --service-account-issuer=https://kubernetes.default.svc \
                --service-cluster-ip-range=198.18.0.0/16 \
                --enable-admission-plugins=PodTolerationRestriction \
                --allow-privileged=true \
                --profiling=false
            wait_or_die kube-apiserver "${UTIL[@]}" wait-http \
                "https://127.0.0.1:$APISERVER_PORT/readyz" "$TIMEOUT" "$(admin_token)"
            step "kube-apiserver is ready"
            ;;
        kube-controller-manager)
            spawn kube-controller-manager "$KBIN/kube-controller-manager" \
                --kubeconfig="$STATE/kcm.kubeconfig" \
                --service-account-private-key-file="$STATE/sa.key" \
                --root-ca-file="$STATE/certs/apiserver.crt" \
                --use-service-account-credentials=true \
                --controllers='*,-csrsigning,-nodeipam,-nodelifecycle' \
                --leader-elect=false \
                --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --port=0 \
                --profiling=false
            wait_or_die kube-controller-manager "${UTIL[@]}" wait-http \
                "https://127.0.0.1:$KCM_PORT/healthz" "$TIMEOUT"
            step "kube-controller-manager is healthy"
            ;;
        *) die "unknown component '$name' (one of: ${COMPONENTS[*]})" ;;
    esac
}

use_external() {
    local src="$GITOPS_K8S_TEST_KUBECONFIG"
    [[ -f "$src" ]] || die "GITOPS_K8S_TEST_KUBECONFIG=$src is not a file"
    if all_alive; then
        step "a local cluster is running: stopping it (an external cluster was requested)"
        stop_all
    fi
    mkdir -p "$DIR"
    ln -sfn "$(cd "$(dirname "$src")" && pwd)/$(basename "$src")" "$KUBECONFIG_OUT"
    touch "$DIR/external"
    step "using the existing cluster from GITOPS_K8S_TEST_KUBECONFIG ($src)"
    step "kubeconfig: ${KUBECONFIG_OUT}"
}

cmd_up() {
    if [[ -n "${GITOPS_K8S_TEST_KUBECONFIG:-}" ]]; then
        use_external
        return 0
    fi
    if [[ -f "$DIR/external" || -L "$KUBECONFIG_OUT" ]]; then
        rm -f "$DIR/external" "$KUBECONFIG_OUT"
    fi

    if all_alive && ready; then
        step "reusing the running cluster (https://127.0.0.1:$APISERVER_PORT)"
        node_up
        step "kubeconfig: $KUBECONFIG_OUT"
        return 0
    fi
    if compgen -G "$DIR/*.pid" >/dev/null; then
        step "found a partial or unhealthy cluster: stopping it first"
        if [[ -d "$DIR/node" ]]; then GITOPS_K8S_CLUSTER_DIR="$DIR" bash "$HERE/node.sh" down; fi
        stop_all
    fi

    if [[ -z "${GITOPS_K8S_KUBE_BIN:-}" ]]; then
        step "control-plane binaries (hack/build-control-plane.sh, cached)"
        bash "$HERE/build-control-plane.sh"
    fi
    [[ -x "$KBIN/kube-apiserver" && -x "$KBIN/kube-controller-manager" ]] \
        || die "control-plane binaries missing in $KBIN"
    bash "$HERE/apt-deps.sh" etcd-server openssl
    command -v etcd >/dev/null || die "etcd not found on PATH (Debian package etcd-server)"

    rm -rf "$STATE" "$KUBECONFIG_OUT"
    mkdir -p "$STATE/certs" "$LOGS"
    chmod 700 "$STATE"

    local etcd_port peer_port api_port kcm_port admin kcm_token node_name
    read -r etcd_port peer_port api_port kcm_port <<<"$("${UTIL[@]}" free-ports 4)"
    cat >"$DIR/env" <<EOF
ETCD_PORT=$etcd_port
ETCD_PEER_PORT=$peer_port
APISERVER_PORT=$api_port
KCM_PORT=$kcm_port
EOF
    step "ports: etcd $etcd_port, kube-apiserver $api_port, kube-controller-manager $kcm_port"

    step "credentials: service-account key pair, admin and controller-manager tokens"
    openssl genrsa -out "$STATE/sa.key" 2048 2>/dev/null
    openssl rsa -in "$STATE/sa.key" -pubout -out "$STATE/sa.pub" 2>/dev/null
    admin="$(openssl rand -hex 24)"
    kcm_token="$(openssl rand -hex 24)"
    node_name="$(hostname | tr '[:upper:]' '[:lower:]')"
    (
        umask 077
        printf '%s,admin,admin,"system:masters"\n' "$admin"
        printf '%s,system:kube-controller-manager,system:kube-controller-manager\n' "$kcm_token"
        # The node's kubelet and kube-scheduler (hack/node.sh), unused without a node.
        printf '%s,system:node:%s,system:node:%s,"system:nodes"\n' "$(openssl rand -hex 24)" "$node_name" "$node_name"
        printf '%s,system:kube-scheduler,system:kube-scheduler\n' "$(openssl rand -hex 24)"
    ) >"$STATE/tokens.csv"
    chmod 600 "$STATE/tokens.csv"

    local server="https://127.0.0.1:$api_port"
    start_component etcd
    start_component kube-apiserver
    "${UTIL[@]}" kubeconfig "$STATE/kcm.kubeconfig" "$server" "$STATE/certs/apiserver.crt" "$kcm_token"
    start_component kube-controller-manager
    wait_or_die kube-controller-manager "${UTIL[@]}" wait-sa "$server" "$admin" "$TIMEOUT"
    step "the default ServiceAccount has its token"

    "${UTIL[@]}" kubeconfig "$KUBECONFIG_OUT" "$server" "$STATE/certs/apiserver.crt" "$admin"
    node_up
    step "cluster is up: $server"
    step "kubeconfig: $KUBECONFIG_OUT"
}

# Start the node (hack/node.sh) unless GITOPS_K8S_NODE=0 or the machine cannot run one.
node_up() {
    local why
    if [[ "${GITOPS_K8S_NODE:-1}" == 0 ]]; then
        step "no node (GITOPS_K8S_NODE=0)"
        return 0
    fi
    if ! why="$(bash "$HERE/node.sh" can-run)"; then
        step "no node: this machine cannot run one ($why)"
        return 0
    fi
    if ! grep -q ',system:node:' "$STATE/tokens.csv"; then
        step "no node: this control plane was started without the node's credentials (restart it: make cluster-down cluster-up)"
        return 0
    fi
    GITOPS_K8S_CLUSTER_DIR="$DIR" bash "$HERE/node.sh" up
}

cmd_down() {
    local purge="${1:-}"
    if [[ -f "$DIR/external" || -L "$KUBECONFIG_OUT" ]]; then
        rm -f "$DIR/external" "$KUBECONFIG_OUT"
        step "forgot the external cluster (it is left running)"
    fi
    if [[ -d "$DIR/node" ]]; then
        GITOPS_K8S_CLUSTER_DIR="$DIR" bash "$HERE/node.sh" down
    fi
    stop_all
    rm -rf "$STATE" "$KUBECONFIG_OUT" "$DIR/env"
    if [[ "$purge" == "--purge" ]]; then
        rm -rf "$DIR"
        step "removed $DIR"
    else
        step "removed the cluster data (logs kept in $LOGS)"
    fi
}

# Process control for fault tests (tests/integration/private_cluster.py). Each acts on
# one component of a local cluster and refuses an external one.
component_pid() {
    local name="$1" pid
    [[ " ${COMPONENTS[*]} " == *" $name "* ]] || die "unknown component '$name' (one of: ${COMPONENTS[*]})"
    [[ ! -f "$DIR/external" ]] || die "the cluster is external (GITOPS_K8S_TEST_KUBECONFIG): no process to control"
    pid="$(live_pid "$name")" || die "$name is not running"
    echo "$pid"
}

cmd_pause() {
    local pid
    pid="$(component_pid "$1")"
    kill -STOP "$pid"
    step "paused $1 (pid $pid, SIGSTOP)"
}

cmd_resume() {
    local pid
    pid="$(component_pid "$1")"
    kill -CONT "$pid"
    step "resumed $1 (pid $pid, SIGCONT)"
}

# SIGKILL, then wait until the process is gone (its ports are free again).
cmd_kill() {
    local pid i
    pid="$(component_pid "$1")"
    kill -KILL "$pid"
    for (( i = 0; i < 100; i++ )); do
        live_pid "$1" >/dev/null || break
        sleep 0.1
    done
    ! live_pid "$1" >/dev/null || die "$1 (pid $pid) still alive 10s after SIGKILL"
    rm -f "$DIR/$1.pid"
    step "killed $1 (pid $pid, SIGKILL)"
}

# Start COMPONENT again with the same data and ports (stopping it first when it runs),
# and wait until it answers; after etcd, also until the API server is ready again.
cmd_restart() {
    local name="$1"
    [[ " ${COMPONENTS[*]} " == *" $name "* ]] || die "unknown component '$name' (one of: ${COMPONENTS[*]})"
    [[ ! -f "$DIR/external" ]] || die "the cluster is external (GITOPS_K8S_TEST_KUBECONFIG): no process to control"
    [[ -f "$DIR/env" && -d "$STATE" ]] || die "no cluster state in $DIR: run 'up' first"
    stop_one "$name"
    start_component "$name"
    if [[ "$name" == etcd ]] && live_pid kube-apiserver >/dev/null; then
        wait_or_die kube-apiserver "${UTIL[@]}" wait-http \
            "https://127.0.0.1:$APISERVER_PORT/readyz" "$TIMEOUT" "$(admin_token)"
        step "kube-apiserver is ready again"
    fi
}

cmd_status() {
    local c pid rc=0
    if [[ -f "$DIR/external" ]]; then
        echo "external cluster: $(readlink "$KUBECONFIG_OUT" 2>/dev/null || echo '?')"
        if [[ -x "$REPO/.venv/bin/kubectl" ]]; then
            if "$REPO/.venv/bin/kubectl" --kubeconfig "$KUBECONFIG_OUT" --request-timeout=5s \
                get --raw /readyz >/dev/null 2>&1; then
                echo "readyz: ok"
            else
                echo "readyz: failing"
                rc=1
            fi
        fi
        return "$rc"
    fi
    for c in "${COMPONENTS[@]}"; do
        if pid="$(live_pid "$c")"; then
            printf '%-24s running (pid %s)\n' "$c" "$pid"
        else
            printf '%-24s not running\n' "$c"
            rc=1
        fi
    done
    if [[ -d "$DIR/node" ]]; then
        GITOPS_K8S_CLUSTER_DIR="$DIR" bash "$HERE/node.sh" status || rc=1
    fi
    if ready; then
        echo "readyz: ok (https://127.0.0.1:$APISERVER_PORT)"
        echo "kubeconfig: $KUBECONFIG_OUT"
    else
        echo "readyz: not answering"
        rc=1
    fi
    return "$rc"
}

case "${1:-}" in
    up)
        # a command that stops start-up says which (set -e alone exits silently)
        trap 'echo "cluster.sh: line $LINENO: $BASH_COMMAND failed (exit $?)" >&2' ERR
        cmd_up
        ;;
    down) cmd_down "${2:-}" ;;
    status) cmd_status ;;
    pause | resume | kill | restart)
        [[ -n "${2:-}" ]] || { echo "usage: $0 $1 etcd|kube-apiserver|kube-controller-manager" >&2; exit 2; }
        "cmd_$1" "$2"
        ;;
    *) echo "usage: $0 up | down [--purge] | status | pause|resume|kill|restart COMPONENT" >&2; exit 2 ;;
esac
