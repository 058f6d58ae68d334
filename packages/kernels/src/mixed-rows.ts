import { DtlError } from '@dtl/core';
import { arenaOf } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { MAX_PAGES } from './internal/wasm-kernel-module.ts';
import { mixedExports } from './internal/wasm-mixed.ts';

/**
 * The model side of mixed negatives (MixGCF, DTL with mixing): a batch in the `MixedNegativeBatch`
 * layout of @dtl/core — slot t's S sources at layer l at (t·nLayers + l)·S of `items` / `weights`.
 * Both functions run the WebAssembly SIMD kernels of `internal/wasm-mixed.ts` when the tables lie in
 * one {@link WasmArena} (a model built with the wasm kernels keeps them there), else the typed-array
 * JS loops below; the two give the same bits (float64 arithmetic, same operations, same order), so
 * training is bit-identical on either path. `items`/`weights` (and the per-slot lists) are copied
 * into a per-arena scratch when they are not in the arena already. Items are not range-checked here
 * beyond the tables' size (the model validates its batch first).
 */
export interface MixedRowsBatch {
  readonly items: Int32Array;
  readonly weights: Float32Array;
  /** Slots (B·k). */
  readonly nSlots: number;
  readonly nLayers: number;
  /** Sources per slot and layer. */
  readonly nSources: number;
}

function check(batch: MixedRowsBatch, tables: readonly Float32Array[], layerWeights: Float32Array, dim: number, who: string): number {
  const { nSlots, nLayers, nSources } = batch;
  if (!Number.isInteger(dim) || dim <= 0) throw new DtlError('INVALID_ARGUMENT', `${who}: dim must be a positive integer, got ${dim}`);
  if (!(Number.isInteger(nSlots) && nSlots >= 0 && Number.isInteger(nLayers) && nLayers > 0 && Number.isInteger(nSources) && nSources > 0)) {
    throw new DtlError('INVALID_ARGUMENT', `${who}: bad batch shape ${nSlots} slots × ${nLayers} layers × ${nSources} sources`);
  }
  const n = nSlots * nLayers * nSources;
  if (batch.items.length < n || batch.weights.length < n) throw new DtlError('INVALID_ARGUMENT', `${who}: items/weights hold ${batch.items.length}/${batch.weights.length} entries, need ${n}`);
  if (tables.length !== nLayers || layerWeights.length < nLayers) throw new DtlError('INVALID_ARGUMENT', `${who}: ${tables.length} tables and ${layerWeights.length} layer weights for ${nLayers} layers`);
  let rows = Infinity;
  for (const t of tables) rows = Math.min(rows, Math.floor(t.length / dim));
  for (let i = 0; i < n; i++) {
    const it = batch.items[i]!;
    if (!(it >= 0 && it < rows)) throw new DtlError('INVALID_ARGUMENT', `${who}: source item ${it} at ${i} outside 0..${rows - 1}`);
  }
  return n;
}

interface Scratch {
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
}
const scratches = new WeakMap<WasmArena, Map<string, Scratch>>();

/** A per-arena scratch buffer set named `key`, grown to at least the given sizes. */
function scratch(arena: WasmArena, key: string, nI32: number, nF32: number, nF64: number): Scratch {
  let m = scratches.get(arena);
  if (!m) scratches.set(arena, (m = new Map()));
  let s = m.get(key);
  const grow = (n: number): number => Math.max(n, 1024);
  if (!s || s.i32.length < nI32 || s.f32.length < nF32 || s.f64.length < nF64) {
    const f64raw = arena.f32(2 * grow(Math.max(nF64, s?.f64.length ?? 0)));
    s = {
      i32: arena.i32(grow(Math.max(nI32, s?.i32.length ?? 0))),
      f32: arena.f32(grow(Math.max(nF32, s?.f32.length ?? 0))),
      f64: new Float64Array(f64raw.buffer, f64raw.byteOffset, f64raw.length / 2),
    };
    m.set(key, s);
  }
  return s;
}

/** `items` and `weights` of the first n entries as arena views (copied when needed). */
function batchInArena(arena: WasmArena, batch: MixedRowsBatch, n: number): { items: Int32Array; weights: Float32Array } {
  if (arena.owns(batch.items) && arena.owns(batch.weights)) return { items: batch.items, weights: batch.weights };
  const s = scratch(arena, 'batch', n, n, 0);
  s.i32.set(batch.items.subarray(0, n));
  s.f32.set(batch.weights.subarray(0, n));
  return { items: s.i32, weights: s.f32 };
}

/**
 * For each slot t: out[t·dim ..] = Σ_l w_l Σ_s wt·E_l[item] and out0[t·dim ..] = Σ_s wt·E_0[item]
 * (float64 rows; `itemLayers[l]` is layer l's item table, row-major `dim` floats per item).
 */
export function gatherMixedRows(batch: MixedRowsBatch, itemLayers: readonly Float32Array[], layerWeights: Float32Array, dim: number, out: Float64Array, out0: Float64Array): void {
  const n = check(batch, itemLayers, layerWeights, dim, 'gatherMixedRows');
  if (out.length < batch.nSlots * dim || out0.length < batch.nSlots * dim) throw new DtlError('INVALID_ARGUMENT', `gatherMixedRows: out/out0 need ${batch.nSlots * dim} values`);
  const arena = arenaOf(...itemLayers, layerWeights, out, out0);
  const k = arena && batch.nSlots > 0 ? mixedExports(arena.memory, dim, MAX_PAGES) : null;
  if (!arena || !k) {
    gatherMixedRowsJs(batch, itemLayers, layerWeights, dim, out, out0);
    return;
  }
  const { items, weights } = batchInArena(arena, batch, n);
  const ptrs = scratch(arena, 'ptrs', batch.nLayers, 0, 0).i32;
  for (let l = 0; l < batch.nLayers; l++) ptrs[l] = itemLayers[l]!.byteOffset;
  k.gather(batch.nSlots, items.byteOffset, weights.byteOffset, batch.nLayers, batch.nSources, ptrs.byteOffset, layerWeights.byteOffset, out.byteOffset, out0.byteOffset);
}

/** The JS loop of {@link gatherMixedRows} (the reference the wasm kernel reproduces bit for bit). */
export function gatherMixedRowsJs(batch: MixedRowsBatch, itemLayers: readonly Float32Array[], layerWeights: Float32Array, dim: number, out: Float64Array, out0: Float64Array): void {
  const { items, weights, nSlots, nLayers: L, nSources: S } = batch;
  for (let t = 0; t < nSlots; t++) {
    const oo = t * dim;
    out.fill(0, oo, oo + dim);
    out0.fill(0, oo, oo + dim);
    for (let l = 0; l < L; l++) {
      const e = itemLayers[l]!;
      const wl = layerWeights[l]!;
      const base = (t * L + l) * S;
      for (let s = 0; s < S; s++) {
        const wt = weights[base + s]!;
        const o = items[base + s]! * dim;
        for (let d = 0; d < dim; d++) {
          const v = wt * e[o + d]!;
          out[oo + d]! += wl * v;
          if (l === 0) out0[oo + d]! += v;
        }
      }
    }
  }
}

/**
 * For each slot t (in order), layer l and source s: targets[l][item] += ((g_t·w_l)·wt)·user[users[t]]
 * in float32 (the BPR gradient of a mixed negative onto its sources; `targets[l]` is layer l's
 * item gradient table, `user` the pooled user table, `g` the per-slot float64 factor).
 */
export function scatterMixedRows(batch: MixedRowsBatch, targets: readonly Float32Array[], layerWeights: Float32Array, dim: number, user: Float32Array, users: Int32Array, g: Float64Array): void {
  const n = check(batch, targets, layerWeights, dim, 'scatterMixedRows');
  const nU = Math.floor(user.length / dim);
  if (users.length < batch.nSlots || g.length < batch.nSlots) throw new DtlError('INVALID_ARGUMENT', `scatterMixedRows: users/g need ${batch.nSlots} entries`);
  for (let t = 0; t < batch.nSlots; t++) if (!(users[t]! >= 0 && users[t]! < nU)) throw new DtlError('INVALID_ARGUMENT', `scatterMixedRows: user ${users[t]} outside 0..${nU - 1}`);
  const arena = arenaOf(...targets, layerWeights, user);
  const k = arena && batch.nSlots > 0 ? mixedExports(arena.memory, dim, MAX_PAGES) : null;
  if (!arena || !k) {
    scatterMixedRowsJs(batch, targets, layerWeights, dim, user, users, g);
    return;
  }
  const { items, weights } = batchInArena(arena, batch, n);
  const s = scratch(arena, 'scatter', batch.nLayers + batch.nSlots, 0, batch.nSlots + dim);
  const ptrs = s.i32;
  for (let l = 0; l < batch.nLayers; l++) ptrs[l] = targets[l]!.byteOffset;
  const uRows = batch.nLayers;
  for (let t = 0; t < batch.nSlots; t++) ptrs[uRows + t] = user.byteOffset + users[t]! * dim * 4;
  s.f64.set(g.subarray(0, batch.nSlots));
  k.scatter(batch.nSlots, items.byteOffset, weights.byteOffset, batch.nLayers, batch.nSources, ptrs.byteOffset, layerWeights.byteOffset, ptrs.byteOffset + 4 * uRows, s.f64.byteOffset, s.f64.byteOffset + 8 * batch.nSlots);
}

/** The JS loop of {@link scatterMixedRows}. */
export function scatterMixedRowsJs(batch: MixedRowsBatch, targets: readonly Float32Array[], layerWeights: Float32Array, dim: number, user: Float32Array, users: Int32Array, g: Float64Array): void {
  const { items, weights, nSlots, nLayers: L, nSources: S } = batch;
  for (let t = 0; t < nSlots; t++) {
    const uo = users[t]! * dim;
    const gt = g[t]!;
    for (let l = 0; l < L; l++) {
      const target = targets[l]!;
      const wl = layerWeights[l]!;
      const base = (t * L + l) * S;
      for (let s = 0; s < S; s++) {
        const ro = items[base + s]! * dim;
        const c = gt * wl * weights[base + s]!;
        for (let d = 0; d < dim; d++) target[ro + d]! += c * user[uo + d]!;
      }
    }
  }
}
