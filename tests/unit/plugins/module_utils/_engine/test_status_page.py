# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status tree and page: the app-of-apps nesting, colours from fixed tables, every
untrusted text escaped, diffs of out-of-sync objects only, redacted, and a bounded page."""

from __future__ import annotations

import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine import redact, status_page, status_tree

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def row(name, parent="", sync="Synced", health="Healthy", objects=(), **extra):
    out = {"name": name, "namespace": "ops", "sync_status": sync, "health_status": health, "revision": "abcdef0123456789", "parent": parent}
    out["objects"] = list(objects)
    out.update(extra)
    return out


def obj(kind, name, status="Synced", health="Healthy", namespace="shop"):
    return {"group": "", "version": "v1", "kind": kind, "namespace": namespace, "name": name, "status": status, "health": {"status": health}}


ROWS = [
    row("root", objects=[obj("Application", "shop", namespace="ops")]),
    row(
        "shop",
        parent="ops/root",
        sync="OutOfSync",
        health="Degraded",
        objects=[obj("ConfigMap", "cfg", "OutOfSync"), obj("Deployment", "web", health="Degraded")],
    ),
    row("lonely", parent="ops/gone"),
]


def test_the_tree_nests_children_under_their_parent():
    assert status_tree.lines(ROWS) == [
        "ops/lonely  Synced  Healthy  abcdef012345",
        "ops/root  Synced  Healthy  abcdef012345",
        "  ops/shop  OutOfSync  Degraded  abcdef012345",
        "    - ConfigMap/shop/cfg  OutOfSync  Healthy",
        "    - Deployment/shop/web  Synced  Degraded",
    ]


def test_a_cycle_of_parents_is_not_followed():
    rows = [row("a", parent="ops/b"), row("b", parent="ops/a")]
    assert status_tree.lines(rows) == []  # neither is a root: nothing claims to be the top
    assert status_tree.lines([row("a", parent="ops/a")]) == ["ops/a  Synced  Healthy  abcdef012345"]


def test_colours_come_from_the_status_not_from_the_input():
    page = status_page.render(ROWS)
    assert '<span class="badge warn">OutOfSync</span>' in page
    assert '<span class="badge bad">Degraded</span>' in page
    assert '<span class="badge ok">Synced</span>' in page
    odd = status_page.render([row("x", sync='ok" onclick="alert(1)', health="Weird")])
    assert 'class="badge muted">ok&quot; onclick=&quot;alert(1)</span>' in odd


def test_every_untrusted_text_is_escaped():
    rows = [
        row(
            EVIL,
            health_message=EVIL,
            objects=[obj("ConfigMap", EVIL, "OutOfSync")],
            conditions=[{"type": EVIL, "message": EVIL}],
            history=[{"id": 1, "syncedAt": EVIL, "result": EVIL, "revision": EVIL}],
            hooks=[{"hookType": EVIL, "kind": "Job", "namespace": "d", "name": EVIL, "hookPhase": "Failed", "message": EVIL}],
            commit_subject=EVIL,
        )
    ]
    results = [{"application": "ops/" + EVIL, "objects": [{"id": EVIL, "status": "OutOfSync", "diff": EVIL}]}]
    page = status_page.render(rows, results, generated=EVIL, title=EVIL)
    assert "<script" not in page and "<img" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert page.count("&lt;script&gt;") >= 10
    assert re.findall(r"<(\w+)", page)  # still a document
    assert set(re.findall(r"<(\w+)", page)) <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "p",
        "div",
        "strong",
        "span",
        "table",
        "tr",
        "th",
        "td",
        "pre",
    }


def test_only_out_of_sync_diffs_are_shown_and_secret_values_never():
    salt = redact.new_salt()
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}, "stringData": {"password": "hunter2-very-secret"}}
    redacted = redact.redact(secret, salt)["stringData"]["password"]
    diff = "--- live/Secret/shop/db\n+++ desired/Secret/shop/db\n-  password: old\n+  password: %s\n" % redacted
    results = [
        {
            "application": "ops/shop",
            "objects": [
                {"id": "Secret/shop/db", "status": "OutOfSync", "diff": diff},
                {"id": "ConfigMap/shop/same", "status": "Synced", "diff": "--- a\n+++ b\nNOT-SHOWN\n"},
            ],
        }
    ]
    rows = [row("shop", objects=[obj("Secret", "db", "OutOfSync"), obj("ConfigMap", "same")])]
    page = status_page.render(rows, results)
    assert "diff of Secret/shop/db (OutOfSync)" in page and status_page._e(redacted) in page
    assert "hunter2" not in page and "NOT-SHOWN" not in page
    assert '<span class="del">-  password: old\n</span>' in page and '<span class="add">+  password: ' in page


def test_a_drift_info_loop_result_names_its_application_by_its_item():
    results = [{"item": {"name": "shop", "namespace": "ops"}, "objects": [{"id": "ConfigMap/shop/cfg", "status": "OutOfSync", "diff": "+  k: v2\n"}]}]
    page = status_page.render(ROWS, results)
    assert page.index("diff of ConfigMap/shop/cfg") > page.index('id="app-ops/shop"')


def test_the_page_is_bounded_and_says_what_it_left_out():
    big = [{"id": "ConfigMap/shop/c%d" % i, "status": "OutOfSync", "diff": "x" * 50_000} for i in range(60)]
    page = status_page.render([row("shop")], [{"application": "ops/shop", "objects": big}])  # no per-object status: every diff
    assert len(page) <= status_page.PAGE_LIMIT
    assert page.endswith("</html>\n")
    assert re.search(r"\d+ diffs left out", page)


def test_the_page_needs_no_network():
    page = status_page.render(ROWS)
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page
    assert "default-src 'none'" in page


def test_a_tree_too_large_lists_only_the_objects_that_need_attention():
    objects = [obj("ConfigMap", "synced-%05d" % i) for i in range(20_000)] + [
        obj("ConfigMap", "drifted", "OutOfSync"),
        obj("Deployment", "sick", health="Degraded"),
    ]
    page = status_page.render([row("big", objects=objects)])
    assert len(page) <= status_page.PAGE_LIMIT and page.endswith("</html>\n")
    assert "<td>ConfigMap/shop/drifted</td>" in page and "<td>Deployment/shop/sick</td>" in page
    assert "synced-00001" not in page
    assert "synced and healthy objects, histories and hooks are not listed" in page


def test_a_diff_the_run_carried_out_is_not_shown_as_drift():
    results = [
        {
            "application": "ops/shop",
            "objects": [
                {"id": "ConfigMap/shop/cfg", "status": "OutOfSync", "diff": "+  still: drifted\n"},
                {"id": "Deployment/shop/web", "status": "OutOfSync", "action": "configured", "diff": "+  healed: by-the-run\n"},
            ],
        }
    ]
    page = status_page.render(ROWS, results)
    assert "still: drifted" in page and "healed: by-the-run" not in page  # the status says web is Synced now
