# The two commands of the README: `make demo` and `make test`. Each installs what it needs:
# uv (into .tools/ when it is not on PATH), then the locked dependencies (uv.lock) into .venv/.

UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
# The machine's own Python 3.11+ is used; uv never downloads an interpreter.
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test test-postgres test-browser lint messages mutate install

demo: $(UV)
	$(UV) run --frozen parting demo

test: $(UV)
	$(UV) run --frozen pytest

# `parting` on PATH (~/.local/bin), runnable from any directory; again after pulling a new version.
install: $(UV)
	$(UV) tool install --force --reinstall .

test-postgres: $(UV)
	PARTING_DATABASE_URL=$${PARTING_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(UV) run --frozen pytest

test-browser: $(UV)
	$(UV) run --frozen pytest -m browser

lint: $(UV)
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench

# Mutation testing of the rule modules (slow, not in CI): `make mutate`, or `make mutate MODULES=signs/scoring.py`;
# MUTATE_JOBS processes at a time (default 2). Figures and how to read them: docs/testing.md.
mutate: $(UV)
	$(UV) run --frozen python scripts/mutate.py --max-children $${MUTATE_JOBS:-2} $(MODULES)

messages: $(UV)
	cd src/parting && for lang in ru pl ro he; do $(UV) run --frozen django-admin makemessages -l $$lang --settings=parting.settings --ignore "demo/*"; done
	cd src/parting && $(UV) run --frozen django-admin compilemessages --settings=parting.settings

$(CURDIR)/.tools/bin/uv:
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/python -m pip install --quiet "uv==$(UV_VERSION)"
