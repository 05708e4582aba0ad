/**
 * The CLI's hostile-input corpus: bad invocations (unknown commands and flags, bad values, missing
 * arguments, bad spec files, things that do not exist, unreachable servers), run in-process against
 * this run's Temporal dev server. Each exits with its code and says what is wrong in one `error:`
 * line (then what to do), never with a stack trace, and none waits long.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../cli/dev/ports';
import { runCommandLine } from '../../cli/main';
import { MAX_SPEC_FILE_BYTES } from '../../sdk/specFile';
import { tempDir, testEnv } from '../support/testEnv';

let dir: string;
let closed: string;

beforeAll(async () => {
  dir = await tempDir('hostile-cli');
  closed = `127.0.0.1:${await freePort()}`;
  process.env.TEMPORAL_ADDRESS = testEnv('temporalAddress');
  process.env.MODELSHIP_CONNECT_TIMEOUT_MS = '1000';
  const spec = (body: string): string => `endpoint: hostile\nversion: v1\nmodel:\n  source: ./model.onnx\n${body}`;
  await writeFile(path.join(dir, 'ok.yaml'), spec(''));
  // deploy checks a local source exists before it connects: the unreachable-server cases need one.
  await writeFile(path.join(dir, 'model.onnx'), 'not read: the deployment never starts');
  await writeFile(path.join(dir, 'syntax.yaml'), 'endpoint: [hostile\nversion: v1\n');
  await writeFile(path.join(dir, 'types.yaml'), 'endpoint: 5\nversion: [v1]\nmodel:\n  source: 7\n');
  await writeFile(path.join(dir, 'unknown.yaml'), spec('rollot:\n  strategy: canary\n'));
  await writeFile(path.join(dir, 'huge.yaml'), spec(`# ${'x'.repeat(MAX_SPEC_FILE_BYTES)}\n`));
  await writeFile(path.join(dir, 'garbage.yaml'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  await writeFile(path.join(dir, 'bad.json'), '{"endpoint": "hostile",');
  await writeFile(path.join(dir, 'list.json'), '[1, 2, 3]');
  await mkdir(path.join(dir, 'folder.yaml'));
});

interface Case {
  args: (string | (() => string))[];
  code: number;
  /** The first line of stderr. */
  error: RegExp;
}

const f = (name: string) => (): string => path.join(dir, name);
const unreachable = (): string => closed;

const CASES: Record<string, Case> = {
  'unknown command, suggested': { args: ['deplyo', 'x.yaml'], code: 1, error: /^error: unknown command "deplyo"; did you mean deploy\?$/ },
  'unknown command, nothing near': { args: ['frobnicate'], code: 1, error: /^error: unknown command "frobnicate"$/ },
  'unknown flag, suggested': { args: ['status', 'hostile', '--jsno'], code: 1, error: /^error: unknown option --jsno; did you mean --json\?$/ },
  'unknown short flag': { args: ['traffic', 'hostile', '-x'], code: 1, error: /^error: unknown option -x$/ },
  'flag without its value': { args: ['traffic', 'hostile', '--requests'], code: 1, error: /^error: --requests needs a value$/ },
  'boolean flag given a value': { args: ['deploy', f('ok.yaml'), '--wait=yes'], code: 1, error: /^error: option '--wait' does not take an argument$/ },
  'not a number': { args: ['traffic', 'hostile', '--requests', 'many'], code: 1, error: /^error: --requests: .*number/ },
  'out of range': { args: ['traffic', 'hostile', '--concurrency', '100000'], code: 1, error: /^error: --concurrency: Too big/ },
  'rate of zero': { args: ['traffic', 'hostile', '--duration', '1', '--rate', '0'], code: 1, error: /^error: --rate: Too small/ },
  'port out of range': { args: ['dev', '--port', '70000'], code: 1, error: /^error: --port: Too big/ },
  'gateway not a URL': { args: ['traffic', 'hostile', '--gateway', 'not a url'], code: 1, error: /^error: --gateway\[0\]: must be a URL/ },
  'gateway not on loopback': {
    args: ['traffic', 'hostile', '--gateway', 'http://10.1.2.3:8000'],
    code: 1,
    error: /^error: traffic goes to loopback gateways only, not 10\.1\.2\.3$/,
  },
  'gateway not answering': {
    args: ['traffic', 'hostile', '--requests', '1', '--gateway', () => `http://${closed}`],
    code: 1,
    error: /^error: no traffic sent to hostile: connection refused by 127\.0\.0\.1:\d+ \(fetch failed\)$/,
  },
  'ui url not a URL': { args: ['deploy', f('ok.yaml'), '--ui-url', 'nope'], code: 1, error: /^error: --ui-url: / },
  'deploy without a spec': { args: ['deploy'], code: 1, error: /^error: give exactly one pipeline spec file$/ },
  'deploy with two specs': { args: ['deploy', 'a.yaml', 'b.yaml'], code: 1, error: /^error: give exactly one pipeline spec file$/ },
  'traffic without an endpoint': { args: ['traffic'], code: 1, error: /^error: name an endpoint$/ },
  'history without an endpoint': { args: ['history'], code: 1, error: /^error: name one endpoint$/ },
  'status of a bad name': { args: ['status', 'Bad_Name!'], code: 1, error: /^error: name an endpoint, or a deployment as <endpoint>\/<version>$/ },
  'rollback of a deployment': {
    args: ['rollback', 'hostile/v1'],
    code: 1,
    error: /^error: name one endpoint \(to stop a rollout in progress, use `modelship abort`\)$/,
  },
  'capture without --out': { args: ['capture', 'hostile'], code: 1, error: /^error: --out: / },
  'schema with an argument': { args: ['schema', 'extra'], code: 1, error: /^error: unexpected argument "extra"$/ },
  'spec that does not exist': { args: ['deploy', f('missing.yaml')], code: 1, error: /^error: invalid pipeline spec .*missing\.yaml:$/ },
  'spec with a YAML error': { args: ['deploy', f('syntax.yaml')], code: 1, error: /^error: invalid pipeline spec .*syntax\.yaml:$/ },
  'spec with wrong types': { args: ['deploy', f('types.yaml')], code: 1, error: /^error: invalid pipeline spec .*types\.yaml:$/ },
  'spec with an unknown field': { args: ['deploy', f('unknown.yaml')], code: 1, error: /^error: invalid pipeline spec .*unknown\.yaml:$/ },
  'spec too large': { args: ['deploy', f('huge.yaml')], code: 1, error: /^error: invalid pipeline spec .*huge\.yaml:$/ },
  'spec of binary garbage': { args: ['deploy', f('garbage.yaml')], code: 1, error: /^error: invalid pipeline spec .*garbage\.yaml:$/ },
  'spec that is a device': { args: ['deploy', '/dev/zero'], code: 1, error: /^error: invalid pipeline spec \/dev\/zero:$/ },
  'spec that is a folder': { args: ['deploy', f('folder.yaml')], code: 1, error: /^error: invalid pipeline spec .*folder\.yaml:$/ },
  'spec with truncated JSON': { args: ['deploy', f('bad.json')], code: 1, error: /^error: invalid pipeline spec .*bad\.json:$/ },
  'spec that is a JSON list': { args: ['deploy', f('list.json')], code: 1, error: /^error: invalid pipeline spec .*list\.json:$/ },
  'profile spec that does not exist': { args: ['traffic', 'hostile', '--profile', f('missing.yaml')], code: 1, error: /^error: invalid pipeline spec / },
  'endpoint that does not exist': { args: ['status', 'no-such-endpoint'], code: 1, error: /^error: endpoint no-such-endpoint has no endpoint workflow/ },
  'history of an endpoint that does not exist': {
    args: ['history', 'no-such-endpoint'],
    code: 1,
    error: /^error: endpoint no-such-endpoint has no endpoint workflow/,
  },
  'version that does not exist': { args: ['status', 'no-such-endpoint/v404'], code: 1, error: /^error: no deployment deploy\/no-such-endpoint\/v404/ },
  'approve with nothing in progress': { args: ['approve', 'no-such-endpoint'], code: 1, error: /^error: endpoint no-such-endpoint has no endpoint workflow/ },
  'rollback of an endpoint that does not exist': {
    args: ['rollback', 'no-such-endpoint'],
    code: 1,
    error: /^error: endpoint no-such-endpoint has no endpoint workflow/,
  },
  'unreachable Temporal (status)': {
    args: ['status', 'hostile', '--address', unreachable],
    code: 1,
    error: /^error: cannot reach Temporal at 127\.0\.0\.1:\d+: /,
  },
  'unreachable Temporal (deploy)': {
    args: ['deploy', f('ok.yaml'), '--address', unreachable],
    code: 1,
    error: /^error: cannot reach Temporal at 127\.0\.0\.1:\d+: /,
  },
};

/** Runs a command line in this process; what it printed, and its exit code. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' '))),
    jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' '))),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0),
  ];
  try {
    const code = await runCommandLine(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

test.each(Object.entries(CASES))('%s', async (_name, { args, code, error }) => {
  const result = await run(args.map((a) => (typeof a === 'function' ? a() : a)));
  expect({ code: result.code, firstLine: result.stderr.split('\n')[0] }).toEqual({ code, firstLine: expect.stringMatching(error) });
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/Error:|\.ts:\d+/);
  expect(result.stdout).toBe('');
});

test(`the corpus holds at least 20 cases (${Object.keys(CASES).length})`, () => {
  expect(Object.keys(CASES).length).toBeGreaterThanOrEqual(20);
});
