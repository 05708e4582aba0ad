#!/usr/bin/env bash
# The production layout on one host, as separate processes: a Temporal server (the `temporal`
# CLI's dev server standing in for a cluster), an S3 server (SeaweedFS standing in for S3), one CPU
# worker in a folder of its own, two gateway replicas, and a "CI" folder that deploys from its
# own files: a release, a canary under traffic to both replicas, an operator's rollback, and a
# canary that analysis rolls back. Needs `modelship`, `temporal`, `weed` and `curl` on PATH.
# Every port can be moved with the variables below; WEED_FLAGS passes SeaweedFS more ports.
set -euo pipefail
WORK=${WORK:-$(mktemp -d)}
TEMPORAL_PORT=${TEMPORAL_PORT:-7233} S3_PORT=${S3_PORT:-8333}
GATEWAY_A=${GATEWAY_A:-8000} GATEWAY_B=${GATEWAY_B:-8010}
MODEL=${MODEL:-examples/models/classifier.onnx} BAD_MODEL=${BAD_MODEL:-examples/models/classifier_perturbed.onnx}
mkdir -p "$WORK"/{temporal,s3,worker,ci}
echo "walkthrough: state and logs in $WORK"
# On the way out: on failure the end of every log; then stop every process, SIGKILL after 10 s.
finish() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    for log in "$WORK"/temporal/log "$WORK"/s3/log "$WORK"/worker/log "$WORK"/serve-*.log; do
      if [ -f "$log" ]; then echo "--- $log" >&2; tail -n 20 "$log" >&2; fi
    done
  fi
  kill $(jobs -pr) 2> /dev/null || true
  for _ in $(seq 20); do if [ -z "$(jobs -pr)" ]; then break; fi; sleep 0.5; done
  kill -9 $(jobs -pr) 2> /dev/null || true
  wait 2> /dev/null || true
  exit "$rc"
}
trap finish EXIT

# What every process shares: Temporal, the store, and the gateways' admin token.
export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
export MODELSHIP_STORE=s3://modelship AWS_ENDPOINT_URL_S3=http://127.0.0.1:$S3_PORT AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=modelship AWS_SECRET_ACCESS_KEY=modelship-secret   # `weed mini` makes them its admin's
export MODELSHIP_ADMIN_TOKEN=change-me

temporal server start-dev --headless --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
  --db-filename "$WORK/temporal/temporal.db" --log-level warn > "$WORK/temporal/log" 2>&1 &
TEMPORAL_PID=$!
weed mini -dir="$WORK/s3" -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3.port="$S3_PORT" ${WEED_FLAGS:-} > "$WORK/s3/log" 2>&1 &
S3_PID=$!
# wait_for CHECK PID...: until CHECK succeeds (60 s at most), failing at once if a process it waits on exits.
wait_for() {
  local check=$1; shift
  for _ in $(seq 120); do
    if eval "$check" > /dev/null 2>&1; then return 0; fi
    for pid in "$@"; do if ! kill -0 "$pid" 2> /dev/null; then echo "exited while waiting: $check" >&2; exit 1; fi; done
    sleep 0.5
  done
  echo "timed out: $check" >&2; exit 1
}
wait_for "temporal operator cluster health --address $TEMPORAL_ADDRESS" "$TEMPORAL_PID"
s3() { curl -sf --aws-sigv4 aws:amz:us-east-1:s3 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$@"; }
wait_for "s3 -X PUT $AWS_ENDPOINT_URL_S3/modelship || s3 $AWS_ENDPOINT_URL_S3/modelship" "$S3_PID"   # the store's bucket

# Once per namespace: the search attributes, one command each.
for name in ModelshipEndpoint ModelshipModel ModelshipVersion ModelshipPhase; do
  temporal operator search-attribute create --name "$name" --type Keyword
done
temporal operator search-attribute create --name ModelshipCanaryWeight --type Int

# The worker runs in its own folder and reads local files only from there: deployments bring theirs.
(cd "$WORK/worker" && MODELSHIP_SOURCE_ROOTS="$WORK/worker" exec modelship worker > log 2>&1) &
WORKER_PID=$!
GATEWAY_PIDS=()
for port in "$GATEWAY_A" "$GATEWAY_B"; do
  modelship serve --port "$port" --replica-id "replica-$port" > "$WORK/serve-$port.log" 2>&1 &
  GATEWAY_PIDS+=($!)
done
wait_for "grep -q 'worker ready' '$WORK/worker/log'" "$WORKER_PID"
wait_for "curl -sf http://127.0.0.1:$GATEWAY_A/v2/health/ready && curl -sf http://127.0.0.1:$GATEWAY_B/v2/health/ready" "${GATEWAY_PIDS[@]}"

# CI: the model files are here, not on the worker's host; `deploy` uploads them to the store.
cp "$MODEL" "$WORK/ci/model.onnx"
cp "$BAD_MODEL" "$WORK/ci/bad.onnx"
cat > "$WORK/ci/pipeline.yaml" << 'YAML'
endpoint: classifier
version: v1 # replaced by --version
model: { source: ./model.onnx, task: classifier }
stages: { optimize: { enabled: false }, benchmark: { enabled: false } }
rollout: # the first release of an endpoint goes out directly; later ones as this canary
  strategy: canary
  steps: [{ weight: 50, bake: 3s }]
  analysis: { minSamples: 50 }
  minReplicas: 2
  watch: { duration: 0s } # no post-promotion watch (default 2m): this walkthrough rolls back by hand
YAML
cat > "$WORK/ci/bad.yaml" << 'YAML'
endpoint: classifier
version: v3
model: { source: ./bad.onnx, task: classifier }
stages:
  optimize: { enabled: false }
  benchmark: { enabled: false }
  validate: { behaviour: { acceptChange: "its answers differ: let the canary judge it" } }
rollout:
  strategy: canary
  shadow: { percent: 100, bake: 3s }
  steps: [{ weight: 50, bake: 3s }]
  analysis: { minSamples: 50 }
  minReplicas: 2
YAML
cd "$WORK/ci"

modelship deploy pipeline.yaml --version v1 --wait       # released directly: v1 on both replicas
modelship traffic classifier --duration 600 --rate 50 --gateway "http://127.0.0.1:$GATEWAY_A" --gateway "http://127.0.0.1:$GATEWAY_B" &
TRAFFIC_PID=$!
modelship deploy pipeline.yaml --version v2 --wait       # a canary at 50% under traffic to both: promoted
for port in "$GATEWAY_A" "$GATEWAY_B"; do                # both replicas answered with v2
  curl -sf "http://127.0.0.1:$port/metrics" | grep 'modelship_requests_total{endpoint="classifier",version="v2",code="200"}' > /dev/null
done
modelship rollback classifier --reason "latency alert"   # both replicas back on v1, verified by inference
rc=0; modelship deploy bad.yaml --wait || rc=$?
test "$rc" -eq 2                                         # exit 2: rolled back by analysis, v1 still serves
kill "$TRAFFIC_PID"; wait "$TRAFFIC_PID" 2> /dev/null || true   # traffic's done
modelship status classifier
