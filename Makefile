# gitops.k8s — single entry point for development, tests and the demo.
# `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
.DELETE_ON_ERROR:

REPO := $(CURDIR)
PYTHON ?= python3.11
VENV := .venv
BIN := $(REPO)/$(VENV)/bin
VENV312 := .venv312
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null)
PYTHON312 ?= $(if $(PYENV_ROOT_DIR),$(PYENV_ROOT_DIR)/versions/3.12.1/bin/python3.12,)
COLLECTION_LINK := .collections/ansible_collections/gitops/k8s
KUBECONFIG_FILE := $(REPO)/.cluster/kubeconfig
PYTEST_ARGS ?=
# pytest-xdist workers. Unit tests are CPU-bound (one per core); integration tests mostly
# wait on the API server and their child processes, so they take more workers than cores.
UNIT_WORKERS ?= 2
INTEGRATION_WORKERS ?= 4

# Tools of the venv come first; ansible sees this checkout as gitops.k8s.
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(REPO)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(REPO)/.collections
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv venv312 cluster-up cluster-down cluster-status test-deps unit static sanity sanity-py311 sanity-py312 bench-fleet \
	lint checks integration molecule molecule-link molecule-default molecule-agent molecule-node-agent test demo clean ee bench

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 22

# ---------------------------------------------------------------- environments
venv: $(VENV)/.stamp ## Create .venv (Python 3.11, dev tools, kubectl, helm) and the collection link
	@test -L $(COLLECTION_LINK) || { mkdir -p $(dir $(COLLECTION_LINK)) && { ln -sn ../../.. $(COLLECTION_LINK) || test -L $(COLLECTION_LINK); }; }

$(VENV)/.stamp: requirements.txt requirements-dev.txt hack/install-helm.sh hack/apt-deps.sh
	@start=$$(date +%s); \
	bash hack/apt-deps.sh git rsync make gnupg openssh-client; \
	command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found (set PYTHON=/path/to/python3.11)" >&2; exit 1; }; \
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "$(PYTHON) is not Python 3.11" >&2; exit 1; }; \
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV); \
	echo "venv: installing requirements.txt requirements-dev.txt"; \
	$(VENV)/bin/python -m pip install -qq -r requirements.txt -r requirements-dev.txt; \
	bash hack/install-helm.sh $(VENV); \
	touch $@; \
	echo "venv: ready in $$(( $$(date +%s) - start ))s"

venv312: $(VENV312)/.stamp ## Create .venv312 (Python 3.12, newest ansible-core) for the second sanity run

$(VENV312)/.stamp: requirements-sanity312.txt
	@test -n "$(PYTHON312)" && test -x "$(PYTHON312)" || { \
		echo "Python 3.12 not found at '$(PYTHON312)': needs pyenv with 3.12.1 installed (pyenv root: '$(PYENV_ROOT_DIR)'), or PYTHON312=/path/to/python3.12" >&2; exit 1; }
	@test -x $(VENV312)/bin/python || $(PYTHON312) -m venv $(VENV312)
	@$(VENV312)/bin/python -m pip install -qq -r requirements-sanity312.txt
	@touch $@

# --------------------------------------------------------------------- cluster
cluster-up: ## Start (or reuse) the local test cluster and its node (GITOPS_K8S_NODE=0: none); honours GITOPS_K8S_TEST_KUBECONFIG
	@bash hack/cluster.sh up

cluster-down: ## Stop the local test cluster (node included) and remove its data, bridge, NAT rules and mounts
	@bash hack/cluster.sh down

cluster-status: ## Show the state of the test cluster
	@bash hack/cluster.sh status

# ---------------------------------------------------------------------- images
# Podman and debootstrap from Debian; the images are cached by a hash of their inputs
# (hack/build-ee.sh), so an unchanged checkout costs a few seconds.
EE_DEBS := podman runc debootstrap containernetworking-plugins iptables
ee: venv ## Build the execution environment from this checkout (localhost/gitops-k8s-ee; cached by its inputs)
	@bash hack/apt-deps.sh $(EE_DEBS)
	@bash hack/build-ee.sh $(VENV)

# ----------------------------------------------------------------------- tests
test-deps: ## Debian packages the tests run their own instances of (docker-registry, prometheus, node_exporter), system services disabled
	@bash hack/test-deps.sh

unit: venv test-deps ## Unit tests (no cluster needed; UNIT_WORKERS processes)
	$(BIN)/pytest tests/unit -n $(UNIT_WORKERS) $(PYTEST_ARGS)

# hack/stages.sh runs make targets at once, a log each, printed whole when all have ended.
sanity: venv venv312 ## ansible-test sanity on Python 3.11 (core 2.19) and 3.12 (core 2.21), both at once
	@bash hack/stages.sh sanity-py311 sanity-py312

sanity-py311: venv ## ansible-test sanity on Python 3.11 (ansible-core 2.19)
	@bash hack/sanity.sh $(VENV) 3.11

sanity-py312: venv312 ## ansible-test sanity on Python 3.12 (ansible-core 2.21)
	@bash hack/sanity.sh $(VENV312) 3.12

checks: venv venv312 ## static, lint and both sanity runs at once (none needs the cluster)
	@bash hack/stages.sh static lint sanity-py311 sanity-py312

lint: venv ## ansible-lint --profile production
	$(BIN)/ansible-lint --profile production --offline

static: venv ## ruff check and ruff format --check (all Python), mypy (the engine and the adapters); settings in pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd .collections && $(BIN)/mypy --config-file $(REPO)/pyproject.toml \
		-p ansible_collections.gitops.k8s.plugins.module_utils._engine \
		-p ansible_collections.gitops.k8s.plugins.module_utils._adapters

BENCH_SCALES ?= 10x100,100x50,1000x5
BENCH_RUNS ?= 3
BENCH_BASELINE ?=
BENCH_CHART ?= docs/performance.png
# the bench's own venv: the kubernetes.core.k8s loop it measures (the ansible package) and
# matplotlib for the chart; never part of make test
BENCH_VENV := .venv-bench
bench: venv $(BENCH_VENV)/.stamp ## Benchmark on the test cluster (not part of test): ansible-pull and in-process beside kubectl, a kubernetes.core.k8s loop and the SSA ceiling; BENCH_SCALES=APPSxOBJECTS,...
	$(BIN)/python benchmarks/bench.py --scales $(BENCH_SCALES) --runs $(BENCH_RUNS) --baseline "$(BENCH_BASELINE)" \
		--k8s-venv $(REPO)/$(BENCH_VENV) --chart $(BENCH_CHART)

$(BENCH_VENV)/.stamp: benchmarks/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -r benchmarks/requirements.txt
	touch $@

FLEET_CLUSTERS ?= 3
FLEET_SCALE ?= 10x100
bench-fleet: venv ## Benchmark a fleet (not part of test): FLEET_CLUSTERS local control planes x FLEET_SCALE=APPSxOBJECTS, beside one cluster
	$(BIN)/python benchmarks/fleet_bench.py --clusters $(FLEET_CLUSTERS) --apps $(firstword $(subst x, ,$(FLEET_SCALE))) 		--per-app $(lastword $(subst x, ,$(FLEET_SCALE))) --runs $(BENCH_RUNS)

# --dist loadfile: the tests of one file run in one worker (they share module fixtures: a private
# control plane, servers, a bootstrapped agent), files go to whichever worker is free. (loadgroup
# would spread them: with pytest 9 and xdist 3.8 its xdist_group marks are not honoured.)
# INTEGRATION_WORKERS=0 runs them in this process, in order.
integration: venv test-deps ## Integration tests against .cluster/kubeconfig (run `make cluster-up` first; INTEGRATION_WORKERS processes)
	GITOPS_K8S_KUBECONFIG=$(KUBECONFIG_FILE) $(BIN)/pytest tests/integration -n $(INTEGRATION_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The scenarios live in molecule/. extensions/molecule, where molecule's collection support
# looks, is a link to it made here and ignored by Git: ansible-test sanity refuses a link to a
# directory among the collection's files. (Without MOLECULE_GLOB, a top-level molecule/ makes
# molecule warn and read it directly.)
MOLECULE := KUBECONFIG=$(KUBECONFIG_FILE) GITOPS_K8S_KUBECONFIG=$(KUBECONFIG_FILE) \
	MOLECULE_GLOB='extensions/molecule/*/molecule.yml' $(BIN)/molecule
# The scenarios share no namespace, cluster-wide object or file: they run at once.
molecule: molecule-link ## Molecule scenarios (molecule/: default, agent, node_agent) against the test cluster, at once
	@bash hack/stages.sh molecule-default molecule-agent molecule-node-agent

molecule-link: venv
	@test -f $(KUBECONFIG_FILE) || { echo "no $(KUBECONFIG_FILE): run 'make cluster-up' first" >&2; exit 1; }
	@test -L extensions/molecule || { mkdir -p extensions && { ln -sn ../molecule extensions/molecule || test -L extensions/molecule; }; }

molecule-default: molecule-link ## Molecule scenario default (the examples reconciled into gitops-system)
	$(MOLECULE) test -s default

molecule-agent: molecule-link ## Molecule scenario agent
	$(MOLECULE) test -s agent

molecule-node-agent: molecule-link ## Molecule scenario node_agent
	$(MOLECULE) test -s node_agent

# checks (CPU-bound, no cluster) run before the cluster tests, not beside them. molecule
# before integration: the examples' namespaces are both molecule default's and
# test_ansible_pull's (which clears them first), and pytest's summary stays the last output.
test: venv cluster-up ee checks unit molecule integration ## Everything: venv, cluster, EE image, checks (static, lint, sanity), unit, molecule, integration
	@echo "make test: all green"

demo: venv cluster-up ## Run the end-to-end demo (hack/demo.sh) on the test cluster
	GITOPS_K8S_KUBECONFIG=$(KUBECONFIG_FILE) bash hack/demo.sh

clean: ## Remove build output (keeps .venv and the cluster)
	rm -rf .build .pytest_cache
	find . -path ./.venv -prune -o -path ./.venv312 -prune -o -name __pycache__ -type d -print0 \
		| xargs -0 rm -rf
