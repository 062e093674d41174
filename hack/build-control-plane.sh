#!/usr/bin/env bash
# Build kube-apiserver and kube-controller-manager v1.20.2 from Debian's kubernetes
# source package (full upstream tree with vendor/, builds offline) and cache them.
# Usage: hack/build-control-plane.sh            (idempotent: a cached build is reused)
# Env:   GITOPS_K8S_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-k8s)
set -euo pipefail

CACHE="${GITOPS_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-k8s}"
# "-r2": vendored reflect2 upgraded to 1.0.2 (see below); older caches are not reused.
BIN="$CACHE/kube-v1.20.2-r2/bin"
START=$(date +%s)

step() { printf '[control-plane build %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

if [[ -x "$BIN/kube-apiserver" && -x "$BIN/kube-controller-manager" ]]; then
    step "cached binaries found in $BIN"
    exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

need_pkgs=()
for p in golang-1.19-go etcd-server rsync make openssl dpkg-dev golang-github-modern-go-reflect2-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [[ ! -f /etc/apt/sources.list.d/debian-src.sources ]] && [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    step "enabling Debian source packages"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        | $SUDO tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
    need_update=1
fi
if (( ${#need_pkgs[@]} )) || [[ -n "${need_update:-}" ]]; then
    step "apt-get update"
    $SUDO apt-get update -qq
fi
if (( ${#need_pkgs[@]} )); then
    step "installing ${need_pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

WORK="$CACHE/src"
mkdir -p "$WORK"
cd "$WORK"
if ! ls kubernetes_1.20.5+really1.20.2.orig.tar.gz >/dev/null 2>&1; then
    step "downloading the kubernetes source package"
    apt-get source --download-only kubernetes=1.20.5+really1.20.2-1 >/dev/null 2>&1 \
        || apt-get source --download-only kubernetes >/dev/null
fi
if [[ ! -d kubernetes-1.20.2 ]]; then
    step "unpacking"
    tar xzf kubernetes_1.20.5+really1.20.2.orig.tar.gz
fi
cd kubernetes-1.20.2
# Kubernetes 1.20 vendors modern-go/reflect2 1.0.1, whose unsafe map iteration faults
# under Go >= 1.18 ("fatal error: fault" in mapiternext when the API server encodes a
# custom resource). reflect2 1.0.2 fixed it; Debian ships it as a Go source package.
# xref: https://github.com/modern-go/reflect2/issues/23
REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2
if ! grep -q "1.0.2" vendor/github.com/modern-go/reflect2/.reflect2-version 2>/dev/null; then
    step "patching vendored reflect2 to 1.0.2 (Go 1.19 compatibility)"
    rsync -a --delete --exclude '*_test.go' "$REFLECT2/" vendor/github.com/modern-go/reflect2/
    echo 1.0.2 > vendor/github.com/modern-go/reflect2/.reflect2-version
fi
export PATH=/usr/lib/go-1.19/bin:$PATH
export GOFLAGS="${GOFLAGS:-}" GO111MODULE=off
if [[ ! -f .generated_files_done ]]; then
    step "make generated_files (about 2 minutes)"
    rm -rf _output
    make generated_files >"$WORK/generate.log" 2>&1 || { tail -30 "$WORK/generate.log"; exit 1; }
    touch .generated_files_done
fi
step "make kube-apiserver kube-controller-manager (about 8 minutes)"
make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >"$WORK/build.log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null && step "still compiling..."
done
wait "$pid" || { tail -30 "$WORK/build.log"; exit 1; }
mkdir -p "$BIN"
install -m 0755 _output/bin/kube-apiserver _output/bin/kube-controller-manager "$BIN/"
step "built: $BIN"
cd "$CACHE" && rm -rf "$WORK/kubernetes-1.20.2"
step "done"
