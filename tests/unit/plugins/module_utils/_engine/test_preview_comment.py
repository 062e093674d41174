# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pull-request comment of a preview: objects listed by what a sync would do, errors
quoted, untrusted text unable to break out of its code span or block, and the size limit
kept with what was cut said."""

from __future__ import annotations

import re

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._engine import preview_comment as preview

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def obj(subject, status, action, diff="", reason=""):
    out = {"id": subject, "status": status, "action": action}
    if diff:
        out["diff"] = diff
    if reason:
        out["reason"] = reason
    return out


def app(name, objects=(), **extra):
    out = {"application": "ops/" + name, "revision": COMMIT, "sync_status": "OutOfSync", "deleted": False, "objects": list(objects)}
    out.update(extra)
    return out


WEB = app(
    "web",
    [
        obj("ConfigMap/shop/new", "Missing", "created", "+data: 1\n"),
        obj("ConfigMap/shop/settings", "OutOfSync", "configured", "-  a: 1\n+  a: 2\n"),
        obj("Secret/shop/creds", "OutOfSync", "configured", "-  password: <redacted sha256:aa>\n+  password: <redacted sha256:bb>\n"),
        obj("ConfigMap/shop/old", "Extra", "pruned", "-data: old\n"),
        obj("ConfigMap/shop/theirs", "Extra", "skipped", reason="not owned by this Application (tracking annotation differs)"),
        obj("Deployment/shop/web", "Synced", "unchanged"),
    ],
)
ROOT = app("root", [obj("Application/ops/web", "Synced", "unchanged")], sync_status="Synced")


def listed(markdown):
    """verb -> ids, from the comment's lists."""
    out, verb = {}, None
    for line in markdown.splitlines():
        if re.fullmatch(r"[A-Z][\w ()]*:", line):
            verb = line.split()[0].rstrip(":").lower()
        elif line.startswith("- `") and verb:
            out.setdefault(verb, []).append(line[3 : line.index("`", 3)])
        elif not line.strip():
            verb = None
    return out


def test_objects_are_listed_by_what_a_sync_would_do():
    text = preview.comment([ROOT, WEB], revision="my-feature")
    assert text.startswith(preview.MARKER + "\n### GitOps preview of `my-feature` (`0123456789ab`)\n")
    assert listed(text) == {
        "added": ["ConfigMap/shop/new"],
        "changed": ["ConfigMap/shop/settings", "Secret/shop/creds"],
        "removed": ["ConfigMap/shop/old"],
        "left": ["ConfigMap/shop/theirs"],
    }
    assert "1 of 2 Applications change: 1 object added, 2 changed, 1 removed." in text
    assert "| `ops/web` | 1 | 2 | 1 |" in text and "ops/root" not in text  # in sync: not in the table
    assert "Deployment/shop/web" not in text
    assert text.count("<details>") == 4 and "```diff\n-  a: 1\n+  a: 2\n```" in text
    assert "Errors" not in text and "left out" not in text


def test_in_sync_says_so():
    text = preview.comment([ROOT], revision="main")
    assert "No Application changes" in text and "| Application |" not in text


def test_a_failed_application_is_in_the_table_and_the_errors():
    broken = app("api", error="ops/api: render failed: web/bad.yaml:6: invalid YAML", error_step="render", sync_status="Unknown")
    text = preview.comment([ROOT, broken, WEB])
    assert "**1 could not be compared** (see Errors)" in text
    assert "| `ops/api` | failed (render) | | |" in text
    errors = text.split("#### Errors\n", 1)[1]
    assert errors.startswith("\n`ops/api`: render failed\n\n```text\nops/api: render failed: web/bad.yaml:6: invalid YAML\n```\n")


def test_a_removed_application_lists_what_its_finalizer_prunes():
    gone = app(
        "gone", [obj("ConfigMap/shop/a", "Extra", "pruned", "-a\n")], deleted=True, sync_status="Unknown", reason="Application deleted: pruning its objects"
    )
    kept = app(
        "kept", [], deleted=True, sync_status="Unknown", reason="being deleted without the gitops-k8s.dev/resources-finalizer finalizer: its objects stay"
    )
    text = preview.comment([ROOT, gone, kept])
    assert "| `ops/gone` (removed) | 0 | 0 | 1 |" in text and "| `ops/kept` (removed) | 0 | 0 | 0 |" in text
    assert "#### `ops/gone` at `0123456789ab`: removed by this revision (Application deleted: pruning its objects)" in text
    assert "#### `ops/kept` at `0123456789ab`: removed by this revision (being deleted without the gitops\\-k8s\\.dev/resources\\-finalizer" in text
    assert listed(text) == {"removed": ["ConfigMap/shop/a"]}


EVIL = "x``` \n<script>alert(1)</script> @someone [link](http://example.test) **bold**"


def test_untrusted_text_stays_quoted():
    rows = [
        app("web", [obj("ConfigMap/shop/a`b", "OutOfSync", "configured", "```\n" + EVIL + "\n````\n", reason=EVIL)]),
        app("api", error=EVIL, error_step="<b>render</b>"),
        app("db", [obj("ConfigMap/shop/c", "Extra", "skipped", reason=EVIL)]),
    ]
    text = preview.comment(rows, revision="feat`ure")
    assert "``feat`ure``" in text and "``ConfigMap/shop/a`b``" in text
    assert "`````diff\n```\n" in text  # the fence is longer than the longest run inside
    assert "\\<b\\>render\\</b\\>" in text
    assert "\\@someone \\[link\\]\\(http://example\\.test\\) \\*\\*bold\\*\\*" in text  # the skipped row's reason, escaped
    assert [line for line, fenced in lines_and_fences(text) if "<script>" in line] == [EVIL.split("\n")[1]] * 2
    assert all(fenced for line, fenced in lines_and_fences(text) if "<script>" in line)  # only in code blocks


def lines_and_fences(markdown):
    """(line, inside a fenced block) of each line, with CommonMark's rule: a block ends at
    a line of at least as many backticks as opened it, and nothing else."""
    out, fence = [], None
    for line in markdown.splitlines():
        run = re.match(r"(`{3,})(.*)$", line)
        if fence is None and run:
            fence = run.group(1)
        elif fence is not None and run and run.group(2).strip() == "" and len(run.group(1)) >= len(fence):
            fence = None
        else:
            out.append((line, fence is not None))
    return out


def big_app(name, count, size):
    return app(name, [obj("ConfigMap/shop/%s-%03d" % (name, i), "OutOfSync", "configured", ("+  line %d\n" % i) * size) for i in range(count)])


@pytest.mark.parametrize("limit", [preview.GITHUB_LIMIT, 20000])
def test_the_comment_stays_under_the_limit_and_says_what_was_cut(limit):
    rows = [big_app("a", 30, 200), big_app("b", 30, 200)]
    text = preview.comment(rows, revision="big", limit=limit)
    assert len(text) <= limit
    shown = text.count("<details>")
    left_out = int(re.search(r"_(\d+) diffs left out to stay under the comment limit of ([\d,]+) characters", text).group(1))
    assert shown > 0 and shown + left_out == 60
    assert listed(text)["changed"] == ["ConfigMap/shop/a-%03d" % i for i in range(30)] + ["ConfigMap/shop/b-%03d" % i for i in range(30)]


def test_one_huge_diff_is_cut_at_a_line():
    rows = [app("web", [obj("ConfigMap/shop/huge", "OutOfSync", "configured", "+  %s\n" % ("y" * 70) * 1000)])]
    text = preview.comment(rows)
    assert len(text) < preview.DIFF_LIMIT + 2000
    assert re.search(r"\n\.\.\. \d+ more lines cut\n```", text)
    assert "left out" not in text


def test_too_many_objects_even_without_diffs_keeps_the_table():
    rows = [big_app("app%03d" % n, 100, 1) for n in range(40)]
    text = preview.comment(rows, limit=20000)
    assert len(text) <= 20000
    assert text.endswith("the lists of objects and every diff left out._\n")
    assert all("| `ops/app%03d` | 0 | 100 | 0 |" % n in text for n in range(40)) and "<details>" not in text


def test_a_table_too_long_is_cut_at_a_line():
    rows = [big_app("app%04d" % n, 1, 1) for n in range(1000)]
    text = preview.comment(rows, limit=20000)
    assert len(text) <= 20000 and text.endswith("every diff left out._\n")
    assert re.search(r"\| 0 \| 1 \| 0 \|\n\n---\n_Too many objects", text)


def test_ids_per_verb_are_bounded():
    text = preview.comment([big_app("a", preview.IDS_LIMIT + 5, 1)], limit=10**6)
    assert "- ... and 5 more" in text


@pytest.mark.parametrize(
    "row, verb",
    [
        ({"status": "Missing", "action": "created"}, "added"),
        ({"status": "OutOfSync", "action": "configured"}, "changed"),
        ({"status": "OutOfSync", "action": "skipped"}, "changed"),
        ({"status": "Extra", "action": "pruned"}, "removed"),
        ({"status": "Extra", "action": "skipped"}, "kept"),
        ({"status": "Synced", "action": "unchanged"}, None),
    ],
)
def test_verb_of(row, verb):
    assert preview.verb_of(row) == verb
