# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint translations messages clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml setup.py | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml setup.py | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	# The REFI-QDA schema the export is checked against ships in this package; its own
	# dependencies (spaCy and more) are not needed for that.
	$(PY) -m pip install -q --no-deps 'qualitative-coding==1.7.8'
	touch $@ $(VENV)/.installed

# Compiles the .po catalogs in place after editing them; every pip install and wheel build
# compiles them too (setup.py), so an install without make is not left in English.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d pblapp/translations

# After changing UI text: collect the messages, then translate the new entries in sv.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext --no-wrap --project pblapp \
		-o pblapp/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-wrap -i pblapp/translations/messages.pot -d pblapp/translations

run: $(VENV)/.installed translations
	$(PY) run.py $(ARGS)

# One test process per CPU, each taking whole test files (a file's servers and browser are
# its own); TEST_WORKERS=0 runs them all in one process.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test translations
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The load benchmark's standard set (A, B, C against pblapp and a bare server, and D); takes
# about half an hour. A quick single run: make bench ARGS="--scenario B --phones 300 --duration 20"
bench: $(VENV)/.installed-test
	$(PY) bench/load.py --json bench/results/latest.json --svg bench/results/p99-vs-phones.svg $(ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check pblapp tests bench run.py
	$(VENV)/bin/ruff format --check pblapp tests bench run.py

clean:
	rm -rf $(VENV) *.egg-info
