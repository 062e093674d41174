#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection (no container engine needed).
# Usage: hack/sanity.sh VENV PYTHON_VERSION [ansible-test sanity args...]
#   e.g. hack/sanity.sh .venv 3.11     (ansible-core from .venv, tests on Python 3.11)
# The copy holds git-tracked plus untracked-but-not-ignored files, in
# .build/pyVERSION/ansible_collections/gitops/k8s/ (its own git repository, so ansible-test
# lists its files with git). tests/sanity/ must hold no ignore-*.txt file.
# Runs of one Python version on one machine are serialised with a lock (ansible-test shares
# its venv cache); the two versions have a copy and venvs each, so they run at once.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENV="$(cd "${1:?usage: $0 VENV PYTHON_VERSION}" && pwd)"
PYVER="${2:?usage: $0 VENV PYTHON_VERSION}"
shift 2
DEST="$REPO/.build/py$PYVER/ansible_collections/gitops/k8s"
START=$(date +%s)

step() { printf '[sanity py%s %4ss] %s\n' "$PYVER" "$(( $(date +%s) - START ))" "$*"; }

cd "$REPO"
ignores=(tests/sanity/ignore-*.txt)
if [[ -e "${ignores[0]}" ]]; then
    echo "sanity: ignore files are not allowed: ${ignores[*]}" >&2
    exit 1
fi

bash "$HERE/apt-deps.sh" shellcheck git rsync
bash "$HERE/ansible-test-bootstrap.sh"

# ansible-test shares its per-test venvs (~/.ansible/test/venv/<test>/<python>/) between
# runs: two runs of one Python version at once corrupt them, so those take turns.
mkdir -p "$HOME/.ansible/test"
exec 9>"$HOME/.ansible/test/gitops-k8s-sanity-py$PYVER.lock"
if ! flock -n 9; then
    step "waiting for another sanity run to finish"
    flock 9
fi

step "copying the collection to ${DEST#"$REPO"/}"
mkdir -p "$DEST"
filters="$(mktemp)"
trap 'rm -f "$filters"' EXIT
git ls-files -co --exclude-standard -z | "$VENV/bin/python" -c '
import os, sys
seen = set()
rules = ["P /.git/"]
for path in sys.stdin.buffer.read().decode().split("\0"):
    if not path or not os.path.lexists(path):
        continue
    parts = path.split("/")
    for i in range(1, len(parts)):
        d = "/" + "/".join(parts[:i]) + "/"
        if d not in seen:
            seen.add(d)
            rules.append("+ " + d)
    rules.append("+ /" + path)
rules.append("- *")
print("\n".join(rules))
' >"$filters"
rsync -a --delete --delete-excluded --filter="merge $filters" "$REPO/" "$DEST/"
if [[ ! -d "$DEST/.git" ]]; then
    git -C "$DEST" init -q
fi

core="$("$VENV/bin/python" -c 'from ansible.release import __version__; print(__version__)')"
step "ansible-test sanity --python $PYVER (ansible-core $core)"
cd "$DEST"
env -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_CONFIG PATH="$VENV/bin:$PATH" \
    "$VENV/bin/ansible-test" sanity --python "$PYVER" --color no "$@"
step "passed"
