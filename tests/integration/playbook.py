"""Run real ansible-playbook / ansible-pull processes with this checkout's collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.join(REPO_ROOT, ".venv", "bin")


def ansible_env(**extra):
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, ".collections"),
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_PYTHON_INTERPRETER=os.path.join(VENV_BIN, "python"),
        PATH=VENV_BIN + os.pathsep + env.get("PATH", ""),
    )
    env.update(extra)
    return env


def run_tasks(tmp_path, tasks, *args, check=True, module_defaults=None):
    """Run tasks in a localhost play; returns (rc, registered results by task name).

    Every task is registered and may fail; a last task writes all results to a JSON file,
    and rc is 1 when any task failed. ``module_defaults`` is the play's, if given."""
    tmp = str(tmp_path)
    out = os.path.join(tmp, "results-%d.json" % len(os.listdir(tmp)))
    play_tasks, names = [], []
    for idx, task in enumerate(tasks):
        play_tasks.append(dict(task, register="_t%d" % idx, ignore_errors=True))
        names.append(task["name"])
    mapping = ", ".join("%s: _t%d" % (json.dumps(name), idx) for idx, name in enumerate(names))
    play_tasks.append(
        {
            "name": "Record results",
            "ansible.builtin.copy": {"content": "{{ {%s} | to_json }}" % mapping, "dest": out, "mode": "0600"},
            "check_mode": False,
            "diff": False,
        }
    )
    play = [{"name": "test", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": play_tasks}]
    if module_defaults:
        play[0]["module_defaults"] = module_defaults
    path = out[:-5] + ".yml"
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(play, handle)
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", path, *args],
        env=ansible_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if not os.path.exists(out):
        raise AssertionError("ansible-playbook did not finish (rc %d):\n%s\n%s" % (proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]))
    with open(out, encoding="utf-8") as handle:
        results = json.load(handle)
    rc = 1 if any(r.get("failed") for r in results.values()) or proc.returncode else 0
    if check and rc:
        raise AssertionError("a task failed: %s\n%s" % (json.dumps(results, indent=1)[-6000:], proc.stdout[-2000:]))
    return rc, results


def reconcile_all(tmp_path, kubeconfig, namespace, checkout, **params):
    """One ansible-playbook run of gitops.k8s.app all=true over NAMESPACE (objects from the
    CHECKOUT; the CRDs installed before, failures in the rows: fail_on_error false); its result.
    ``params``: more module parameters."""
    args = dict(kubeconfig=kubeconfig, namespace=namespace, checkout_dir=checkout, all=True, install_crd=False, fail_on_error=False)
    args.update(params)
    _rc, results = run_tasks(tmp_path, [{"name": "all", "gitops.k8s.app": args}], check=False)
    return results["all"]


def pull_command(url, dest, kubeconfig, *extra):
    """The ansible-pull command line of a node agent."""
    return [
        os.path.join(VENV_BIN, "ansible-pull"),
        "-U",
        url,
        "-d",
        dest,
        "-i",
        "localhost,",
        "-e",
        "gitops_k8s_kubeconfig=%s" % kubeconfig,
        *extra,
        "local.yml",
    ]


def ansible_pull(url, dest, kubeconfig, *extra):
    """Run ansible-pull exactly as a node agent does; returns the completed process."""
    return subprocess.run(pull_command(url, dest, kubeconfig, *extra), env=ansible_env(), capture_output=True, text=True, check=False, timeout=900)


def start_ansible_pull(url, dest, kubeconfig, *extra):
    """Start ansible-pull as ansible_pull() runs it, without waiting (the test acts meanwhile,
    as a controller would); ``.communicate(timeout=...)`` collects its output."""
    return subprocess.Popen(  # pylint: disable=consider-using-with
        pull_command(url, dest, kubeconfig, *extra), env=ansible_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def bootstrap(extra_vars):
    """Run the gitops.k8s.bootstrap playbook with EXTRA_VARS (a dict, given as JSON); fail the test on an error."""
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", "gitops.k8s.bootstrap", "-e", json.dumps(extra_vars)],
        env=ansible_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    return proc


def start_module(tmp_path, args):
    """The gitops.k8s.app module process itself, as Ansible runs it (JSON result on stdout)."""
    path = os.path.join(str(tmp_path), "args-%d.json" % len(os.listdir(str(tmp_path))))
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    env = dict(ansible_env(), PYTHONPATH=os.path.join(REPO_ROOT, ".collections"))
    return subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, "-m", "ansible_collections.gitops.k8s.plugins.modules.app", path],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
