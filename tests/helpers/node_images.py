"""Test images for the local cluster's real node (hack/node.sh), built here, never pulled.

No registry is reachable, so the test image is tests/images/probe: one static Go binary
(CGO_ENABLED=0, Debian's Go from the control-plane build) in an image FROM scratch. The
binary is cached under <cache>/images by a hash of its sources and of the Go version;
hack/node-image.sh builds the image with podman, caches the saved archive by a hash of
the build context, and imports it into the node's containerd.

- node_env(cluster_dir)        the node's settings (NODE_NAME, CONTAINERD_SOCK, ...), or None
- probe_image(cluster_dir)     the probe image's reference, imported into the node
- import_image(cluster_dir, ref)  a podman image (say, the EE of `make ee`) imported into the node
- pod_gateway()                the host's address on the Pod bridge: what Pods reach the host at
"""

from __future__ import annotations

import hashlib
import json
import fcntl
import os
import shutil
import subprocess
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE_SOURCES = os.path.join(REPO_ROOT, "tests", "images", "probe")
NODE_IMAGE_SH = os.path.join(REPO_ROOT, "hack", "node-image.sh")
GO = "/usr/lib/go-1.19/bin/go"


def cache_root() -> str:
    """The cache root of hack/kube-source.sh (GITOPS_K8S_CACHE, else the XDG cache)."""
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get("GITOPS_K8S_CACHE") or os.path.join(xdg, "gitops-k8s")


def node_env(cluster_dir: str) -> dict[str, str] | None:
    """The KEY=VALUE lines hack/node.sh wrote to <cluster>/node/env; None without a node."""
    path = os.path.join(cluster_dir, "node", "env")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as fh:
        return dict(line.rstrip("\n").split("=", 1) for line in fh if "=" in line)


def _sources_hash() -> str:
    digest = hashlib.sha256()
    digest.update(subprocess.run([GO, "version"], capture_output=True, text=True, check=True).stdout.encode())
    for name in sorted(os.listdir(PROBE_SOURCES)):
        digest.update(name.encode() + b"\0")
        with open(os.path.join(PROBE_SOURCES, name), "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()[:16]


def _probe_context() -> str:
    """A build context (Containerfile + the static binary), compiled once per source hash."""
    context = os.path.join(cache_root(), "images", "probe-" + _sources_hash())
    if os.path.isfile(os.path.join(context, "probe")):
        return context
    os.makedirs(os.path.dirname(context), exist_ok=True)
    work = tempfile.mkdtemp(prefix="probe-build-", dir=os.path.dirname(context))
    env = dict(os.environ, CGO_ENABLED="0", GO111MODULE="off", GOFLAGS="")
    subprocess.run(
        [GO, "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", os.path.join(work, "probe"), os.path.join(PROBE_SOURCES, "main.go")],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    shutil.copy(os.path.join(PROBE_SOURCES, "Containerfile"), os.path.join(work, "Containerfile"))
    os.replace(work, context)
    return context


def probe_image(cluster_dir: str) -> str:
    """Build (cached) and import the probe image into the node of CLUSTER_DIR; return its reference."""
    env = node_env(cluster_dir)
    if env is None:
        raise RuntimeError("no node in %s (hack/node.sh up)" % cluster_dir)
    proc = subprocess.run(
        ["bash", NODE_IMAGE_SH, "probe", _probe_context(), env["CONTAINERD_SOCK"]],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError("hack/node-image.sh failed (exit %d): %s" % (proc.returncode, proc.stderr[-2000:]))
    return proc.stdout.strip().splitlines()[-1]


BRIDGE = "gitopsk8s0"  # hack/node.sh
NODE_TAINT = "gitops-k8s.test/real-node"  # Pods must tolerate it to run on the node


def pod_gateway() -> str:
    """The host's address on the node's Pod bridge (198.19.0.1): a server listening there is
    reachable from the Pods and from nowhere beyond this machine."""
    out = subprocess.run(["ip", "-json", "-4", "addr", "show", "dev", BRIDGE], capture_output=True, text=True, check=True).stdout
    return json.loads(out)[0]["addr_info"][0]["local"]


def import_image(cluster_dir: str, ref: str) -> str:
    """Import podman's image REF into the node's containerd (once: skipped when containerd has
    it) and return REF, for Pods with imagePullPolicy Never or IfNotPresent."""
    env = node_env(cluster_dir)
    if env is None:
        raise RuntimeError("no node in %s (hack/node.sh up)" % cluster_dir)
    ctr = ["ctr", "--address", env["CONTAINERD_SOCK"], "--namespace", "k8s.io", "images"]
    # parallel test workers: one checks and imports at a time, the others then find it there
    with open(os.path.join(cluster_dir, "node-image.lock"), "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        listed = subprocess.run(ctr + ["ls", "--quiet"], capture_output=True, text=True, check=True, timeout=120).stdout.split()
        if ref in listed:
            return ref
        with tempfile.TemporaryDirectory(prefix="node-image-") as work:
            archive = os.path.join(work, "image.tar")
            subprocess.run(["podman", "save", "--quiet", "--format", "docker-archive", "-o", archive, ref], capture_output=True, check=True, timeout=900)
            proc = subprocess.run(ctr + ["import", archive], capture_output=True, text=True, check=False, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError("ctr images import %s failed: %s" % (ref, proc.stderr[-2000:]))
    return ref
