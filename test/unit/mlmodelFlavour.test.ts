import { pickFlavour } from '../../activities/ingest/mlmodelFlavour';

const mlmodel = (flavors: string) => `artifact_path: mlflow-artifacts:/0/models/m-1/artifacts\nflavors:\n${flavors}\nrun_id: 16f4\n`;
const PYFUNC = '  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n';
const SKLEARN = '  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n    sklearn_version: 1.9.1\n';

describe("an MLflow model's flavour", () => {
  test('scikit-learn: the pickled model the flavour names', () => {
    expect(pickFlavour(mlmodel(PYFUNC + SKLEARN))).toEqual({ format: 'sklearn', flavour: 'sklearn', file: 'model.pkl' });
  });

  test('ONNX first when there are several; a declared format picks its own', () => {
    const both = mlmodel(`${SKLEARN}  onnx:\n    data: model.onnx\n    onnx_version: 1.23.2\n`);
    expect(pickFlavour(both)).toEqual({ format: 'onnx', flavour: 'onnx', file: 'model.onnx' });
    expect(pickFlavour(both, 'sklearn')).toEqual({ format: 'sklearn', flavour: 'sklearn', file: 'model.pkl' });
  });

  test('XGBoost, LightGBM and PyTorch files', () => {
    expect(pickFlavour(mlmodel('  xgboost:\n    data: model.ubj\n    model_format: ubj\n'))).toEqual({
      format: 'xgboost',
      flavour: 'xgboost',
      file: 'model.ubj',
    });
    expect(pickFlavour(mlmodel('  lightgbm:\n    data: model.lgb\n    model_class: lightgbm.basic.Booster\n'))).toEqual({
      format: 'lightgbm',
      flavour: 'lightgbm',
      file: 'model.lgb',
    });
    expect(pickFlavour(mlmodel('  pytorch:\n    model_data: data\n    pytorch_version: 2.13.0\n'))).toEqual({
      format: 'pytorch',
      flavour: 'pytorch',
      file: 'data/model.pt2',
    });
  });

  test("skops archives (MLflow 3's default for scikit-learn and LightGBM's scikit-learn API) are picked like pickles", () => {
    expect(pickFlavour(mlmodel('  sklearn:\n    pickled_model: model.skops\n    serialization_format: skops\n'))).toEqual({
      format: 'sklearn',
      flavour: 'sklearn',
      file: 'model.skops',
    });
    expect(pickFlavour(mlmodel('  sklearn:\n    serialization_format: skops\n'))).toMatchObject({ file: 'model.skops' });
    expect(pickFlavour(mlmodel('  lightgbm:\n    data: model.skops\n    serialization_format: skops\n'))).toEqual({
      format: 'lightgbm',
      flavour: 'lightgbm',
      file: 'model.skops',
    });
  });

  test('refusals say what is there and what to do', () => {
    expect(pickFlavour(mlmodel(PYFUNC))).toEqual({
      refusal: 'its MLmodel has no flavour Modelship converts (onnx, xgboost, lightgbm, sklearn, pytorch); it has python_function',
    });
    expect(pickFlavour(mlmodel(SKLEARN), 'xgboost')).toEqual({ refusal: 'its MLmodel has no xgboost flavour (model.format: xgboost); it has sklearn' });
    expect(pickFlavour(mlmodel('  onnx:\n    data: ../../etc/passwd\n'))).toEqual({
      refusal: 'its MLmodel names the file ../../etc/passwd, outside the model',
    });
    expect(pickFlavour('flavors: [')).toMatchObject({ refusal: expect.stringMatching(/^its MLmodel file is not YAML: /) });
    expect(pickFlavour('run_id: 1\n')).toEqual({ refusal: 'its MLmodel file lists no flavors' });
  });
});
