/** S3 artifact store: any S3-compatible server (AWS S3, SeaweedFS, MinIO, Ceph RGW...). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ArtifactStore, ListOptions, PutOptions, StoredObject, StoredStream } from './artifactStore';
import { assertValidKey, assertValidPrefix } from './keys';

export interface S3Location {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` (may be empty). */
  prefix: string;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly uri: string;

  /** `client`: one from {@link createS3Client}, so that failures that are settings name them. */
  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
  ) {
    this.uri = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
  }

  /** Closes the S3 client's connections. */
  close(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.location.prefix ? `${this.location.prefix}/${key}` : key;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
      if (!response.Body) return new Uint8Array();
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getStream(key: string, signal?: AbortSignal): Promise<StoredStream | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }), { abortSignal: signal });
      const body = (response.Body ?? (async function* () {})()) as AsyncIterable<Uint8Array> & { destroy?: () => void };
      return { sizeBytes: response.ContentLength, body, cancel: () => body.destroy?.() };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** A single PUT carrying the body's sha256, which the server checks before it stores anything. */
  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: body.byteLength,
        ContentType: options?.contentType ?? 'application/octet-stream',
        ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
      }),
    );
  }

  /** A single PUT streaming the file (S3 takes up to 5 GiB so), with its sha256 for the server to check. */
  async putFile(key: string, file: string, expected: { sizeBytes: number; sha256: string }): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(file),
        ContentLength: expected.sizeBytes,
        ContentType: 'application/octet-stream',
        ChecksumSHA256: Buffer.from(expected.sha256, 'hex').toString('base64'),
      }),
    );
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    return (await this.listObjects(prefix, options)).map((object) => object.key);
  }

  async listObjects(prefix: string, options: ListOptions = {}): Promise<StoredObject[]> {
    assertValidPrefix(prefix);
    const base = this.location.prefix ? `${this.location.prefix}/` : '';
    const objects: StoredObject[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: base + prefix,
          StartAfter: options.startAfter === undefined ? undefined : base + options.startAfter,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key?.startsWith(base)) continue;
        objects.push({
          key: object.Key.slice(base.length),
          sizeBytes: object.Size ?? 0,
          modifiedMs: object.LastModified?.getTime() ?? 0,
          ...(object.ETag ? { etag: object.ETag } : {}),
        });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * A copy of the object onto itself (S3 has no touch): its last-modified time becomes now. False
   * when it is not there, or when its HEAD is refused: on AWS a HEAD of a missing key by a client
   * without `s3:ListBucket` answers 403, so the caller's PUT decides (and is refused in words if the
   * credentials really cannot write).
   */
  async touch(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    let contentType: string | undefined;
    try {
      contentType = (await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key }))).ContentType;
    } catch (error) {
      if (isNotFound(error) || isForbidden(error)) return false;
      throw error;
    }
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.location.bucket,
          Key,
          CopySource: `${this.location.bucket}/${Key.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          ContentType: contentType ?? 'application/octet-stream',
        }),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
  }
}

/** An HTTP 403, also when the client turned it into a SetupError (kept as its `cause`). */
function isForbidden(error: unknown): boolean {
  const e = error as { cause?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.$metadata?.httpStatusCode === 403 || (e?.cause !== undefined && isForbidden(e.cause));
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
