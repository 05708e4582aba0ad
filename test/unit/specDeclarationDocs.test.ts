/** The build puts the spec fields' doc comments into the declaration of `pipelineSpec` (`scripts/specDeclarationDocs.ts`). */
import { documentSpecDeclaration } from '../../scripts/specDeclarationDocs';

const DTS = `import { z } from 'zod';
export declare const pipelineSpec: z.ZodObject<{
    endpoint: z.ZodString;
    model: z.ZodObject<{
        source: z.ZodString;
        inputs: z.ZodOptional<z.ZodArray<z.ZodObject<{
            name: z.ZodString;
        }, z.core.$strict>>>;
    }, z.core.$strict>;
    rollout: z.ZodDiscriminatedUnion<[z.ZodObject<{
        strategy: z.ZodLiteral<"direct">;
    }, z.core.$strict>, z.ZodObject<{
        strategy: z.ZodLiteral<"canary">;
        steps: z.ZodArray<z.ZodObject<{
            weight: z.ZodNumber;
        }, z.core.$strict>>;
    }, z.core.$strict>]>;
}, z.core.$strict>;
export declare const other: z.ZodObject<{
    endpoint: z.ZodString;
}, z.core.$strict>;
`;

const DESCRIPTIONS = {
  endpoint: 'The endpoint.',
  'model.source': 'Where the model is (no */ inside).',
  'model.inputs[].name': 'The tensor name.',
  'rollout(canary).steps[].weight': 'Traffic share.',
};

test('each field of pipelineSpec gets its doc by path (arrays, union variants), once', () => {
  const documented = documentSpecDeclaration(DTS, DESCRIPTIONS);
  expect(documented).toContain('/** The endpoint. */ endpoint: z.ZodString;');
  expect(documented).toContain('/** Where the model is (no *\\/ inside). */ source: z.ZodString;');
  expect(documented).toContain('/** The tensor name. */ name: z.ZodString;');
  expect(documented).toContain('/** Traffic share. */ weight: z.ZodNumber;');
  expect(documented.match(/The endpoint\./g)).toHaveLength(1); // not on `other`
  expect(documentSpecDeclaration(documented, DESCRIPTIONS)).toBe(documented);
});
