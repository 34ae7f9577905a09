# Two commands: `make run` and `make test`. Both set up .venv on a fresh machine and are cheap the second time.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck index eval bench bench-http soak browser office clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/assistant index
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

index: $(STAMP)
	$(BIN)/assistant index

lint: $(STAMP)
	$(BIN)/ruff check assistant tests bench
	$(BIN)/ruff format --check assistant tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser test drives Debian's Chromium (with a CJK font for the screenshots); installed here, as root,
# when missing. Without it (not root) the browser tests are skipped, and say so.
browser:
	@if command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei); \
	else \
		echo "browser tests need Debian's chromium and a CJK font: sudo apt-get install chromium fonts-wqy-microhei" \
		     "(not root: the browser tests will be skipped)"; \
	fi

test: $(STAMP) lint typecheck browser office
	ASSISTANT_REQUIRE_BROWSER=$$(command -v chromium >/dev/null && echo 1) $(BIN)/python -m pytest -q

# The print tests render drafts, handouts and quizzes to PDF with Debian's LibreOffice and read each page
# with poppler's pdftotext; installed here, as root, when missing. Without them (not root) those tests are
# skipped, and say so.
office:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			libreoffice-writer-nogui poppler-utils fonts-wqy-microhei); \
	else \
		echo "print tests need Debian's LibreOffice and poppler: sudo apt-get install libreoffice-writer-nogui poppler-utils" \
		     "(not root: the print tests will be skipped)"; \
	fi

eval: $(STAMP)
	$(BIN)/assistant eval

# HTTP throughput and latency of /v1/ask on 127.0.0.1 (bounded wrk runs; wrk from Debian's packages).
bench-http: $(STAMP)
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python -m bench.http_bench

bench: $(STAMP) bench-http
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data

# Faults and hostile input on 127.0.0.1 only, in bounded runs (under 3 minutes on 2 cores): fuzz, 32 clients,
# memory over 1,000 long questions, LLM faults at 100 concurrent requests, kill -9 of a worker.
soak: $(STAMP)
	$(BIN)/python -m bench.soak
