#!/usr/bin/env bash
# Build the node's binaries from the same Debian kubernetes source as the control plane
# (hack/kube-source.sh) and cache them beside it: kubelet, kube-scheduler, and `pause`,
# the Pod sandbox's process, compiled statically from build/pause/linux/pause.c (no
# registry is reachable, so the sandbox image is built from it: hack/node.sh).
# Usage: hack/build-node.sh            (idempotent: a cached build is reused)
# Env:   GITOPS_K8S_CACHE  cache root (see hack/kube-source.sh)
set -euo pipefail

KUBE_BUILD_NAME=node
# shellcheck source=hack/kube-source.sh
source "$(dirname "${BASH_SOURCE[0]}")/kube-source.sh"

if kube_cached kubelet kube-scheduler pause; then
    kube_step "cached binaries found in $BIN"
    exit 0
fi
kube_lock
if kube_cached kubelet kube-scheduler pause; then
    kube_step "another build cached the binaries in $BIN"
    exit 0
fi
kube_prepare_tree gcc libc6-dev
if ! kube_cached kubelet kube-scheduler; then
    kube_make kubelet kube-scheduler
fi
kube_step "pause (gcc -Os -static)"
mkdir -p "$BIN"
gcc -Os -static -Wall -Werror -DVERSION=v3.4.1-gitops-k8s -o "$BIN/pause.tmp" "$TREE/build/pause/linux/pause.c"
strip "$BIN/pause.tmp"
mv "$BIN/pause.tmp" "$BIN/pause"
kube_cleanup_tree
kube_step "done"
