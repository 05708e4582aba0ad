/**
 * Loading pipeline specs from files: YAML, JSON, or a TS/JS module exporting a pipeline
 * (`export default definePipeline({...})`). Node-only.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { InvalidSpecError } from './errors';
import { parseOrThrow, pipelineSpec, type PipelineSpec } from './schemas';
import { resolveModelSource } from './specSources';

/** The largest spec file read: specs are small, and a huge or endless file (a device) must not fill memory. */
export const MAX_SPEC_FILE_BYTES = 1024 * 1024;

/** Reads, parses and validates a spec file; relative source paths resolve against the file's folder (as `file://` URIs). */
export async function loadPipelineSpec(file: string, overrides: { version?: string } = {}): Promise<PipelineSpec> {
  const absolute = path.resolve(file);
  const raw = await readSpecFile(absolute);
  const withOverrides = overrides.version && isRecord(raw) ? { ...raw, version: overrides.version } : raw;
  const spec = parseOrThrow(pipelineSpec, withOverrides, file);
  return resolveModelSource(spec, path.dirname(absolute));
}

async function readSpecFile(file: string): Promise<unknown> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.cts' || ext === '.js' || ext === '.mjs' || ext === '.cjs') {
    const mod = (ext === '.mjs' ? await import(pathToFileURL(file).href) : require(file)) as Record<string, unknown>;
    const spec = mod.default ?? mod.pipeline;
    if (spec === undefined)
      throw new InvalidSpecError(file, [{ path: '', message: 'the module exports no pipeline: use `export default definePipeline({...})`' }]);
    return spec;
  }
  const text = await readSpecText(file);
  try {
    return ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = ((error as Error).message.split('\n', 1)[0] ?? '').slice(0, 200);
    throw new InvalidSpecError(file, [{ path: '', message: `not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${reason}` }]);
  }
}

/** The text of a spec file: a regular file of at most {@link MAX_SPEC_FILE_BYTES}, UTF-8 text. */
async function readSpecText(file: string): Promise<string> {
  const refuse = (message: string): never => {
    throw new InvalidSpecError(file, [{ path: '', message }]);
  };
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) refuse(`not a regular file (${info.isDirectory() ? 'a directory' : 'a device, pipe or socket'})`);
    if (info.size > MAX_SPEC_FILE_BYTES) refuse(`${info.size} bytes: a spec file is at most ${MAX_SPEC_FILE_BYTES} bytes`);
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof InvalidSpecError) throw error;
    return refuse(`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const text = bytes.toString('utf8');
  if (bytes.includes(0) || text.includes('\uFFFD')) refuse('not a text file: a spec is YAML or JSON in UTF-8');
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
