#!/usr/bin/env bash
# Build kube-apiserver and kube-controller-manager v1.20.2 from Debian's kubernetes
# source package (full upstream tree with vendor/, builds offline) and cache them.
# Usage: hack/build-control-plane.sh            (idempotent: a cached build is reused)
# Env:   GITOPS_K8S_CACHE  cache root (see hack/kube-source.sh)
set -euo pipefail

KUBE_BUILD_NAME=control-plane
# shellcheck source=hack/kube-source.sh
source "$(dirname "${BASH_SOURCE[0]}")/kube-source.sh"

if kube_cached kube-apiserver kube-controller-manager; then
    kube_step "cached binaries found in $BIN"
    exit 0
fi
kube_lock
if kube_cached kube-apiserver kube-controller-manager; then
    kube_step "another build cached the binaries in $BIN"
    exit 0
fi
kube_prepare_tree
kube_make kube-apiserver kube-controller-manager
kube_cleanup_tree
kube_step "done"
