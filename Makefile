# Two entry points: `make demo` and `make test`. Both set up .venv from pyproject.toml first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# nbgrader runs `alembic` by name, so the venv's bin/ must lead PATH for everything below.
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg

.PHONY: install demo test browser fonts clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) fonts

# Chinese plots need a CJK font: Debian's Noto Sans CJK (fonts-noto-cjk), installed as root when missing. matplotlib's
# font cache is then dropped, so that it finds the new font (grader/plots.py also adds it when the cache predates it).
fonts:
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null \
		&& rm -f "$${MPLCONFIGDIR:-$$HOME/.cache/matplotlib}"/fontlist-*.json; }

demo: install
	$(BIN)/python -m grader demo

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

clean:
	rm -rf $(VENV) release submitted autograded feedback downloaded exchange graded gradebook.db grades.csv kit_grades.csv demo-course
