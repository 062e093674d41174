#!/usr/bin/env bash
# Build the gitops.k8s execution environment from this checkout with podman, with no
# registry: a base image from Debian's archive, then ansible-builder on it.
#
#   localhost/gitops-k8s-base:<hash>  debootstrap --variant=minbase bookworm + python3,
#                                     python3-pip, ca-certificates (`podman import`)
#   localhost/gitops-k8s-ee:<hash>    ansible-builder build of execution-environment.yml on
#                                     that base: this checkout's collection tarball, its Python
#                                     requirements, git, ssh, age, helm, kubectl, sops
#
# Each <hash> is a digest of that image's inputs, so an image is rebuilt only when an input
# changed (for the EE: the collection's files, the EE definition, the requirements, the
# base image, helm, the build steps of this script). The EE is also tagged :<collection version> and :latest,
# and its name is written to .build/ee/image (what the tests and `make ee` print).
#
# The build never bakes a host detail into an image: the host's CA bundle (HTTPS may go
# through an intercepting proxy) and apt sources are bind-mounted read-only into the build
# containers only, and the debootstrapped tree loses its sources list and package lists
# (they name the mirror) before it is imported.
#
# Usage: hack/build-ee.sh [--print-tags] [VENV]
#   VENV          where ansible-builder, ansible-galaxy and helm are (default .venv)
#   --print-tags  print the base and EE tags this checkout would build, build nothing
# Building needs root (debootstrap) and podman.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
PRINT_TAGS=false
if [[ ${1:-} == --print-tags ]]; then
    PRINT_TAGS=true
    shift
fi
VENV=${1:-.venv}
OUT=.build/ee
SUITE=bookworm
BASE_PACKAGES=python3,python3-pip,ca-certificates
BASE_REPO=localhost/gitops-k8s-base
EE_REPO=localhost/gitops-k8s-ee
HOST_CA=/etc/ssl/certs/ca-certificates.crt
HOST_APT_SOURCES=/etc/apt/sources.list.d

# podman's settings for these machines (runc, ulimits) without touching /etc/containers
export CONTAINERS_CONF=${CONTAINERS_CONF:-$REPO/hack/ee/containers.conf}

log() { echo "build-ee: $*" >&2; }
digest() { sha256sum | cut -c1-16; }
image_exists() { podman image exists "$1"; }

# The Debian mirror this machine uses, read from its apt sources at run time (never stored);
# empty when apt has none.
debian_mirror() {
    local uri
    uri=$(awk '/^URIs:/ {print $2}' "$HOST_APT_SOURCES"/*.sources 2>/dev/null \
        | grep -v -- '-security' | head -n1 || true)
    if [[ -z $uri ]]; then
        uri=$(awk '$1 == "deb" && $2 !~ /^\[/ {print $2}' /etc/apt/sources.list 2>/dev/null | head -n1 || true)
    fi
    echo "$uri"
}

build_base() {
    local tag=$1 root
    root=$(mktemp -d "$REPO/$OUT/rootfs.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$root'" RETURN
    log "debootstrap $SUITE (minbase + $BASE_PACKAGES)"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$root" "$(debian_mirror)" >"$OUT/debootstrap.log" 2>&1 \
        || { tail -n 20 "$OUT/debootstrap.log" >&2; return 1; }
    # no trace of this machine's mirror in the image: apt gets its sources at build time
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
        "$root"/var/log/bootstrap.log
    : >"$root/etc/apt/sources.list"
    log "podman import -> $tag"
    tar -C "$root" -c . | podman import --quiet \
        --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
}

# The collection tarball of this checkout in $OUT. A tarball with the same files as the
# one already there is dropped, the old one kept: its bytes (timestamps) stay the same, so
# podman's layer cache keeps every layer of the EE but the collection's last two.
collection_tarball() {
    local version fresh kept
    version=$(awk '$1 == "version:" {print $2}' galaxy.yml)
    fresh=$(mktemp -d "$REPO/$OUT/collection.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$fresh'" RETURN
    "$VENV/bin/ansible-galaxy" collection build --force --output-path "$fresh" . >/dev/null
    kept=$OUT/gitops-k8s-$version.tar.gz
    if [[ ! -f $kept ]] || [[ $(collection_digest "$kept") != $(collection_digest "$fresh/gitops-k8s-$version.tar.gz") ]]; then
        rm -f "$OUT"/gitops-k8s-*.tar.gz
        mv "$fresh/gitops-k8s-$version.tar.gz" "$kept"
    fi
    echo "$kept"
}

# The tarball's FILES.json and MANIFEST.json list every file with its sha256 (no
# timestamps): their digest changes exactly when the collection's content does.
collection_digest() {
    tar -xOzf "$1" FILES.json MANIFEST.json | digest
}

build_ee() {
    local base_tag=$1 tag=$2
    log "ansible-builder build -> $tag"
    rm -rf "$OUT/context"
    "$VENV/bin/ansible-builder" build --file execution-environment.yml --context "$OUT/context" \
        --container-runtime podman --tag "$tag" \
        --build-arg EE_BASE_IMAGE="$base_tag" \
        --extra-build-cli-args "--pull=never -v $HOST_CA:$HOST_CA:ro -v $HOST_APT_SOURCES:$HOST_APT_SOURCES:ro" \
        -v 2 >"$OUT/ansible-builder.log" 2>&1 \
        || { tail -n 40 "$OUT/ansible-builder.log" >&2; exit 1; }
}

# Sets base_tag, ee_tag, version; leaves the EE's build files (tarball, helm) in $OUT.
compute_tags() {
    local tarball
    base_tag=$BASE_REPO:$(printf '%s\n' "$SUITE" minbase "$BASE_PACKAGES" "$(declare -f build_base)" | digest)
    bash hack/install-helm.sh "$VENV" >/dev/null
    cp "$VENV/bin/helm" "$OUT/tools/helm"
    tarball=$(collection_tarball)
    version=${tarball##*gitops-k8s-}
    version=${version%.tar.gz}
    ee_tag=$EE_REPO:$( {
        echo "$base_tag"
        collection_digest "$tarball"
        # what shapes the image (not this script's logging or housekeeping)
        declare -f build_ee collection_tarball
        cat execution-environment.yml meta/execution-environment.yml requirements.txt bindep.txt \
            hack/ee/containers.conf hack/ee/apt-get-ee
        sha256sum <"$OUT/tools/helm"
    } | digest)
}

# Hash tags of earlier inputs pile up (about 0.8 GB per EE): keep the newest few of each
# image (other branches and worktrees share this storage), remove the older ones. An image
# still in use, or the parent of one, is left alone; nothing else in the storage is touched.
prune_old_tags() {
    local repo=$1 keep=$2
    podman images --filter "reference=$repo" --format '{{.Repository}}:{{.Tag}}' \
        | grep -E ":[0-9a-f]{16}$" | tail -n +"$((keep + 1))" \
        | while read -r old; do
            if podman rmi "$old" >/dev/null 2>&1; then
                log "removed the outdated $old"
            fi
        done
}

main() {
    local start t0 base_tag ee_tag version
    start=$(date +%s)
    mkdir -p "$OUT/tools"
    # One build at a time per checkout (parallel test workers ask for the image at once): the
    # others wait, then find it up to date.
    exec 9>"$OUT/.lock"
    flock 9
    compute_tags
    if $PRINT_TAGS; then
        printf '%s\n' "$base_tag" "$ee_tag"
        return
    fi
    command -v podman >/dev/null || { log "podman not found (make ee installs it: hack/apt-deps.sh)"; exit 1; }
    # rootful podman and debootstrap: the images land in root's storage, where the tests look
    [[ $(id -u) -eq 0 ]] || { log "needs root (debootstrap, rootful podman): run it with sudo"; exit 1; }
    if image_exists "$base_tag"; then
        log "base image $base_tag is up to date"
    else
        t0=$(date +%s)
        [[ -n $(debian_mirror) ]] \
            || { log "no Debian mirror in this machine's apt sources ($HOST_APT_SOURCES/*.sources or /etc/apt/sources.list): debootstrap needs one"; exit 1; }
        build_base "$base_tag"
        log "base image built in $(( $(date +%s) - t0 ))s"
    fi
    if image_exists "$ee_tag"; then
        log "execution environment $ee_tag is up to date"
    else
        t0=$(date +%s)
        build_ee "$base_tag" "$ee_tag"
        log "execution environment built in $(( $(date +%s) - t0 ))s"
    fi
    podman tag "$ee_tag" "$EE_REPO:$version" "$EE_REPO:latest"
    prune_old_tags "$EE_REPO" 3
    prune_old_tags "$BASE_REPO" 2
    echo "$ee_tag" >"$OUT/image"
    log "$ee_tag ($(podman image inspect --format '{{.Size}}' "$ee_tag" | awk '{printf "%d MB", $1/1e6}')), $(( $(date +%s) - start ))s"
    echo "$ee_tag"
}

main "$@"
