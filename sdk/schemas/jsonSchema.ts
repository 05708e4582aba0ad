/**
 * The pipeline spec as JSON Schema (draft 2020-12), for editors (yaml-language-server, VS Code) and
 * other tools: the input side of the zod schema, so fields with defaults are optional, as YAML
 * authors write them. Descriptions come from `.describe()`/`.meta()` where a field has one, otherwise
 * from the field's doc comment (collected by `npm run docs:spec`). Pure zod.
 */
import { z } from 'zod';
import { duration } from './common';
import { PIPELINE_API_VERSION, pipelineSpec } from './pipelineSpec';
import { PIPELINE_SPEC_DESCRIPTIONS } from './pipelineSpecDescriptions';

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/** A duration as JSON Schema (the zod schema validates it with code, which JSON Schema cannot carry). */
export const DURATION_JSON_SCHEMA: JsonSchema = {
  description: 'A duration such as "500ms", "30s", "5m", "1h" or "1m30s", or whole milliseconds.',
  anyOf: [
    { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$' },
    { type: 'integer', minimum: 0 },
  ],
};
const DURATION_REF = '#/$defs/duration';

/**
 * The JSON Schema of a pipeline spec (YAML, JSON or `definePipeline` input).
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import { pipelineSpecJsonSchema } from 'modelship/schemas';
 * writeFileSync('pipeline.schema.json', JSON.stringify(pipelineSpecJsonSchema(), null, 2));
 * // in a YAML spec: # yaml-language-server: $schema=./pipeline.schema.json
 */
export function pipelineSpecJsonSchema(descriptions: Readonly<Record<string, string>> = PIPELINE_SPEC_DESCRIPTIONS): JsonSchema {
  const generated = z.toJSONSchema(pipelineSpec, {
    io: 'input',
    unrepresentable: ({ zodSchema }) => (zodSchema === duration.in ? { $ref: DURATION_REF } : undefined),
    override: ({ jsonSchema }) => {
      // z.number().int() says "a safe integer"; JSON Schema readers need not see 2^53 - 1.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    },
  });
  const { $schema, ...body } = generated;
  const schema: JsonSchema = {
    $schema,
    title: `Modelship pipeline spec (${PIPELINE_API_VERSION})`,
    description: 'What to deploy where, and how carefully. Written as YAML, JSON or `definePipeline({...})` in TypeScript.',
    ...body,
    $defs: { ...body.$defs, duration: DURATION_JSON_SCHEMA },
  };
  for (const field of specFields(schema)) {
    const description = descriptions[field.path];
    if (description && field.schema.description === undefined) field.schema.description = description;
  }
  return schema;
}

/** One field of the spec: its path, its schema (mutable, within the whole), whether it must be given. */
export interface SpecField {
  /**
   * Dotted path: `stages.benchmark.budget`, `[]` for array items, `*` for map values, and the
   * discriminator value after a field that is one of several shapes: `rollout(canary).steps[].weight`.
   */
  path: string;
  schema: JsonSchema;
  required: boolean;
}

/** Every field of a pipeline spec JSON Schema, depth first, in declaration order. */
export function specFields(root: JsonSchema): SpecField[] {
  const fields: SpecField[] = [];
  const visit = (schema: JsonSchema, prefix: string): void => {
    if (schema.properties) {
      const required = new Set(schema.required ?? []);
      for (const [key, child] of Object.entries(schema.properties)) {
        if (typeof child !== 'object') continue;
        const path = prefix ? `${prefix}.${key}` : key;
        fields.push({ path, schema: child, required: required.has(key) });
        visit(child, path);
      }
    }
    if (typeof schema.items === 'object' && !Array.isArray(schema.items)) visit(schema.items, `${prefix}[]`);
    if (typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, `${prefix}.*`);
    const variants = schema.oneOf ?? schema.anyOf ?? [];
    const discriminator = discriminatorOf(variants);
    for (const variant of variants) {
      if (typeof variant !== 'object') continue;
      const tag = discriminator ? variantTag(variant, discriminator) : undefined;
      visit(variant, tag === undefined ? prefix : `${prefix}(${tag})`);
    }
  };
  visit(root, '');
  return fields;
}

/** The property every variant pins to a constant (`strategy`, `mode`), if there is one. */
export function discriminatorOf(variants: readonly (JsonSchema | boolean)[]): string | undefined {
  const objects = variants.filter((v): v is JsonSchema => typeof v === 'object' && v.properties !== undefined);
  if (objects.length < 2 || objects.length !== variants.length) return undefined;
  const [first] = objects;
  return Object.keys(first?.properties ?? {}).find((key) => objects.every((v) => variantTag(v, key) !== undefined));
}

/** The constant a variant gives its discriminator. */
export function variantTag(variant: JsonSchema, discriminator: string): string | undefined {
  const property = variant.properties?.[discriminator];
  return typeof property === 'object' && typeof property.const === 'string' ? property.const : undefined;
}

/** Whether a field is a duration (`"30s"` or milliseconds). */
export function isDuration(schema: JsonSchema): boolean {
  return schema.$ref === DURATION_REF;
}
