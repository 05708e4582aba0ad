/**
 * Field docs on hover for the built spec types. `tsc` writes `pipelineSpec`'s type into its `.d.ts`
 * fully expanded (`z.ZodObject<{ model: z.ZodObject<{ source: z.ZodString; … }> }>`) and drops the
 * doc comments of the schema's fields, so `PipelineSpec` (its `z.infer`) showed no field docs from
 * the package. This puts them back: each property of that type gets, as a JSDoc, the doc comment of
 * its field (`PIPELINE_SPEC_DESCRIPTIONS`, by the paths of `specFields`: `model.source`,
 * `model.inputs[].name`, `rollout(canary).steps[].weight`). The build runs it on
 * `dist/sdk/schemas/pipelineSpec.d.ts`; it leaves a property that already has a doc as it is.
 */
import ts from 'typescript';

/** The declaration whose type carries the fields (`PipelineSpec` is `z.infer<typeof pipelineSpec>`). */
const SPEC_DECLARATION = 'pipelineSpec';

/** `dts` (a declaration file) with each field of `pipelineSpec`'s type documented from `descriptions`. */
export function documentSpecDeclaration(dts: string, descriptions: Readonly<Record<string, string>>): string {
  const file = ts.createSourceFile('spec.d.ts', dts, ts.ScriptTarget.Latest, true);
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: ts.Node, path: string): void => {
    if (ts.isPropertySignature(node) && node.type) {
      const field = `${path ? `${path}.` : ''}${node.name.getText(file)}`;
      const doc = descriptions[field];
      if (doc && ts.getJSDocCommentsAndTags(node).length === 0) inserts.push({ at: node.getStart(file), text: `/** ${doc.replaceAll('*/', '*\\/')} */ ` });
      visit(node.type, field);
      return;
    }
    if (ts.isTypeReferenceNode(node)) {
      const kind = node.typeName.getText(file).replace(/^z\./, '');
      const args = node.typeArguments ?? [];
      if (kind === 'ZodArray') args.forEach((arg) => visit(arg, `${path}[]`));
      else if (kind === 'ZodRecord') args.slice(1).forEach((arg) => visit(arg, `${path}.*`));
      else if ((kind === 'ZodDiscriminatedUnion' || kind === 'ZodUnion') && args[0] && ts.isTupleTypeNode(args[0])) {
        for (const variant of args[0].elements) visit(variant, variantPath(variant, path, file));
      } else args.forEach((arg) => visit(arg, path));
      return;
    }
    ts.forEachChild(node, (child) => visit(child, path));
  };
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (declaration.name.getText(file) === SPEC_DECLARATION && declaration.type) visit(declaration.type, '');
    }
  }
  let text = dts;
  for (const { at, text: doc } of inserts.sort((a, b) => b.at - a.at)) text = text.slice(0, at) + doc + text.slice(at);
  return text;
}

/** `path(tag)` for a union variant that pins a property to a string literal (`strategy: z.ZodLiteral<"canary">`), else `path`. */
function variantPath(variant: ts.Node, path: string, file: ts.SourceFile): string {
  const literal = /^\s*(\w+): z\.ZodLiteral<"([^"]+)">;/m.exec(variant.getText(file));
  return literal ? `${path}(${literal[2]})` : path;
}
