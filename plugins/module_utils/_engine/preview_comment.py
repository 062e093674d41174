# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The markdown comment of a preview (docs/previews.md): from the per-Application rows of
gitops.k8s.drift_info with ``children: true``, what a sync of the revision would do.

- A table: each Application, the objects it would add, change and remove.
- The errors: each Application that could not be compared, its step and message (a
  render error names the file and line), in a code block.
- Per Application that changes: the objects by verb, then each diff (already redacted by
  the plan: a Secret's keys show, its values are salted hashes), folded in ``<details>``.

GitHub refuses a comment over 65,536 characters: the comment stays under ``limit``. The
table, the errors and the lists come first; diffs fill what is left, one diff at most
DIFF_LIMIT characters; the comment ends saying what was cut. Everything quoted comes
from a repository or the cluster: it goes in code spans or fenced blocks whose fences
are longer than any backtick run it holds, or is escaped, so it cannot end a block,
mention someone, or inject HTML.
"""

from __future__ import annotations

import re

from ansible_collections.gitops.k8s.plugins.module_utils._engine.constants import EXTRA, MISSING, OUT_OF_SYNC, PRUNED

GITHUB_LIMIT = 65536  # characters of a pull-request comment
MIN_LIMIT = 10000  # a limit below this would leave no room for the table and the lists
DIFF_LIMIT = 12000  # characters of one object's diff
ERROR_LIMIT = 2000  # characters of one error message
IDS_LIMIT = 100  # objects named per verb and Application; the rest are counted
CUT_IDS_LIMIT = 20  # diffs left out named at the end; the rest are counted
MARKER = "<!-- gitops-k8s-preview -->"  # lets a CI job find and update its earlier comment
ADDED, CHANGED, REMOVED, KEPT = "added", "changed", "removed", "kept"
VERBS = (ADDED, CHANGED, REMOVED)
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~@<>&])")


def verb_of(row):
    """What a sync would do to one object row: added, changed, removed, kept (an object
    that left Git but stays: not owned, prune off, protected) or None (in sync)."""
    if row.get("action") == PRUNED:
        return REMOVED
    status = row.get("status")
    if status == MISSING:
        return ADDED
    if status == OUT_OF_SYNC:
        return CHANGED
    if status == EXTRA:
        return KEPT
    return None


def counts(row):
    """{verb: number of objects} of one Application row."""
    out = dict((v, 0) for v in VERBS + (KEPT,))
    for obj in row.get("objects") or ():
        verb = verb_of(obj)
        if verb is not None:
            out[verb] += 1
    return out


def changes(row):
    return any(counts(row)[v] for v in VERBS)


def plain(text):
    """Text from the input as inline markdown: one line, punctuation escaped (no link,
    no emphasis, no HTML, no @mention)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def code(text):
    """An inline code span holding ``text`` on one line, whatever backticks it has."""
    text = " ".join(str(text).split())
    ticks = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return "%s%s%s%s%s" % (ticks, pad, text, pad, ticks)


def fenced(text, language=""):
    """A fenced code block holding ``text``: its fence is longer than any backtick run."""
    ticks = "`" * max(3, max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    body = text if text.endswith("\n") else text + "\n"
    return "%s%s\n%s%s\n" % (ticks, language, body, ticks)


def html(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def cut(text, limit):
    """``text`` within ``limit`` characters, cut at a line end, saying how many lines went."""
    if len(text) <= limit:
        return text
    kept = text[:limit].rsplit("\n", 1)[0] + "\n"
    return kept + "... %d more lines cut\n" % (text.count("\n") - kept.count("\n"))


def short(revision):
    return revision[:12] if re.fullmatch("[0-9a-f]{40}", revision or "") else revision


def _table(rows):
    lines = ["| Application | Added | Changed | Removed |", "|---|---:|---:|---:|"]
    for row in rows:
        name = code(row.get("application", ""))
        if row.get("error"):
            lines.append("| %s | failed (%s) | | |" % (name, plain(row.get("error_step") or "error")))
        elif changes(row) or row.get("deleted") or counts(row)[KEPT]:
            c = counts(row)
            label = name + (" (removed)" if row.get("deleted") else "")
            lines.append("| %s | %d | %d | %d |" % (label, c[ADDED], c[CHANGED], c[REMOVED]))
    return "\n".join(lines) + "\n"


def _errors(rows):
    failed = [r for r in rows if r.get("error")]
    if not failed:
        return ""
    out = ["#### Errors\n"]
    for row in failed:
        out.append("%s: %s failed\n" % (code(row.get("application", "")), plain(row.get("error_step") or "reconcile")))
        out.append(fenced(cut(str(row["error"]), ERROR_LIMIT), "text"))
    return "\n".join(out) + "\n"


def _lists(row):
    by_verb = {}
    for obj in row.get("objects") or ():
        verb = verb_of(obj)
        if verb is not None:
            by_verb.setdefault(verb, []).append(obj)
    title = "#### %s" % code(row.get("application", ""))
    if row.get("revision"):
        title += " at %s" % code(short(row["revision"]))
    if row.get("deleted"):
        title += ": removed by this revision"
        if row.get("reason"):
            title += " (%s)" % plain(row["reason"])
    out = [title + "\n"]
    labels = ((ADDED, "Added"), (CHANGED, "Changed"), (REMOVED, "Removed"), (KEPT, "Left in place (not pruned)"))
    for verb, label in labels:
        objs = by_verb.get(verb) or []
        if not objs:
            continue
        out.append("%s:\n" % label)
        for obj in objs[:IDS_LIMIT]:
            why = " (%s)" % plain(obj["reason"]) if verb == KEPT and obj.get("reason") else ""
            out.append("- %s%s\n" % (code(obj.get("id", "")), why))
        if len(objs) > IDS_LIMIT:
            out.append("- ... and %d more\n" % (len(objs) - IDS_LIMIT))
        out.append("\n")
    return "".join(out)


def _diffs(row):
    """(id, block) of each diff of a changing object of ``row``."""
    out = []
    for obj in row.get("objects") or ():
        verb = verb_of(obj)
        if verb in VERBS and obj.get("diff"):
            block = "<details><summary>%s <code>%s</code></summary>\n\n%s\n</details>\n\n" % (
                verb.capitalize(),
                html(obj.get("id", "")),
                fenced(cut(obj["diff"], DIFF_LIMIT), "diff"),
            )
            out.append((obj.get("id", ""), block))
    return out


def _many(count, noun):
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def _footer(omitted, limit):
    if not omitted:
        return ""
    named = ", ".join(code(i) for i in omitted[:CUT_IDS_LIMIT])
    more = " and %d more" % (len(omitted) - CUT_IDS_LIMIT) if len(omitted) > CUT_IDS_LIMIT else ""
    return "---\n_%d diffs left out to stay under the comment limit of %s characters: %s%s._\n" % (len(omitted), "{:,}".format(limit), named, more)


FOOTER_RESERVE = 200 + CUT_IDS_LIMIT * 300  # the footer's worst case (ids are at most 253+ characters)


def comment(rows, revision="", limit=GITHUB_LIMIT, title="GitOps preview"):
    """The markdown comment of a preview: ``rows`` are the ``applications`` of
    gitops.k8s.drift_info (``children: true``), ``revision`` the branch or commit
    previewed; the text is at most ``limit`` characters."""
    rows = [r for r in rows if isinstance(r, dict)]
    commit = next((r.get("revision") for r in rows if r.get("revision")), "")
    heading = "### %s of %s" % (plain(title), code(short(revision or commit)))
    if commit and revision and short(commit) != short(revision):
        heading += " (%s)" % code(short(commit))
    changing = [r for r in rows if not r.get("error") and (changes(r) or r.get("deleted"))]
    # an Application whose only difference is an object left in place is shown too
    shown = [r for r in rows if not r.get("error") and (changes(r) or r.get("deleted") or counts(r)[KEPT])]
    failed = [r for r in rows if r.get("error")]
    totals = dict((v, sum(counts(r)[v] for r in changing)) for v in VERBS)
    summary = "%d of %s change: %s added, %d changed, %d removed." % (
        len(changing),
        _many(len(rows), "Application"),
        _many(totals[ADDED], "object"),
        totals[CHANGED],
        totals[REMOVED],
    )
    if failed:
        summary += " **%d could not be compared** (see Errors)." % len(failed)
    head = "%s\n%s\n\n%s\n" % (MARKER, heading, summary)
    if shown or failed:
        head += "\n" + _table(rows) + "\n"
    else:
        head += "\nNo Application changes: the cluster already matches this revision.\n"
    head += _errors(rows)
    sections = [(_lists(r), _diffs(r)) for r in shown]
    skeleton = len(head) + sum(len(lists) for lists, _d in sections)
    if skeleton + FOOTER_RESERVE > limit:  # even without diffs too long: the table and errors only, say so
        note = "\n---\n_Too many objects for the comment limit of %s characters: the lists of objects and every diff left out._\n" % "{:,}".format(limit)
        if len(head) + len(note) > limit:  # the table itself is too long: cut it at a line
            head = head[: max(0, limit - len(note))].rsplit("\n", 1)[0] + "\n"
        return head + note
    left = limit - skeleton - FOOTER_RESERVE
    parts, omitted = [head], []
    for lists, diffs in sections:
        parts.append(lists)
        for object_id, block in diffs:
            if len(block) <= left:
                parts.append(block)
                left -= len(block)
            else:
                omitted.append(object_id)
    parts.append(_footer(omitted, limit))
    return "".join(parts)
