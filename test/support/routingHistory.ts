/**
 * An endpoint's routing history, for fault tests: the store is an S3 bucket with versioning on, so
 * every routing document ever written to `endpoints/<name>/routing.json` is kept as an object
 * version and can be read back in write order. The checks every fault test ends with: generations
 * run 1..N, each written once (no gap, no duplicate), and the endpoint serves what its entity
 * workflow holds as stable.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { openStore, s3ConfigFromEnv, storeKeys, type ArtifactStore } from '../../store';
import type { ModelshipClient } from '../../sdk/client';
import { routingDocument, type RoutingDocument } from '../../sdk/schemas';
import { inferHttp } from './inference';

/** A store on its own versioned bucket, with the environment a worker or gateway needs to reach it. */
export interface VersionedStore {
  uri: string;
  env: NodeJS.ProcessEnv;
  bucket: string;
  s3: S3Client;
}

const CREDENTIALS = { accessKeyId: 'modelship', secretAccessKey: 'modelship-secret' };

/** Creates a bucket named after `name` with versioning on, on the S3 server at `s3Endpoint`. */
export async function versionedStore(s3Endpoint: string, name: string): Promise<VersionedStore> {
  const env = {
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const bucket = `${name}-${randomUUID().slice(0, 8)}`;
  const s3 = new S3Client(s3ConfigFromEnv(env, { credentials: CREDENTIALS }));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return { uri: `s3://${bucket}`, env, bucket, s3 };
}

/** The store as a client opens it (to upload the sources of what it deploys). */
export function clientStore(store: VersionedStore): ArtifactStore {
  return openStore(store.uri, { env: { ...process.env, ...store.env }, s3: { credentials: CREDENTIALS } });
}

/**
 * `read`, again while the S3 server answers it with a server error: SeaweedFS lists buckets before
 * its volume server is back after a restart, and reads objects with "internal error" until then (the
 * AWS SDK's own three attempts can fall within that on a loaded machine). 60 s at most: a bound on a hang.
 */
async function whileServerErrors<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      if (status < 500 || attempt >= 300) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Every routing document the endpoint's store has held, oldest first. */
export async function routingHistory(store: VersionedStore, endpoint: string): Promise<RoutingDocument[]> {
  const key = storeKeys.routing(endpoint);
  const versions = [];
  let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await whileServerErrors(() => store.s3.send(new ListObjectVersionsCommand({ Bucket: store.bucket, Prefix: key, ...marker })));
    versions.push(...(page.Versions ?? []).filter((v) => v.Key === key));
    if (!page.IsTruncated) break;
    marker = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
  // S3 lists the versions of a key newest first.
  const documents = await Promise.all(
    versions.reverse().map(async (v) => {
      const text = await whileServerErrors(async () => {
        const object = await store.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key, VersionId: v.VersionId }));
        return (object.Body as { transformToString(): Promise<string> }).transformToString();
      });
      return routingDocument.parse(JSON.parse(text));
    }),
  );
  return documents;
}

/** What is wrong with a sequence of written generations (oldest first): each gap and each duplicate, or nothing. */
export function generationProblems(generations: number[]): string[] {
  const problems: string[] = [];
  generations.forEach((generation, i) => {
    const previous = generations[i - 1] ?? 0;
    if (generation <= previous) problems.push(`generation ${generation} written after ${previous}`);
    else if (generation > previous + 1) problems.push(`gap: generation ${generation} follows ${previous}`);
  });
  return problems;
}

/**
 * The end state of a fault test: the routing history has no gap and no duplicate, its last
 * document serves the endpoint's stable version alone, and each gateway replica in `gatewayUrls`
 * answers with it. Returns the history (for assertions on what the test did).
 */
export async function expectConsistentEndpoint(
  store: VersionedStore,
  client: ModelshipClient,
  endpoint: string,
  gatewayUrls: string[],
): Promise<RoutingDocument[]> {
  const history = await routingHistory(store, endpoint);
  expect(generationProblems(history.map((d) => d.generation))).toEqual([]);
  const state = await client.endpoint(endpoint).status();
  const last = history.at(-1);
  expect(last?.versions).toEqual([expect.objectContaining({ version: state.stable?.version, weight: 100 })]);
  for (const url of gatewayUrls) {
    const answer = await inferHttp(url, endpoint, [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }]);
    expect(answer).toMatchObject({ status: 200, body: { model_version: state.stable?.version } });
  }
  return history;
}
