# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where an Application's manifests come from, and how they are rendered.

- spec.source.chart set: pull that Helm chart from the chart repository or OCI registry
  repoURL at the version targetRevision names (chart_cache), and render it with helm.
- spec.source.repoURL ``oci://...`` without chart: the OCI artifact at the tag or digest
  targetRevision names (oci_artifacts), its content rendered like a checkout.
- spec.source.repoURL set: fetch it (git cache shared by every Application of the run).
- repoURL omitted: use the source of the Application that declared it (our tracking
  annotation), up to the root Application, whose source is the local checkout
  ansible-pull just pulled (``checkout_dir``); the engine decides which one and at which
  revision (_engine/declared_source.py).

A repoURL (Git, chart repository, OCI registry or artifact) is first rewritten (the
operator's ``repo_url_rewrites``: a mirror or an air-gapped copy), then checked (engine repo_urls) before anything is fetched: git
options and remote-helper transports are refused, local repositories unless allowed.
The credential of the longest URL prefix covering the rewritten URL is used. The
status keeps the repoURL the spec names; the URL fetched is the fourth value of
``source`` when a rewrite applied. A repository whose fetch
timed out is not fetched again in this run: the next Application naming it fails at
once with the same error.
"""

from __future__ import annotations

import dataclasses
import os

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import (
    build_env,
    chart_cache,
    commit_signatures,
    git,
    oci_artifacts,
    processes,
    render,
    yaml_io,
)
from ansible_collections.gitops.k8s.plugins.module_utils._engine import declared_source, messages, repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import RenderError, SignatureError, SourceError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import Fetched
from ansible_collections.gitops.k8s.plugins.module_utils._adapters.render_helm import merge_values


def _repo_url(url):
    """The RepoURL a trust rule is matched with (None for a URL that is not one)."""
    try:
        return repo_urls.parse(url, allow_local=True) if url else None
    except SourceError:
        return None


def checkout_revision(path):
    """(commit, origin URL) of a local git checkout; ('local', '') when not a git repo."""
    head = processes.run(["git", "-C", path, "rev-parse", "HEAD"], SourceError, path, env=processes.tool_env(), timeout=30)
    if head.rc != 0:
        return "local", ""
    origin = processes.run(["git", "-C", path, "remote", "get-url", "origin"], SourceError, path, env=processes.tool_env(), timeout=30)
    url = origin.stdout.strip() if origin.rc == 0 else ""
    return head.stdout.strip(), git.redact_url(url) if url else ""


SUBJECT_LIMIT = 200  # characters of a commit's subject line kept (status.sync.commitSubject)


def commit_subject(git_args, commit):
    """The subject line of ``commit`` (a resolved hex id) in the repository ``git_args``
    names (``-C dir`` or ``--git-dir dir``); '' when git cannot tell."""
    if not commit or not all(c in "0123456789abcdef" for c in commit):
        return ""
    shown = processes.run(["git", *git_args, "log", "-1", "--format=%s", commit], SourceError, commit, env=processes.tool_env(), timeout=30)
    return messages.bounded(shown.stdout.strip(), SUBJECT_LIMIT) if shown.rc == 0 else ""


class Sources:
    """Resolve and render Application sources (the reconcile Ports source/render)."""

    def __init__(
        self,
        store,
        checkout_dir=None,
        cache_dir=None,
        run_id=None,
        credentials=None,
        render_defaults=None,
        allow_local_repos=False,
        git_timeout=git.DEFAULT_TIMEOUT,
        rewrites=None,
        discovery=None,
        verifier=None,
        decryption=None,
        on_revealed=None,
    ):
        self.store = store
        self.checkout_dir = checkout_dir
        self.cache_dir = cache_dir
        self.run_id = run_id
        self.credentials = credentials or repo_urls.Credentials()
        self.render_defaults = render_defaults or {}
        self.allow_local_repos = allow_local_repos
        self.git_timeout = git_timeout
        self.rewrites = rewrites or repo_urls.Rewrites()
        self._timed_out = {}  # normalised repository URL -> the SourceError of its timed-out fetch
        # discovery(spec) -> (server gitVersion, served group versions) of the spec's destination
        # cluster: Helm's .Capabilities as Argo CD fills them (--kube-version, --api-versions),
        # asked once per run and destination.
        self.discovery = discovery
        self._cluster_facts = {}
        self._revisions = {}  # root directory -> the commit it holds (Argo CD's ARGOCD_APP_REVISION)
        # verified commits (commit_signatures.CommitVerifier): checked before a revision is rendered
        self.verifier = verifier or commit_signatures.CommitVerifier(())
        self._git_dirs = {}  # exported tree -> the cache repository it came from
        # asked once per run, not per Application: the local checkout does not move while a
        # module process runs (ansible-pull pulled before), a commit's subject never changes
        self._checkout = None  # (commit, origin URL) of checkout_dir
        self._subjects = {}  # (git arguments, commit) -> subject line
        # (real root, commit) of the trees whose symlinks were checked in this run: a commit's
        # tree is not modified (an export per commit, or the checkout of this run)
        self._symlinks_checked = set()
        # (namespace, name) -> an Application as the run's latest LIST read it (run_all): the
        # declaring Application of each child is found there, not read once per child
        self._listed_apps = {}
        # decryption(spec) -> decryption.Keys of an Application (the operator's and its Secret's)
        self.decryption = decryption
        # on_revealed(values): told every value a render decrypted (the module hides them)
        self.on_revealed = on_revealed

    def source(self, app, spec):
        """(root_dir, revision, repo_url, fetched_url) of an Application: repo_url as the
        spec names it, fetched_url the rewritten URL git fetched ('' when no rewrite
        applied). Which repository and revision is the engine's decision
        (declared_source), fetching it is this adapter's job. A Helm chart (chart_cache)
        and an OCI artifact (oci_artifacts) are fetched from their rewritten URL too."""
        if spec.signature_keys and (spec.chart or oci_artifacts.is_artifact_url(spec.repo_url)):
            raise SignatureError("spec.signatureKeys needs a Git source: a Helm chart or an OCI artifact has no commit signature", subject=spec.key)
        if spec.chart:
            return self._fetch_chart(spec)
        if oci_artifacts.is_artifact_url(spec.repo_url):
            url = self.rewrites.apply(spec.repo_url)
            # a rollback pins the digest a past sync deployed
            artifact = oci_artifacts.fetch_artifact(
                url, spec.pinned_revision or spec.target_revision, self.cache_dir, credentials=self.credentials, timeout=self.git_timeout
            )
            self._revisions[artifact.tree] = artifact.digest
            return self._fetched(artifact.tree, artifact.digest, spec.repo_url, url, artifact.url)
        holder, holder_spec = declared_source.holder(app, spec, self._get_app)
        if holder_spec.chart or (holder is not app and oci_artifacts.is_artifact_url(holder_spec.repo_url)):
            raise SourceError(
                "has no source.repoURL and the Application that declared it, %s, renders a Helm chart or an "
                "OCI artifact (not a Git repository): name this Application's repoURL" % holder_spec.key,
                subject=spec.key,
            )
        if not holder_spec.repo_url:
            if spec.pinned_revision:
                raise SourceError(
                    "cannot roll back to %s: the local checkout has only its own commit (a rollback needs "
                    "spec.source.repoURL, or a declaring Application's)" % spec.pinned_revision[:12],
                    subject=spec.key,
                )
            if not self.checkout_dir or not os.path.isdir(self.checkout_dir):
                raise SourceError("has no source.repoURL and no local checkout was given (checkout_dir)", subject=spec.key)
            if self._checkout is None:
                self._checkout = checkout_revision(self.checkout_dir)
            commit, url = self._checkout
            self.verifier.check(["-C", self.checkout_dir], commit, _repo_url(url), spec.signature_keys, spec.key)
            self._revisions[self.checkout_dir] = commit
            return Fetched(self.checkout_dir, commit, url or "local checkout", subject=self._subject(["-C", self.checkout_dir], commit))
        fetched = self._fetch(holder_spec.repo_url, spec.pinned_revision or declared_source.revision(app, holder, holder_spec))
        # the repository as the spec names it (a rewrite only says where to fetch it from)
        self.verifier.check(["--git-dir", self._git_dirs[fetched[0]]], fetched[1], _repo_url(holder_spec.repo_url), spec.signature_keys, spec.key)
        return fetched._replace(subject=self._subject(["--git-dir", self._git_dirs[fetched[0]]], fetched[1]))

    def _subject(self, git_args, commit):
        key = (tuple(git_args), commit)
        if key not in self._subjects:
            self._subjects[key] = commit_subject(git_args, commit)
        return self._subjects[key]

    def tree(self, repo_url, revision):
        """Fetched of a Git repository read by an ApplicationSet generator: the same cache
        and rewrites as a source, the operator's commit signature rules applied."""
        fetched = self._fetch(repo_url, revision)
        self.verifier.check(["--git-dir", self._git_dirs[fetched[0]]], fetched[1], _repo_url(repo_url), (), repo_url)
        return fetched

    def _get_app(self, namespace, name):
        """A declaring Application (read only when an Application has no repoURL): as
        listed, unless it was reconciled since (its status names the revision it synced)."""
        listed = self._listed_apps.get((namespace, name))
        return listed if listed is not None else self.store.get(namespace, name)

    def listed_applications(self, apps):
        """The Applications a LIST of the run just read: declaring Applications are looked
        up there until reconciled (reconciled())."""
        self._listed_apps = dict(((a["metadata"].get("namespace"), a["metadata"]["name"]), a) for a in apps)

    def reconciled(self, app):
        """``app`` was reconciled: it may have synced another revision, read it again."""
        meta = app.get("metadata") or {}
        self._listed_apps.pop((meta.get("namespace"), meta.get("name")), None)

    def _fetch(self, named, ref):
        url = self.rewrites.apply(named)
        parsed = repo_urls.parse(url, allow_local=self.allow_local_repos)
        earlier = self._timed_out.get(parsed)
        if earlier is not None:
            raise SourceError("%s (not retried in this run)" % earlier.message, subject=earlier.subject, details=earlier.details)
        try:
            result = git.fetch(
                url,
                ref,
                self.cache_dir,
                credentials=self.credentials.for_url(parsed),
                run_id=self.run_id,
                allow_local=self.allow_local_repos,
                timeout=self.git_timeout,
            )
        except SourceError as exc:
            if exc.details.get("timed_out"):
                self._timed_out[parsed] = exc
            raise
        self._revisions[result.tree] = result.commit
        self._git_dirs[result.tree] = result.git_dir
        return self._fetched(result.tree, result.commit, named, url, result.url)

    @staticmethod
    def _fetched(tree, revision, named, url, shown):
        """Fetched of what came from ``url`` (``shown``: as the fetcher prints it); when a
        rewrite made ``url`` of ``named``, repo_url is the named one and fetched_url ``shown``."""
        if url == named:
            return Fetched(tree, revision, shown)
        return Fetched(tree, revision, git.redact_url(named), shown)

    def _fetch_chart(self, spec):
        """A chart of a chart repository or OCI registry: Fetched(chart directory, version, URL)."""
        if not spec.repo_url:
            raise SourceError("spec.source.chart needs spec.source.repoURL (a chart repository or OCI registry)", subject=spec.key)
        helm = spec.helm or {}
        url = self.rewrites.apply(spec.repo_url)
        # a rollback pins the chart version a past sync deployed
        pulled = chart_cache.fetch_chart(
            url,
            spec.chart,
            spec.pinned_revision or spec.target_revision,
            self.cache_dir,
            credentials=self.credentials,
            helm_binary=self.render_defaults.get("helm_binary"),
            timeout=self.git_timeout,
            pass_credentials=bool(helm.get("passCredentials")),
        )
        self._revisions[pulled.tree] = pulled.version
        return self._fetched(pulled.tree, pulled.version, spec.repo_url, url, pulled.url)

    def render(self, root, spec):
        options = dataclasses.replace(
            render_options(spec, self.render_defaults, revision=self._revisions.get(root, "")),
            credentials=self.credentials,
            rewrites=self.rewrites,
            decryption=self.decryption(spec) if self.decryption else None,
        )
        if self.discovery is not None and self._renders_helm(root, spec, options):
            helm = spec.helm or {}
            if not helm.get("kubeVersion") or not helm.get("apiVersions"):
                kube_version, api_versions = self._facts(spec)
                options = dataclasses.replace(
                    options, kube_version=options.kube_version or kube_version, api_versions=options.api_versions or tuple(api_versions)
                )
        revision = self._revisions.get(root, "")
        checked = (os.path.realpath(root), revision) if git.is_commit_id(revision) else None
        result = render.render(root, spec.path, options, source="%s (%s)" % (spec.key, spec.path), symlinks_checked=checked in self._symlinks_checked)
        if checked is not None:
            self._symlinks_checked.add(checked)  # the render walked it (a link outside would have raised)
        if result.revealed and self.on_revealed:
            self.on_revealed(result.revealed)
        return result.manifests

    def _facts(self, spec):
        key = (spec.namespace, spec.destination_server, spec.destination_name)
        if key not in self._cluster_facts:
            self._cluster_facts[key] = self.discovery(spec)
        return self._cluster_facts[key]

    @staticmethod
    def _renders_helm(root, spec, options):
        if options.renderer in (render.HELM, render.AUTO):
            return options.renderer == render.HELM or os.path.isfile(os.path.join(root, spec.path, render.CHART_FILE))
        return False


def _globs(value):
    """Argo CD include/exclude strings ('*.yaml', '{a.yaml,b.yaml}') or lists to a tuple."""
    if not value:
        return ()
    if isinstance(value, list):
        return tuple(value)
    value = value.strip()
    if value.startswith("{") and value.endswith("}"):
        return tuple(v.strip() for v in value[1:-1].split(",") if v.strip())
    return (value,)


def render_options(spec, defaults, revision=""):
    directory, helm, kustomize = spec.directory or {}, spec.helm or {}, spec.kustomize or {}
    values = {}
    if helm.get("values"):
        if not isinstance(helm["values"], str):
            raise RenderError("spec.source.helm.values must be a YAML string (use valuesObject for a mapping)", subject=spec.key)
        loaded = [m.obj for m in yaml_io.load_manifests(helm["values"], "%s spec.source.helm.values" % spec.key)]
        values = loaded[0] if loaded and isinstance(loaded[0], dict) else {}
    if isinstance(helm.get("valuesObject"), dict):
        values = merge_values(values, helm["valuesObject"])
    parameters = helm.get("parameters") or []
    if not isinstance(parameters, list):
        raise RenderError("spec.source.helm.parameters must be a list of {name, value, forceString}", subject=spec.key)
    kube_version = helm.get("kubeVersion") or kustomize.get("kubeVersion") or defaults.get("kube_version")
    api_versions = tuple(helm.get("apiVersions") or kustomize.get("apiVersions") or defaults.get("api_versions") or ())
    namespace = spec.destination_namespace or defaults.get("namespace") or "default"
    env = build_env.build_env(
        name=spec.name,
        namespace=namespace,
        revision=revision,
        repo_url=spec.repo_url,
        path=spec.path,
        target_revision=spec.target_revision,
        kube_version=kube_version or "",
        api_versions=api_versions,
        extra=defaults.get("build_env"),
    )
    return render.RenderOptions(
        renderer=render.HELM if spec.chart else defaults.get("renderer") or render.AUTO,
        recurse=bool(directory.get("recurse")),
        include=_globs(directory.get("include")),
        exclude=_globs(directory.get("exclude")),
        jsonnet=directory.get("jsonnet") or None,
        kustomize_binary=defaults.get("kustomize_binary"),
        kustomize_overrides=kustomize or None,
        build_env=env,
        helm_binary=defaults.get("helm_binary"),
        release_name=helm.get("releaseName") or spec.name,
        # helm.namespace: the namespace to template with (Argo CD), else the destination's
        namespace=helm.get("namespace") or namespace,
        value_files=tuple(helm.get("valueFiles") or ()),
        value_refs=tuple(spec.refs),
        values=values or None,
        include_crds=not helm.get("skipCrds", False),
        skip_schema_validation=bool(helm.get("skipSchemaValidation")),
        ignore_missing_value_files=bool(helm.get("ignoreMissingValueFiles")),
        kube_version=kube_version,
        api_versions=api_versions,
        parameters=build_env.substitute_parameters(parameters, env),
        file_parameters=_file_parameters(spec, helm.get("fileParameters")),
    )


def _file_parameters(spec, items):
    """spec.source.helm.fileParameters as (name, path) pairs."""
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise RenderError("spec.source.helm.fileParameters must be a list of {name, path}", subject=spec.key)
    return tuple((item.get("name"), item.get("path")) for item in items)
