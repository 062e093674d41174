#!/usr/bin/env bash
# A real node for the local test cluster: containerd (CRI), a kubelet and kube-scheduler
# v1.20.2 (hack/build-node.sh, cached), CNI bridge + host-local + portmap + loopback, and
# the DNAT that lets Pods reach the API server through the `kubernetes` Service. Every
# file, socket and mount lives under the cluster's directory (the kubelet's fixed log paths
# /var/log/pods and /var/log/containers are bind mounts of it); hack/cluster.sh calls this.
#
# Usage: hack/node.sh up | down | status | can-run
#
#   up       Start the node on the running control plane ($DIR/env) and wait until it is Ready.
#   down     Delete the node's Pods (the kubelet tears their sandboxes down), stop every process
#            by pid, remove the bridge, the NAT rules and the mounts under $DIR/node.
#   can-run  Exit 0 when this machine can run a node, else print why not and exit 1.
#
# The node is tainted gitops-k8s.test/real-node=true:NoSchedule: Pods of the fast tests (which
# the fake kubelet binds to "fake-node") never land on it. A Pod that must really run tolerates
# the taint, or its namespace carries the annotation
#   scheduler.alpha.kubernetes.io/defaultTolerations: '[{"key": "gitops-k8s.test/real-node", "operator": "Exists"}]'
# (admission plugin PodTolerationRestriction, enabled by hack/cluster.sh).
#
# Env: GITOPS_K8S_CLUSTER_DIR  the cluster's state directory (default: <repo>/.cluster)
#      GITOPS_K8S_READY_TIMEOUT  seconds to wait for each component (default: 120)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
DIR="${GITOPS_K8S_CLUSTER_DIR:-$REPO/.cluster}"
KBIN="$(bash -c "$(grep -E '^(CACHE|BIN)=' "$HERE/kube-source.sh"); echo \"\$BIN\"")"
TIMEOUT="${GITOPS_K8S_READY_TIMEOUT:-120}"
NODE="$DIR/node"
LOGS="$DIR/logs"
STATE="$DIR/state"
PY="$(command -v python3)"
UTIL=("$PY" "$HERE/cluster_util.py")
CNI_BIN=/usr/lib/cni
# RFC 2544 benchmarking block: neither private nor routed (hack/cluster.sh uses the Service range).
POD_CIDR=198.19.0.0/24
SERVICE_IP=198.18.0.1
BRIDGE=gitopsk8s0
OWNER_FILE=/run/gitops-k8s-test-node.owner
TAINT=gitops-k8s.test/real-node
NODE_COMPONENTS=(kube-scheduler kubelet containerd)
# The kubelet 1.20 writes container logs to these fixed paths: they are bind mounts of
# directories under $NODE while the node runs.
KUBELET_LOG_DIRS=(/var/log/pods /var/log/containers)
NODE_PACKAGES=(containerd runc containernetworking-plugins iptables conntrack podman gcc libc6-dev)
START=$(date +%s)

step() { printf '[node %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '[node %4ss] ERROR: %s\n' "$(( $(date +%s) - START ))" "$*" >&2; exit 1; }

# live_pid, spawn and stop_one, over the pid files in PID_DIR
# shellcheck disable=SC2034
PID_DIR="$NODE"
# shellcheck disable=SC1091
source "$HERE/processes.sh"

# shellcheck disable=SC1091
load_env() { [[ -f "$DIR/env" ]] && source "$DIR/env"; }




kubectl_admin() {
    local token
    token="$(cut -d, -f1 "$STATE/tokens.csv" | head -n 1)"
    "$REPO/.venv/bin/kubectl" --server "https://127.0.0.1:$APISERVER_PORT" \
        --certificate-authority "$STATE/certs/apiserver.crt" --token "$token" \
        --request-timeout=10s "$@"
}

ctr_node() { ctr --address "$NODE/containerd.sock" --namespace k8s.io "$@"; }

cmd_can_run() {
    local missing=() c
    [[ $(id -u) -eq 0 ]] || { echo "not root: containerd, the bridge and iptables need root"; return 1; }
    for c in containerd runc ctr iptables ip podman gcc; do
        command -v "$c" >/dev/null 2>&1 || missing+=("$c")
    done
    [[ -x "$CNI_BIN/bridge" ]] || missing+=("$CNI_BIN/bridge")
    if (( ${#missing[@]} )); then echo "missing: ${missing[*]}"; return 1; fi
    [[ -d /sys/fs/cgroup ]] || { echo "no cgroup filesystem"; return 1; }
    ip link add gitopsk8sprobe type bridge 2>/dev/null \
        || { echo "cannot create a network bridge"; return 1; }
    ip link del gitopsk8sprobe
}

# The sandbox (pause) image, built FROM scratch from the cached static binary; with a
# containerd socket, imported into it. Prints the image reference.
pause_image() {
    local ctx
    ctx="$(mktemp -d)"
    cp "$KBIN/pause" "$ctx/pause"
    printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$ctx/Containerfile"
    bash "$HERE/node-image.sh" pause "$ctx" "$@"
    rm -rf "$ctx"
}

write_configs() {
    local sandbox="$1"
    mkdir -p "$NODE/cni/net.d" "$NODE/cni/ipam" "$NODE/containerd/root" "$NODE/containerd/state" \
        "$NODE/kubelet" "$NODE/volume-plugins"
    cat >"$NODE/containerd/config.toml" <<EOF
version = 2
root = "$NODE/containerd/root"
state = "$NODE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$NODE/containerd.sock"
[ttrpc]
  address = "$NODE/containerd.ttrpc.sock"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$sandbox"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$NODE/cni/net.d"
EOF
    cat >"$NODE/cni/net.d/10-gitops-k8s.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "gitops-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {"type": "host-local", "subnet": "$POD_CIDR", "dataDir": "$NODE/cni/ipam", "routes": [{"dst": "0.0.0.0/0"}]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
    cat >"$NODE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# For tests only: anonymous read of the kubelet API on 127.0.0.1 (kubectl logs/exec).
address: 127.0.0.1
port: $KUBELET_PORT
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
readOnlyPort: 0
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
failSwapOn: false
makeIPTablesUtilChains: false
volumePluginDir: $NODE/volume-plugins
evictionHard: {memory.available: "5%", nodefs.available: "5%", nodefs.inodesFree: "5%", imagefs.available: "5%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
podCIDR: $POD_CIDR
maxPods: 110
serializeImagePulls: false
EOF
    "${UTIL[@]}" kubeconfig "$NODE/kubelet.kubeconfig" "https://127.0.0.1:$APISERVER_PORT" \
        "$STATE/certs/apiserver.crt" "$(grep ',system:node:' "$STATE/tokens.csv" | cut -d, -f1)"
    "${UTIL[@]}" kubeconfig "$NODE/scheduler.kubeconfig" "https://127.0.0.1:$APISERVER_PORT" \
        "$STATE/certs/apiserver.crt" "$(grep ',system:kube-scheduler,' "$STATE/tokens.csv" | cut -d, -f1)"
}

# Pods reach the API server (which advertises 127.0.0.1) through the `kubernetes` Service IP.
# Each rule carries a comment naming this cluster's directory, so `down` removes only its own.
nat_rule() {
    local op="$1" chain="$2"
    iptables -t nat "$op" "$chain" -d "$SERVICE_IP/32" -p tcp --dport 443 \
        -m comment --comment "gitops-k8s-test $DIR" \
        -j DNAT --to-destination "127.0.0.1:$APISERVER_PORT"
}

# The machine has one node bridge; OWNER_FILE names the cluster directory whose node made it.
# A session or CI run that was killed leaves the bridge, its NAT rules and mounts behind:
# they are removed; a node another cluster still runs is stopped first.
stale_network_down() {
    local owner rule d
    owner="$(cat "$OWNER_FILE" 2>/dev/null || true)"
    if [[ -n "$owner" && "$owner" != "$DIR" && -d "$owner/node" ]]; then
        # One node per machine: the newest cluster takes it (a CI run must not depend on
        # what a developer left running); the other cluster goes on without a node.
        if GITOPS_K8S_CLUSTER_DIR="$owner" bash "$HERE/node.sh" status >/dev/null 2>&1; then
            step "stopping the node of the local cluster in $owner (one node per machine)"
        fi
        GITOPS_K8S_CLUSTER_DIR="$owner" bash "$HERE/node.sh" down >/dev/null 2>&1 || true
    fi
    step "removing the node network a stopped cluster left (${owner:-owner unknown})"
    ip link del "$BRIDGE" 2>/dev/null || true
    for chain in PREROUTING OUTPUT; do
        while read -r rule; do
            eval "iptables -t nat ${rule/-A /-D }" 2>/dev/null || true
        done < <(iptables -t nat -S "$chain" | grep -- '--comment "gitops-k8s-test ' || true)
    done
    for d in "${KUBELET_LOG_DIRS[@]}"; do
        while mountpoint -q "$d"; do umount -l "$d" 2>/dev/null || break; done
    done
    rm -f "$OWNER_FILE"
}

network_up() {
    if ip link show "$BRIDGE" >/dev/null 2>&1; then
        stale_network_down
    fi
    ip link add "$BRIDGE" type bridge
    echo "$DIR" >"$OWNER_FILE"
    ip addr add 198.19.0.1/24 dev "$BRIDGE"
    ip link set "$BRIDGE" up
    sysctl -qw "net.ipv4.conf.$BRIDGE.route_localnet=1"
    nat_rule -A PREROUTING
    nat_rule -A OUTPUT
    echo "$APISERVER_PORT" >"$NODE/nat-port"
}

network_down() {
    local port
    if [[ -f "$NODE/nat-port" ]]; then
        port="$(cat "$NODE/nat-port")"
        APISERVER_PORT="$port" nat_rule -D PREROUTING 2>/dev/null || true
        APISERVER_PORT="$port" nat_rule -D OUTPUT 2>/dev/null || true
        rm -f "$NODE/nat-port"
        step "removed the NAT rules"
    fi
    if [[ -f "$NODE/bridge" ]] && ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link del "$BRIDGE"
        step "removed bridge $BRIDGE"
    fi
    rm -f "$NODE/bridge"
    if [[ "$(cat "$OWNER_FILE" 2>/dev/null || true)" == "$DIR" ]]; then
        rm -f "$OWNER_FILE"
    fi
}

# Bind-mount $NODE/logs/<name> over each fixed log directory of the kubelet (created when
# missing and then recorded, so `down` removes only what it created).
logs_up() {
    local d
    for d in "${KUBELET_LOG_DIRS[@]}"; do
        [[ -d "$d" ]] || { mkdir -p "$d"; echo "$d" >>"$NODE/created-dirs"; }
        mkdir -p "$NODE/logs/${d##*/}"
        mount --bind "$NODE/logs/${d##*/}" "$d"
        echo "$d" >>"$NODE/log-mounts"
    done
}

logs_down() {
    local d
    if [[ -f "$NODE/log-mounts" ]]; then
        while read -r d; do umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null || true; done <"$NODE/log-mounts"
        rm -f "$NODE/log-mounts"
    fi
    if [[ -f "$NODE/created-dirs" ]]; then
        while read -r d; do rmdir "$d" 2>/dev/null || true; done <"$NODE/created-dirs"
        rm -f "$NODE/created-dirs"
    fi
}

# Unmount everything mounted below the node's directory (deepest first).
unmount_all() {
    local m n=0
    while read -r m; do
        umount -l "$m" 2>/dev/null && n=$((n + 1))
    done < <(awk -v root="$NODE/" 'index($5, root) == 1 {print $5}' /proc/self/mountinfo | sort -r)
    (( n == 0 )) || step "unmounted $n mounts"
}

cmd_up() {
    load_env || die "no control plane in $DIR (run hack/cluster.sh up)"
    if live_pid kubelet >/dev/null && live_pid containerd >/dev/null && live_pid kube-scheduler >/dev/null; then
        step "reusing the running node"
        return 0
    fi
    cmd_down >/dev/null 2>&1 || true
    bash "$HERE/apt-deps.sh" "${NODE_PACKAGES[@]}"
    bash "$HERE/build-node.sh"
    mkdir -p "$NODE" "$LOGS"
    local node_name started kubelet_port healthz_port sched_port sandbox
    node_name="$(hostname | tr '[:upper:]' '[:lower:]')"
    read -r kubelet_port healthz_port sched_port <<<"$("${UTIL[@]}" free-ports 3)"
    KUBELET_PORT=$kubelet_port KUBELET_HEALTHZ_PORT=$healthz_port
    cat >"$NODE/env" <<EOF
NODE_NAME=$node_name
KUBELET_PORT=$kubelet_port
SCHEDULER_PORT=$sched_port
CONTAINERD_SOCK=$NODE/containerd.sock
EOF
    step "ports: kubelet $kubelet_port, kube-scheduler $sched_port"

    # containerd first (the sandbox image is imported into it), then the network, the kubelet.
    sandbox="$(pause_image)"
    write_configs "$sandbox"
    spawn containerd containerd --config "$NODE/containerd/config.toml"
    "${UTIL[@]}" wait-path "$NODE/containerd.sock" "$TIMEOUT" || die "containerd did not start"
    pause_image "$NODE/containerd.sock" >/dev/null
    step "containerd is up, sandbox image $sandbox imported"

    logs_up
    touch "$NODE/bridge"
    network_up
    step "bridge $BRIDGE ($POD_CIDR), DNAT $SERVICE_IP:443 -> 127.0.0.1:$APISERVER_PORT"

    kubectl_admin create clusterrolebinding gitops-k8s-test-node --clusterrole=system:node \
        --group=system:nodes >/dev/null 2>&1 || true
    started=$(date +%s)
    spawn kubelet "$KBIN/kubelet" --config "$NODE/kubelet/config.yaml" \
        --kubeconfig "$NODE/kubelet.kubeconfig" --root-dir "$NODE/kubelet" \
        --cert-dir "$NODE/kubelet/pki" \
        --container-runtime=remote --container-runtime-endpoint "unix://$NODE/containerd.sock" \
        --image-service-endpoint "unix://$NODE/containerd.sock" \
        --pod-infra-container-image "$sandbox" \
        --node-labels "$TAINT=true" --register-with-taints "$TAINT=true:NoSchedule"
    spawn kube-scheduler "$KBIN/kube-scheduler" --kubeconfig "$NODE/scheduler.kubeconfig" \
        --leader-elect=false --bind-address=127.0.0.1 --secure-port="$sched_port" --port=0 \
        --profiling=false
    "${UTIL[@]}" wait-node-ready "https://127.0.0.1:$APISERVER_PORT" \
        "$(cut -d, -f1 "$STATE/tokens.csv" | head -n 1)" "$node_name" "$TIMEOUT" \
        || { tail -n 25 "$LOGS/kubelet.log" >&2; die "node $node_name not Ready within ${TIMEOUT}s"; }
    # The kubelet registers with this taint; the node lifecycle controller that lifts it is off.
    kubectl_admin taint nodes "$node_name" node.kubernetes.io/not-ready:NoSchedule- >/dev/null 2>&1 || true
    step "node $node_name is Ready ($(( $(date +%s) - started ))s after the kubelet started)"
}

# Delete every Pod bound to this node (the kubelet stops their sandboxes, which removes
# their network namespaces and IP addresses), and wait until no container runs.
drain() {
    local node_name i
    [[ -f "$NODE/env" ]] || return 0
    node_name="$(grep '^NODE_NAME=' "$NODE/env" | cut -d= -f2)"
    load_env || return 0
    live_pid kubelet >/dev/null && live_pid containerd >/dev/null || return 0
    kubectl_admin delete pods --all-namespaces --field-selector "spec.nodeName=$node_name" \
        --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
    for (( i = 0; i < 150; i++ )); do
        [[ -z "$(ctr_node tasks ls -q 2>/dev/null)" ]] && break
        sleep 0.2
    done
    step "drained the node's Pods"
}

cmd_down() {
    local c shim
    drain
    for c in "${NODE_COMPONENTS[@]}"; do stop_one "$c"; done
    # Shims outlive containerd by design: stop the ones serving this node's containerd.
    for shim in $(pgrep -f "containerd-shim-runc-v2 .*-address $NODE/containerd.sock" || true); do
        kill -KILL "$shim" 2>/dev/null || true
    done
    network_down
    logs_down
    unmount_all
    # The kubelet's Pod cgroups (empty once every container stopped), deepest first.
    find /sys/fs/cgroup -depth -type d -path '*/kubepods*' -exec rmdir {} \; 2>/dev/null || true
    rm -rf "$NODE"
}

cmd_status() {
    local c pid rc=0
    for c in "${NODE_COMPONENTS[@]}"; do
        if pid="$(live_pid "$c")"; then
            printf '%-24s running (pid %s)\n' "$c" "$pid"
        else
            printf '%-24s not running\n' "$c"
            rc=1
        fi
    done
    return "$rc"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    can-run) cmd_can_run ;;
    *) echo "usage: $0 up | down | status | can-run" >&2; exit 2 ;;
esac
