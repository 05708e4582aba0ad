#!/usr/bin/env bash
# Idempotent set-up: Node dependencies and the pinned Python toolchain in .venv.
# Every entry point (npm run demo, npm test, .ci/run) calls this first; a second run is a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."

# onnxruntime-node's install script downloads CUDA binaries; the CPU build ships inside the package.
export ONNXRUNTIME_NODE_INSTALL=skip

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

node_stamp=$(stamp package.json package-lock.json)
if [ ! -f node_modules/.modelship-setup ] || [ "$(cat node_modules/.modelship-setup)" != "$node_stamp" ]; then
  echo "setup: installing Node dependencies (npm install)" >&2
  # `npm ci` refuses this lock file: the registry here omits other platforms' optional packages.
  npm install --no-audit --no-fund --loglevel=error
  stamp package.json package-lock.json > node_modules/.modelship-setup
fi

py_stamp=$(stamp requirements.txt toolchain/requirements.txt)
if [ ! -x .venv/bin/python ] || [ ! -f .venv/.modelship-setup ] || [ "$(cat .venv/.modelship-setup)" != "$py_stamp" ]; then
  echo "setup: installing the Python toolchain into .venv (requirements.txt, toolchain/requirements.txt)" >&2
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$py_stamp" > .venv/.modelship-setup
fi

# Example models are built by the project itself (nothing is downloaded).
models_stamp=$(stamp examples/models/makeModels.py examples/models/makeFrameworkModels.py requirements.txt toolchain/requirements.txt)
if [ ! -f examples/models/.stamp ] || [ "$(cat examples/models/.stamp)" != "$models_stamp" ]; then
  echo "setup: building example models (examples/models/make*Models.py)" >&2
  .venv/bin/python examples/models/makeModels.py examples/models
  .venv/bin/python examples/models/makeFrameworkModels.py examples/models 2>/dev/null
  echo "$models_stamp" > examples/models/.stamp
fi

# Prometheus, for the PromQL checks of canary analysis and their tests: Debian's package, unpacked
# into .tools/ (not installed system-wide, no service started). Skipped if one is on PATH already.
PROMETHEUS_VERSION=2.42.0+ds-5+deb12u1
if ! command -v prometheus >/dev/null && [ ! -x .tools/prometheus/usr/bin/prometheus ]; then
  echo "setup: fetching Prometheus ${PROMETHEUS_VERSION} (Debian package, unpacked into .tools/prometheus)" >&2
  download=$(mktemp -d)
  (cd "$download" && { apt-get download "prometheus=${PROMETHEUS_VERSION}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download "prometheus=${PROMETHEUS_VERSION}" >/dev/null 2>&1; }; })
  mkdir -p .tools/prometheus
  dpkg-deb -x "$download"/prometheus_*.deb .tools/prometheus
  rm -rf "$download"
fi

# Chromium, for the test that drives the Temporal UI with playwright-core (Playwright's own browser
# download is not reachable offline): Debian's package, installed with apt when missing. Needs root
# (or MODELSHIP_CHROMIUM pointing at a Chromium already there); without either, setup says so and
# the browser test fails naming what is missing.
if [ -z "${MODELSHIP_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's chromium (apt-get install chromium), for the Temporal UI test" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
  else
    echo "setup: chromium is missing and this is not root: install Debian's chromium, or set MODELSHIP_CHROMIUM, for the Temporal UI test" >&2
  fi
fi
