#!/usr/bin/env bash
# Idempotent set-up for `npm run bench:gateway` only (never `npm test`): the native load generators
# and the peer servers, unpacked or installed under .tools/ (nothing system-wide, no root needed
# beyond apt-get's download cache). A second run is a no-op.
#   .tools/loadgen    Debian's wrk (HTTP/1.1) and h2load (HTTP/2, for gRPC), with the libraries
#                     this machine lacks (luajit, jemalloc, libev); run with LD_LIBRARY_PATH set
#   .tools/mlserver   a Python 3.11 venv with MLServer   (bench/requirements-peers-mlserver.txt)
#   .tools/pytriton   a Python 3.12 venv with PyTriton   (bench/requirements-peers-triton.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

# Debian bookworm packages, pinned. wrk needs luajit; h2load needs jemalloc and libev (libnghttp2 is on the machine).
LOADGEN_DEBS=(
  "wrk=4.1.0-3+b2"
  "libluajit-5.1-2=2.1.0~beta3+git20220320+dfsg-4.1+deb12u1"
  "libluajit-5.1-common=2.1.0~beta3+git20220320+dfsg-4.1+deb12u1"
  "nghttp2-client=1.52.0-1+deb12u3"
  "libjemalloc2=5.3.0-1"
  "libev4=1:4.33-1"
)
loadgen_stamp=$(printf '%s\n' "${LOADGEN_DEBS[@]}" | sha256sum | cut -c1-16)
if [ ! -f .tools/loadgen/.modelship-setup ] || [ "$(cat .tools/loadgen/.modelship-setup)" != "$loadgen_stamp" ]; then
  echo "setup-bench: fetching wrk and h2load (Debian packages, unpacked into .tools/loadgen)" >&2
  download=$(mktemp -d)
  (cd "$download" && { apt-get download "${LOADGEN_DEBS[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download "${LOADGEN_DEBS[@]}" >/dev/null 2>&1; }; })
  rm -rf .tools/loadgen && mkdir -p .tools/loadgen
  for deb in "$download"/*.deb; do dpkg-deb -x "$deb" .tools/loadgen; done
  rm -rf "$download"
  # `wrk -v` prints its version and usage, then exits 1.
  case "$(LD_LIBRARY_PATH=.tools/loadgen/usr/lib/x86_64-linux-gnu .tools/loadgen/usr/bin/wrk -v 2>&1 || true)" in
    wrk*) ;;
    *) echo "setup-bench: wrk does not run" >&2; exit 1 ;;
  esac
  LD_LIBRARY_PATH=.tools/loadgen/usr/lib/x86_64-linux-gnu .tools/loadgen/usr/bin/h2load --version >/dev/null
  echo "$loadgen_stamp" > .tools/loadgen/.modelship-setup
fi

# peer_venv <dir> <python> <requirements>: a venv with pinned requirements, rebuilt when they change.
peer_venv() {
  local dir=$1 python=$2 requirements=$3 want
  want=$(stamp "$requirements")
  if [ -x "$dir/bin/python" ] && [ -f "$dir/.modelship-setup" ] && [ "$(cat "$dir/.modelship-setup")" = "$want" ]; then return; fi
  if [ ! -x "$python" ]; then echo "setup-bench: $python not found (needed for $dir)" >&2; exit 1; fi
  echo "setup-bench: installing $requirements into $dir" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir"
  # This machine's pip configuration names index folders that may not exist; pip warns about each.
  if ! "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" 2>"$dir.pip.log"; then
    cat "$dir.pip.log" >&2
    exit 1
  fi
  grep -v '^WARNING: Location' "$dir.pip.log" >&2 || true
  rm -f "$dir.pip.log"
  echo "$want" > "$dir/.modelship-setup"
}

PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv}
peer_venv .tools/mlserver "$PYENV_ROOT/versions/3.11.7/bin/python3.11" bench/requirements-peers-mlserver.txt
peer_venv .tools/pytriton "$PYENV_ROOT/versions/3.12.1/bin/python3.12" bench/requirements-peers-triton.txt
