# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The app_source doc fragment documents exactly APP_SOURCE, and repo_credentials are
checked when the ports are built, before anything is fetched."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.gitops.k8s.plugins.doc_fragments.app_source import ModuleDocFragment
from ansible_collections.gitops.k8s.plugins.module_utils._ansible import app_wiring
from ansible_collections.gitops.k8s.plugins.module_utils._engine import repo_urls
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import SourceError

TOKEN = "glpat-n0tF0rEveryH0st"


def test_doc_fragment_matches_the_argument_spec():
    doc = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert sorted(doc) == sorted(app_wiring.APP_SOURCE)
    for name, option in app_wiring.APP_SOURCE.items():
        assert doc[name]["type"] == option["type"], name
        assert doc[name].get("default") == option.get("default"), name
    creds = app_wiring.APP_SOURCE["repo_credentials"]["options"]
    assert sorted(doc["repo_credentials"]["suboptions"]) == sorted(creds)


@pytest.mark.parametrize("url", ["*", "https://*.example.com", "file:///srv/repo", "example.com"])
def test_credentials_by_url_refuses_unscoped_entries_without_showing_secrets(url):
    items = [{"url": "https://git.example.com/team", "token": TOKEN}, {"url": url, "token": TOKEN}]
    with pytest.raises(SourceError) as err:
        app_wiring.credentials_by_url(items)
    assert err.value.subject == "repo_credentials[1]"
    assert TOKEN not in str(err.value)


def test_credentials_by_url_scopes_by_prefix():
    table = app_wiring.credentials_by_url([{"url": "https://git.example.com/team", "token": TOKEN, "password": None}])
    assert table.for_url(repo_urls.parse("https://git.example.com/team/app.git")) == {"token": TOKEN}
    assert table.for_url(repo_urls.parse("https://other.example.com/team/app.git")) is None
