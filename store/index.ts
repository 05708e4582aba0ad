export type { ArtifactStore, PutOptions } from './artifactStore';
export { FsArtifactStore } from './fsArtifactStore';
export { S3ArtifactStore, type S3Location } from './s3ArtifactStore';
export { openStore, s3ConfigFromEnv, DEFAULT_STORE_URI, type OpenStoreOptions } from './openStore';
export { assertValidKey, InvalidKeyError, storeKeys } from './keys';
export { ArtifactCorruptError, ArtifactMissingError, getModel, putModel, readDocument, sha256Hex, writeDocument } from './models';
