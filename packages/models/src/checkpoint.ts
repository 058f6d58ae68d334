import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { DtlError } from '@dtl/core';

/**
 * A checkpoint file: the 8-byte magic `DTLCKPT1`, a uint32 (LE) header length, a JSON header
 * (`meta` plus the name/length/offset of each tensor, and `checksum: "sha256-trailer"`) padded to 4
 * bytes, then the float32 tensors, then a 32-byte SHA-256 of everything before it. Written to a
 * temporary file, fsynced and renamed, so a crash at any moment leaves either the old or the new
 * checkpoint, never a torn one; the trailer catches what the rename cannot — a file truncated,
 * bit-flipped or overwritten afterwards — so resuming never starts from silently corrupted weights.
 * Files written before the trailer existed (no `checksum` in the header) are still read.
 */
export interface CheckpointContents {
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tensors: Readonly<Record<string, Float32Array>>;
}

const MAGIC = 'DTLCKPT1';
const CHECKSUM = 'sha256-trailer';
const TRAILER = 32;

export function writeCheckpoint(path: string, contents: CheckpointContents): void {
  mkdirSync(dirname(path), { recursive: true });
  const entries: Array<{ name: string; length: number; offset: number }> = [];
  let offset = 0;
  for (const [name, t] of Object.entries(contents.tensors)) {
    entries.push({ name, length: t.length, offset });
    offset += t.length * 4;
  }
  let header = Buffer.from(JSON.stringify({ meta: contents.meta, tensors: entries, checksum: CHECKSUM }), 'utf8');
  const pad = (4 - ((12 + header.length) % 4)) % 4;
  header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, 8);
  const hash = createHash('sha256');
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of [prefix, header, ...Object.values(contents.tensors).map((t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength))]) {
      writeSync(fd, chunk);
      hash.update(chunk);
    }
    writeSync(fd, hash.digest());
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

type TensorEntry = { name: string; length: number; offset: number };

/**
 * Reads a checkpoint written by {@link writeCheckpoint}. Anything else — a missing file (NOT_FOUND),
 * a bad magic, a header that is not the expected JSON, a truncated or corrupted file (checksum) — is a
 * DtlError naming the file and saying what to do.
 */
export function readCheckpoint(path: string): CheckpointContents {
  if (!existsSync(path)) throw new DtlError('NOT_FOUND', `checkpoint ${path} does not exist`);
  const buf = readFileSync(path);
  const fix = 'delete it to restart the run from scratch (or restore a copy)';
  const bad = (why: string, cause?: unknown): DtlError => new DtlError('INVALID_DATA', `not a usable dtl checkpoint: ${why}; ${fix}`, { location: { file: path }, ...(cause !== undefined ? { cause } : {}) });
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw bad('bad magic (not a checkpoint, or its start is damaged)');
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > buf.length) throw bad(`header of ${headerLength} bytes runs past the end of the ${buf.length}-byte file (truncated?)`);
  let header: { meta?: unknown; tensors?: unknown; checksum?: unknown };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as typeof header;
  } catch (cause) {
    throw bad('header is not valid JSON', cause);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('header is not a JSON object');
  const { meta, tensors: list } = header;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw bad('header.meta is not an object');
  if (!Array.isArray(list)) throw bad('header.tensors is not a list');
  const base = 12 + headerLength;
  let end = buf.length;
  if (header.checksum !== undefined) {
    if (header.checksum !== CHECKSUM) throw bad(`unknown checksum kind ${JSON.stringify(header.checksum)}`);
    if (buf.length < base + TRAILER) throw bad('file is truncated (no checksum trailer)');
    end = buf.length - TRAILER;
    const digest = createHash('sha256').update(buf.subarray(0, end)).digest();
    if (!digest.equals(buf.subarray(end))) throw bad('checksum mismatch: the file is truncated or corrupted');
  }
  const tensors: Record<string, Float32Array> = {};
  for (const t of list as unknown[]) {
    const e = t as Partial<TensorEntry> | null;
    if (!e || typeof e.name !== 'string' || !Number.isSafeInteger(e.length) || !Number.isSafeInteger(e.offset) || e.length! < 0 || e.offset! < 0 || e.offset! % 4 !== 0) {
      throw bad(`tensor entry ${JSON.stringify(t)?.slice(0, 80)} is malformed`);
    }
    const start = base + e.offset!;
    if (start + e.length! * 4 > end) throw bad(`truncated in tensor "${e.name}"`);
    const out = new Float32Array(e.length!);
    new Uint8Array(out.buffer).set(buf.subarray(start, start + e.length! * 4));
    tensors[e.name] = out;
  }
  return { meta: meta as Record<string, unknown>, tensors };
}
