#!/usr/bin/env bash
# Installs everything the tests need and runs them: the README's test command, and CI's.
# Safe to rerun: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# System parts the tests drive for real: Debian's chromium (for Playwright) and a PostgreSQL
# server (started by the test fixtures themselves). Installed only when missing.
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing ${need[*]} from Debian's packages..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing ${need[*]}: install them (sudo apt-get install ${need[*]}) and rerun." >&2
    exit 1
  fi
fi

.venv/bin/ruff check
.venv/bin/ruff format --check --quiet
.venv/bin/mypy
set +e
# Whole files to a worker: a module's fixtures (an import, a browser, a thousand-meeting
# database) are then made once, not once on each worker. Three workers on two cores: a test
# spends about half its time waiting (on PostgreSQL, subprocesses, the disk, the replica's
# threads), so two workers left the cores half idle (fresh clone: 15:53 with two, 9:43 with three).
.venv/bin/python -m pytest -n 3 --dist loadfile -q --durations=25 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure." >&2
  exit 1
fi
exit "$status"
