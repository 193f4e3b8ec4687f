/**
 * Embeddings already computed, keyed by model and exact chunk text, so re-indexing after adding
 * one paper embeds only the new chunks. One append-only binary file per model under the cache
 * folder: each record is a 32-byte SHA-256 of the text followed by the vector as float32.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  readonly file: string;

  constructor(
    cacheDir: string,
    readonly modelId: string,
    readonly dimensions: number,
  ) {
    const slug = modelId.replace(/[^A-Za-z0-9._-]+/g, '_');
    this.file = join(cacheDir, 'embeddings', `${slug}-${dimensions}.bin`);
    this.load();
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    const buffer = readFileSync(this.file);
    const recordSize = 32 + this.dimensions * 4;
    // A record cut short by a crash mid-append is ignored; the rest stays usable.
    const whole = Math.floor(buffer.length / recordSize);
    for (let i = 0; i < whole; i++) {
      const at = i * recordSize;
      const key = buffer.toString('hex', at, at + 32);
      const vector = new Float32Array(this.dimensions);
      Buffer.from(vector.buffer).set(buffer.subarray(at + 32, at + recordSize));
      this.vectors.set(key, vector);
    }
  }

  key(text: string): string {
    return createHash('sha256').update(this.modelId).update('\0').update(text).digest('hex');
  }

  get(text: string): Float32Array | undefined {
    return this.vectors.get(this.key(text));
  }

  get size(): number {
    return this.vectors.size;
  }

  /** Stores vectors for texts and appends them to the cache file. */
  putAll(entries: { text: string; vector: Float32Array }[]): void {
    if (entries.length === 0) return;
    const records: Buffer[] = [];
    for (const { text, vector } of entries) {
      if (vector.length !== this.dimensions) throw new Error(`Embedding has ${vector.length} dimensions, expected ${this.dimensions}`);
      const key = this.key(text);
      if (this.vectors.has(key)) continue;
      this.vectors.set(key, vector);
      records.push(Buffer.from(key, 'hex'), Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
    }
    if (records.length === 0) return;
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, Buffer.concat(records));
  }
}
