"""Registers a scikit-learn classifier in an MLflow Model Registry, as a team's training job would:
logged in a run with MLflow's defaults (a skops archive, MLflow 3's default serialization),
registered under a name, and given an alias. Prints {"runId": ..., "version": ...}.

Usage: .venv/bin/python test/support/registerMlflowModel.py <tracking-uri> <name> <alias>
"""
import json
import sys

import mlflow
import mlflow.sklearn
import numpy as np
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression


def main():
    uri, name, alias = sys.argv[1:4]
    mlflow.set_tracking_uri(uri)
    rng = np.random.default_rng(0)
    centers = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-1, -1, 2, 2]], dtype=np.float32)
    labels = rng.integers(0, 3, 300)
    features = (centers[labels] + rng.normal(0, 0.9, (300, 4))).astype(np.float32)
    model = LogisticRegression(max_iter=500).fit(features, labels)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name=name,
            signature=infer_signature(features, model.predict(features)),
            pip_requirements=["scikit-learn"],
        )
    version = str(info.registered_model_version)
    MlflowClient().set_registered_model_alias(name, alias, version)
    print(json.dumps({"runId": run.info.run_id, "version": version}))


if __name__ == "__main__":
    main()
