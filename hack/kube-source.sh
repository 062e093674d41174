#!/usr/bin/env bash
# Shared by hack/build-control-plane.sh and hack/build-node.sh (sourced, not run):
# Debian's kubernetes source package (full upstream v1.20.2 tree with vendor/, builds
# offline), unpacked and generated once, and the cache every Kubernetes binary lands in.
# Env:   GITOPS_K8S_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-k8s)

CACHE="${GITOPS_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-k8s}"
# "-r2": vendored reflect2 upgraded to 1.0.2 (see below); older caches are not reused.
BIN="$CACHE/kube-v1.20.2-r2/bin"
WORK="$CACHE/src"
TREE="$WORK/kubernetes-1.20.2"
# Every binary built from the tree: it is deleted (2.3 GB) only once all of them are cached.
ALL_KUBE_BINARIES=(kube-apiserver kube-controller-manager kubelet kube-scheduler pause)
START=${START:-$(date +%s)}

kube_step() { printf '[%s build %4ss] %s\n' "$KUBE_BUILD_NAME" "$(( $(date +%s) - START ))" "$*"; }

# True when every named binary is already in the cache.
kube_cached() {
    local b
    for b in "$@"; do [[ -x "$BIN/$b" ]] || return 1; done
}

# One build per cache at a time: a second one (another checkout's `make cluster-up`, a test
# starting its own control plane) would remove the tree's _output under the first, whose
# generators then crash. Held until the script exits; callers check kube_cached again after.
kube_lock() {
    mkdir -p "$WORK"
    exec 8>"$WORK/.build.lock"
    if ! flock -n 8; then
        kube_step "waiting for another build in $WORK to finish"
        flock 8
    fi
}

# Install the build's Debian packages (and the extra ones named), fetch, unpack, patch and
# generate the tree once.
# shellcheck disable=SC2120  # the extra packages are optional
kube_prepare_tree() {
    local SUDO="" need_pkgs=() p need_update=""
    if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
    for p in golang-1.19-go etcd-server rsync make openssl dpkg-dev golang-github-modern-go-reflect2-dev "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
    done
    if [[ ! -f /etc/apt/sources.list.d/debian-src.sources ]] && [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        kube_step "enabling Debian source packages"
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            | $SUDO tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
        need_update=1
    fi
    if (( ${#need_pkgs[@]} )) || [[ -n "$need_update" ]]; then
        kube_step "apt-get update"
        $SUDO apt-get update -qq
    fi
    if (( ${#need_pkgs[@]} )); then
        kube_step "installing ${need_pkgs[*]}"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
    fi
    mkdir -p "$WORK"
    (
        cd "$WORK" || exit 1
        if ! ls kubernetes_1.20.5+really1.20.2.orig.tar.gz >/dev/null 2>&1; then
            kube_step "downloading the kubernetes source package"
            apt-get source --download-only kubernetes=1.20.5+really1.20.2-1 >/dev/null 2>&1 \
                || apt-get source --download-only kubernetes >/dev/null
        fi
        if [[ ! -d kubernetes-1.20.2 ]]; then
            kube_step "unpacking"
            tar xzf kubernetes_1.20.5+really1.20.2.orig.tar.gz
        fi
    )
    # Kubernetes 1.20 vendors modern-go/reflect2 1.0.1, whose unsafe map iteration faults
    # under Go >= 1.18 ("fatal error: fault" in mapiternext when the API server encodes a
    # custom resource). reflect2 1.0.2 fixed it; Debian ships it as a Go source package.
    # xref: https://github.com/modern-go/reflect2/issues/23
    local REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2
    if ! grep -q "1.0.2" "$TREE/vendor/github.com/modern-go/reflect2/.reflect2-version" 2>/dev/null; then
        kube_step "patching vendored reflect2 to 1.0.2 (Go 1.19 compatibility)"
        rsync -a --delete --exclude '*_test.go' "$REFLECT2/" "$TREE/vendor/github.com/modern-go/reflect2/"
        echo 1.0.2 >"$TREE/vendor/github.com/modern-go/reflect2/.reflect2-version"
    fi
    export PATH=/usr/lib/go-1.19/bin:$PATH
    export GOFLAGS="${GOFLAGS:-}" GO111MODULE=off
    if [[ ! -f "$TREE/.generated_files_done" ]]; then
        kube_step "make generated_files (about 2 minutes)"
        rm -rf "$TREE/_output"
        (cd "$TREE" && make generated_files) >"$WORK/generate.log" 2>&1 \
            || { tail -30 "$WORK/generate.log"; exit 1; }
        touch "$TREE/.generated_files_done"
    fi
}

# make WHAT="cmd/<name> ..." in the tree, then copy the binaries into the cache.
kube_make() {
    local what=() name pid
    for name in "$@"; do what+=("cmd/$name"); done
    kube_step "make ${what[*]}"
    (cd "$TREE" && make WHAT="${what[*]}") >"$WORK/build-$KUBE_BUILD_NAME.log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 30
        kill -0 "$pid" 2>/dev/null && kube_step "still compiling..."
    done
    wait "$pid" || { tail -30 "$WORK/build-$KUBE_BUILD_NAME.log"; exit 1; }
    mkdir -p "$BIN"
    for name in "$@"; do install -m 0755 "$TREE/_output/bin/$name" "$BIN/"; done
    kube_step "built $* into $BIN"
}

# Remove the 2.3 GB tree once every binary built from it is cached.
kube_cleanup_tree() {
    if kube_cached "${ALL_KUBE_BINARIES[@]}"; then
        rm -rf "$TREE"
        kube_step "removed the source tree (every binary is cached)"
    fi
}
