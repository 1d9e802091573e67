# One command runs the service (make serve), one passes the tests (make test). Each target installs
# only what it needs into .venv: the service's dependencies, then the test, lint or bench tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := $(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
comma := ,

.PHONY: install serve test test-sqlite lint format bench clean

# $(call installed,NAME,EXTRAS): a stamp that is out of date when pyproject.toml or requirements.lock change.
define installed
$(VENV)/.installed-$(1)-$(LOCK): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.$(2)'
	rm -f $(VENV)/.installed-$(1)-*
	touch $$@
endef
$(eval $(call installed,service,))
$(eval $(call installed,test,[test]))
$(eval $(call installed,lint,[test$(comma)lint]))
$(eval $(call installed,bench,[test$(comma)bench]))
$(eval $(call installed,dev,[dev]))

# Everything a developer uses (service, tests, lint, bench).
install: $(VENV)/.installed-dev-$(LOCK)

serve: $(VENV)/.installed-service-$(LOCK)
	PERKS_WITH_WORKER=$${PERKS_WITH_WORKER:-true} $(BIN)/perks serve

test: $(VENV)/.installed-test-$(LOCK)
	$(BIN)/pytest

lint: $(VENV)/.installed-lint-$(LOCK)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-lint-$(LOCK)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-bench-$(LOCK)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) perks.db perks.db-* perks.db.secret
