#!/usr/bin/env bash
# End-to-end demo of gitops.k8s (`make demo`), run exactly as a node would run it:
#   1. a Git repository made from examples/ (served over file://)
#   2. ansible-pull -U <repo> local.yml       -> full sync of 3 Applications (app-of-apps)
#   3. kubectl scale + kubectl edit             -> drift detected and reverted (selfHeal)
#   4. git rm a manifest, commit                -> the object is pruned
#      git rm an Application (app-of-apps)      -> the app and its objects are pruned
#   5. kubectl get gapp
# A fake kubelet marks Pods Running/Ready so health is real (the test cluster has no kubelet).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KUBECONFIG_FILE="${GITOPS_K8S_KUBECONFIG:-$REPO/.cluster/kubeconfig}"
VENV="$REPO/.venv"
WORK="${GITOPS_K8S_DEMO_DIR:-$REPO/.cluster/demo}"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$REPO/.collections"
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False
export K8S_AUTH_KUBECONFIG="$KUBECONFIG_FILE"
# run modules with the venv's Python (kubernetes, PyYAML), whatever python3 is on PATH
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
START=$(date +%s)

say() { printf '\n\033[1m== [demo %3ss] %s\033[0m\n' "$(( $(date +%s) - START ))" "$*"; }
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

pull() {
    # what the node agent runs: no --only-if-changed (drift must be corrected on an unchanged repo)
    local log="$WORK/ansible-pull.log"
    if ! ansible-pull -U "file://$WORK/origin.git" -d "$WORK/checkout" -i localhost, \
            -e "gitops_k8s_kubeconfig=$KUBECONFIG_FILE" local.yml >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "demo: ansible-pull failed (full log: $log)" >&2
        exit 1
    fi
    sed -n '/TASK \[Show the summary\]/,/PLAY RECAP/p' "$log" | grep -v '^$' || true
}

git_rm_and_push() {  # PATH MESSAGE: a reviewed commit, as a team would push it
    git -C "$WORK/work" rm -q "$1"
    git -C "$WORK/work" -c user.name=demo -c user.email=demo@example.test commit -qm "$2"
    git -C "$WORK/work" push -q origin HEAD:main 2>/dev/null
}

say "preparing a Git repository from examples/ in $WORK"
rm -rf "$WORK" && mkdir -p "$WORK"
git init -q --bare "$WORK/origin.git"
git clone -q "$WORK/origin.git" "$WORK/work" 2>/dev/null
cp -r "$REPO/examples/." "$WORK/work/"
git -C "$WORK/work" add -A
git -C "$WORK/work" -c user.name=demo -c user.email=demo@example.test commit -qm "Add example apps"
git -C "$WORK/work" push -q origin HEAD:main 2>/dev/null
git -C "$WORK/origin.git" symbolic-ref HEAD refs/heads/main

say "starting a fake kubelet (marks Pods Ready; the test cluster has no kubelet)"
( cd "$REPO" && "$VENV/bin/python" -c "
import sys, time
from kubernetes import config
from kubernetes.dynamic import DynamicClient
from tests.helpers import fake_kubelet
dyn = DynamicClient(config.new_client_from_config(sys.argv[1]))
fake_kubelet.ensure_node(dyn)
end = time.time() + 900
while time.time() < end:
    for ns in ('guestbook', 'podinfo', 'web'):
        try:
            fake_kubelet.make_pods_ready(dyn, ns)
        except Exception:
            pass
    time.sleep(1)
" "$KUBECONFIG_FILE" ) &
KUBELET=$!
trap 'kill $KUBELET 2>/dev/null || true' EXIT

say "1/4 first reconcile: ansible-pull -U file://$WORK/origin.git local.yml"
pull
k get gapp -A
k get deploy,svc,cm -n guestbook -o name
k get deploy,svc,route -n web -o name

say "2/4 manual changes on the cluster: scale guestbook-ui to 5, edit a ConfigMap"
k -n guestbook scale deploy/guestbook-ui --replicas=5
k -n guestbook patch configmap guestbook-settings --type merge -p '{"data":{"theme":"dark"}}'
echo "replicas now: $(k -n guestbook get deploy guestbook-ui -o jsonpath='{.spec.replicas}'), theme now: $(k -n guestbook get cm guestbook-settings -o jsonpath='{.data.theme}')"
say "second reconcile (Git unchanged): drift detected and reverted (selfHeal)"
pull
echo "replicas now: $(k -n guestbook get deploy guestbook-ui -o jsonpath='{.spec.replicas}'), theme now: $(k -n guestbook get cm guestbook-settings -o jsonpath='{.data.theme}')"

say "3/4 remove guestbook/configmap.yaml from Git and push"
git_rm_and_push guestbook/configmap.yaml "Remove the guestbook settings"
pull
if k -n guestbook get configmap guestbook-settings >/dev/null 2>&1; then
    echo "ERROR: ConfigMap guestbook/guestbook-settings still exists" >&2; exit 1
fi
echo "ConfigMap guestbook/guestbook-settings was pruned"

say "remove a whole app from Git: git rm apps/podinfo.yaml (app-of-apps)"
git_rm_and_push apps/podinfo.yaml "Retire podinfo"
pull
if k -n podinfo get deploy podinfo >/dev/null 2>&1 || k -n gitops-system get gapp podinfo >/dev/null 2>&1; then
    echo "ERROR: podinfo is still deployed" >&2; exit 1
fi
echo "Application podinfo and its Deployment, Service and ConfigMap were pruned (the Namespace is protected from pruning)"

say "4/4 kubectl get gapp"
sleep 3
pull >/dev/null
k get gapp -A
k -n gitops-system get gapp guestbook -o jsonpath='{range .status.history[*]}{.syncedAt}  {.revision}  {.result}  created={.created} configured={.configured} pruned={.pruned}{"\n"}{end}'
say "demo finished in $(( $(date +%s) - START ))s"
