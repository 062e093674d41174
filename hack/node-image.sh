#!/usr/bin/env bash
# Build a test image with podman from a build context and import it into a node's containerd.
# No registry is reachable here: images are built FROM scratch (or a local base) and moved
# with `podman save` + `ctr images import`. The tag is a hash of the context's files, and
# the saved archive is cached, so an unchanged image is never built twice.
#
# Usage: hack/node-image.sh NAME CONTEXT_DIR [CONTAINERD_SOCKET]
#   Prints the image reference, localhost/gitops-k8s-test-NAME:<hash>. With a socket, the
#   image is also imported into that containerd (namespace k8s.io, where the kubelet looks).
# Env:   GITOPS_K8S_CACHE  cache root (see hack/kube-source.sh); archives in <cache>/images
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="$1" CONTEXT="$2" SOCK="${3:-}"
CACHE="$(bash -c "$(grep -E '^CACHE=' "$HERE/kube-source.sh"); echo \"\$CACHE\"")"
[[ "$NAME" =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "node-image: bad image name '$NAME'" >&2; exit 2; }
[[ -f "$CONTEXT/Containerfile" ]] || { echo "node-image: no Containerfile in $CONTEXT" >&2; exit 2; }

# The hash covers every file's path, mode and content, so any change gives a new tag.
hash="$(cd "$CONTEXT" && find . -type f -printf '%p %m\n' -exec sha256sum {} \; | LC_ALL=C sort | sha256sum | cut -c1-16)"
ref="localhost/gitops-k8s-test-$NAME:$hash"
archive="$CACHE/images/gitops-k8s-test-$NAME-$hash.tar"

mkdir -p "$CACHE/images"
# One build or import at a time (parallel test workers): the others wait, then reuse it.
exec 9>"$CACHE/images/.lock"
flock 9
if [[ ! -f "$archive" ]]; then
    podman build --quiet --pull=never -f "$CONTEXT/Containerfile" -t "$ref" "$CONTEXT" >&2
    podman save --quiet --format docker-archive -o "$archive.tmp" "$ref"
    mv "$archive.tmp" "$archive"
    podman rmi --force "$ref" >/dev/null 2>&1 || true
fi
if [[ -n "$SOCK" ]]; then
    ctr --address "$SOCK" --namespace k8s.io images import --no-unpack=false "$archive" >/dev/null
fi
echo "$ref"
