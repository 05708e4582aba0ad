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
    if (spec === undefined)
      throw new InvalidSpecError(file, [{ path: '', message: 'the module exports no pipeline: use `export default definePipeline({...})`' }]);
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

/**
 * Turns the spec's relative file paths (model, golden inputs, profile samples, evaluation set) into absolute
 * `file://` URIs, so workers in other directories find them.
 */
export function resolveModelSource(spec: PipelineSpec, baseDir: string): PipelineSpec {
  const resolve = (location: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? location : pathToFileURL(path.resolve(baseDir, location)).href);
  const { convert, validate } = spec.stages;
  return {
    ...spec,
    model: {
      ...spec.model,
      source: resolve(spec.model.source),
      ...(spec.model.profile?.samples ? { profile: { ...spec.model.profile, samples: resolve(spec.model.profile.samples) } } : {}),
    },
    stages: {
      ...spec.stages,
      convert: { ...convert, golden: { ...convert.golden, ...(convert.golden.source ? { source: resolve(convert.golden.source) } : {}) } },
      validate: { ...validate, ...(validate.evaluation ? { evaluation: { ...validate.evaluation, source: resolve(validate.evaluation.source) } } : {}) },
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
