# The two commands in the README: `make demo` (the main job) and `make test` (the whole suite).
# Both create .venv when it is missing, so a fresh machine needs only python3 and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TITO := $(VENV)/bin/tito

.PHONY: demo test install install-dev bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install when the package metadata changes; the stamp keeps repeat runs fast.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed

# The main job: build the library from the modules and test it, the instructor pipeline on
# the sample submissions (release, prove the tests meaningful, autograde, report), and a
# real network trained on real data with the library the modules built.
demo: install
	$(TITO) export --all
	$(TITO) test --all
	$(TITO) nbgrader generate --all
	$(TITO) nbgrader verify --all
	$(TITO) nbgrader collect autograd --from examples/submissions
	$(TITO) nbgrader autograde autograd
	$(TITO) nbgrader report
	$(TITO) milestone run mlp-digits

test: install-dev
	$(TITO) module check --all
	$(TITO) nbgrader verify --all
	$(TITO) module deps --all
	$(PY) -m pytest -q

bench: install-dev
	$(PY) bench/cli_speed.py
	$(PY) bench/nbgrader_speed.py
	$(PY) bench/class_grading.py 40
	$(PY) bench/mlp_digits.py
	$(PY) bench/conv2d.py
	$(PY) bench/scalar_autograd.py
	$(PY) bench/tinygpt_step.py
	$(PY) bench/kv_cache.py

clean:
	rm -rf $(VENV) .tito .pytest_cache
