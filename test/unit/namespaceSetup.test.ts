/** Namespace setup: what is added, and what an operator reads when the server refuses (an operator API that answers as Temporal does). */
import { status as grpcStatus } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { SetupError } from '../../sdk/errors';
import { ensureSearchAttributes, prepareNamespace, searchAttributeCommands } from '../../workers/namespaceSetup';

type OperatorService = temporal.api.operatorservice.v1.OperatorService;

/** An operator API over a map of attributes; `refuse` makes adding fail with that gRPC code. */
function operatorApi(custom: Record<string, number>, refuse?: number): { api: OperatorService; adds: Record<string, number>[] } {
  const adds: Record<string, number>[] = [];
  const api = {
    listSearchAttributes: async () => ({ customAttributes: { ...custom }, systemAttributes: { WorkflowId: 2 } }),
    addSearchAttributes: async (request: { searchAttributes: Record<string, number> }) => {
      if (refuse !== undefined) throw Object.assign(new Error(`${refuse} PERMISSION_DENIED: Request unauthorized.`), { code: refuse });
      adds.push(request.searchAttributes);
      Object.assign(custom, request.searchAttributes);
      return {};
    },
  } as unknown as OperatorService;
  return { api, adds };
}

test('adds only what is missing, with its type, and says so', async () => {
  const { api, adds } = operatorApi({ ModelshipEndpoint: 2, Other: 3 });
  const setup = await ensureSearchAttributes(api, 'prod');
  expect(adds).toEqual([{ ModelshipModel: 2, ModelshipVersion: 2, ModelshipPhase: 2, ModelshipCanaryWeight: 3 }]);
  expect(setup).toEqual({
    namespace: 'prod',
    added: ['ModelshipModel', 'ModelshipVersion', 'ModelshipPhase', 'ModelshipCanaryWeight'],
    present: ['ModelshipEndpoint'],
  });
  expect(await ensureSearchAttributes(api, 'prod')).toMatchObject({ added: [] });
  expect(adds).toHaveLength(1);
});

test('without permission: refuses with the exact missing names and one command per attribute', async () => {
  const { api } = operatorApi({ ModelshipEndpoint: 2, ModelshipModel: 2, ModelshipVersion: 2 }, grpcStatus.PERMISSION_DENIED);
  const error = await ensureSearchAttributes(api, 'acme.a1b2c').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SetupError);
  expect((error as SetupError).message).toBe(
    'namespace acme.a1b2c lacks the Modelship search attribute(s) ModelshipPhase, ModelshipCanaryWeight, and this connection cannot add them (7 PERMISSION_DENIED: Request unauthorized.)',
  );
  expect((error as SetupError).hint).toContain(
    '  temporal operator search-attribute create --namespace acme.a1b2c --name ModelshipPhase --type Keyword\n' +
      '  temporal operator search-attribute create --namespace acme.a1b2c --name ModelshipCanaryWeight --type Int\n',
  );
  expect((error as SetupError).hint).toContain('--search-attribute "ModelshipPhase=Keyword" --search-attribute "ModelshipCanaryWeight=Int"');
});

test('an attribute of the wrong type is an error, not a half-working namespace', async () => {
  const { api } = operatorApi({ ModelshipCanaryWeight: 2 });
  await expect(ensureSearchAttributes(api, 'default')).rejects.toThrow('ModelshipCanaryWeight is Keyword, Modelship needs Int');
});

test('the commands for operations.md: one per attribute', () => {
  expect(searchAttributeCommands('default', ['ModelshipEndpoint', 'ModelshipCanaryWeight'])).toEqual([
    'temporal operator search-attribute create --namespace default --name ModelshipEndpoint --type Keyword',
    'temporal operator search-attribute create --namespace default --name ModelshipCanaryWeight --type Int',
  ]);
});

/** A gRPC failure as @grpc/grpc-js raises it. */
const grpcError = (code: number, text: string): Error => Object.assign(new Error(`${code} ${text}`), { code });
const NO_WAIT = { attempts: 4, delayMs: 0 };

/** An operator API whose calls fail with the queued errors first, then answer. */
function flakyApi(failures: { list?: Error[]; add?: Error[] }): { api: OperatorService; calls: string[] } {
  const custom: Record<string, number> = {};
  const calls: string[] = [];
  const api = {
    listSearchAttributes: async () => {
      calls.push('list');
      const failure = failures.list?.shift();
      if (failure) throw failure;
      return { customAttributes: { ...custom }, systemAttributes: {} };
    },
    addSearchAttributes: async (request: { searchAttributes: Record<string, number> }) => {
      calls.push('add');
      const failure = failures.add?.shift();
      if (failure) throw failure;
      Object.assign(custom, request.searchAttributes);
      return {};
    },
  } as unknown as OperatorService;
  return { api, calls };
}

test.each([
  ['PERMISSION_DENIED', grpcStatus.PERMISSION_DENIED],
  ['UNIMPLEMENTED', grpcStatus.UNIMPLEMENTED],
])('listing refused (%s): a SetupError with every command, not a raw gRPC error', async (name, code) => {
  const { api } = flakyApi({ list: [grpcError(code, `${name}: nope`)] });
  const error = await ensureSearchAttributes(api, 'acme', NO_WAIT).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SetupError);
  expect((error as SetupError).message).toBe(
    `this connection cannot read the search attributes of namespace acme (${code} ${name}: nope), so it cannot check or add Modelship's`,
  );
  for (const command of searchAttributeCommands('acme', [
    'ModelshipEndpoint',
    'ModelshipModel',
    'ModelshipVersion',
    'ModelshipPhase',
    'ModelshipCanaryWeight',
  ])) {
    expect((error as SetupError).hint).toContain(command);
  }
  expect((error as SetupError).hint).toContain('MODELSHIP_SKIP_NAMESPACE_SETUP=1');
});

test('a server briefly unavailable is tried again, for listing and adding', async () => {
  const { api, calls } = flakyApi({
    list: [grpcError(grpcStatus.UNAVAILABLE, 'UNAVAILABLE: connection reset')],
    add: [grpcError(grpcStatus.UNAVAILABLE, 'UNAVAILABLE: no leader'), grpcError(grpcStatus.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED')],
  });
  expect((await ensureSearchAttributes(api, 'default', NO_WAIT)).added).toHaveLength(5);
  expect(calls).toEqual(['list', 'list', 'add', 'add', 'add', 'list']);
});

test('still unavailable after the retries: the gRPC error, not a permission refusal', async () => {
  const unavailable = () => grpcError(grpcStatus.UNAVAILABLE, 'UNAVAILABLE: no leader');
  const { api } = flakyApi({ add: [unavailable(), unavailable(), unavailable(), unavailable()] });
  const error = await ensureSearchAttributes(api, 'default', NO_WAIT).catch((e: unknown) => e);
  expect(error).not.toBeInstanceOf(SetupError);
  expect((error as Error).message).toBe('14 UNAVAILABLE: no leader');
});

test('MODELSHIP_SKIP_NAMESPACE_SETUP=1: no operator call, a warning instead', async () => {
  const { api, calls } = flakyApi({ list: [grpcError(grpcStatus.PERMISSION_DENIED, 'PERMISSION_DENIED')] });
  const warnings: string[] = [];
  const log = { info: (m: string) => warnings.push(`info: ${m}`), warn: (m: string) => warnings.push(m) };
  await prepareNamespace(api, 'acme', log, { MODELSHIP_SKIP_NAMESPACE_SETUP: '1' });
  expect(calls).toEqual([]);
  expect(warnings).toEqual([expect.stringContaining('namespace acme: Modelship search attributes not checked (MODELSHIP_SKIP_NAMESPACE_SETUP=1)')]);
  await prepareNamespace(flakyApi({}).api, 'acme', log, {});
  expect(warnings[1]).toMatch(/^info: namespace acme: Modelship search attributes ready \(added /);
});
