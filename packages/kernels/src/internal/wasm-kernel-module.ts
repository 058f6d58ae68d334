/**
 * Hand-assembled WebAssembly SIMD (f32x4) training kernels over a shared memory: CSR SpMM, its
 * row-scatter transpose, dense Adam, and two elementwise helpers. All pointers are byte offsets into
 * the imported memory (`env.mem`, shared, ≤ 65536 pages).
 *
 * Sources: SpMM is the row-wise CSR product (Gustavson, ACM TOMS 4(3), 1978) with the output row held
 * in vector registers, as in the register-blocked kernels of Goto & van de Geijn (ACM TOMS 34(3),
 * 2008); Adam is Kingma & Ba (ICLR 2015) in PyTorch's `torch.optim.Adam` form (see `adam.ts`).
 *
 * Numerics: everything is float32 (mul and add separately, no FMA, vector lanes and the scalar tail
 * use the same IEEE operations), so an output element does not depend on how rows or elements were
 * split across threads. The JS kernels accumulate in float64; results differ by float32 rounding.
 *
 * Two modules:
 * - the base module (any dim): `adam`, `scale`, `axpy`;
 * - one module per embedding size `dim` (generated and compiled on first use): `spmm`, `scatter`, `axpyRows`,
 *   with the row unrolled into vector accumulators (chunks of {@link SPMM_CHUNK_VECS} f32x4) and a
 *   scalar tail when dim % 4 ≠ 0.
 * The dense GEMM modules of `wasm-dense-gemm.ts` (one per row length m) are compiled and instantiated
 * through the same cache ({@link denseGemmExports}).
 */
import {
  F32, I32, V128, ADD, AND, MUL, SUB, SHL, F32_ADD, F32_DIV, F32_MUL, F32_SQRT, F32_SUB,
  assembleModule, f32c, f32Load, f32Store, f32x4Add, f32x4Div, f32x4Mul, f32x4Splat, f32x4Sqrt, f32x4Sub,
  forPtr, get, i32Load, i32c, load32Splat, set, v128Load, v128Store, v128Zero, wasmApi,
} from './wasm-asm.ts';
import type { Code, WasmFunction, WasmMemory, WasmModule } from './wasm-asm.ts';
import { denseGemmModuleBytes } from './wasm-dense-gemm.ts';
import type { DenseGemmFn } from './wasm-dense-gemm.ts';

/** Largest memory (pages) the modules accept: 4 GiB, the wasm32 limit. */
export const MAX_PAGES = 65536;

/**
 * Vector accumulators per pass over a row's neighbours. x86-64 has 16 xmm registers; 16
 * accumulators plus the broadcast value spill, 8 do not (dim 64 then takes two passes, re-reading
 * the row's index list from L1).
 */
export const SPMM_CHUNK_VECS = 8;

/** Largest embedding size with a generated module (larger dims use the JS kernels). */
export const MAX_DIM = 4096;

// ---------------------------------------------------------------- base module
/** Elementwise loop over float indices [start, end): vector body on 4 floats, then a scalar tail. */
function elementwise(
  exportName: string,
  ptrParams: number,
  scalarParams: number,
  vecLocals: number,
  f32Locals: number,
  setup: (first: { vec: number; f32: number }) => Code,
  vecBody: (o: number, first: { vec: number; f32: number }) => Code,
  scalarBody: (o: number, first: { vec: number; f32: number }) => Code,
): WasmFunction {
  // params: ptrs..., start, end, scalars...
  const START = ptrParams, END_ = ptrParams + 1;
  const nParams = ptrParams + 2 + scalarParams;
  const O = nParams, OV = nParams + 1, OE = nParams + 2; // byte offsets: cursor, vector end, end
  const first = { vec: nParams + 3, f32: nParams + 3 + vecLocals };
  const code: Code = [
    setup(first),
    get(START), i32c(2), SHL, set(O),
    get(END_), i32c(2), SHL, set(OE),
    // OV = O + ((OE - O) & ~15)
    get(O), get(OE), get(O), SUB, i32c(-16), AND, ADD, set(OV),
    forPtr(O, OV, 16, vecBody(O, first)),
    forPtr(O, OE, 4, scalarBody(O, first)),
  ];
  return {
    exportName,
    params: [...new Array<number>(ptrParams + 2).fill(I32), ...new Array<number>(scalarParams).fill(F32)],
    results: [],
    locals: [[3, I32], ...(vecLocals > 0 ? [[vecLocals, V128] as const] : []), ...(f32Locals > 0 ? [[f32Locals, F32] as const] : [])],
    code,
  };
}

/** address = base + o */
const at = (base: number, o: number): Code => [get(base), get(o), ADD];

/**
 * `adam(p, g, m, v, start, end, b1, b2, c1, c2, stepSize, invSqrtBc2, eps)`:
 *   m ← b1·m + c1·g;  v ← b2·v + (c2·g)·g;  p ← p − (stepSize·m) / (√v·invSqrtBc2 + eps)
 * over elements [start, end), the operation order of `adamDenseRange`.
 */
function adamFunction(): WasmFunction {
  const P = 0, G = 1, M = 2, V = 3;
  const S_B1 = 6, S_B2 = 7, S_C1 = 8, S_C2 = 9, S_STEP = 10, S_IB = 11, S_EPS = 12;
  const consts = [S_B1, S_B2, S_C1, S_C2, S_STEP, S_IB, S_EPS];
  return elementwise(
    'adam', 4, 7, 7 + 3, 3,
    (f) => consts.map((s, i) => [get(s), f32x4Splat, set(f.vec + i)]),
    (o, f) => {
      const [B1, B2, C1, C2, ST, IB, EPS] = consts.map((_, i) => f.vec + i) as [number, number, number, number, number, number, number];
      const GV = f.vec + 7, MV = f.vec + 8, VV = f.vec + 9;
      return [
        at(G, o), v128Load(0, 2), set(GV),
        get(B1), at(M, o), v128Load(0, 2), f32x4Mul, get(C1), get(GV), f32x4Mul, f32x4Add, set(MV),
        get(B2), at(V, o), v128Load(0, 2), f32x4Mul, get(C2), get(GV), f32x4Mul, get(GV), f32x4Mul, f32x4Add, set(VV),
        at(M, o), get(MV), v128Store(0, 2),
        at(V, o), get(VV), v128Store(0, 2),
        at(P, o),
        at(P, o), v128Load(0, 2),
        get(ST), get(MV), f32x4Mul,
        get(VV), f32x4Sqrt, get(IB), f32x4Mul, get(EPS), f32x4Add,
        f32x4Div, f32x4Sub,
        v128Store(0, 2),
      ];
    },
    (o, f) => {
      const GS = f.f32, MS = f.f32 + 1, VS = f.f32 + 2;
      return [
        at(G, o), f32Load(0), set(GS),
        get(S_B1), at(M, o), f32Load(0), F32_MUL, get(S_C1), get(GS), F32_MUL, F32_ADD, set(MS),
        get(S_B2), at(V, o), f32Load(0), F32_MUL, get(S_C2), get(GS), F32_MUL, get(GS), F32_MUL, F32_ADD, set(VS),
        at(M, o), get(MS), f32Store(0),
        at(V, o), get(VS), f32Store(0),
        at(P, o),
        at(P, o), f32Load(0),
        get(S_STEP), get(MS), F32_MUL,
        get(VS), F32_SQRT, get(S_IB), F32_MUL, get(S_EPS), F32_ADD,
        F32_DIV, F32_SUB,
        f32Store(0),
      ];
    },
  );
}

/** `scale(out, x, start, end, a)`: out ← a·x;  `axpy(out, x, start, end, a)`: out ← out + a·x. */
function scaleFunction(accumulate: boolean): WasmFunction {
  const OUT = 0, X = 1, A = 4;
  return elementwise(
    accumulate ? 'axpy' : 'scale', 2, 1, 1, 0,
    (f) => [get(A), f32x4Splat, set(f.vec)],
    (o, f) => [at(OUT, o), ...(accumulate ? [at(OUT, o), v128Load(0, 2)] : []), get(f.vec), at(X, o), v128Load(0, 2), f32x4Mul, ...(accumulate ? [f32x4Add] : []), v128Store(0, 2)],
    (o) => [at(OUT, o), ...(accumulate ? [at(OUT, o), f32Load(0)] : []), get(A), at(X, o), f32Load(0), F32_MUL, ...(accumulate ? [F32_ADD] : []), f32Store(0)],
  );
}

// ---------------------------------------------------------------- per-dim module
interface Chunk {
  /** First float of the chunk within a row. */
  readonly c0: number;
  readonly vecs: number;
  readonly scalars: number;
}

function chunksOf(dim: number, chunkVecs: number): Chunk[] {
  const nVec = Math.floor(dim / 4);
  const tail = dim % 4;
  const out: Chunk[] = [];
  for (let v = 0; v < nVec; v += chunkVecs) out.push({ c0: 4 * v, vecs: Math.min(chunkVecs, nVec - v), scalars: 0 });
  const last = out[out.length - 1];
  if (tail > 0) {
    if (last && last.vecs < chunkVecs) out[out.length - 1] = { ...last, scalars: tail };
    else out.push({ c0: 4 * nVec, vecs: 0, scalars: tail });
  }
  return out;
}

/**
 * `spmm(indptr, indices, values, x, y, rowStart, rowEnd)`: rows [rowStart, rowEnd) of Y = A·X, each
 * output element the float32 sum over the row's non-zeros in storage order.
 */
function spmmFunction(dim: number, chunkVecs: number): WasmFunction {
  const INDPTR = 0, INDICES = 1, VALUES = 2, X = 3, Y = 4, R0 = 5, R1 = 6;
  const K0 = 7, KE = 8, V0 = 9, KP = 10, VP = 11, XR = 12, YR = 13;
  const VS = 14, ACC = 15; // v128
  const FV = ACC + chunkVecs, SACC = FV + 1; // f32
  const rowBytes = dim * 4;
  const al = dim % 4 === 0 ? 4 : 2;
  const chunkCode = (c: Chunk): Code => {
    const acc: Code[] = [];
    for (let j = 0; j < c.vecs; j++) acc.push(v128Zero, set(ACC + j));
    for (let s = 0; s < c.scalars; s++) acc.push(f32c(0), set(SACC + s));
    const inner: Code[] = [
      get(X), get(KP), i32Load(0), i32c(rowBytes), MUL, ADD, set(XR),
    ];
    if (c.vecs > 0) inner.push(get(VP), load32Splat(0), set(VS));
    if (c.scalars > 0) inner.push(get(VP), f32Load(0), set(FV));
    for (let j = 0; j < c.vecs; j++) {
      inner.push(get(ACC + j), get(VS), get(XR), v128Load(4 * c.c0 + 16 * j, al), f32x4Mul, f32x4Add, set(ACC + j));
    }
    for (let s = 0; s < c.scalars; s++) {
      inner.push(get(SACC + s), get(FV), get(XR), f32Load(4 * (c.c0 + 4 * c.vecs + s)), F32_MUL, F32_ADD, set(SACC + s));
    }
    inner.push(get(VP), i32c(4), ADD, set(VP));
    const store: Code[] = [];
    for (let j = 0; j < c.vecs; j++) store.push(get(YR), get(ACC + j), v128Store(4 * c.c0 + 16 * j, al));
    for (let s = 0; s < c.scalars; s++) store.push(get(YR), get(SACC + s), f32Store(4 * (c.c0 + 4 * c.vecs + s)));
    return [acc, get(K0), set(KP), get(V0), set(VP), forPtr(KP, KE, 4, inner), store];
  };
  const R = R0; // the row cursor reuses its parameter
  const rowBody: Code = [
    get(INDPTR), get(R), i32c(2), SHL, ADD, i32Load(0), i32c(2), SHL, set(K0),
    get(INDPTR), get(R), i32c(2), SHL, ADD, i32Load(4), i32c(2), SHL, set(KE),
    get(VALUES), get(K0), ADD, set(V0),
    get(INDICES), get(K0), ADD, set(K0),
    get(INDICES), get(KE), ADD, set(KE),
    get(Y), get(R), i32c(rowBytes), MUL, ADD, set(YR),
    chunksOf(dim, chunkVecs).map(chunkCode),
  ];
  return {
    exportName: 'spmm',
    params: [I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [[7, I32], [1 + chunkVecs, V128], [4, F32]],
    code: forPtr(R, R1, 1, rowBody),
  };
}

/**
 * `scatter(rows, rowCount, indptr, indices, values, x, y)`: for each listed row c (int32 list at
 * `rows`) and each stored A[c, r]: Y[r] += A[c, r]·X[c] — the JS `spmmScatterRows`, in the same
 * per-element order (rows in list order, non-zeros in storage order).
 */
function scatterFunction(dim: number, chunkVecs: number): WasmFunction {
  const ROWS = 0, COUNT = 1, INDPTR = 2, INDICES = 3, VALUES = 4, X = 5, Y = 6;
  const RP = 7, RE = 8, K0 = 9, KE = 10, V0 = 11, KP = 12, VP = 13, XR = 14, YR = 15, C = 16;
  const VS = 17, XV = 18; // v128
  const FV = XV + chunkVecs, XS = FV + 1; // f32
  const rowBytes = dim * 4;
  const al = dim % 4 === 0 ? 4 : 2;
  const chunkCode = (c: Chunk): Code => {
    const load: Code[] = [];
    for (let j = 0; j < c.vecs; j++) load.push(get(XR), v128Load(4 * c.c0 + 16 * j, al), set(XV + j));
    for (let s = 0; s < c.scalars; s++) load.push(get(XR), f32Load(4 * (c.c0 + 4 * c.vecs + s)), set(XS + s));
    const inner: Code[] = [get(Y), get(KP), i32Load(0), i32c(rowBytes), MUL, ADD, set(YR)];
    if (c.vecs > 0) inner.push(get(VP), load32Splat(0), set(VS));
    if (c.scalars > 0) inner.push(get(VP), f32Load(0), set(FV));
    for (let j = 0; j < c.vecs; j++) {
      const off = 4 * c.c0 + 16 * j;
      inner.push(get(YR), get(YR), v128Load(off, al), get(VS), get(XV + j), f32x4Mul, f32x4Add, v128Store(off, al));
    }
    for (let s = 0; s < c.scalars; s++) {
      const off = 4 * (c.c0 + 4 * c.vecs + s);
      inner.push(get(YR), get(YR), f32Load(off), get(FV), get(XS + s), F32_MUL, F32_ADD, f32Store(off));
    }
    inner.push(get(VP), i32c(4), ADD, set(VP));
    return [load, get(K0), set(KP), get(V0), set(VP), forPtr(KP, KE, 4, inner)];
  };
  const rowBody: Code = [
    get(RP), i32Load(0), set(C),
    get(INDPTR), get(C), i32c(2), SHL, ADD, i32Load(0), i32c(2), SHL, set(K0),
    get(INDPTR), get(C), i32c(2), SHL, ADD, i32Load(4), i32c(2), SHL, set(KE),
    get(VALUES), get(K0), ADD, set(V0),
    get(INDICES), get(K0), ADD, set(K0),
    get(INDICES), get(KE), ADD, set(KE),
    get(X), get(C), i32c(rowBytes), MUL, ADD, set(XR),
    chunksOf(dim, chunkVecs).map(chunkCode),
  ];
  return {
    exportName: 'scatter',
    params: [I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [[10, I32], [1 + chunkVecs, V128], [4, F32]],
    code: [get(ROWS), set(RP), get(ROWS), get(COUNT), i32c(2), SHL, ADD, set(RE), forPtr(RP, RE, 4, rowBody)],
  };
}

/**
 * `axpyRows(out, x, rows, rowCount, a)`: for each listed row r (int32 list at `rows`):
 * out[r] ← out[r] + a·x[r] (float32, elementwise).
 */
function axpyRowsFunction(dim: number): WasmFunction {
  const OUT = 0, X = 1, ROWS = 2, COUNT = 3, A = 4;
  const RP = 5, RE = 6, OR = 7, XR = 8, AV = 9;
  const rowBytes = dim * 4;
  const al = dim % 4 === 0 ? 4 : 2;
  const nVec = Math.floor(dim / 4);
  const body: Code[] = [
    get(RP), i32Load(0), i32c(rowBytes), MUL, set(XR),
    get(OUT), get(XR), ADD, set(OR),
    get(X), get(XR), ADD, set(XR),
  ];
  for (let j = 0; j < nVec; j++) body.push(get(OR), get(OR), v128Load(16 * j, al), get(AV), get(XR), v128Load(16 * j, al), f32x4Mul, f32x4Add, v128Store(16 * j, al));
  for (let d = 4 * nVec; d < dim; d++) body.push(get(OR), get(OR), f32Load(4 * d), get(A), get(XR), f32Load(4 * d), F32_MUL, F32_ADD, f32Store(4 * d));
  return {
    exportName: 'axpyRows',
    params: [I32, I32, I32, I32, F32],
    results: [],
    locals: [[4, I32], [1, V128]],
    code: [get(A), f32x4Splat, set(AV), get(ROWS), set(RP), get(ROWS), get(COUNT), i32c(2), SHL, ADD, set(RE), forPtr(RP, RE, 4, body)],
  };
}

// ---------------------------------------------------------------- compilation and instances
export type AdamWasmFn = (p: number, g: number, m: number, v: number, start: number, end: number, b1: number, b2: number, c1: number, c2: number, stepSize: number, invSqrtBc2: number, eps: number) => void;
export type ScaleWasmFn = (out: number, x: number, start: number, end: number, a: number) => void;
export type SpmmWasmFn = (indptr: number, indices: number, values: number, x: number, y: number, rowStart: number, rowEnd: number) => void;
export type ScatterWasmFn = (rows: number, rowCount: number, indptr: number, indices: number, values: number, x: number, y: number) => void;
export type AxpyRowsWasmFn = (out: number, x: number, rows: number, rowCount: number, a: number) => void;

export interface BaseExports {
  readonly adam: AdamWasmFn;
  readonly scale: ScaleWasmFn;
  readonly axpy: ScaleWasmFn;
}

export interface DimExports {
  readonly spmm: SpmmWasmFn;
  readonly scatter: ScatterWasmFn;
  readonly axpyRows: AxpyRowsWasmFn;
}

export function baseModuleBytes(): Uint8Array {
  return assembleModule({ shared: true, maxPages: MAX_PAGES }, [adamFunction(), scaleFunction(false), scaleFunction(true)]);
}

export function dimModuleBytes(dim: number, chunkVecs = SPMM_CHUNK_VECS): Uint8Array {
  return assembleModule({ shared: true, maxPages: MAX_PAGES }, [spmmFunction(dim, chunkVecs), scatterFunction(dim, chunkVecs), axpyRowsFunction(dim)]);
}

const modules = new Map<string, WasmModule | null>();

/**
 * The compiled module for `key` ('base', 'dim:<d>' or 'gemm:<m>', see `wasm-dense-gemm.ts`), or null
 * where WebAssembly SIMD is unavailable.
 */
export function compiledModule(key: string): WasmModule | null {
  let m = modules.get(key);
  if (m === undefined) {
    const api = wasmApi();
    try {
      if (!api) throw new Error('no WebAssembly');
      const gemm = key.startsWith('gemm:');
      const dim = key === 'base' ? 0 : Number(key.slice(gemm ? 5 : 4));
      // Per-dim rows are fully unrolled: beyond MAX_DIM the module would be large for no gain; JS
      // then (the GEMM keeps the same limit, so both dense-matmul paths agree on where JS takes over).
      if (dim > MAX_DIM) throw new Error('dim too large for an unrolled module');
      m = new api.Module(key === 'base' ? baseModuleBytes() : gemm ? denseGemmModuleBytes(dim, MAX_PAGES) : dimModuleBytes(dim));
    } catch {
      m = null;
    }
    modules.set(key, m);
  }
  return m;
}

export const dimKey = (dim: number): string => `dim:${dim}`;

const instances = new WeakMap<WasmMemory, Map<string, Record<string, unknown>>>();

/** The exports of module `key` instantiated over `memory` (cached per memory). */
export function instanceExports(memory: WasmMemory, key: string): Record<string, unknown> | null {
  let perMemory = instances.get(memory);
  if (!perMemory) {
    perMemory = new Map();
    instances.set(memory, perMemory);
  }
  let exports = perMemory.get(key);
  if (!exports) {
    const module = compiledModule(key);
    const api = wasmApi();
    if (!module || !api) return null;
    exports = new api.Instance(module, { env: { mem: memory } }).exports;
    perMemory.set(key, exports);
  }
  return exports;
}

export function baseExports(memory: WasmMemory): BaseExports | null {
  return instanceExports(memory, 'base') as BaseExports | null;
}

export function dimExports(memory: WasmMemory, dim: number): DimExports | null {
  return instanceExports(memory, dimKey(dim)) as DimExports | null;
}

export interface DenseGemmExports {
  readonly gemm: DenseGemmFn;
}

/** The dense GEMM for rows of `m` floats (`wasm-dense-gemm.ts`) over `memory`, or null (JS then). */
export function denseGemmExports(memory: WasmMemory, m: number): DenseGemmExports | null {
  return instanceExports(memory, `gemm:${m}`) as DenseGemmExports | null;
}
