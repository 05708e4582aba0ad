import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { schemaCommand } from '../../cli/commands/schema';
import { specArtifacts } from '../../scripts/generateSpecDocs';
import { collectSpecComments } from '../../scripts/specComments';
import { pipelineSpecJsonSchema, specFields } from '../../sdk/schemas/jsonSchema';
import { pipelineSpec } from '../../sdk/schemas';

const ROOT = path.resolve(__dirname, '..', '..');

function validator() {
  // `format` is an annotation in draft 2020-12 (the zod schema checks URLs and the like itself).
  const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
  return ajv.compile(pipelineSpecJsonSchema());
}

async function exampleSpecs(): Promise<{ file: string; spec: unknown }[]> {
  const examples = path.join(ROOT, 'examples');
  const folders = (await readdir(examples, { withFileTypes: true })).filter((e) => e.isDirectory());
  const files: string[] = [];
  for (const folder of folders) {
    for (const name of await readdir(path.join(examples, folder.name))) {
      if (/\.ya?ml$/.test(name)) files.push(path.join(examples, folder.name, name));
    }
  }
  const parsed = await Promise.all(files.map(async (file) => ({ file: path.relative(ROOT, file), spec: parseYaml(await readFile(file, 'utf8')) as unknown })));
  // Pipeline specs only (examples/ holds other YAML too, such as CI workflows).
  return parsed.filter(({ spec }) => typeof spec === 'object' && spec !== null && 'endpoint' in spec && 'model' in spec);
}

describe('pipeline spec JSON Schema and reference', () => {
  let comments: Record<string, string>;
  beforeAll(() => {
    comments = collectSpecComments(); // a TypeScript program over the schemas: a few seconds
  });

  test('the checked-in generated files are up to date', async () => {
    for (const file of specArtifacts(comments)) {
      const current = await readFile(path.join(ROOT, file.path), 'utf8').catch(() => '(missing)');
      if (current !== file.content) throw new Error(`${file.path} is out of date with the schemas in sdk/schemas/: run \`npm run docs:spec\``);
    }
  });

  test('every doc comment lands on a field of the JSON Schema', () => {
    const paths = new Set(specFields(pipelineSpecJsonSchema()).map((f) => f.path));
    expect(Object.keys(comments).filter((p) => !paths.has(p))).toEqual([]);
  });

  test('`modelship schema --out` writes the checked-in schema', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-schema-'));
    try {
      const out = path.join(dir, 'pipeline.schema.json');
      const log = jest.spyOn(console, 'error').mockImplementation(() => {});
      await expect(schemaCommand.run(['--out', out])).resolves.toBe(0);
      log.mockRestore();
      expect(await readFile(out, 'utf8')).toBe(await readFile(path.join(ROOT, 'examples', 'pipeline.schema.json'), 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('every example YAML spec validates against the JSON Schema, as against the zod schema', async () => {
    const validate = validator();
    const specs = await exampleSpecs();
    expect(specs.length).toBeGreaterThanOrEqual(4);
    for (const { file, spec } of specs) {
      const valid = validate(spec);
      if (!valid) throw new Error(`${file}: ${JSON.stringify(validate.errors, null, 2)}`);
      expect({ file, zod: pipelineSpec.safeParse(spec).success }).toEqual({ file, zod: true });
    }
  });

  test('the JSON Schema refuses what the zod schema refuses', () => {
    const validate = validator();
    const minimal = { endpoint: 'iris', version: 'v1', model: { source: './model.onnx' } };
    const bad: Record<string, unknown> = {
      'an unknown field': { ...minimal, stagse: {} },
      'an endpoint that is not a DNS label': { ...minimal, endpoint: 'Iris_Classifier' },
      'a malformed duration': { ...minimal, scheduleToStartTimeout: '5 minutes' },
      'a canary step at weight 0': { ...minimal, rollout: { strategy: 'canary', steps: [{ weight: 0 }] } },
      'a field of another strategy': { ...minimal, rollout: { strategy: 'direct', steps: [{ weight: 5 }] } },
      'an unknown optimization pass': { ...minimal, stages: { optimize: { passes: { cpu: ['int4'] } } } },
    };
    for (const [what, spec] of Object.entries(bad)) {
      expect({ what, jsonSchema: validate(spec), zod: pipelineSpec.safeParse(spec).success }).toEqual({ what, jsonSchema: false, zod: false });
    }
    expect(validate({ ...minimal, scheduleToStartTimeout: '1m30s', stages: { benchmark: { budget: 5000 } } })).toBe(true);
  });

  test('the JSON Schema accepts registry sources and the XGBoost and LightGBM formats, as the zod schema does', () => {
    const validate = validator();
    const inputs = [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }];
    for (const model of [
      { source: 'models:/churn/3' },
      { source: 'models:/churn@champion', inputs },
      { source: 'trees.json', format: 'xgboost', inputs },
      { source: 's3://models/trees.txt', format: 'lightgbm', inputs },
    ]) {
      const spec = { endpoint: 'iris', version: 'v1', model };
      expect({ model, jsonSchema: validate(spec), zod: pipelineSpec.safeParse(spec).success }).toEqual({ model, jsonSchema: true, zod: true });
    }
  });
});
