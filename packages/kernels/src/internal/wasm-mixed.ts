/**
 * Hand-assembled WebAssembly SIMD kernels for the model side of mixed negatives (MixGCF, DTL with
 * mixing; `MixedNegativeBatch` of @dtl/core): gathering each mixed negative's pooled and layer-0 row
 * from its weighted sources, and scattering its BPR gradient back onto every source row of every
 * layer. One module per embedding size `dim` (rows unrolled in pairs of lanes).
 *
 * Numerics — bit-identical to the typed-array JS loops they replace (`mixed-rows.ts`, formerly
 * `mixedNegative` / `scatterMixedGradient` of the model): every value is computed in float64 with
 * the same IEEE operations in the same order — float32 inputs promoted exactly
 * (`f64x2.promote_low_f32x4`), v = wt·e, out += wl·v, out0 += v; target ← fround(target + c·u) with
 * c = (g·wl)·wt — and the rows of one slot, layer and source are updated in the JS order, so a
 * repeated source row accumulates exactly as before. Lanes only split the independent elements d.
 *
 * Exports (pointers are byte offsets into the shared memory; `items`/`weights` in the batch layout,
 * slot t's sources at layer l at (t·nLayers + l)·S):
 * - `gather(nSlots, items, weights, nLayers, S, itemPtrs, layerW, out, out0)`: for each slot, out (f64 row)
 *   = Σ_l wl Σ_s wt·e_l[item], out0 = Σ_s wt·e_0[item]; `itemPtrs` lists each layer's item table.
 * - `scatter(nSlots, items, weights, nLayers, S, targetPtrs, layerW, uRows, gs, scratch)`: for each slot
 *   (user row pointer uRows[t], float64 gradient factor gs[t]), every layer l and source s, in that
 *   order: target_l[item] ← fround(target_l[item] + ((g·wl)·wt)·u). `scratch` holds `dim` float64s.
 */
import {
  I32, V128, ADD, MUL, SHL, F64_ADD, F64_PROMOTE_F32, F32_DEMOTE_F64,
  assembleModule, f32Load, f32Store, forPtr, get, i32c, i32Load, set, simd, uleb, v128Load, v128Store, v128Zero,
  F64, F64_MUL, f64Load, f64Store, f64x2Mul, load64Zero, f64x2Add, f64x2PromoteLow, f32x4DemoteZero,
} from './wasm-asm.ts';
import type { Code, WasmFunction, WasmMemory } from './wasm-asm.ts';
import { createPerDimInstances } from './per-dim-instances.ts';

const f64x2Splat = simd(0x14);
/** `v128.store64_lane` lane 0: the two floats of lanes 0, 1. */
const store64Lane0 = (offset: number): number[] => simd(0x5b, 0, ...uleb(offset), 0);

/** Largest embedding size with a generated module (larger dims use the JS loops). */
export const MIXED_MAX_DIM = 1024;

function gatherFunction(dim: number): WasmFunction {
  const NSLOT = 0, ITEMS = 1, WEIGHTS = 2, NLAYERS = 3, S = 4, ITEMPTRS = 5, LAYERW = 6, OUT = 7, OUT0 = 8;
  const IP = 9, WP = 10, OE = 11, L = 12, LE = 13, SE = 14, ROW = 15, LB = 16, WLP = 17;
  const WT = 18, WL = 19, V = 20; // f64
  const WTV = 21, WLV = 22, VV = 23; // v128
  const rowBytes = dim * 4;
  const pairs = Math.floor(dim / 2);
  const odd = dim % 2 === 1;
  const source = (withOut0: boolean): Code => {
    const code: Code[] = [
      get(LB), get(IP), i32Load(0), i32c(rowBytes), MUL, ADD, set(ROW),
      get(WP), f32Load(0), F64_PROMOTE_F32, set(WT),
      get(WT), f64x2Splat, set(WTV),
      get(WP), i32c(4), ADD, set(WP),
    ];
    for (let j = 0; j < pairs; j++) {
      code.push(get(WTV), get(ROW), load64Zero(8 * j), f64x2PromoteLow, f64x2Mul, set(VV));
      code.push(get(OUT), get(OUT), v128Load(16 * j, 3), get(WLV), get(VV), f64x2Mul, f64x2Add, v128Store(16 * j, 3));
      if (withOut0) code.push(get(OUT0), get(OUT0), v128Load(16 * j, 3), get(VV), f64x2Add, v128Store(16 * j, 3));
    }
    if (odd) {
      const d = dim - 1;
      code.push(get(WT), get(ROW), f32Load(4 * d), F64_PROMOTE_F32, F64_MUL, set(V));
      code.push(get(OUT), get(OUT), f64Load(8 * d), get(WL), get(V), F64_MUL, F64_ADD, f64Store(8 * d));
      if (withOut0) code.push(get(OUT0), get(OUT0), f64Load(8 * d), get(V), F64_ADD, f64Store(8 * d));
    }
    return code;
  };
  const zero: Code[] = [];
  for (let j = 0; j < pairs; j++) zero.push(get(OUT), v128Zero, v128Store(16 * j, 3), get(OUT0), v128Zero, v128Store(16 * j, 3));
  if (odd) zero.push(get(OUT), [0x44, 0, 0, 0, 0, 0, 0, 0, 0], f64Store(8 * (dim - 1)), get(OUT0), [0x44, 0, 0, 0, 0, 0, 0, 0, 0], f64Store(8 * (dim - 1)));
  const loadLayer = (lp: number, wp: number): Code => [
    get(lp), i32Load(0), set(LB),
    get(wp), f32Load(0), F64_PROMOTE_F32, set(WL),
    get(WL), f64x2Splat, set(WLV),
    get(IP), get(S), i32c(2), SHL, ADD, set(SE),
  ];
  const slot: Code = [
    zero,
    loadLayer(ITEMPTRS, LAYERW),
    forPtr(IP, SE, 4, source(true)),
    get(ITEMPTRS), i32c(4), ADD, set(L),
    get(ITEMPTRS), get(NLAYERS), i32c(2), SHL, ADD, set(LE),
    get(LAYERW), i32c(4), ADD, set(WLP),
    forPtr(L, LE, 4, [loadLayer(L, WLP), forPtr(IP, SE, 4, source(false)), get(WLP), i32c(4), ADD, set(WLP)]),
    get(OUT0), i32c(dim * 8), ADD, set(OUT0),
  ];
  return {
    exportName: 'gather',
    params: new Array<number>(9).fill(I32),
    results: [],
    locals: [[9, I32], [3, F64], [3, V128]],
    code: [
      get(ITEMS), set(IP), get(WEIGHTS), set(WP),
      get(OUT), get(NSLOT), i32c(dim * 8), MUL, ADD, set(OE),
      forPtr(OUT, OE, dim * 8, slot),
    ],
  };
}

function scatterFunction(dim: number): WasmFunction {
  const NSLOT = 0, ITEMS = 1, WEIGHTS = 2, NLAYERS = 3, S = 4, TGTPTRS = 5, LAYERW = 6, UROWS = 7, GS = 8, SCR = 9;
  const IP = 10, WP = 11, UE = 12, L = 13, LE = 14, WLP = 15, SE = 16, ROW = 17, TB = 18, UR = 19, ITEM = 20;
  const G = 21, GWL = 22, WT = 23, C = 24; // f64
  const CV = 25; // v128
  const rowBytes = dim * 4;
  const pairs = Math.floor(dim / 2);
  const odd = dim % 2 === 1;
  /** row[d] ← fround(row[d] + c·src[d]) over the row, src a float64 row at `src`. */
  const update = (row: number, src: number, c: number, cv: number): Code => {
    const code: Code[] = [];
    for (let j = 0; j < pairs; j++) {
      code.push(get(row), get(row), load64Zero(8 * j), f64x2PromoteLow, get(cv), get(src), v128Load(16 * j, 3), f64x2Mul, f64x2Add, f32x4DemoteZero, store64Lane0(8 * j));
    }
    if (odd) {
      const d = dim - 1;
      code.push(get(row), get(row), f32Load(4 * d), F64_PROMOTE_F32, get(c), get(src), f64Load(8 * d), F64_MUL, F64_ADD, F32_DEMOTE_F64, f32Store(4 * d));
    }
    return code;
  };
  const source: Code = [
    get(IP), i32Load(0), set(ITEM),
    get(TB), get(ITEM), i32c(rowBytes), MUL, ADD, set(ROW),
    get(WP), f32Load(0), F64_PROMOTE_F32, set(WT),
    get(GWL), get(WT), F64_MUL, set(C),
    get(C), f64x2Splat, set(CV),
    update(ROW, SCR, C, CV),
    get(WP), i32c(4), ADD, set(WP),
  ];
  const promote: Code[] = [];
  for (let d = 0; d < dim; d++) promote.push(get(SCR), get(UR), f32Load(4 * d), F64_PROMOTE_F32, f64Store(8 * d));
  const slot: Code = [
    get(UROWS), i32Load(0), set(UR),
    promote,
    get(GS), f64Load(0), set(G),
    get(TGTPTRS), set(L),
    get(TGTPTRS), get(NLAYERS), i32c(2), SHL, ADD, set(LE),
    get(LAYERW), set(WLP),
    forPtr(L, LE, 4, [
      get(L), i32Load(0), set(TB),
      get(G), get(WLP), f32Load(0), F64_PROMOTE_F32, F64_MUL, set(GWL),
      get(IP), get(S), i32c(2), SHL, ADD, set(SE),
      forPtr(IP, SE, 4, source),
      get(WLP), i32c(4), ADD, set(WLP),
    ]),
    get(GS), i32c(8), ADD, set(GS),
  ];
  return {
    exportName: 'scatter',
    params: new Array<number>(10).fill(I32),
    results: [],
    locals: [[11, I32], [4, F64], [1, V128]],
    code: [
      get(ITEMS), set(IP), get(WEIGHTS), set(WP),
      get(UROWS), get(NSLOT), i32c(2), SHL, ADD, set(UE),
      forPtr(UROWS, UE, 4, slot),
    ],
  };
}

export function mixedModuleBytes(dim: number, maxPages: number): Uint8Array {
  return assembleModule({ shared: true, maxPages }, [gatherFunction(dim), scatterFunction(dim)]);
}

export interface MixedExports {
  readonly gather: (nSlots: number, items: number, weights: number, nLayers: number, S: number, itemPtrs: number, layerW: number, out: number, out0: number) => void;
  readonly scatter: (nSlots: number, items: number, weights: number, nLayers: number, S: number, targetPtrs: number, layerW: number, uRows: number, gs: number, scratch: number) => void;
}

const instances = createPerDimInstances(mixedModuleBytes, (exports) => exports as unknown as MixedExports);

/** The mixed-negative kernels for rows of `dim` floats over `memory`, or null (JS then). */
export function mixedExports(memory: WasmMemory, dim: number, maxPages: number): MixedExports | null {
  if (!Number.isInteger(dim) || dim <= 0 || dim > MIXED_MAX_DIM) return null;
  return instances(memory, dim, maxPages);
}
