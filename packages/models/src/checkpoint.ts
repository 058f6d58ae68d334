import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DtlError } from '@dtl/core';

/**
 * A checkpoint file: the 8-byte magic `DTLCKPT1`, a uint32 (LE) header length, a JSON header
 * (`meta` plus the name/length/offset of each tensor) padded to 4 bytes, then the float32 tensors.
 * Written to a temporary file, fsynced and renamed, so a crash at any moment leaves either the old
 * or the new checkpoint, never a torn one.
 */
export interface CheckpointContents {
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tensors: Readonly<Record<string, Float32Array>>;
}

const MAGIC = 'DTLCKPT1';

export function writeCheckpoint(path: string, contents: CheckpointContents): void {
  mkdirSync(dirname(path), { recursive: true });
  const entries: Array<{ name: string; length: number; offset: number }> = [];
  let offset = 0;
  for (const [name, t] of Object.entries(contents.tensors)) {
    entries.push({ name, length: t.length, offset });
    offset += t.length * 4;
  }
  let header = Buffer.from(JSON.stringify({ meta: contents.meta, tensors: entries }), 'utf8');
  const pad = (4 - ((12 + header.length) % 4)) % 4;
  header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, 8);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, header);
    for (const t of Object.values(contents.tensors)) writeSync(fd, new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readCheckpoint(path: string): CheckpointContents {
  if (!existsSync(path)) throw new DtlError('NOT_FOUND', `checkpoint ${path} does not exist`);
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) throw new DtlError('INVALID_DATA', 'not a dtl checkpoint (bad magic)', { location: { file: path } });
  const headerLength = buf.readUInt32LE(8);
  let header: { meta: Record<string, unknown>; tensors: Array<{ name: string; length: number; offset: number }> };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as typeof header;
  } catch (cause) {
    throw new DtlError('INVALID_DATA', 'checkpoint header is not valid JSON', { location: { file: path }, cause });
  }
  const base = 12 + headerLength;
  const tensors: Record<string, Float32Array> = {};
  for (const t of header.tensors) {
    const start = base + t.offset;
    if (start + t.length * 4 > buf.length) throw new DtlError('INVALID_DATA', `checkpoint truncated in tensor "${t.name}"`, { location: { file: path } });
    const out = new Float32Array(t.length);
    new Uint8Array(out.buffer).set(buf.subarray(start, start + t.length * 4));
    tensors[t.name] = out;
  }
  return { meta: header.meta, tensors };
}
