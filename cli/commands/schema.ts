/**
 * `modelship schema [--out file]`: the JSON Schema of pipeline specs (the input side: fields with a
 * default are optional), for editors and CI checks. The repository keeps a copy in
 * `examples/pipeline.schema.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { pipelineSpecJsonSchema } from '../../sdk/schemas/jsonSchema';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';

const usage = `modelship schema [--out pipeline.schema.json]
  then, first line of a YAML spec: # yaml-language-server: $schema=./pipeline.schema.json`;

export const schemaCommand = defineCommand({
  name: 'schema',
  summary: 'print (or write) the JSON Schema of pipeline specs',
  usage,
  flags: { out: { type: 'string', short: 'o' } },
  options: z.object({ out: z.string().min(1).optional() }),
  async run(options, positionals) {
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`, EXIT_CODES.error, usage);
    const text = `${JSON.stringify(pipelineSpecJsonSchema(), null, 2)}\n`;
    if (!options.out) {
      process.stdout.write(text);
      return EXIT_CODES.promoted;
    }
    const out = path.resolve(options.out);
    try {
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(out, text);
    } catch (error) {
      throw new CliError(`cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, EXIT_CODES.error);
    }
    console.error(`wrote ${path.relative(process.cwd(), out) || out}`);
    return EXIT_CODES.promoted;
  },
});
