import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { InternalError, UnavailableError } from '../../model/index.js';
import { awsErrorName, awsToCortexError } from '../aws-errors.js';
import type { CallOptions } from '../interface.js';
import { type BlobStore, missingBlobError, throwIfAborted } from '../kv/index.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every object name (default `chunks/`). */
  prefix?: string;
  /** AWS region; undefined = the SDK's default chain. */
  region?: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2, GCS interoperability, s3rver); undefined = AWS. */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible stores need. */
  forcePathStyle?: boolean;
  /** Static credentials; without them the SDK's default chain (env, shared config, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Create the bucket when it is missing (default false: a clear error instead). */
  create?: boolean;
  /** SDK attempts per request, `SlowDown` and 5xx included, with exponential backoff (default 8). */
  maxAttempts?: number;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
}

/** DeleteObjects takes at most 1,000 keys a request. */
const DELETE_BATCH = 1000;

/**
 * Chunk bodies as S3 objects (`s3://bucket/prefix/name`). Objects are immutable and their names
 * content-derived by the caller, so a put of the same name is idempotent.
 *
 * This folder is the only place that imports `@aws-sdk/client-s3`.
 */
export class S3BlobStore implements BlobStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly prefix: string;
  private closed = false;

  private constructor(private readonly opts: S3BlobStoreOptions) {
    this.prefix = opts.prefix ?? 'chunks/';
    this.location = `s3://${opts.bucket}/${this.prefix.replace(/\/$/, '')}`;
    this.client = new S3Client({
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      forcePathStyle: opts.forcePathStyle ?? false,
      maxAttempts: opts.maxAttempts ?? 8,
      requestHandler: { requestTimeout: opts.timeoutMs ?? 30_000, connectionTimeout: 5_000 },
      // S3-compatible stores do not all know the newer default checksum headers and aws-chunked
      // uploads: send checksums only where the API requires them.
      ...(opts.endpoint
        ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
    });
  }

  /** Checks the bucket is reachable (creating it when `create`); one clear error otherwise. */
  static async open(opts: S3BlobStoreOptions): Promise<S3BlobStore> {
    const s = new S3BlobStore(opts);
    try {
      await s.ensureBucket();
    } catch (err) {
      s.client.destroy();
      throw err;
    }
    return s;
  }

  private where(): string {
    return `s3 bucket ${this.opts.bucket}${this.opts.endpoint ? ` at ${this.opts.endpoint}` : ''}`;
  }

  private async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.opts.bucket }));
      return;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = awsErrorName(err);
      if (status === 403)
        throw new InternalError(
          `${this.where()}: access denied (HTTP 403): the AWS credentials were refused or may not use this bucket; check the credential chain and its permissions`,
          { cause: err },
        );
      if (status !== 404 && name !== 'NotFound' && name !== 'NoSuchBucket') throw awsToCortexError(this.where(), err);
    }
    if (!this.opts.create)
      throw new InternalError(`${this.where()} does not exist: create it or start with --storage-create`);
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.opts.bucket }));
    } catch (err) {
      const name = awsErrorName(err);
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists')
        throw awsToCortexError(`${this.where()}: CreateBucket`, err);
    }
  }

  private check(opts: CallOptions | undefined): void {
    throwIfAborted(opts);
    if (this.closed) throw new UnavailableError(`${this.where()}: store closed`);
  }

  async put(name: string, data: Uint8Array, opts?: CallOptions): Promise<void> {
    this.check(opts);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.opts.bucket,
          Key: this.prefix + name,
          Body: data,
          ContentLength: data.length,
          ContentType: 'application/octet-stream',
        }),
        opts?.signal ? { abortSignal: opts.signal } : {},
      );
    } catch (err) {
      throwIfAborted(opts);
      throw awsToCortexError(`${this.where()}: PutObject ${this.prefix}${name}`, err);
    }
  }

  async get(name: string, opts?: CallOptions): Promise<Uint8Array> {
    this.check(opts);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.prefix + name }),
        opts?.signal ? { abortSignal: opts.signal } : {},
      );
      if (!out.Body) throw missingBlobError(this.location, name);
      return await out.Body.transformToByteArray();
    } catch (err) {
      throwIfAborted(opts);
      const name2 = awsErrorName(err);
      if (name2 === 'NoSuchKey' || name2 === 'NotFound') throw missingBlobError(this.location, name, err);
      throw awsToCortexError(`${this.where()}: GetObject ${this.prefix}${name}`, err);
    }
  }

  async delete(names: readonly string[], opts?: CallOptions): Promise<void> {
    this.check(opts);
    for (let i = 0; i < names.length; i += DELETE_BATCH) {
      const batch = names.slice(i, i + DELETE_BATCH);
      let out: { Errors?: { Key?: string; Code?: string; Message?: string }[] };
      try {
        out = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.opts.bucket,
            Delete: { Objects: batch.map((n) => ({ Key: this.prefix + n })), Quiet: true },
          }),
          opts?.signal ? { abortSignal: opts.signal } : {},
        );
      } catch (err) {
        throwIfAborted(opts);
        throw awsToCortexError(`${this.where()}: DeleteObjects`, err);
      }
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const e = failed[0]!;
        const msg = `${this.where()}: DeleteObjects could not delete ${failed.length} object(s), e.g. ${e.Key}: ${e.Code} ${e.Message ?? ''}`;
        throw e.Code === 'SlowDown' || e.Code === 'InternalError' ? new UnavailableError(msg) : new InternalError(msg);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
  }
}
