/** Namespace setup: what is added, and what an operator reads when the server refuses (an operator API that answers as Temporal does). */
import { status as grpcStatus } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { SetupError } from '../../sdk/errors';
import { ensureSearchAttributes, searchAttributeCommands } from '../../workers/namespaceSetup';

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
