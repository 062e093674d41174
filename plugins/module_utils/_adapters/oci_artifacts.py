# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OCI artifacts holding plain manifests, as Flux's OCIRepository and Argo CD 3.1 read them.

``repoURL: oci://registry.example.com/team/manifests`` with ``targetRevision`` a tag
(``v1.4.0``, default ``latest``) or a digest (``sha256:...``): the image manifest is
read from the registry (OCI distribution API v2), its one content layer (Flux's
``application/vnd.cncf.flux.content.v1.tar+gzip``, or an OCI image layer, tar or
tar+gzip) downloaded, checked against its digest and unpacked; ``path`` is then
rendered like a Git checkout's (directory, Kustomize or Helm). The revision is the
manifest digest. Every request has a timeout; a registry on the loopback interface is
reached over plain HTTP, any other over HTTPS (and a loopback one whose credential sets
TLS options): the credential's ``ca_cert``, client certificate and ``insecure`` apply,
as for a chart (helm_repos), the way Flux's ``certSecretRef`` does.

Credentials: the ``repo_credentials`` entry covering the URL (basic auth, or a token
obtained with it from the registry's token service); they travel in headers that are
never forwarded on a redirect (blob storage often redirects elsewhere).

Cache layout, one directory per repository (sha256 of its URL)::

    <cache_dir>/oci-artifacts/<sha256>/blobs/<layer digest hex>   the layer, named by its digest
    <cache_dir>/oci-artifacts/<sha256>/trees/<manifest digest hex>/ its content (unpacked each run)

A digest reference found in the cache needs no network; a blob whose content does not
match its name is fetched again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import ssl
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._adapters import chart_cache, helm_repos
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.processes import MIB

CACHE_SUBDIR = "oci-artifacts"
FLUX_CONTENT = "application/vnd.cncf.flux.content.v1.tar+gzip"
CONTENT_TYPES = {FLUX_CONTENT: "r:gz", "application/vnd.oci.image.layer.v1.tar+gzip": "r:gz", "application/vnd.oci.image.layer.v1.tar": "r:"}
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json")
MAX_MANIFEST_BYTES = 4 * MIB
MAX_LAYER_BYTES = 50 * MIB
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
DEFAULT_TAG = "latest"


@dataclass(frozen=True)
class Artifact:
    tree: str
    digest: str
    url: str


def is_artifact_url(url):
    """True for an ``oci://`` repoURL (without ``chart``: a chart names its registry that way too)."""
    return isinstance(url, str) and url.lower().startswith(repo_urls.OCI_SCHEME + "://")


def check_reference(ref):
    ref = (ref or "").strip()
    if ref in ("", "HEAD"):
        return DEFAULT_TAG
    if DIGEST.fullmatch(ref) or TAG.fullmatch(ref):
        return ref
    raise SourceError("not an OCI tag or sha256 digest: %s" % json.dumps(ref[:40]), subject="spec.source.targetRevision")


class _NoRedirectAuth(urllib.request.HTTPRedirectHandler):
    """Redirects keep no Authorization (it goes with add_unredirected_header) and stay on http(s)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def tls_context(tls):
    """The SSL context of a registry credential's TLS options (helm_repos.tls_options): its
    CA instead of the system's, its client certificate (the key read from a 0600 file in a
    private directory removed at once: ssl loads keys from files only), or no check at all
    with ``insecure``."""
    context = ssl.create_default_context(cadata=tls["ca_cert"]) if tls.get("ca_cert") else ssl.create_default_context()
    if tls.get("tls_client_cert_data"):
        private = tempfile.mkdtemp(prefix="gitops-k8s-tls-")
        try:
            paths = []
            for name in ("tls_client_cert_data", "tls_client_cert_key"):
                paths.append(os.path.join(private, name))
                with open(os.open(paths[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
                    handle.write(tls[name])
            context.load_cert_chain(*paths)
        except ssl.SSLError as exc:
            raise SourceError("the credential's client certificate and key do not load: %s" % exc.reason, subject="repo_credentials") from exc
        finally:
            shutil.rmtree(private, ignore_errors=True)
    if tls.get("insecure"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class Registry:
    """A minimal OCI distribution client for one repository."""

    def __init__(self, parsed, credential, timeout):
        self.parsed = parsed
        self.subject = repo_urls.display(str(parsed))
        self.scheme = "http" if helm_repos.uses_plain_http(parsed, credential) else "https"
        self.base = "%s://%s/v2%s" % (self.scheme, helm_repos.registry_host(parsed), parsed.path)
        self.auth = helm_repos.basic_auth(credential, parsed)
        self.timeout = timeout
        handlers = [_NoRedirectAuth()]
        if self.scheme == "https":
            handlers.append(urllib.request.HTTPSHandler(context=tls_context(helm_repos.tls_options(credential, self.subject))))
        self.opener = urllib.request.build_opener(*handlers)
        self.header = None

    def get(self, path, accept=None, limit=MAX_MANIFEST_BYTES, sink=None):
        """(body or None when streamed to ``sink``, headers) of GET base/path, authenticating on 401."""
        for attempt in range(2):
            request = urllib.request.Request(self.base + path)
            if accept:
                request.add_header("Accept", accept)
            if self.header:
                request.add_unredirected_header("Authorization", self.header)
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    return self._read(response, limit, sink), response.headers
            except urllib.error.HTTPError as exc:
                if exc.code == 401 and attempt == 0:
                    self.header = self._authorize(exc.headers.get("WWW-Authenticate") or "")
                    if self.header:
                        continue
                raise SourceError("registry answered %d %s for %s" % (exc.code, exc.reason, path.split("/")[-1][:80]), subject=self.subject) from exc
            except (urllib.error.URLError, OSError) as exc:
                raise SourceError("registry not reachable: %s" % getattr(exc, "reason", exc), subject=self.subject) from exc
        raise SourceError("registry refused the credentials", subject=self.subject)

    def _read(self, response, limit, sink):
        length = int(response.headers.get("Content-Length") or 0)
        if length > limit:
            raise SourceError("registry object is larger than %d MiB" % (limit // MIB), subject=self.subject)
        if sink is None:
            body = response.read(limit + 1)
            if len(body) > limit:
                raise SourceError("registry object is larger than %d MiB" % (limit // MIB), subject=self.subject)
            return body
        total = 0
        for block in iter(lambda: response.read(1 << 16), b""):
            total += len(block)
            if total > limit:
                raise SourceError("registry object is larger than %d MiB" % (limit // MIB), subject=self.subject)
            sink.write(block)
        return None

    def _authorize(self, challenge):
        """The Authorization header answering a Basic or Bearer challenge, or None."""
        scheme, _sep, params = challenge.partition(" ")
        if scheme.lower() == "basic":
            return "Basic " + base64.b64encode(("%s:%s" % self.auth).encode()).decode() if self.auth else None
        if scheme.lower() != "bearer":
            return None
        fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
        realm = fields.pop("realm", "")
        parts = urllib.parse.urlsplit(realm)
        if parts.scheme != "https" and not (parts.scheme == "http" and self.scheme == "http"):
            raise SourceError("registry token service %s is not HTTPS" % repo_urls.display(realm), subject=self.subject)
        request = urllib.request.Request(realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(fields))
        if self.auth:
            request.add_unredirected_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % self.auth).encode()).decode())
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                answer = json.loads(self._read(response, MIB, None) or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SourceError("registry token service failed: %s" % getattr(exc, "reason", exc), subject=self.subject) from exc
        token = answer.get("token") or answer.get("access_token")
        return "Bearer " + token if token else None


def _layer(manifest, subject):
    layers = [layer for layer in manifest.get("layers") or [] if layer.get("mediaType") in CONTENT_TYPES]
    if len(layers) != 1:
        found = sorted({str(layer.get("mediaType")) for layer in manifest.get("layers") or []})
        raise SourceError(
            "an OCI artifact must hold one content layer (%s); found %s" % (", ".join(sorted(CONTENT_TYPES)), ", ".join(found) or "none"), subject=subject
        )
    layer = layers[0]
    if not DIGEST.fullmatch(str(layer.get("digest"))):
        raise SourceError("layer digest is not a sha256 digest", subject=subject)
    return layer


def fetch_artifact(url, reference, cache_dir, *, credentials=None, timeout=60):
    """The content of the OCI artifact ``url`` at ``reference`` (tag or digest), unpacked
    in the cache; returns an Artifact (tree, manifest digest, URL)."""
    parsed = repo_urls.parse_chart_repo(url)
    if parsed.scheme != repo_urls.OCI_SCHEME:
        raise SourceError("not an oci:// URL", subject=repo_urls.display(url))
    ref = check_reference(reference)
    if not cache_dir:
        raise SourceError("a cache directory is required", subject=repo_urls.display(url))
    shown = helm_repos.server_url(parsed)
    entry = os.path.join(os.path.abspath(os.path.expanduser(cache_dir)), CACHE_SUBDIR, hashlib.sha256(shown.encode("utf-8")).hexdigest())
    blobs, trees = os.path.join(entry, "blobs"), os.path.join(entry, "trees")
    os.makedirs(blobs, mode=0o700, exist_ok=True)
    registry = Registry(parsed, (credentials or repo_urls.Credentials()).for_url(parsed), timeout)
    index = os.path.join(entry, "manifests.json")
    known = _read_json(index)
    if DIGEST.fullmatch(ref) and ref in known and _intact(blobs, known[ref]["digest"]):
        return Artifact(_unpack(blobs, trees, ref, known[ref], shown), ref, shown)
    body, headers = registry.get("/manifests/%s" % ref, accept=", ".join(MANIFEST_TYPES))
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    if DIGEST.fullmatch(ref) and digest != ref:
        raise SourceError("manifest does not match its digest %s" % ref, subject=shown)
    said = headers.get("Docker-Content-Digest")
    if said and said != digest:
        raise SourceError("manifest does not match the digest the registry gave (%s)" % said[:80], subject=shown)
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise SourceError("manifest is not JSON", subject=shown) from exc
    layer = _layer(manifest if isinstance(manifest, dict) else {}, shown)
    if not _intact(blobs, layer["digest"]):
        _download(registry, blobs, layer, shown)
    known[digest] = {"digest": layer["digest"], "mediaType": layer["mediaType"]}
    _write_json(index, known)
    return Artifact(_unpack(blobs, trees, digest, known[digest], shown), digest, shown)


def _blob_path(blobs, digest):
    return os.path.join(blobs, digest.split(":", 1)[1])


def _intact(blobs, digest):
    path = _blob_path(blobs, digest)
    return os.path.isfile(path) and "sha256:" + chart_cache.digest(path) == digest


def _download(registry, blobs, layer, subject):
    fd, tmp = tempfile.mkstemp(prefix=".blob-", dir=blobs)
    try:
        with os.fdopen(fd, "wb") as sink:
            registry.get("/blobs/%s" % layer["digest"], limit=MAX_LAYER_BYTES, sink=sink)
        if "sha256:" + chart_cache.digest(tmp) != layer["digest"]:
            raise SourceError("layer does not match its digest %s" % layer["digest"], subject=subject)
        os.replace(tmp, _blob_path(blobs, layer["digest"]))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _unpack(blobs, trees, manifest_digest, layer, subject):
    name = manifest_digest.split(":", 1)[1]
    layer_path = _blob_path(blobs, layer["digest"])
    return chart_cache.unpack_checked(layer_path, CONTENT_TYPES[layer["mediaType"]], trees, name, "artifact layer", subject)[0]


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(value, handle)
    os.replace(tmp, path)
