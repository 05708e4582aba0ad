export type { ArtifactStore, ListOptions, PutOptions, StoredObject, StoredStream } from './artifactStore';
export { listedVersion } from './artifactStore';
export { FsArtifactStore } from './fsArtifactStore';
export { S3ArtifactStore, type S3Location } from './s3ArtifactStore';
export { openStore, DEFAULT_STORE_URI, type OpenStoreOptions } from './openStore';
export { createS3Client, s3ConfigFromEnv, type S3ClientOptions } from './s3Client';
export { assertValidKey, InvalidKeyError, storeKeys } from './keys';
export { collectGarbage, DEFAULT_GC_GRACE_MS, type GarbageCollectionOptions, type GarbageCollectionReport } from './garbageCollection';
export {
  ArtifactCorruptError,
  ArtifactMissingError,
  getModel,
  getVerified,
  putContentAddressed,
  putModel,
  readDocument,
  sha256Hex,
  verified,
  writeDocument,
} from './models';
export { collectRoutingChanges, recordRoutingChange, routingChangesSince, type RoutingChange } from './routingChangeLog';
export { putSourceFile, sourceExtension, type UploadedSource } from './sourceUpload';
export { latestDriftCheck, recentDriftChecks } from './driftChecks';
