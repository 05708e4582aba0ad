import { isLocalLocation, modelSourceLocation, parseOrThrow, pipelineSpec, registryLocation, registryReference } from '../../sdk/schemas';

describe('registry sources (models:/…)', () => {
  test('a version or an alias, as MLflow writes them', () => {
    expect(registryReference('models:/churn/3')).toEqual({ name: 'churn', version: '3' });
    expect(registryReference('models:/churn@champion')).toEqual({ name: 'churn', alias: 'champion' });
    expect(registryReference('models:/team churn model@prod-eu_1')).toEqual({ name: 'team churn model', alias: 'prod-eu_1' });
    expect(registryLocation({ name: 'churn', alias: 'champion' })).toBe('models:/churn@champion');
    expect(registryLocation({ name: 'churn', version: '3' })).toBe('models:/churn/3');
  });

  test.each([
    'models:/churn',
    'models:/churn/',
    'models:/churn/latest',
    'models:/churn/0',
    'models:/@champion',
    'models:/churn@',
    'models:/a/b/3',
    'models:/churn@a b',
  ])('%s is refused when the spec is parsed', (source) => {
    expect(registryReference(source)).toBeUndefined();
    const parsed = modelSourceLocation.safeParse(source);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('a registry source is models:/<name>/<version> (a version number) or models:/<name>@<alias>');
  });

  test('a data file (golden inputs, evaluation set, samples) cannot be a registry source: refused when the spec is parsed, with its path', () => {
    const parsed = pipelineSpec.safeParse({
      endpoint: 'churn',
      version: 'v1',
      model: { source: 'models:/churn@champion', profile: { samples: 'models:/churn/2' } },
      stages: { convert: { golden: { source: 'models:/churn/1' } }, validate: { evaluation: { source: 'models:/churn@champion' } } },
    });
    const refusal = 'a registry source (models:/…) names a model, not a data file: use a path, a file:// URI or an s3://bucket/key URI';
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['model.profile.samples', refusal],
      ['stages.convert.golden.source', refusal],
      ['stages.validate.evaluation.source', refusal],
    ]);
  });

  test('is not a local file: the client uploads nothing for it', () => {
    expect(isLocalLocation('models:/churn@champion')).toBe(false);
    expect(isLocalLocation('./models/churn.onnx')).toBe(true);
  });

  test('a spec with a registry source and no format parses; a declared non-ONNX format still needs inputs', () => {
    const spec = parseOrThrow(pipelineSpec, { endpoint: 'churn', version: 'v1', model: { source: 'models:/churn@champion' } }, 'test');
    expect(spec.model).toEqual({ source: 'models:/churn@champion', task: 'other' });
    const missing = pipelineSpec.safeParse({ endpoint: 'churn', version: 'v1', model: { source: 'trees.json', format: 'xgboost' } });
    expect(missing.error?.issues.map((i) => i.message)).toEqual(['a xgboost model needs its inputs declared (name, datatype, shape)']);
  });
});
