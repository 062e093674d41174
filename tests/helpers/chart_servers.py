# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Throwaway Helm chart sources on 127.0.0.1 for tests.

- ChartRepoServer(root, username=None, password=None, tls=None)
      a static HTTP server for a chart repository directory (``index.yaml`` + archives,
      as ``helm repo index`` writes it); with a username it answers 401 to any other
      Authorization; ``requests`` records (path, Authorization) of every request.
      ``tls=(server Pair, workdir, client CA PEM or None)`` serves HTTPS (pki),
      requiring a client certificate of that CA when one is given.
- OCIRegistry(workdir, tls=None)
      Debian's ``docker-registry`` (the CNCF distribution registry) with its storage in
      ``workdir``, on a free port of 127.0.0.1, plain HTTP (HTTPS with ``tls=(server
      pki.Pair, CA PEM)``); ``host`` is ``127.0.0.1:PORT``.
- package(helm, chart_dir, dest) / publish(helm, charts, root, url) / push(helm, archive, registry)
      ``helm package``, ``helm repo index --url``, ``helm push --plain-http``.

All are context managers where they run something; nothing here leaves the loopback
interface.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

REGISTRY = shutil.which("docker-registry") or "/usr/bin/docker-registry"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def do_GET(self):
        owner = self.server.owner
        owner.requests.append((self.path, self.headers.get("Authorization")))
        if owner.expected_auth is not None and self.headers.get("Authorization") != owner.expected_auth:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


class ChartRepoServer:
    def __init__(self, root, username=None, password=None, tls=None):
        self.root = root
        self.tls = tls
        self.requests = []
        self.expected_auth = None
        if username is not None:
            token = base64.b64encode(("%s:%s" % (username, password)).encode()).decode()
            self.expected_auth = "Basic " + token
        self._server = None
        self._thread = None
        self.url = None

    def __enter__(self):
        root = self.root

        class Handler(_Handler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=root, **kwargs)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.owner = self
        self._server.daemon_threads = True
        scheme = "http"
        if self.tls is not None:
            scheme = "https"
            pair, workdir, client_ca = self.tls
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*pair.write(workdir, "server"))
            if client_ca:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(cadata=client_ca)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = "%s://127.0.0.1:%d" % (scheme, self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


class OCIRegistry:
    def __init__(self, workdir, tls=None):
        self.workdir = workdir
        self.tls = tls  # (server pki.Pair, CA PEM): serve HTTPS
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.url = "oci://%s" % self.host
        self._proc = None

    def __enter__(self):
        if not os.path.exists(REGISTRY):
            raise RuntimeError("docker-registry not installed (Debian package docker-registry)")
        os.makedirs(os.path.join(self.workdir, "storage"), exist_ok=True)
        config = os.path.join(self.workdir, "config.yml")
        scheme, context = "http", None
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n"
                "http:\n  addr: %s\n" % (os.path.join(self.workdir, "storage"), self.host)
            )
            if self.tls is not None:
                cert, key = self.tls[0].write(self.workdir, "registry")
                handle.write("  tls:\n    certificate: %s\n    key: %s\n" % (cert, key))
                scheme, context = "https", ssl.create_default_context(cadata=self.tls[1])
        log = open(os.path.join(self.workdir, "registry.log"), "wb")  # pylint: disable=consider-using-with
        self._proc = subprocess.Popen([REGISTRY, "serve", config], stdout=log, stderr=log)  # pylint: disable=consider-using-with
        log.close()
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen("%s://%s/v2/" % (scheme, self.host), timeout=1, context=context):
                    return self
            except OSError as exc:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError("docker-registry did not start: see %s/registry.log" % self.workdir) from exc
                time.sleep(0.1)

    def __exit__(self, *exc):
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def _helm(helm, *args, cwd=None):
    env = dict(os.environ)
    return subprocess.run([helm] + list(args), check=True, capture_output=True, text=True, cwd=cwd, env=env).stdout


def package(helm, chart_dir, dest):
    """``helm package`` ``chart_dir`` into ``dest``; returns the archive path."""
    os.makedirs(dest, exist_ok=True)
    out = _helm(helm, "package", chart_dir, "--destination", dest)
    return out.strip().rsplit(": ", 1)[-1]


def publish(helm, chart_dirs, root, url):
    """A chart repository in ``root``: every chart packaged, then ``helm repo index --url``."""
    for chart_dir in chart_dirs:
        package(helm, chart_dir, root)
    _helm(helm, "repo", "index", root, "--url", url)


def push(helm, archive, registry, path="charts", home=None):
    """``helm push`` of ``archive`` to ``oci://<registry>/<path>`` (``--plain-http``, or
    ``--ca-file`` of a TLS registry)."""
    env_home = home or os.path.join(registry.workdir, "helm-home")
    os.makedirs(env_home, exist_ok=True)
    env = dict(
        os.environ, HELM_CONFIG_HOME=env_home, HELM_CACHE_HOME=env_home, HELM_DATA_HOME=env_home, HELM_REGISTRY_CONFIG=os.path.join(env_home, "registry.json")
    )
    flags = ["--plain-http"]
    if registry.tls is not None:
        ca_file = os.path.join(env_home, "ca.crt")
        with open(ca_file, "w", encoding="ascii") as handle:
            handle.write(registry.tls[1])
        flags = ["--ca-file", ca_file]
    subprocess.run([helm, "push", archive, "%s/%s" % (registry.url, path)] + flags, check=True, capture_output=True, text=True, env=env)


def push_artifact(registry, repository, tag, files, media_type="application/vnd.cncf.flux.content.v1.tar+gzip", extra_layers=()):
    """Push ``files`` ({path: text}) as an OCI artifact with one content layer, the way
    ``flux push artifact`` lays it out; returns the manifest digest."""
    import hashlib  # pylint: disable=import-outside-toplevel
    import io  # pylint: disable=import-outside-toplevel
    import json  # pylint: disable=import-outside-toplevel
    import tarfile  # pylint: disable=import-outside-toplevel

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, text in sorted(files.items()):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    scheme, context = ("https", ssl.create_default_context(cadata=registry.tls[1])) if registry.tls is not None else ("http", None)
    base = "%s://%s/v2/%s" % (scheme, registry.host, repository)

    def blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        start = urllib.request.Request(base + "/blobs/uploads/", method="POST")
        with urllib.request.urlopen(start, timeout=10, context=context) as response:
            location = response.headers["Location"]
        if location.startswith("/"):
            location = "%s://%s%s" % (scheme, registry.host, location)
        put = urllib.request.Request(
            location + ("&" if "?" in location else "?") + "digest=" + digest, data=data, method="PUT", headers={"Content-Type": "application/octet-stream"}
        )
        with urllib.request.urlopen(put, timeout=10, context=context):
            pass
        return {"digest": digest, "size": len(data)}

    config = dict(blob(b"{}"), mediaType="application/vnd.cncf.flux.config.v1+json")
    layers = [dict(blob(buf.getvalue()), mediaType=media_type)]
    layers += [dict(blob(data), mediaType=kind) for kind, data in extra_layers]
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": config, "layers": layers}).encode()
    put = urllib.request.Request(
        "%s/manifests/%s" % (base, tag), data=manifest, method="PUT", headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}
    )
    with urllib.request.urlopen(put, timeout=10, context=context):
        pass
    return "sha256:" + hashlib.sha256(manifest).hexdigest()
