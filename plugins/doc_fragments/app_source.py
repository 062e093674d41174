# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  checkout_dir:
    description:
      - Local checkout used by Applications whose C(spec.source.repoURL) is omitted (directly or
        through the Application that declared them), that is the repository ansible-pull just pulled.
    type: path
  git_cache_dir:
    description:
      - Cache of fetched repositories (see M(gitops.k8s.git_source)).
      - Helm charts of chart repositories and OCI registries (C(spec.source.chart)) are cached in its C(helm-charts)
        directory by repository, chart and version, each archive with its SHA-256 digest (an archive that does not
        match is fetched again).
    type: path
    default: ~/.cache/gitops-k8s/git
  run_id:
    description:
      - Identifier of this reconcile run. Repositories already fetched under the same run id are
        not fetched again, so a run fetches each repository once for all its Applications.
    type: str
  allow_local_repos:
    description:
      - Let Applications name local repositories in C(spec.source.repoURL) (C(file:///path) or C(/path)).
      - A repository's content decides which repoURL its Applications name, so by default they may only name
        C(https://), C(http://), C(ssh://), C(git://) or C(user@host:path) repositories. Values that git would read
        as an option (C(--upload-pack=...), an ssh host or user starting with C(-)), remote helper transports
        (C(ext::), C(fd::), any C(<transport>::)), and URLs with whitespace, control characters or C(..) segments
        are always refused, and git itself runs with only these transports enabled.
    type: bool
    default: false
  git_timeout:
    description:
      - Seconds allowed to each C(git) command of a fetch, and to each C(helm) command pulling a chart
        (C(helm repo update), C(helm pull)).
      - A stalled HTTP(S) transfer (under 1000 bytes/s for 30 s) and an SSH server that does not answer
        (30 s to connect, 2 keepalives 15 s apart) fail sooner. A repository whose fetch timed out is not fetched
        again in the same run (same O(run_id) and module process); the next Application naming it fails at once.
    type: int
    default: 120
  build_env:
    description:
      - Variables of the operator's own added to Argo CD's build environment (C(ARGOCD_APP_NAME), C(KUBE_VERSION)...), for
        example a fleet inventory's group and host variables (C(gitops_k8s_build_env) of the reconcile playbook).
      - An Application refers to them by name, C($REGION) or C(${REGION}), where Argo CD substitutes its build environment, in
        C(spec.source.helm.parameters) values, C(spec.source.kustomize) C(commonLabels), C(commonAnnotations) (with
        C(commonAnnotationsEnvsubst)) and C(images), and Jsonnet C(extVars) and C(tlas). A name the run does not define
        becomes empty, as in Argo CD; C($$) is a literal C($).
      - Names are letters, digits and C(_) (not starting with a digit); C(ARGOCD_APP_*) and C(KUBE_*) are reserved.
        Values are strings, numbers or booleans. They are substituted into values, never run or put in a tool's environment.
    type: dict
    default: {}
  repo_url_rewrites:
    description:
      - Serve repositories from a mirror or an air-gapped copy, like git's C(url.<base>.insteadOf). Each key is a URL
        prefix and its value the prefix to fetch from instead, for example
        the key V(https://github.com/) with the value V(https://git-mirror.example.com/github/). The longest matching prefix wins; the
        prefix is compared as a plain string, as git does (end it with C(/) to stop at a path segment).
      - The rewritten URL is the one checked (O(allow_local_repos) for a C(file://) mirror, the allowed transports) and
        the one O(repo_credentials) are matched against. The Application's C(status.sync.repoURL) keeps the URL the spec
        names and C(status.sync.fetchedURL) names the URL fetched when a rewrite applied.
      - Helm chart repositories and OCI registries of C(spec.source.chart), and OCI artifacts, are rewritten the same
        way (the prefix is compared with the URL as the Application writes it, with or without C(oci://)). A chart dependency whose repository a rule covers
        fails the render with a message (helm fetches dependencies from the URL C(Chart.yaml) names).
    type: dict
    default: {}
  repo_credentials:
    description:
      - Credentials for repositories, scoped the way Argo CD's repository credential templates are. An entry applies
        to every repository whose URL starts with its O(repo_credentials[].url) on a path-segment boundary
        (V(https://git.example.com/team) covers V(https://git.example.com/team/app) but not
        V(https://git.example.com/teammate)); when several apply, the longest wins.
      - URLs are compared normalised; scheme and host lowercase, the default port dropped, V(git@host:org/repo)
        read as V(ssh://git@host/org/repo), a trailing C(.git) or C(/) ignored. Scheme, host and port must be equal;
        when the entry names a user, the repository URL must name the same user.
      - Chart repositories (V(https://charts.example.com/team)) and OCI registries (V(oci://registry.example.com/team))
        of C(spec.source.chart) and of chart dependencies take their credential (O(repo_credentials[].username) and
        O(repo_credentials[].password) or O(repo_credentials[].token)) from the same table; helm gets it through
        files of a private Helm home, never its command line. A registry credential is sent to the registry's host.
      - There are no wildcards. An entry whose URL is V(*) or holds a wildcard, has no scheme and host, or repeats
        another entry's URL fails the module before anything is fetched (the error names the entry's index).
      - Values are never logged nor returned.
    type: list
    elements: dict
    default: []
    suboptions:
      url:
        description:
          - URL prefix the credentials are for, with scheme and host, for example V(https://git.example.com/team),
            V(https://git.example.com) (the whole server) or V(git@git.example.com:team).
        type: str
        required: true
      ssh_key:
        description: Private SSH key (text).
        type: str
      known_hosts:
        description: C(known_hosts) lines for SSH host verification.
        type: str
      username:
        description: HTTPS user name.
        type: str
      password:
        description: HTTPS password.
        type: str
      token:
        description: HTTPS token (sent as basic auth with the user C(x-access-token) unless O(repo_credentials[].username) is set).
        type: str
      ca_cert:
        description:
          - PEM certificate(s) of the certificate authority that signed the HTTPS server's certificate of a Helm chart
            repository or OCI registry (C(spec.source.chart), chart dependencies), trusted instead of the system's
            CA store; what Argo CD keeps per server in its C(argocd-tls-certs-cm) ConfigMap.
          - Helm gets it as a 0600 file of its private home, removed after the run.
          - OCI artifacts of manifests (C(oci://) without C(chart)) take the same TLS options. Git repositories do not;
            an entry with any of them covering a Git URL fails that fetch with a message saying so.
        type: str
      tls_client_cert_data:
        description:
          - PEM client certificate presented to a Helm chart repository or OCI registry (Argo CD's
            C(tlsClientCertData)); needs O(repo_credentials[].tls_client_cert_key).
        type: str
      tls_client_cert_key:
        description:
          - PEM private key of O(repo_credentials[].tls_client_cert_data) (Argo CD's C(tlsClientCertKey)). Reaches helm
            as a 0600 file of its private home (helm's C(keyFile)), never in argv, messages or results.
        type: str
      insecure:
        description:
          - Skip the verification of the server certificate of a Helm chart repository or OCI registry (Argo CD's
            C(insecure)). Anyone on the path can then read and change the charts; prefer O(repo_credentials[].ca_cert).
        type: bool
        default: false
  commit_signatures:
    description:
      - Verified commits. Each entry names trusted keys (GPG public keys, SSH public keys or C(allowed_signers)
        lines) and the Git repositories whose revisions must be signed by one of them; the check runs before
        anything of a revision is rendered. An unsigned or untrusted revision fails its Application with a
        C(ComparisonError) condition (step C(verify)) and applies and prunes nothing; the revision synced before
        stays live.
      - An entry with O(commit_signatures[].url) covers the repositories under that prefix (matched like
        O(repo_credentials), the longest wins; the URL the spec names, before O(repo_url_rewrites)); one entry
        without it covers every Git repository. An Application may require a signature itself with
        C(spec.signatureKeys) (a list of C(keyID)), using the keys of the entry covering its repository.
      - The keys come only from here, never from a repository. See C(docs/verified-commits.md).
    type: list
    elements: dict
    default: []
    suboptions:
      url:
        description: URL prefix of the repositories this entry covers; omitted, every Git repository.
        type: str
      keys:
        description: Trusted keys as text (ASCII-armored GPG public key blocks, SSH public key lines, C(allowed_signers) lines).
        type: list
        elements: str
      key_files:
        description: Files on the agent holding trusted keys, in the same forms.
        type: list
        elements: path
      keys_from:
        description: ConfigMaps or Secrets whose every data value holds trusted keys, in the same forms.
        type: list
        elements: dict
        suboptions:
          kind:
            description: Kind of the object.
            type: str
            choices: [ConfigMap, Secret]
            default: ConfigMap
          namespace:
            description: Its namespace.
            type: str
            required: true
          name:
            description: Its name.
            type: str
            required: true
      required:
        description:
          - Every revision of the repositories covered must be signed. V(false) only provides the keys, for
            Applications that ask with C(spec.signatureKeys).
        type: bool
        default: true
"""
