# Two commands do everything (see README.md):
#   make synth   synthesize the reference stacks with the aisec pack enforcing (PHASE=foundational|enhanced|advanced)
#   make test    run the whole test suite
# Both create .venv and install the project on first use; synth also installs the pinned cdk CLI.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CDK := node_modules/.bin/cdk
PHASE ?= advanced
OUTDIR ?= cdk.out

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20
export CDK_DISABLE_CLI_TELEMETRY ?= true

.PHONY: synth test docs bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --config-settings editable_mode=compat -e ".[test]"
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

docs: $(INSTALLED)
	$(VENV)/bin/aisec docs

# checkov goes into its own venv: its pins would downgrade botocore and others in .venv.
CHECKOV := bench/out/checkov-venv/bin/checkov

$(CHECKOV):
	$(PYTHON) -m venv bench/out/checkov-venv
	bench/out/checkov-venv/bin/pip install --quiet "checkov>=3.3"

bench: $(INSTALLED) $(CHECKOV)
	$(PY) bench/run.py --checkov $(CHECKOV)

clean:
	rm -rf $(VENV) node_modules $(OUTDIR)
