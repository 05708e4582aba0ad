/**
 * Loading pipeline specs from files: YAML, JSON, or a TS/JS module exporting a pipeline
 * (`export default definePipeline({...})`). Node-only.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { InvalidSpecError } from './errors';
import { parseOrThrow, pipelineSpec, type PipelineSpec } from './schemas';

/** Reads, parses and validates a spec file; relative model paths resolve against the file's folder. */
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
    if (spec === undefined) throw new InvalidSpecError(file, [{ path: '', message: 'the module exports no pipeline: use `export default definePipeline({...})`' }]);
    return spec;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidSpecError(file, [{ path: '', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }]);
  }
  try {
    return ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InvalidSpecError(file, [{ path: '', message: `not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}` }]);
  }
}

/** Turns a relative model path into an absolute `file://` URI, so workers in other directories find it. */
export function resolveModelSource(spec: PipelineSpec, baseDir: string): PipelineSpec {
  const { source } = spec.model;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return spec;
  return { ...spec, model: { ...spec.model, source: pathToFileURL(path.resolve(baseDir, source)).href } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
