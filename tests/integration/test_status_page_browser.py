"""The status page as a person sees it, in a real browser (headless Chromium), without a
cluster: every Application and object of an app-of-apps is on the page, the OutOfSync
object is painted in its colour with its diff, names that try to inject HTML or a script
show as text and run nothing, and the page loads nothing from anywhere."""

from __future__ import annotations

import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine import redact, status_page

from tests.helpers.browser import dump_dom, screenshot
from tests.helpers.png_pixels import colour_count

WARN_BACKGROUND = (0xFF, 0xE7, 0xB3)  # status_page.CSS .warn
BAD_BACKGROUND = (0xFF, 0xD6, 0xD6)  # .bad
INJECTED = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
SECRET = "browser-secret-Hq27"


def resource(kind, name, status="Synced", health="Healthy"):
    return {"group": "", "version": "v1", "kind": kind, "namespace": "shop", "name": name, "status": status, "health": {"status": health}}


def rows():
    return [
        {"name": "root", "namespace": "ops", "sync_status": "Synced", "health_status": "Healthy", "revision": "1" * 40, "parent": "", "objects": []},
        {
            "name": "shop",
            "namespace": "ops",
            "sync_status": "OutOfSync",
            "health_status": "Degraded",
            "health_message": INJECTED,
            "revision": "2" * 40,
            "parent": "ops/root",
            "objects": [resource("ConfigMap", "settings", "OutOfSync"), resource("Deployment", "web", health="Degraded"), resource("Secret", "creds")],
            "history": [{"id": 1, "revision": "2" * 40, "syncedAt": "2026-11-26T03:00:00Z", "result": "Succeeded", "created": 3, "configured": 0, "pruned": 0}],
            "hooks": [{"hookType": "PreSync", "kind": "Job", "namespace": "shop", "name": "migrate", "hookPhase": "Succeeded", "message": "done"}],
        },
        {"name": INJECTED, "namespace": "ops", "sync_status": "Synced", "health_status": "Progressing", "revision": "", "parent": "ops/root", "objects": []},
    ]


def test_the_page_in_chromium(tmp_path):
    salt = redact.new_salt()
    hashed = redact.redact({"apiVersion": "v1", "kind": "Secret", "stringData": {"password": SECRET}}, salt)["stringData"]["password"]
    diff = "--- live/ConfigMap/shop/settings\n+++ desired/ConfigMap/shop/settings\n-  mode: by-hand\n+  mode: from-git\n"
    secret_diff = "-  password: %s\n+  password: <redacted sha256:00000000>\n" % hashed
    results = [
        {
            "application": "ops/shop",
            "objects": [
                {"id": "ConfigMap/shop/settings", "status": "OutOfSync", "diff": diff},
                {"id": "Secret/shop/creds", "status": "OutOfSync", "diff": secret_diff},
            ],
        }
    ]
    page = tmp_path / "status.html"
    page.write_text(status_page.render(rows(), results, generated="2026-11-26T03:00:00Z"), encoding="utf-8")
    assert SECRET not in page.read_text(encoding="utf-8")

    dom = dump_dom(tmp_path / "chromium", page)
    assert re.search(r"<title>GitOps status</title>", dom)  # no injected script changed it
    assert "<script" not in dom and "<img" not in dom
    assert dom.count("&lt;script&gt;document.title='pwned'&lt;/script&gt;") >= 2  # shown as text
    for key in ("ops/root", "ops/shop"):
        assert 'id="app-%s"' % key in dom
    for subject in ("ConfigMap/shop/settings", "Deployment/shop/web", "Secret/shop/creds", "Job/shop/migrate"):
        assert "<td>%s</td>" % subject in dom
    assert '<tr class="drift"><td>ConfigMap/shop/settings</td><td><span class="badge warn">OutOfSync</span>' in dom
    assert "diff of ConfigMap/shop/settings (OutOfSync)" in dom and "+  mode: from-git" in dom
    assert dom.index("diff of ConfigMap/shop/settings") > dom.index('id="app-ops/shop"')

    shot = screenshot(tmp_path / "chromium", page, tmp_path / "status.png")
    warn, bad = colour_count(str(shot), WARN_BACKGROUND), colour_count(str(shot), BAD_BACKGROUND)
    print("screenshot %d bytes: %d pixels OutOfSync colour, %d pixels Degraded colour" % (shot.stat().st_size, warn, bad))
    assert shot.stat().st_size > 20_000
    assert warn > 200 and bad > 100
