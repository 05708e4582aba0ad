/**
 * A check of `check:package`: what a consumer's editor shows on hover over a spec field. TypeScript's
 * language service, in a scratch project where `modelship` is the installed package, gives the quick
 * info of `model.source` in a `PipelineSpec` and of `endpoint` in a `PipelineSpecInput`; each must
 * carry its field's doc comment (`PIPELINE_SPEC_DESCRIPTIONS`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { PIPELINE_SPEC_DESCRIPTIONS } from '../sdk/schemas/pipelineSpecDescriptions';

const PROBE = `import type { PipelineSpec, PipelineSpecInput } from 'modelship';
declare const spec: PipelineSpec;
export const source = spec.model.source;
export const input: PipelineSpecInput = { endpoint: 'demo', version: 'v1', model: { source: 'model.onnx' } };
`;

/** Where to hover (a marker in the probe) and the field whose doc must show. */
const HOVERS = [
  { marker: 'source;', field: 'model.source' },
  { marker: "endpoint: 'demo'", field: 'endpoint' },
] as const;

/** Checks the hovers in a probe file written into `project` (whose `node_modules/modelship` is the package); throws if a doc is missing. */
export async function fieldDocOnHover(project: string): Promise<string> {
  const file = path.join(project, 'hover-probe.ts');
  writeFileSync(file, PROBE);
  const options: ts.CompilerOptions = { strict: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, noEmit: true };
  const service = ts.createLanguageService({
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (name) => (ts.sys.fileExists(name) ? ts.ScriptSnapshot.fromString(readFileSync(name, 'utf8')) : undefined),
    getCurrentDirectory: () => project,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
  const shown: string[] = [];
  for (const { marker, field } of HOVERS) {
    const info = service.getQuickInfoAtPosition(file, PROBE.indexOf(marker) + 1);
    const doc = ts.displayPartsToString(info?.documentation ?? []).replace(/\s+/g, ' ');
    const expected = PIPELINE_SPEC_DESCRIPTIONS[field]?.replace(/\s+/g, ' ');
    if (!expected || doc !== expected) throw new Error(`hovering ${field} shows ${JSON.stringify(doc)}, not its doc comment`);
    shown.push(`${field}: ${doc.slice(0, 60)}…`);
  }
  return shown.join('; ');
}
