# Two commands do everything (see README.md):
#   make synth   synthesize the reference stacks with the aisec pack enforcing (PHASE=foundational|enhanced|advanced)
#   make test    run the whole test suite
# Both create .venv and install the project on first use; synth also installs the pinned cdk CLI.
# CI (.ci/run) also runs:
#   make test-compat  the pack's end-to-end tests against the lower bounds, in .venv-compat
#   make lint         ruff and mypy
#   make check-dist   the built wheel (make dist) and a git-URL install, in a fresh venv outside the checkout

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CDK := node_modules/.bin/cdk
PHASE ?= advanced
OUTDIR ?= cdk.out

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20
export CDK_DISABLE_CLI_TELEMETRY ?= true

.PHONY: synth test test-compat lint docs dist check-dist bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,lint]"
	touch $@

# The lower bounds users may run beside aisec: the oldest aws-cdk-lib pyproject.toml allows, cdk-nag 2,
# and cdklabs.generative-ai-cdk-constructs (which pins cdk-nag 2). pip must resolve them all together.
COMPAT_VENV := .venv-compat
COMPAT_PY := $(COMPAT_VENV)/bin/python
COMPAT_INSTALLED := $(COMPAT_VENV)/.installed
MIN_CDK := $(shell sed -n 's/^ *"aws-cdk-lib>=\([0-9.]*\),.*/\1/p' pyproject.toml)
COMPAT_PINS := "aws-cdk-lib==$(MIN_CDK)" "cdk-nag==2.38.2" "cdklabs.generative-ai-cdk-constructs==0.1.320"

$(COMPAT_INSTALLED): pyproject.toml Makefile
	rm -rf $(COMPAT_VENV)
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_PY) -m pip install --quiet --upgrade pip
	$(COMPAT_PY) -m pip install --quiet -e ".[test]" $(COMPAT_PINS)
	$(COMPAT_PY) -m pip check
	touch $@

$(CDK): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

synth: $(INSTALLED) $(CDK)
	$(CDK) synth --quiet --no-notices --no-version-reporting -o $(OUTDIR) -c aisec:phase=$(PHASE)
	@echo "Templates: $$(ls $(OUTDIR)/*.template.json | tr '\n' ' ')"
	@if [ -f $(OUTDIR)/validation-report.json ]; then echo "Validation report: $(OUTDIR)/validation-report.json"; \
	else echo "Validation report: none written (no plugin reported anything: zero findings)"; fi
	@echo "Readiness report: $(OUTDIR)/aisec-report.html (and $(OUTDIR)/aisec-report.json)"

test: $(INSTALLED) $(CDK)
	$(PY) -m pytest -q

# The pack end to end (marker compat) and the lower-bound tests (marker lower_bounds); cdk_nag3 tests use
# cdk-nag 3's API and have their cdk-nag 2 counterparts in tests/cdk/test_pack_lower_bounds.py.
test-compat: $(COMPAT_INSTALLED)
	@echo "lower bounds: aws-cdk-lib==$(MIN_CDK) cdk-nag==2.38.2 cdklabs.generative-ai-cdk-constructs==0.1.320"
	$(COMPAT_PY) -m pytest -q -p no:cacheprovider -m "(compat or lower_bounds) and not cdk_nag3"

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

docs: $(INSTALLED)
	$(VENV)/bin/aisec docs
	$(PY) scripts/readme_assessments.py

# The wheel users install without a package index (README, Installation).
dist: $(INSTALLED)
	rm -rf dist
	$(PY) -m pip wheel --quiet --no-deps -w dist .
	@echo "Wheel: $$(ls dist/*.whl)"

# The wheel and the git-URL install in a fresh venv, used from outside the checkout (scripts/check_dist.py).
check-dist: $(INSTALLED)
	$(PY) scripts/check_dist.py

# checkov goes into its own venv: its pins would downgrade botocore and others in .venv.
CHECKOV := bench/out/checkov-venv/bin/checkov

$(CHECKOV):
	$(PYTHON) -m venv bench/out/checkov-venv
	bench/out/checkov-venv/bin/pip install --quiet "checkov>=3.3"

bench: $(INSTALLED) $(CHECKOV)
	$(PY) bench/run.py --checkov $(CHECKOV)

clean:
	rm -rf $(VENV) $(COMPAT_VENV) node_modules $(OUTDIR) dist build
