/**
 * Reading a registry source (`models:/<name>/<version>`, `models:/<name>@<alias>`): the version
 * resolved in the MLflow registry, its `MLmodel` read to pick the flavour and file, and that file
 * read with the same cap and cancellation as any source, through the tracking server's artifact
 * proxy (`mlflow-artifacts:` URIs) or from S3 (`s3://`, only from the worker's allowed buckets).
 * Returns the bytes with what they hold and where they came from (the deployment's lineage).
 */
import path from 'node:path';
import { registryLocation, type RegistryLineage, type RegistryReference, type SourceFormat } from '../../sdk/schemas';
import { isRejection, rejection } from '../failures';
import { mlflowGet, modelDownloadUri, resolveModelVersion, type MlflowConnection } from './mlflowRegistry';
import { pickFlavour } from './mlmodelFlavour';
import { readS3Source } from './readS3Source';
import { overCapMessage, readCapped, type ReadSourceOptions } from './sourceRead';

/** Largest `MLmodel` file read. */
const MLMODEL_MAX_BYTES = 1024 * 1024;

export interface RegistrySource {
  bytes: Uint8Array;
  format: SourceFormat;
  /** The converted file's name (its extension is kept in the store). */
  fileName: string;
  lineage: RegistryLineage;
}

export async function readRegistrySource(
  reference: RegistryReference,
  connection: MlflowConnection,
  options: ReadSourceOptions,
  declared?: SourceFormat,
): Promise<RegistrySource> {
  const version = await resolveModelVersion(connection, reference, options.failure);
  const artifactUri = (await modelDownloadUri(connection, version, options.failure)).replace(/\/+$/, '');
  const read = artifactReader(connection, artifactUri, options);
  const where = registryLocation(reference) + ('alias' in reference ? ` (version ${version.version})` : '');
  const mlmodel = await read('MLmodel', { ...options, maxBytes: MLMODEL_MAX_BYTES, what: `MLmodel file of ${where}`, capSetting: 'MLmodel files' });
  const pick = pickFlavour(Buffer.from(mlmodel).toString('utf8'), declared);
  if ('refusal' in pick) throw rejection(options.failure, `${where} cannot be deployed: ${pick.refusal}`);
  const bytes = await read(pick.file, { ...options, what: `${options.what} ${where}` }).catch((error: unknown) => {
    throw pick.format === 'pytorch' && isRejection(error)
      ? rejection(
          options.failure,
          `${where} holds no torch.export program (${pick.file}): a pickled PyTorch module cannot be exported to ONNX safely; ` +
            "log it with mlflow.pytorch.log_model(..., serialization_format='pt2'), or register an ONNX model",
        )
      : error;
  });
  return {
    bytes,
    format: pick.format,
    fileName: path.posix.basename(pick.file),
    lineage: {
      trackingUri: connection.trackingUri,
      name: version.name,
      version: version.version,
      ...('alias' in reference ? { alias: reference.alias } : {}),
      ...(version.run_id ? { runId: version.run_id } : {}),
      sourceUri: version.source,
      artifactUri,
      flavour: pick.flavour,
      file: pick.file,
    },
  };
}

type ArtifactRead = (file: string, options: ReadSourceOptions) => Promise<Uint8Array>;

/** How files under an artifact URI are read: through the tracking server's proxy, or from S3. Other stores are refused. */
function artifactReader(connection: MlflowConnection, artifactUri: string, options: ReadSourceOptions): ArtifactRead {
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (proxied) {
    const folder = proxied[1] ?? '';
    return async (file, readOptions) => {
      const artifactPath = [folder, file].filter((part) => part !== '').join('/');
      const encoded = artifactPath.split('/').map(encodeURIComponent).join('/');
      const response = await mlflowGet(
        { ...connection, signal: readOptions.context.signal },
        `mlflow-artifacts/artifacts/${encoded}`,
        {},
        readOptions.what,
        readOptions.failure,
      );
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > readOptions.maxBytes) {
        await response.body?.cancel();
        throw rejection(readOptions.failure, overCapMessage(readOptions, `${artifactUri}/${file}`, declared));
      }
      const body = response.body ?? (async function* () {})();
      return (
        await readCapped(body as AsyncIterable<Uint8Array>, () => void response.body?.cancel().catch(() => undefined), `${artifactUri}/${file}`, readOptions)
      ).bytes;
    };
  }
  if (artifactUri.startsWith('s3://')) return (file, readOptions) => readS3Source(`${artifactUri}/${file}`, readOptions);
  throw rejection(
    options.failure,
    `the registry keeps this model's artifacts at ${artifactUri}, which Modelship does not read: ` +
      'serve them through the tracking server (mlflow server with --artifacts-destination, mlflow-artifacts: URIs) or keep them on S3',
  );
}
