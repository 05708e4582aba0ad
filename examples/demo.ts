/**
 * The demo (`npm run demo`): start the embedded default (Temporal dev server with UI, CPU worker,
 * gateway, filesystem store), deploy an ONNX classifier, ask it for a prediction over KServe v2,
 * try a corrupt model and watch the pipeline reject it while the endpoint keeps serving, then roll
 * out a next version as a canary under live traffic (promoted); with --bad-canary, also a damaged
 * one that analysis rolls back; with --watch-failure, also one healthy through its canary that
 * degrades after promotion (the gateway's fault switch) and that its post-promotion watch rolls back.
 *
 * Stays up for exploring the Temporal UI when run in a terminal (Ctrl-C to stop); exits when not,
 * or with --exit. Flags: --port (Temporal, default 7233), --gateway-port (default 8000), --bad-canary, --watch-failure,
 * --state-dir (default .modelship).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevEnvironment } from '../cli/dev/devEnvironment';
import { printEnvironment } from '../cli/commands/dev';
import { describeOutcome, ProgressPrinter } from '../cli/progress';
import { untilSignal } from '../cli/signals';
import { startTraffic } from '../cli/trafficGenerator';
import { ModelshipClient } from '../sdk/client';
import type { DeploymentResult, DeploymentStatus } from '../sdk/schemas';
import { loadPipelineSpec } from '../sdk/specFile';
import { watchFailureDemo } from './watchFailureDemo';

async function deploy(
  client: ModelshipClient,
  specFile: string,
  uiUrl: string | undefined,
  onStatus: (status: DeploymentStatus) => void = () => undefined,
): Promise<DeploymentResult> {
  const spec = await loadPipelineSpec(path.join(__dirname, specFile));
  const deployment = await client.deploy(spec);
  console.log(`\n▶ deploy ${spec.model.name} ${spec.version} → endpoint ${spec.endpoint}  (${specFile})`);
  console.log(`  workflow  ${deployment.workflowId}`);
  if (uiUrl) console.log(`  ui        ${ModelshipClient.workflowUiUrl(uiUrl, client.namespace, deployment.workflowId)}`);
  const printer = new ProgressPrinter((line) => console.log(line));
  const result = await deployment.follow((status) => {
    printer.update(status);
    onStatus(status);
  }, 200);
  console.log(`  ${describeOutcome(result)}`);
  return result;
}

async function predict(gatewayUrl: string): Promise<{ version: string; label: number }> {
  const features = [5.1, 3.5, 1.4, 0.2];
  const response = await fetch(`${gatewayUrl}/v2/models/classifier/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: features }] }),
  });
  const body = (await response.json()) as { model_version: string; outputs: { name: string; data: number[] }[]; error?: string };
  if (!response.ok) throw new Error(`inference failed (${response.status}): ${body.error}`);
  const label = body.outputs.find((o) => o.name === 'label')?.data[0] ?? -1;
  const probabilities = body.outputs.find((o) => o.name === 'probabilities')?.data ?? [];
  console.log(`  POST ${gatewayUrl}/v2/models/classifier/infer  features=[${features}]`);
  console.log(`  → version ${body.model_version}, label ${label}, probabilities [${probabilities.map((p) => p.toFixed(3)).join(', ')}]`);
  return { version: body.model_version, label };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      exit: { type: 'boolean' },
      port: { type: 'string' },
      'gateway-port': { type: 'string' },
      'bad-canary': { type: 'boolean' },
      'watch-failure': { type: 'boolean' },
      'state-dir': { type: 'string' },
    },
  });
  const started = Date.now();
  // The fault switch is for demos and tests: the gateway allows it only when asked to.
  if (values['watch-failure']) process.env.MODELSHIP_ALLOW_FAULT_INJECTION = '1';
  console.log('Modelship demo: starting the embedded default (Temporal dev server, CPU worker, gateway)…');
  const env = await startDevEnvironment({
    temporalPort: values.port ? Number(values.port) : undefined,
    gatewayPort: values['gateway-port'] ? Number(values['gateway-port']) : undefined,
    stateDir: values['state-dir'],
  });
  let client: ModelshipClient | undefined;
  try {
    printEnvironment(env);
    client = await ModelshipClient.connect({ address: env.temporalAddress, store: env.storeUri });

    const good = await deploy(client, 'onnx-classifier/pipeline.yaml', env.uiUrl);
    if (good.outcome !== 'promoted') throw new Error('the example model was not promoted; see the reason above');
    await predict(env.gatewayUrl);

    const bad = await deploy(client, 'onnx-classifier/corrupt.yaml', env.uiUrl);
    const stillServing = await predict(env.gatewayUrl);

    // Canaries need traffic to be judged: a generator runs while they roll out, stopped when they end. Its
    // bound only guards against a hung rollout: on a busy machine the first canary's stages alone (its
    // benchmark) can take over a minute, and a 2-minute bound left the bad canary without traffic.
    const traffic = startTraffic({ gateway: env.gatewayUrl, endpoint: 'classifier', requests: 10_000_000, concurrency: 2, durationMs: 600_000 });
    const canaries: DeploymentResult[] = [];
    try {
      canaries.push(await deploy(client, 'onnx-classifier/canary.yaml', env.uiUrl));
      if (values['bad-canary']) canaries.push(await deploy(client, 'onnx-classifier/bad-canary.yaml', env.uiUrl));
      const session = client;
      if (values['watch-failure'])
        canaries.push(await watchFailureDemo((file, onStatus) => deploy(session, file, env.uiUrl, onStatus), env.gatewayUrl, env.adminToken));
    } finally {
      const sent = await traffic.stop();
      console.log(`\n  traffic during the canaries: ${sent.issued} request(s), ${sent.failures} failed, answers ${JSON.stringify(sent.served)}`);
    }
    const expected = ['promoted', ...(values['bad-canary'] ? ['rolledBack'] : []), ...(values['watch-failure'] ? ['rolledBack'] : [])];

    const ok = bad.outcome === 'rejected' && stillServing.version === good.version && canaries.map((c) => c.outcome).join() === expected.join();
    console.log(`\n${ok ? '✓' : '✗'} demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
    console.log(`  ${good.workflowId}: ${good.outcome}`);
    console.log(`  ${bad.workflowId}: ${bad.outcome} (${bad.failure?.type}); the endpoint still serves ${stillServing.version}`);
    for (const c of canaries) console.log(`  ${c.workflowId}: ${c.outcome}${c.failure ? ` (${c.failure.type})` : ''}`);
    if (env.uiUrl) {
      console.log(`  Temporal UI: ${env.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent("ModelshipEndpoint='classifier'")}`);
    }
    if (!values.exit && process.stdout.isTTY) {
      console.log('\nThe environment stays up so you can explore: Ctrl-C to stop.');
      console.log(`  try: TEMPORAL_ADDRESS=${env.temporalAddress} bin/modelship status classifier/v1`);
      await untilSignal();
    }
    return ok ? 0 : 1;
  } finally {
    await client?.close();
    await env.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
