/**
 * A minimal GGUF v3 writer that produces a tiny random-weights LLaMA model, so the node-llama-cpp
 * judge can be tested end to end on a model the test generates itself (no download, a few hundred KB).
 *
 * Source: the GGUF format spec (ggml `docs/gguf.md`: magic "GGUF", version 3, u64 counts, typed
 * key/value metadata, tensor infos with ggml dims innermost-first, data section aligned to
 * `general.alignment` = 32). The key and tensor set mirrors what llama.cpp's LLaMA loader needs, learned
 * by reading the header of `stories260K.gguf`: `general.architecture`, `llama.*` hyper-parameters,
 * `tokenizer.ggml.*` (SentencePiece "llama" vocabulary with 256 byte-fallback tokens), and per block
 * `attn_{norm,q,k,v,output}` + `ffn_{norm,gate,up,down}`, all f32.
 */
import { writeFileSync } from 'node:fs';
import type { Rng } from '@dtl/core';

const enum GgufType {
  U32 = 4,
  I32 = 5,
  F32 = 6,
  STRING = 8,
  ARRAY = 9,
}

type Meta =
  | { t: 'u32'; v: number }
  | { t: 'f32'; v: number }
  | { t: 'str'; v: string }
  | { t: 'strs'; v: readonly string[] }
  | { t: 'f32s'; v: readonly number[] }
  | { t: 'i32s'; v: readonly number[] };

/** Shape of the generated model (defaults give a ~150 KB file). */
export interface TinyLlamaOptions {
  /** Embedding width (default 32). */
  readonly dim?: number;
  /** Transformer blocks (default 2). */
  readonly layers?: number;
  /** Attention heads (default 4); KV heads = heads / 2. */
  readonly heads?: number;
  /** Feed-forward width (default 64). */
  readonly ffn?: number;
  /** Extra whole-word pieces appended after the 256 byte tokens (default: printable ASCII + a few JSON words). */
  readonly pieces?: readonly string[];
  /** Context length written into the metadata (default 4096). */
  readonly contextLength?: number;
}

class ByteSink {
  private chunks: Buffer[] = [];
  size = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v | 0);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(align: number): void {
    const rem = this.size % align;
    if (rem !== 0) this.push(Buffer.alloc(align - rem));
  }
  concat(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeMeta(sink: ByteSink, key: string, m: Meta): void {
  sink.str(key);
  switch (m.t) {
    case 'u32':
      sink.u32(GgufType.U32);
      sink.u32(m.v);
      return;
    case 'f32':
      sink.u32(GgufType.F32);
      sink.f32(m.v);
      return;
    case 'str':
      sink.u32(GgufType.STRING);
      sink.str(m.v);
      return;
    case 'strs':
      sink.u32(GgufType.ARRAY);
      sink.u32(GgufType.STRING);
      sink.u64(m.v.length);
      for (const s of m.v) sink.str(s);
      return;
    case 'f32s':
      sink.u32(GgufType.ARRAY);
      sink.u32(GgufType.F32);
      sink.u64(m.v.length);
      for (const x of m.v) sink.f32(x);
      return;
    case 'i32s':
      sink.u32(GgufType.ARRAY);
      sink.u32(GgufType.I32);
      sink.u64(m.v.length);
      for (const x of m.v) sink.i32(x);
      return;
  }
}

const DEFAULT_PIECES: readonly string[] = (() => {
  const out: string[] = ['▁'];
  for (let c = 33; c < 127; c++) out.push(String.fromCharCode(c));
  out.push('▁"', '":', '",', '▁{', '▁[', 'index', 'label', 'positive', 'negative', 'judgments');
  return out;
})();

/**
 * Builds the bytes of a tiny LLaMA GGUF with random weights drawn from `rng` (normal × 0.05; norms 1).
 * The model writes gibberish; with a grammar its output is still valid JSON, which is what tests need.
 */
export function buildTinyLlamaGguf(rng: Rng, options: TinyLlamaOptions = {}): Buffer {
  const dim = options.dim ?? 32;
  const layers = options.layers ?? 2;
  const heads = options.heads ?? 4;
  const kvHeads = Math.max(1, heads >> 1);
  const ffn = options.ffn ?? 64;
  const headDim = dim / heads;
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [2, 3, 3];
  const scores: number[] = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
    scores.push(0);
  }
  const pieces = options.pieces ?? DEFAULT_PIECES;
  pieces.forEach((p, i) => {
    tokens.push(p);
    types.push(1);
    scores.push(-(i + 1));
  });
  const vocab = tokens.length;

  const meta: Array<[string, Meta]> = [
    ['general.architecture', { t: 'str', v: 'llama' }],
    ['general.name', { t: 'str', v: 'dtl-tiny-random' }],
    ['general.alignment', { t: 'u32', v: 32 }],
    ['llama.context_length', { t: 'u32', v: options.contextLength ?? 4096 }],
    ['llama.embedding_length', { t: 'u32', v: dim }],
    ['llama.feed_forward_length', { t: 'u32', v: ffn }],
    ['llama.attention.head_count', { t: 'u32', v: heads }],
    ['llama.attention.head_count_kv', { t: 'u32', v: kvHeads }],
    ['llama.block_count', { t: 'u32', v: layers }],
    ['llama.rope.dimension_count', { t: 'u32', v: headDim }],
    ['llama.attention.layer_norm_rms_epsilon', { t: 'f32', v: 1e-5 }],
    ['tokenizer.ggml.model', { t: 'str', v: 'llama' }],
    ['tokenizer.ggml.tokens', { t: 'strs', v: tokens }],
    ['tokenizer.ggml.scores', { t: 'f32s', v: scores }],
    ['tokenizer.ggml.token_type', { t: 'i32s', v: types }],
    ['tokenizer.ggml.unknown_token_id', { t: 'u32', v: 0 }],
    ['tokenizer.ggml.bos_token_id', { t: 'u32', v: 1 }],
    ['tokenizer.ggml.eos_token_id', { t: 'u32', v: 2 }],
  ];

  // ggml dims are innermost first: a [out × in] weight is written as dims [in, out].
  const tensors: Array<{ name: string; dims: number[]; fill: 'rand' | 'ones' }> = [
    { name: 'token_embd.weight', dims: [dim, vocab], fill: 'rand' },
    { name: 'output_norm.weight', dims: [dim], fill: 'ones' },
    { name: 'output.weight', dims: [dim, vocab], fill: 'rand' },
  ];
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      { name: p + 'attn_norm.weight', dims: [dim], fill: 'ones' },
      { name: p + 'attn_q.weight', dims: [dim, dim], fill: 'rand' },
      { name: p + 'attn_k.weight', dims: [dim, kvHeads * headDim], fill: 'rand' },
      { name: p + 'attn_v.weight', dims: [dim, kvHeads * headDim], fill: 'rand' },
      { name: p + 'attn_output.weight', dims: [dim, dim], fill: 'rand' },
      { name: p + 'ffn_norm.weight', dims: [dim], fill: 'ones' },
      { name: p + 'ffn_gate.weight', dims: [dim, ffn], fill: 'rand' },
      { name: p + 'ffn_down.weight', dims: [ffn, dim], fill: 'rand' },
      { name: p + 'ffn_up.weight', dims: [dim, ffn], fill: 'rand' },
    );
  }

  const head = new ByteSink();
  head.push(Buffer.from('GGUF', 'ascii'));
  head.u32(3);
  head.u64(tensors.length);
  head.u64(meta.length);
  for (const [k, m] of meta) writeMeta(head, k, m);
  const data = new ByteSink();
  for (const t of tensors) {
    data.pad(32);
    head.str(t.name);
    head.u32(t.dims.length);
    for (const d of t.dims) head.u64(d);
    head.u32(0); // GGML_TYPE_F32
    head.u64(data.size);
    const n = t.dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = t.fill === 'ones' ? 1 : rng.normal() * 0.05;
    data.push(Buffer.from(values.buffer));
  }
  data.pad(32);
  head.pad(32);
  return Buffer.concat([head.concat(), data.concat()]);
}

/** Writes {@link buildTinyLlamaGguf}'s bytes to `path`; returns the byte size. */
export function writeTinyLlamaGguf(path: string, rng: Rng, options: TinyLlamaOptions = {}): number {
  const bytes = buildTinyLlamaGguf(rng, options);
  writeFileSync(path, bytes);
  return bytes.length;
}
