/**
 * Namespace setup that cannot half-succeed: on a fresh namespace without Modelship's search
 * attributes, a worker adds them before it polls; `modelship setup-namespace` adds them, and a
 * second run changes nothing.
 */
import { Connection } from '@temporalio/client';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { SEARCH_ATTRIBUTES } from '../../sdk/names';
import { freshNamespace as registerFresh } from '../support/freshNamespace';
import { runCli, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';

let connection: Connection;
let worker: ManagedProcess | undefined;
const MODELSHIP_NAMES = Object.values(SEARCH_ATTRIBUTES).map((key) => key.name);

beforeAll(async () => {
  connection = await Connection.connect({ address: testEnv('temporalAddress') });
});

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
});

/** A new namespace on the shared dev server. */
function freshNamespace(): Promise<string> {
  return registerFresh(connection, 'setup');
}

async function customAttributes(namespace: string): Promise<Record<string, number>> {
  return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
}

test('a worker on a namespace without the search attributes adds them before it polls', async () => {
  const namespace = await freshNamespace();
  expect(Object.keys(await customAttributes(namespace))).not.toEqual(expect.arrayContaining([MODELSHIP_NAMES[0]]));
  worker = await startWorkerProcess(await tempDir('store-setup'), { TEMPORAL_NAMESPACE: namespace });
  expect(worker.recentOutput()).toContain(`namespace ${namespace}: Modelship search attributes ready (added ${MODELSHIP_NAMES.join(', ')}`);
  const attributes = await customAttributes(namespace);
  // Keyword is 2, Int is 3 in the operator API.
  expect(attributes).toMatchObject({ ModelshipEndpoint: 2, ModelshipModel: 2, ModelshipVersion: 2, ModelshipPhase: 2, ModelshipCanaryWeight: 3 });
});

test('modelship setup-namespace adds them once; run again it is a no-op', async () => {
  const namespace = await freshNamespace();
  const storeUri = await tempDir('store-setup-cli');
  const first = await runCli(['setup-namespace', '--namespace', namespace], { storeUri });
  expect(first).toMatchObject({ code: 0 });
  expect(first.stdout).toContain(`added ${MODELSHIP_NAMES.join(', ')}; 0 already there`);
  const after = await customAttributes(namespace);
  const second = await runCli(['setup-namespace', '--namespace', namespace], { storeUri });
  expect(second).toMatchObject({ code: 0 });
  expect(second.stdout).toContain(`namespace ${namespace}: Modelship search attributes ready (nothing to add; ${MODELSHIP_NAMES.length} already there)`);
  expect(await customAttributes(namespace)).toEqual(after);
});

test('setup-namespace on a namespace that does not exist says how to create it', async () => {
  const { code, stderr } = await runCli(['setup-namespace', '--namespace', 'no-such-namespace'], { storeUri: await tempDir('store-setup-none') });
  expect(code).toBe(1);
  expect(stderr).toContain('error: Temporal has no namespace no-such-namespace');
  expect(stderr).toContain('temporal operator namespace create --namespace no-such-namespace');
});
