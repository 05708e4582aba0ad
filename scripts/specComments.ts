/**
 * The doc comments of the pipeline spec's fields, read with the TypeScript compiler from the type
 * authors write (`PipelineSpecInput`) — the same text editors show on hover in `definePipeline` —
 * keyed by the field paths of `specFields` (`rollout(canary).steps[].weight`).
 */
import path from 'node:path';
import ts from 'typescript';

const SPEC_MODULE = path.resolve(__dirname, '..', 'sdk', 'schemas', 'pipelineSpec.ts');
const SPEC_INPUT_TYPE = 'PipelineSpecInput';

export function collectSpecComments(): Record<string, string> {
  const program = ts.createProgram([SPEC_MODULE], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(SPEC_MODULE);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const alias = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === SPEC_INPUT_TYPE);
  if (!alias) throw new Error(`${path.relative(process.cwd(), SPEC_MODULE)} exports no ${SPEC_INPUT_TYPE}`);

  const comments: Record<string, string> = {};
  const visit = (type: ts.Type, prefix: string, seen: ReadonlySet<ts.Type>): void => {
    if (seen.has(type)) return;
    const inside = new Set(seen).add(type);
    const objects = objectMembers(checker, checker.getNonNullableType(type));
    const discriminator = objects.length > 1 ? discriminatorOf(checker, objects) : undefined;
    for (const object of objects) {
      if (checker.isArrayType(object) || checker.isTupleType(object)) {
        const [element] = checker.getTypeArguments(object as ts.TypeReference);
        if (element) visit(element, `${prefix}[]`, inside);
        continue;
      }
      const tag = discriminator ? literalOf(checker, object, discriminator) : undefined;
      const base = tag === undefined ? prefix : `${prefix}(${tag})`;
      const values = checker.getIndexTypeOfType(object, ts.IndexKind.String);
      if (values) visit(values, `${base}.*`, inside);
      for (const property of checker.getPropertiesOfType(object)) {
        const fieldPath = base ? `${base}.${property.name}` : property.name;
        const text = ts.displayPartsToString(property.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
        if (text) comments[fieldPath] = text;
        visit(checker.getTypeOfSymbol(property), fieldPath, inside);
      }
    }
  };
  visit(checker.getDeclaredTypeOfSymbol(alias), '', new Set());
  return comments;
}

/** The object types a field may hold (a union's object members; primitives and literals hold none). */
function objectMembers(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  const members = type.isUnion() ? type.types : [type];
  return members.filter(
    (t) =>
      (t.flags & ts.TypeFlags.Object) !== 0 &&
      (checker.isArrayType(t) || checker.getPropertiesOfType(t).length > 0 || checker.getIndexTypeOfType(t, ts.IndexKind.String) !== undefined),
  );
}

/** The property every member of a union pins to a string literal (`strategy`, `mode`). */
function discriminatorOf(checker: ts.TypeChecker, objects: readonly ts.Type[]): string | undefined {
  const [first] = objects;
  if (!first) return undefined;
  return checker
    .getPropertiesOfType(first)
    .map((p) => p.name)
    .find((name) => objects.every((o) => literalOf(checker, o, name) !== undefined));
}

function literalOf(checker: ts.TypeChecker, object: ts.Type, name: string): string | undefined {
  const property = checker.getPropertyOfType(object, name);
  if (!property) return undefined;
  const type = checker.getNonNullableType(checker.getTypeOfSymbol(property));
  return type.isStringLiteral() ? type.value : undefined;
}
