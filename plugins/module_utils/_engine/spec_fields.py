# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every Argo CD Application spec field, and what gitops.k8s does with it.

An Application written for Argo CD must never be half-read in silence: each field is
carried out (``supported``), carried out by another part of the collection
(``elsewhere``: sync options, retry, history), reported as not carried out (``warned``:
an UnsupportedFeatureWarning condition and an Ansible warning, the rest still syncs) or
``refused`` (an InvalidSpec: rendering without it would deploy something other than
what Argo CD deploys, e.g. the repository path instead of a chart). A key the table does
not know is warned about as an unknown field (a typo such as ``selfHael`` is never
dropped quietly).

The table is data: ``check`` walks a spec with it, and ``markdown_table`` writes the
table that docs/argocd-applications.md holds (a unit test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import InvalidSpec

SUPPORTED = "supported"
ELSEWHERE = "elsewhere"
WARNED = "warned"
REFUSED = "refused"
VERDICTS = (SUPPORTED, ELSEWHERE, WARNED, REFUSED)


@dataclass(frozen=True)
class Field:
    """One spec field: its path under ``spec`` (``[]`` marks the items of a list), the
    verdict, why, and for a warned field the values that change nothing (no warning)."""

    path: str
    verdict: str
    why: str
    harmless: tuple = ()


FIELDS = (
    Field(
        "project",
        SUPPORTED,
        "the Project (Argo CD's AppProject) bounding its sources, destinations and kinds, checked before the first write; "
        "default: `default`, permissive until a Project named default exists (docs/projects.md)",
    ),
    Field("source", SUPPORTED, "the one source of the Application"),
    Field(
        "source.repoURL",
        SUPPORTED,
        "a Git repository, after `repo_url_rewrites` and the URL checks; omitted: the declaring Application's; "
        "with `chart`: a Helm chart repository or OCI registry; `oci://` without `chart`: an OCI artifact of manifests",
    ),
    Field("source.targetRevision", SUPPORTED, "branch, tag or commit; with `chart`: a chart version or semver range; an OCI artifact's tag or digest"),
    Field("source.path", SUPPORTED, "relative path in the repository"),
    Field("source.chart", SUPPORTED, "a chart of the chart repository or OCI registry `repoURL`, pulled with helm and cached by version"),
    Field("source.ref", WARNED, "only meaningful to multi-source Applications (`spec.sources`)"),
    Field("source.name", WARNED, "only meaningful to multi-source Applications (`spec.sources`)"),
    Field("source.plugin", REFUSED, "config management plugins do not run here; rendering the path without the plugin would deploy something else"),
    Field("source.directory", SUPPORTED, "plain YAML/JSON directory options"),
    Field("source.directory.recurse", SUPPORTED, "read sub-directories"),
    Field("source.directory.include", SUPPORTED, "glob or {a,b} list of files to read"),
    Field("source.directory.exclude", SUPPORTED, "glob or {a,b} list of files to skip"),
    Field("source.directory.jsonnet", SUPPORTED, "`*.jsonnet` files evaluated with go-jsonnet, imports kept inside the checkout"),
    Field("source.directory.jsonnet.extVars", SUPPORTED, "`std.extVar` values, build environment substituted"),
    Field("source.directory.jsonnet.extVars[]", SUPPORTED, "one variable"),
    Field("source.directory.jsonnet.extVars[].name", SUPPORTED, "its name"),
    Field("source.directory.jsonnet.extVars[].value", SUPPORTED, "a string, or Jsonnet code with `code: true`"),
    Field("source.directory.jsonnet.extVars[].code", SUPPORTED, "the value is Jsonnet code"),
    Field("source.directory.jsonnet.tlas", SUPPORTED, "top-level arguments, build environment substituted"),
    Field("source.directory.jsonnet.tlas[]", SUPPORTED, "one argument"),
    Field("source.directory.jsonnet.tlas[].name", SUPPORTED, "its name"),
    Field("source.directory.jsonnet.tlas[].value", SUPPORTED, "a string, or Jsonnet code with `code: true`"),
    Field("source.directory.jsonnet.tlas[].code", SUPPORTED, "the value is Jsonnet code"),
    Field("source.directory.jsonnet.libs", SUPPORTED, "import search directories, relative to the repository root, inside it"),
    Field("source.helm", SUPPORTED, "Helm chart (in the repository or from `chart`), rendered with helm template; dependencies built"),
    Field(
        "source.helm.valueFiles",
        SUPPORTED,
        "relative to the chart, inside the checkout; in `spec.sources`, `$ref/path` names a file of the source with that `ref` (inside it)",
    ),
    Field("source.helm.values", SUPPORTED, "YAML string, after the value files"),
    Field("source.helm.valuesObject", SUPPORTED, "mapping, merged over values"),
    Field("source.helm.parameters", SUPPORTED, "helm's --set rules, over the value files and values (--set, then --set-string)"),
    Field("source.helm.parameters[]", SUPPORTED, "one parameter"),
    Field("source.helm.parameters[].name", SUPPORTED, "helm --set key: `a.b`, escaped dots `a\\.b`, list indexes `x[0]`"),
    Field("source.helm.parameters[].value", SUPPORTED, "typed as helm types it (true, false, null, integers); `{a,b}` is a list"),
    Field("source.helm.parameters[].forceString", SUPPORTED, "--set-string: the value stays a string"),
    Field("source.helm.releaseName", SUPPORTED, "default: the Application's name"),
    Field("source.helm.skipCrds", SUPPORTED, "leave out the chart's crds/"),
    Field("source.helm.kubeVersion", SUPPORTED, "--kube-version; default: the cluster's"),
    Field("source.helm.apiVersions", SUPPORTED, "--api-versions; default: the cluster's group versions and group/version/Kinds"),
    Field("source.helm.skipTests", SUPPORTED, "test hooks are always left out"),
    Field("source.helm.fileParameters", SUPPORTED, "helm --set-file, after the parameters"),
    Field("source.helm.fileParameters[]", SUPPORTED, "one file parameter"),
    Field("source.helm.fileParameters[].name", SUPPORTED, "helm --set key"),
    Field("source.helm.fileParameters[].path", SUPPORTED, "relative to the chart, inside the checkout"),
    Field("source.helm.passCredentials", SUPPORTED, "send the repository credential to the host the chart index points to"),
    Field("source.helm.ignoreMissingValueFiles", SUPPORTED, "a value file that does not exist is left out (containment still checked)"),
    Field("source.helm.skipSchemaValidation", SUPPORTED, "--skip-schema-validation"),
    Field("source.helm.namespace", SUPPORTED, "the namespace helm templates with; default: the destination namespace"),
    Field("source.helm.version", WARNED, "only Helm 3 renders", harmless=("v3",)),
    Field("source.kustomize", SUPPORTED, "Kustomize overlay in the repository; Argo CD's overrides edit a private copy of its kustomization"),
    Field("source.kustomize.namePrefix", SUPPORTED, "`namePrefix` of the kustomization"),
    Field("source.kustomize.nameSuffix", SUPPORTED, "`nameSuffix` of the kustomization"),
    Field("source.kustomize.images", SUPPORTED, "`kustomize edit set image` strings, merged into `images`"),
    Field("source.kustomize.replicas", SUPPORTED, "merged into `replicas` by name"),
    Field("source.kustomize.commonLabels", SUPPORTED, "added to `commonLabels` (build environment substituted)"),
    Field("source.kustomize.commonAnnotations", SUPPORTED, "added to `commonAnnotations`"),
    Field("source.kustomize.commonAnnotationsEnvsubst", SUPPORTED, "build environment substituted into the annotation values"),
    Field("source.kustomize.forceCommonLabels", SUPPORTED, "a label the kustomization sets may be overridden"),
    Field("source.kustomize.forceCommonAnnotations", SUPPORTED, "an annotation the kustomization sets may be overridden"),
    Field("source.kustomize.labelWithoutSelector", SUPPORTED, "labels go to a `labels` entry that leaves selectors alone"),
    Field("source.kustomize.labelIncludeTemplates", SUPPORTED, "with labelWithoutSelector: templates get the labels"),
    Field("source.kustomize.namespace", SUPPORTED, "`namespace` of the kustomization"),
    Field("source.kustomize.patches", SUPPORTED, "appended to `patches` (paths checked to stay inside the repository)"),
    Field("source.kustomize.components", SUPPORTED, "appended to `components` (checked to stay inside the repository)"),
    Field("source.kustomize.ignoreMissingComponents", SUPPORTED, "a local component that does not exist is left out"),
    Field("source.kustomize.version", WARNED, "the one kustomize of the agent builds"),
    Field("source.kustomize.kubeVersion", SUPPORTED, "`--helm-kube-version` for the kustomization's Helm charts (with the operator's enable_helm)"),
    Field("source.kustomize.apiVersions", SUPPORTED, "`--helm-api-versions` for the kustomization's Helm charts (with the operator's enable_helm)"),
    Field("sources", SUPPORTED, "multi-source Application: every source fetched and rendered, objects combined; `source` is then ignored"),
    Field("sources[]", SUPPORTED, "one source: the fields of `source`, plus `ref` and `name`"),
    Field("sources[].ref", SUPPORTED, "names this source's checkout for `$ref/path` Helm value files; without `path` it is not rendered"),
    Field("sources[].name", SUPPORTED, "a label of the source (Argo CD's CLI uses it); it changes nothing here"),
    Field("sourceHydrator", REFUSED, "source hydration is not carried out; it replaces `source`"),
    Field("destination", SUPPORTED, "where the objects go"),
    Field("destination.namespace", SUPPORTED, "namespace of namespaced objects that set none"),
    Field(
        "destination.server",
        SUPPORTED,
        "the API server of a cluster registered by an Argo CD cluster Secret (docs/clusters.md); `https://kubernetes.default.svc`: the cluster of the run",
    ),
    Field("destination.name", SUPPORTED, "the name of a cluster registered by an Argo CD cluster Secret; `in-cluster`: the cluster of the run"),
    Field("syncPolicy", SUPPORTED, "when and how to sync"),
    Field("syncPolicy.automated", SUPPORTED, "sync on a new revision (and after a failed attempt)"),
    Field("syncPolicy.automated.enabled", SUPPORTED, "`false` turns automated sync off, keeping prune/selfHeal/allowEmpty for later"),
    Field("syncPolicy.automated.prune", SUPPORTED, "prune what left Git"),
    Field("syncPolicy.automated.selfHeal", SUPPORTED, "revert drift"),
    Field("syncPolicy.automated.allowEmpty", SUPPORTED, "allow a render with no object to prune everything"),
    Field("syncPolicy.syncOptions", ELSEWHERE, "sync options: each unknown one is warned about by the sync options check"),
    Field("syncPolicy.retry", ELSEWHERE, "retry of failed syncs"),
    Field("syncPolicy.managedNamespaceMetadata", ELSEWHERE, "labels and annotations of the namespace CreateNamespace=true creates"),
    Field("ignoreDifferences", SUPPORTED, "fields left out of the comparison"),
    Field("ignoreDifferences[]", SUPPORTED, "one rule"),
    Field("ignoreDifferences[].group", SUPPORTED, "API group"),
    Field("ignoreDifferences[].kind", SUPPORTED, "kind"),
    Field("ignoreDifferences[].name", SUPPORTED, "object name"),
    Field("ignoreDifferences[].namespace", SUPPORTED, "object namespace"),
    Field("ignoreDifferences[].jsonPointers", SUPPORTED, "JSON pointers"),
    Field("ignoreDifferences[].jqPathExpressions", WARNED, "jq is not evaluated (no jq in a pure engine); use jsonPointers"),
    Field("ignoreDifferences[].managedFieldsManagers", WARNED, "fields are not ignored by manager"),
    Field("decryption", SUPPORTED, "gitops.k8s's own (Flux's field): decrypt SOPS and ansible-vault encrypted files at render (docs/secrets.md)"),
    Field("decryption.provider", SUPPORTED, "`sops` (Flux's only provider; the default)"),
    Field("decryption.secretRef", SUPPORTED, "the Secret holding the keys"),
    Field("decryption.secretRef.name", SUPPORTED, "a Secret in the Application's namespace: `*.agekey`, `*.asc`, `*vault-password` keys"),
    Field(
        "analysis",
        SUPPORTED,
        "gitops.k8s's own (Argo Rollouts' AnalysisTemplate metrics, Prometheus only): measured after a sync that changed something; "
        "a failed analysis rolls back and suspends automated sync (docs/progressive-delivery.md)",
    ),
    Field("info", WARNED, "informational links for Argo CD's UI; nothing shows them here"),
    Field("revisionHistoryLimit", ELSEWHERE, "how much sync history is kept"),
    Field(
        "signatureKeys",
        SUPPORTED,
        "Argo CD's AppProject field, on the Application: its revisions must be signed (GPG or SSH) by one of these keys, "
        "trusted by the operator's `commit_signatures` (docs/verified-commits.md)",
    ),
    Field(
        "strategy",
        SUPPORTED,
        "gitops.k8s's own: canary steps (Argo Rollouts' field names) for every Deployment or per Deployment, "
        "carried out without a controller (docs/progressive-delivery.md)",
    ),
    Field("signatureKeys[].keyID", SUPPORTED, "a GPG key ID or fingerprint, or an SSH key's `SHA256:` fingerprint"),
)

# Each source of spec.sources has the fields of spec.source (same verdicts); the docs table
# lists them once, under spec.source.
_SOURCE_ROWS = tuple(
    Field("sources[]." + f.path[len("source.") :], f.verdict, f.why, f.harmless)
    for f in FIELDS
    if f.path.startswith("source.") and f.path not in ("source.ref", "source.name")
)
_BY_PATH = dict((f.path, f) for f in FIELDS + _SOURCE_ROWS)


def _present(value, harmless):
    """Whether a value asks for something (None, false and empty values ask for nothing)."""
    if value is None or value is False or value in ("", [], {}):
        return False
    return value not in harmless


def _children(path):
    prefix = path + "."
    return any(p.startswith(prefix) for p in _BY_PATH)


def check(spec):
    """Warnings (one line each, naming the field) for what ``spec`` asks for that is not
    carried out; raises InvalidSpec naming the first refused field."""
    warnings = []
    _walk(spec, "", warnings)
    return tuple(dict.fromkeys(warnings))  # a list's items repeat the same warning once


def _walk(mapping, prefix, warnings):
    for key in sorted(mapping, key=str):
        value = mapping[key]
        path = prefix + str(key)
        row = _BY_PATH.get(path)
        if row is None:
            if _present(value, ()):
                warnings.append("spec.%s: unknown field, ignored" % path)
            continue
        if not _present(value, row.harmless):
            continue
        if row.verdict == REFUSED:
            raise InvalidSpec("spec.%s is not supported: %s" % (path, row.why))
        if row.verdict == WARNED:
            warnings.append("spec.%s is not carried out: %s" % (path, row.why))
        elif isinstance(value, dict) and _children(path):
            _walk(value, path + ".", warnings)
        elif isinstance(value, list) and (path + "[]") in _BY_PATH:
            for item in value:
                if isinstance(item, dict):
                    _walk(item, path + "[].", warnings)


def markdown_table():
    """The table of docs/argocd-applications.md."""
    lines = ["| field | gitops.k8s | why |", "| --- | --- | --- |"]
    for row in FIELDS:
        if row.path.endswith("[]"):
            continue
        lines.append("| `spec.%s` | %s | %s |" % (row.path, row.verdict, row.why.replace("|", "\\|")))
    return "\n".join(lines) + "\n"
