# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""repo_urls: which repository URLs may reach git, their normal form, and which
credential applies to which URL (Argo CD credential template semantics)."""

from __future__ import annotations

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError

SECRET = "s3cr3t-t0ken-value"


@pytest.mark.parametrize(
    "url, normal",
    [
        ("https://git.example.com/team/app.git", "https://git.example.com/team/app"),
        ("HTTPS://Git.Example.COM:443/Team/App/", "https://git.example.com/Team/App"),
        ("https://git.example.com:8443/team/app.git/", "https://git.example.com:8443/team/app"),
        ("http://git.example.com:80/team/app", "http://git.example.com/team/app"),
        ("https://deploy:%s@git.example.com/team/app.git" % SECRET, "https://deploy@git.example.com/team/app"),
        ("ssh://git@git.example.com:22/team/app.git", "ssh://git@git.example.com/team/app"),
        ("ssh://git@git.example.com:2222/team/app.git", "ssh://git@git.example.com:2222/team/app"),
        ("git@git.example.com:team/app.git", "ssh://git@git.example.com/team/app"),
        ("git@Git.Example.com:/srv/app.git", "ssh://git@git.example.com/srv/app"),
        ("git.example.com:team/app", "ssh://git.example.com/team/app"),
        ("git://git.example.com:9418/app.git", "git://git.example.com/app"),
        ("ssh://git@[::1]:2222/app.git", "ssh://git@[::1]:2222/app"),
        ("git@[::1]:app.git", "ssh://git@[::1]/app"),
        ("https://git.example.com", "https://git.example.com"),
        ("https://git.example.com/", "https://git.example.com"),
        ("https://127.0.0.1:8080/x.git", "https://127.0.0.1:8080/x"),
    ],
)
def test_accepted_urls_and_their_normal_form(url, normal):
    parsed = repo_urls.parse(url)
    assert str(parsed) == normal
    assert SECRET not in repr(parsed)


@pytest.mark.parametrize(
    "url, why",
    [
        ("ext::sh -c touch% /tmp/marker", "'ext::' is a git remote helper transport"),
        ("ext::sh", "'ext::' is a git remote helper transport"),
        ("fd::17", "'fd::' is a git remote helper transport"),
        ("foo+bar.baz::x", "'foo+bar.baz::' is a git remote helper transport"),
        ("::x", "'::' is a git remote helper transport"),
        ("--upload-pack=touch /tmp/marker", "starts with '-'"),
        ("-u", "starts with '-'"),
        ("ssh://-oProxyCommand=touch%20x/repo", "host starts with '-'"),
        ("ssh://-oProxyCommand=x@host/repo", "user starts with '-'"),
        ("-oProxyCommand=x:repo", "starts with '-'"),
        ("git@-oProxyCommand=x:repo", "host starts with '-'"),
        ("https://h/a b", "whitespace or control characters"),
        ("https://h/a\tb", "whitespace or control characters"),
        ("https://h/a\nb", "whitespace or control characters"),
        ("https://h/a\x00", "whitespace or control characters"),
        ("https://h/a\x7f", "whitespace or control characters"),
        ("https://h/a\u2028b", "whitespace or control characters"),
        ("https://h/a\u00a0b", "whitespace or control characters"),
        ("foo://h/x", "scheme 'foo'"),
        ("ftp://h/x", "scheme 'ftp'"),
        ("https:///x", "no valid host"),
        ("https://.h/x", "no valid host"),
        ("https://h$/x", "no valid host"),
        ("https://h%2f/x", "no valid host"),
        ("https://h?x=1/y", "no valid host"),
        ("https://h:0/x", "port is not a number"),
        ("https://h:99999/x", "port is not a number"),
        ("https://h:x/x", "port is not a number"),
        ("https://[::1/x", "host is not valid"),
        ("https://h/team/../other", "'.' or '..' segment"),
        ("https://h/team/%2e%2E/other", "'.' or '..' segment"),
        ("git@h:./x", "'.' or '..' segment"),
        ("repo", "relative paths are not allowed"),
        ("./repo:x", "relative paths are not allowed"),
        ("", "non-empty string"),
        (None, "non-empty string"),
        (["https://h/x"], "non-empty string"),
        ("file:///srv/repo", "local repositories"),
        ("FILE:///srv/repo", "local repositories"),
        ("/srv/repo", "local repositories"),
    ],
)
def test_refused_urls_say_why(url, why):
    with pytest.raises(SourceError) as err:
        repo_urls.parse(url)
    assert "repository URL not allowed: " in str(err.value)
    assert why in str(err.value)


@pytest.mark.parametrize(
    "url, normal",
    [
        ("file:///srv/repo.git", "file:///srv/repo"),
        ("file://localhost/srv/repo", "file:///srv/repo"),
        ("/srv/repo/", "file:///srv/repo"),
    ],
)
def test_local_repositories_when_allowed(url, normal):
    parsed = repo_urls.parse(url, allow_local=True)
    assert (str(parsed), parsed.is_local) == (normal, True)


@pytest.mark.parametrize("url", ["file://host/srv/repo", "file://relative", "ext::sh", "--upload-pack=x"])
def test_allow_local_still_refuses_other_forms(url):
    with pytest.raises(SourceError):
        repo_urls.parse(url, allow_local=True)


def test_display_hides_user_info_and_escapes_control_characters():
    assert repo_urls.display("https://u:%s@h/x" % SECRET) == "https://h/x"
    assert repo_urls.display("https://h/x\n--upload-pack=y") == "https://h/x\\n--upload-pack=y"
    assert len(repo_urls.display("https://h/" + "x" * 1000)) == repo_urls.DISPLAY_MAX + 3
    with pytest.raises(SourceError) as err:
        repo_urls.parse("https://u:%s@h/a b" % SECRET)
    assert SECRET not in str(err.value) and err.value.subject == "https://h/a b"


# credential prefix, repository URL, applies?
COVERS = [
    ("https://git.example.com/team", "https://git.example.com/team/app", True),
    ("https://git.example.com/team", "https://git.example.com/team", True),
    ("https://git.example.com/team", "https://git.example.com/team.git", True),
    ("https://git.example.com/team/", "https://git.example.com/team/app.git", True),
    ("https://git.example.com/team.git", "https://git.example.com/team/app", True),
    ("https://git.example.com/team", "https://git.example.com/teammate/app", False),
    ("https://git.example.com/team", "https://git.example.com/Team/app", False),
    ("https://git.example.com/team/app", "https://git.example.com/team", False),
    ("https://git.example.com", "https://git.example.com/anything/at/all", True),
    ("https://GIT.example.com:443/team", "https://git.example.com/team/app", True),
    ("https://git.example.com/team", "http://git.example.com/team/app", False),
    ("https://git.example.com/team", "https://git.example.com:8443/team/app", False),
    ("https://git.example.com/team", "https://git.example.com.evil.test/team/app", False),
    ("https://git.example.com/team", "https://evil.test/git.example.com/team/app", False),
    ("https://127.0.0.1:8001/", "https://127.0.0.1:8002/x", False),
    ("ssh://git@git.example.com/team", "git@git.example.com:team/app.git", True),
    ("git@git.example.com:team", "ssh://git@git.example.com:22/team/app", True),
    ("ssh://git@git.example.com/team", "ssh://other@git.example.com/team/app", False),
    ("ssh://git.example.com/team", "ssh://git@git.example.com/team/app", True),
    ("ssh://git@git.example.com/team", "https://git.example.com/team/app", False),
]


@pytest.mark.parametrize("prefix, url, applies", COVERS)
def test_credential_prefix_covers(prefix, url, applies):
    assert repo_urls.parse(prefix).covers(repo_urls.parse(url)) is applies


def creds(*urls):
    return repo_urls.Credentials.from_entries([(url, {"token": "%s-%d" % (SECRET, i)}) for i, url in enumerate(urls)])


def test_longest_prefix_wins_and_nothing_matches_elsewhere():
    table = creds("https://git.example.com", "https://git.example.com/team", "https://git.example.com/team/app", "ssh://git@git.example.com")

    def pick(url):
        return (table.for_url(repo_urls.parse(url)) or {}).get("token")

    assert pick("https://git.example.com/team/app.git") == SECRET + "-2"
    assert pick("https://git.example.com/team/other") == SECRET + "-1"
    assert pick("https://git.example.com/teammate/x") == SECRET + "-0"
    assert pick("git@git.example.com:team/app") == SECRET + "-3"
    assert pick("https://elsewhere.example.com/team/app") is None
    assert pick("http://git.example.com/team/app") is None
    assert SECRET not in repr(table)


def test_a_credential_with_a_user_beats_the_same_url_without():
    table = creds("ssh://git.example.com/team", "ssh://deploy@git.example.com/team")
    assert table.for_url(repo_urls.parse("deploy@git.example.com:team/app"))["token"] == SECRET + "-1"
    assert table.for_url(repo_urls.parse("git@git.example.com:team/app"))["token"] == SECRET + "-0"


@pytest.mark.parametrize(
    "urls, index, why",
    [
        (["*"], 0, "wildcards are not allowed"),
        (["https://h/team", "https://*.example.com"], 1, "wildcards are not allowed"),
        (["https://h/team?"], 0, "wildcards are not allowed"),
        (["https://h/{a,b}"], 0, "wildcards are not allowed"),
        (["git.example.com"], 0, "relative paths are not allowed"),
        (["https://"], 0, "no valid host"),
        (["file:///srv/repo"], 0, "local repositories"),
        (["ext::sh"], 0, "remote helper transport"),
        ([None], 0, "it must be a non-empty string"),
        (["https://h/team", "HTTPS://H:443/team.git/"], 1, "the same URL as repo_credentials[0]"),
    ],
)
def test_bad_credential_urls_are_refused_naming_the_entry(urls, index, why):
    with pytest.raises(SourceError) as err:
        creds(*urls)
    assert err.value.subject == "repo_credentials[%d]" % index
    assert why in str(err.value)
    assert SECRET not in str(err.value)


@pytest.mark.parametrize(
    "url, normal",
    [
        ("https://charts.example.com/stable/", "https://charts.example.com/stable"),
        ("http://127.0.0.1:8879", "http://127.0.0.1:8879"),
        ("oci://registry.example.com/charts", "oci://registry.example.com/charts"),
        # Argo CD writes an OCI registry without scheme
        ("registry.example.com/charts", "oci://registry.example.com/charts"),
        ("127.0.0.1:5000/team/charts", "oci://127.0.0.1:5000/team/charts"),
    ],
)
def test_chart_repositories_and_registries(url, normal):
    assert str(repo_urls.parse_chart_repo(url)) == normal


@pytest.mark.parametrize(
    "url, why",
    [
        ("ssh://git@git.example.com/charts", "scheme 'ssh' (allowed: https, http, oci)"),
        ("git@git.example.com:charts", "not a URL with a scheme (allowed: https, http, oci)"),
        ("file:///srv/charts", "local repositories"),
        ("/srv/charts", "local repositories"),
        ("-registry/charts", "starts with '-'"),
        ("oci://registry.example.com/../charts", "'.' or '..' segment"),
        ("ext::sh -c x", "remote helper"),
    ],
)
def test_chart_repositories_refused(url, why):
    with pytest.raises(SourceError) as err:
        repo_urls.parse_chart_repo(url)
    assert why in str(err.value)


def test_git_urls_never_take_the_oci_scheme():
    with pytest.raises(SourceError, match="scheme 'oci'"):
        repo_urls.parse("oci://registry.example.com/charts")


def test_a_registry_credential_covers_its_charts_only():
    table = creds("oci://registry.example.com/team")
    assert table.for_url(repo_urls.parse_chart_repo("registry.example.com/team/charts"))["token"] == SECRET + "-0"
    assert table.for_url(repo_urls.parse_chart_repo("oci://registry.example.com/other")) is None
    assert table.for_url(repo_urls.parse_chart_repo("https://registry.example.com/team")) is None
