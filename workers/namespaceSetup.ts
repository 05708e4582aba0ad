/**
 * The Temporal namespace as Modelship needs it: its search attributes (`SEARCH_ATTRIBUTES`) exist,
 * with their types. {@link ensureSearchAttributes} adds the missing ones through the operator API,
 * idempotently; where it may not (no permission, Temporal Cloud), it refuses with the exact names
 * missing and the commands that add them, so nothing runs on a namespace that half works. Transient
 * failures (the server briefly unavailable) are retried; `MODELSHIP_SKIP_NAMESPACE_SETUP=1` skips
 * the whole check with a warning ({@link prepareNamespace}).
 *
 * @example
 * const connection = await NativeConnection.connect({ address: '127.0.0.1:7233' });
 * await ensureSearchAttributes(connection.operatorService, 'default'); // { added: [...], present: [...] }
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { SetupError } from '../sdk/errors';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../sdk/names';

type OperatorService = temporal.api.operatorservice.v1.OperatorService;
const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** Each Modelship search attribute and its indexed type, as the operator API names them (from {@link SEARCH_ATTRIBUTE_CLI_TYPES}). */
const WANTED: ReadonlyMap<string, temporal.api.enums.v1.IndexedValueType> = new Map(
  Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES).map(([name, type]) => [
    name,
    type === 'Int' ? IndexedValueType.INDEXED_VALUE_TYPE_INT : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  ]),
);

/** How the `temporal` and `tcld` CLIs spell an indexed type. */
function typeName(type: temporal.api.enums.v1.IndexedValueType): string {
  return type === IndexedValueType.INDEXED_VALUE_TYPE_INT ? 'Int' : type === IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD ? 'Keyword' : String(type);
}

export interface NamespaceSetup {
  namespace: string;
  /** Search attributes this call added. */
  added: string[];
  /** Search attributes that were there already. */
  present: string[];
}

/** The commands that add `names` by hand: one `temporal` command per attribute (the CLI registers only the first `--name` of one command). */
export function searchAttributeCommands(namespace: string, names: readonly string[]): string[] {
  return names.map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${typeName(WANTED.get(name) ?? 0)}`);
}

/** The one-line description of a {@link NamespaceSetup}, for a worker's log or `setup-namespace`. */
export function describeSetup(setup: NamespaceSetup): string {
  const added = setup.added.length > 0 ? `added ${setup.added.join(', ')}` : 'nothing to add';
  return `namespace ${setup.namespace}: Modelship search attributes ready (${added}; ${setup.present.length} already there)`;
}

/**
 * Makes sure every Modelship search attribute exists on `namespace` with its type: adds the missing
 * ones, then reads them back. Throws a {@link SetupError} naming what is missing (or of the wrong
 * type) and how to add it when the server refuses.
 */
export async function ensureSearchAttributes(operator: OperatorService, namespace: string, retry: RetryPolicy = RETRY): Promise<NamespaceSetup> {
  const before = await existing(operator, namespace, retry);
  wrongTypes(namespace, before);
  const missingTypes = [...WANTED].filter(([name]) => !before.has(name));
  const missing = missingTypes.map(([name]) => name);
  const present = [...WANTED.keys()].filter((name) => before.has(name));
  if (missing.length === 0) return { namespace, added: [], present };
  try {
    await retrying(retry, () => operator.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missingTypes) }));
  } catch (error) {
    // Another worker added them first: what counts is what is there now.
    const code = grpcCode(error);
    if (code !== undefined && TRANSIENT.has(code)) throw error; // still unavailable after the retries: not a refusal
    if (code !== grpcStatus.ALREADY_EXISTS) throw refusal(namespace, missing, error);
  }
  const after = await existing(operator, namespace, retry);
  wrongTypes(namespace, after);
  const stillMissing = missing.filter((name) => !after.has(name));
  if (stillMissing.length > 0) throw refusal(namespace, stillMissing, new Error('the server accepted them but does not list them'));
  return { namespace, added: missing, present };
}

/** The namespace's search attributes, custom and system, by name. */
async function existing(operator: OperatorService, namespace: string, retry: RetryPolicy): Promise<Map<string, temporal.api.enums.v1.IndexedValueType>> {
  let listed: temporal.api.operatorservice.v1.IListSearchAttributesResponse;
  try {
    listed = await retrying(retry, () => operator.listSearchAttributes({ namespace }));
  } catch (error) {
    const code = grpcCode(error);
    if (code === grpcStatus.NOT_FOUND) {
      throw new SetupError(
        `Temporal has no namespace ${namespace}`,
        `create it (\`temporal operator namespace create --namespace ${namespace}\`), or use an existing one with TEMPORAL_NAMESPACE (the \`namespace\` connection option)`,
      );
    }
    // Temporal Cloud's data-plane API keys, or a server without the operator API: it cannot even be read.
    if (code === grpcStatus.PERMISSION_DENIED || code === grpcStatus.UNIMPLEMENTED) throw refusal(namespace, [...WANTED.keys()], error, 'check');
    throw error;
  }
  return new Map(Object.entries({ ...listed.systemAttributes, ...listed.customAttributes }));
}

/** Throws when a Modelship attribute exists with another type: a workflow would fail on its first upsert. */
function wrongTypes(namespace: string, attributes: Map<string, temporal.api.enums.v1.IndexedValueType>): void {
  const wrong = [...WANTED].filter(([name, type]) => attributes.has(name) && attributes.get(name) !== type);
  if (wrong.length === 0) return;
  throw new SetupError(
    `namespace ${namespace} has Modelship search attributes of the wrong type: ${wrong.map(([name, type]) => `${name} is ${typeName(attributes.get(name) ?? 0)}, Modelship needs ${typeName(type)}`).join('; ')}`,
    `remove them (\`temporal operator search-attribute remove --namespace ${namespace} --name <name>\`) and start again, or use another namespace`,
  );
}

function refusal(namespace: string, missing: readonly string[], error: unknown, cannot: 'add' | 'check' = 'add'): SetupError {
  const why = error instanceof Error ? (error.message.split('\n', 1)[0] ?? error.message) : String(error);
  return new SetupError(
    cannot === 'add'
      ? `namespace ${namespace} lacks the Modelship search attribute(s) ${missing.join(', ')}, and this connection cannot add them (${why})`
      : `this connection cannot read the search attributes of namespace ${namespace} (${why}), so it cannot check or add Modelship's`,
    [
      'ask someone allowed to add search attributes to run, once per attribute:',
      ...searchAttributeCommands(namespace, missing).map((command) => `  ${command}`),
      `(Temporal Cloud: tcld namespace search-attributes add --namespace ${namespace} ${missing.map((name) => `--search-attribute "${name}=${typeName(WANTED.get(name) ?? 0)}"`).join(' ')})`,
      'then start again, or run `modelship setup-namespace` with an account that may',
      ...(cannot === 'check' ? ['(once they exist, MODELSHIP_SKIP_NAMESPACE_SETUP=1 starts workers without this check)'] : []),
    ].join('\n'),
  );
}

/** How often, and how long apart, a transient failure of the operator API is tried again. */
export interface RetryPolicy {
  attempts: number;
  delayMs: number;
}

const RETRY: RetryPolicy = { attempts: 4, delayMs: 500 };

/** gRPC codes of a server that is briefly unavailable or overloaded, not of a refusal. */
const TRANSIENT: ReadonlySet<number> = new Set([grpcStatus.UNAVAILABLE, grpcStatus.DEADLINE_EXCEEDED, grpcStatus.RESOURCE_EXHAUSTED]);

async function retrying<T>(policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = grpcCode(error);
      if (attempt >= policy.attempts || code === undefined || !TRANSIENT.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, policy.delayMs * attempt));
    }
  }
}

/**
 * What a worker does before it polls: {@link ensureSearchAttributes} and logs what it did, or, with
 * `MODELSHIP_SKIP_NAMESPACE_SETUP=1` (attributes managed elsewhere, no operator rights), only warns
 * that it did not check.
 */
export async function prepareNamespace(
  operator: OperatorService,
  namespace: string,
  log: { info(message: string): void; warn(message: string): void } = { info: console.log, warn: console.warn },
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (env.MODELSHIP_SKIP_NAMESPACE_SETUP === '1') {
    log.warn(
      `namespace ${namespace}: Modelship search attributes not checked (MODELSHIP_SKIP_NAMESPACE_SETUP=1); ` +
        `if any of ${[...WANTED.keys()].join(', ')} is missing, workflows fail on their first update of it`,
    );
    return;
  }
  log.info(describeSetup(await ensureSearchAttributes(operator, namespace)));
}

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
