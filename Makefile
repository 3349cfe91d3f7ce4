# Two entry points: `make demo` and `make test`. Both set up .venv from pyproject.toml first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# nbgrader runs `alembic` by name, so the venv's bin/ must lead PATH for everything below.
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg

.PHONY: install demo test test-fast browser sandbox fonts clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) fonts

# Chinese plots need a CJK font: Debian's Noto Sans CJK (fonts-noto-cjk), installed with apt-get as root when missing;
# without root, a note. matplotlib's font cache is then dropped, so that it finds the new font (grader/reports/plots.py also
# adds it when the cache predates it).
fonts:
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
		|| { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null \
			&& rm -f "$${MPLCONFIGDIR:-$$HOME/.cache/matplotlib}"/fontlist-*.json; } \
		|| echo "make: fonts-noto-cjk is missing (apt-get install fonts-noto-cjk); plots in Chinese show boxes" >&2

demo: install sandbox
	$(BIN)/python -m grader demo

# The accessibility test injects axe-core (npm) into the pages in that chromium: installed here, into node_modules/
# (git-ignored), so that no test downloads anything.
AXE_CORE := 4.11.0
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@grep -qs '"version": "$(AXE_CORE)"' node_modules/axe-core/package.json || { \
		{ command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; }; } \
		&& npm install --prefix . --no-save --no-package-lock --no-audit --no-fund --silent axe-core@$(AXE_CORE); }

# The sandbox's tools (docs/security.md): bubblewrap for the namespaces, libseccomp for the system-call filter.
# Installed with apt-get as root when missing; without root, a note, and grading uses the layers there are.
sandbox:
	@{ command -v bwrap && { ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep 'libseccomp\.so\.2'; } >/dev/null 2>&1 \
		|| { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq bubblewrap libseccomp2 >/dev/null; } \
		|| echo "make: bubblewrap or libseccomp2 is missing (apt-get install bubblewrap libseccomp2); see docs/security.md" >&2

test: install browser sandbox
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The unit layer only (tests/conftest.py's LAYERS): what a contributor runs after every change.
test-fast: install
	$(BIN)/python -m pytest -m unit -q

clean:
	rm -rf $(VENV) release submitted autograded feedback downloaded exchange graded gradebook.db grades.csv kit_grades.csv demo-course
