/**
 * A hand-assembled WebAssembly SIMD micro-kernel for dense scoring `S = U · Iᵀ` (any dim ≥ 1).
 *
 * Source: the register-blocked GEMM micro-kernel of Goto & van de Geijn, "Anatomy of high-performance
 * matrix multiplication" (ACM TOMS 34(3), 2008), specialised to a 4×8 tile: 4 users (broadcast with
 * `v128.load32_splat`) times 8 items (two `f32x4` vectors) kept in 8 vector accumulators. Operands are
 * pre-packed so every load in the inner loop is sequential:
 * - users in blocks of 4, interleaved by dimension: `[d][4]` floats per block (`dim * 16` bytes);
 * - items in panels of 8, interleaved by dimension: `[d][8]` floats per panel (`dim * 32` bytes).
 *
 * The module is tiny (~900 bytes) and written out byte by byte below so the package needs no
 * toolchain and no dependency. Every (user, item) score is a float32 sum over d = 0..dim-1 in order,
 * accumulated per lane with separate mul and add (no FMA), so a score does not depend on how the
 * work was blocked or split across threads.
 *
 * Exported `groupFloor` and `collect` (below) are the vector pre-filters of top-K selection.
 *
 * Exported function `gemm(uPtr, nUserBlocks, itPtr, nPanels, dim, outPtr, outStrideBytes)`: for user
 * block b and panel p writes 4 rows × 8 floats at `outPtr + (4b + r) * outStrideBytes + 32p`.
 */

import {
  I32, V128, uleb, section, name, get, set, i32c, simd, v128Load, v128Store, load32Splat, f32x4Add, f32x4Mul, v128Zero,
  ADD, MUL, SHL, LT_U, GE_U, BLOCK, IF, LOOP, END, brIf, br,
} from './wasm-asm.ts';

// The TypeScript libs this repo uses (ES2023 + @types/node 20) do not declare WebAssembly; these are
// the few members used here (module-local, no runtime effect).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

// Locals: params 0..6, then i32 scratch, then v128 registers.
const U_PTR = 0, N_UB = 1, IT_PTR = 2, N_PANELS = 3, DIM = 4, OUT_PTR = 5, OUT_STRIDE = 6;
const UB = 7, P = 8, D = 9, AP = 10, BP = 11, OP = 12, UROW = 13;
const ACC = 14; // 14..21
const B0 = 22, B1 = 23, A = 24;

function body(): number[] {
  const code: number[] = [];
  const emit = (...parts: Array<number | number[]>): void => {
    for (const p of parts) {
      if (typeof p === 'number') code.push(p);
      else code.push(...p);
    }
  };
  // ub = 0; block { loop { if ub >= nUB break; ... } }
  emit(i32c(0), set(UB), BLOCK, LOOP);
  emit(get(UB), get(N_UB), GE_U, brIf(1));
  // urow = uPtr + ub * (dim << 4)
  emit(get(U_PTR), get(UB), get(DIM), i32c(4), SHL, MUL, ADD, set(UROW));
  emit(i32c(0), set(P), BLOCK, LOOP);
  emit(get(P), get(N_PANELS), GE_U, brIf(1));
  // bp = itPtr + p * (dim << 5); ap = urow; zero accumulators; d = 0
  emit(get(IT_PTR), get(P), get(DIM), i32c(5), SHL, MUL, ADD, set(BP));
  emit(get(UROW), set(AP));
  for (let r = 0; r < 8; r++) emit(v128Zero, set(ACC + r));
  emit(i32c(0), set(D));
  emit(LOOP);
  emit(get(BP), v128Load(0), set(B0), get(BP), v128Load(16), set(B1));
  for (let r = 0; r < 4; r++) {
    emit(get(AP), load32Splat(4 * r), set(A));
    emit(get(ACC + 2 * r), get(A), get(B0), f32x4Mul, f32x4Add, set(ACC + 2 * r));
    emit(get(ACC + 2 * r + 1), get(A), get(B1), f32x4Mul, f32x4Add, set(ACC + 2 * r + 1));
  }
  emit(get(AP), i32c(16), ADD, set(AP));
  emit(get(BP), i32c(32), ADD, set(BP));
  emit(get(D), i32c(1), ADD, set(D), get(D), get(DIM), LT_U, brIf(0), END);
  // op = outPtr + (ub << 2) * outStride + (p << 5); store 4 rows of 8 floats
  emit(get(OUT_PTR), get(UB), i32c(2), SHL, get(OUT_STRIDE), MUL, ADD, get(P), i32c(5), SHL, ADD, set(OP));
  for (let r = 0; r < 4; r++) {
    emit(get(OP), get(ACC + 2 * r), v128Store(0));
    emit(get(OP), get(ACC + 2 * r + 1), v128Store(16));
    if (r < 3) emit(get(OP), get(OUT_STRIDE), ADD, set(OP));
  }
  emit(get(P), i32c(1), ADD, set(P), br(0), END, END);
  emit(get(UB), i32c(1), ADD, set(UB), br(0), END, END);
  emit(END);
  const locals = [2, ...uleb(UROW - UB + 1), I32, ...uleb(A - ACC + 1), V128];
  const full = [...locals, ...code];
  return [...uleb(full.length), ...full];
}

/**
 * `collect(ptr, end, threshold, list, max) -> n`: walks 16-byte chunks from `ptr` (16-aligned) to
 * `end` and appends the byte address of every chunk holding a float32 `> threshold` to
 * `list + 4, list + 8, …`, stopping after `max` of them; stores the address to resume from at
 * `list` and returns the count. Top-K selection uses it to skip the ~99% of scores below the running
 * K-th best four at a time (f32x4.gt + v128.any_true) with few JS↔wasm calls (a call costs about as
 * much as scanning a few hundred scores); NaN and -Infinity never compare greater.
 */
function collectBody(): number[] {
  const PTR = 0, END_PTR = 1, THR = 2, LIST = 3, MAX = 4, T = 5, N = 6;
  const code = [
    ...get(THR), ...simd(0x13), ...set(T),
    ...i32c(0), ...set(N),
    ...BLOCK, ...LOOP,
    ...get(PTR), ...get(END_PTR), GE_U, ...brIf(1),
    ...get(PTR), ...v128Load(0), ...get(T), ...simd(0x44), ...simd(0x53),
    ...IF,
    ...get(LIST), ...get(N), ...i32c(2), SHL, ADD, ...get(PTR), 0x36, 2, 4,
    ...get(N), ...i32c(1), ADD, 0x22, ...uleb(N), ...get(MAX), GE_U,
    ...IF, ...get(PTR), ...i32c(16), ADD, ...set(PTR), ...br(3), END,
    END,
    ...get(PTR), ...i32c(16), ADD, ...set(PTR), ...br(0),
    END, END,
    ...get(LIST), ...get(PTR), 0x36, 2, 0,
    ...get(N), END,
  ];
  const full = [2, 1, V128, 1, I32, ...code];
  return [...uleb(full.length), ...full];
}

/**
 * `groupFloor(ptr, nGroups, pairsPerGroup) -> f32`: splits the floats from `ptr` into `nGroups`
 * consecutive groups of `8 * pairsPerGroup` and returns the minimum of the group maxima (NaN if a
 * group holds a NaN). Each group has an entry ≥ its maximum ≥ the result, so with nGroups ≥ K at
 * least K scores reach it: top-K selection uses it as a safe floor, below which nothing can enter
 * the top K, and only a few percent of a row remain to be examined.
 */
function groupFloorBody(): number[] {
  const PTR = 0, N_GROUPS = 1, PAIRS = 2, G = 3, J = 4, M = 5, N = 6, RES = 7;
  const lane = (l: number): number[] => [...get(M), ...simd(0x1f, l)];
  const F32_MIN = 0x96, F32_MAX = 0x97;
  const maxInto = (reg: number, offset: number): number[] => [...get(reg), ...get(PTR), ...v128Load(offset), ...simd(0xe9), ...set(reg)];
  const code = [
    0x43, 0x00, 0x00, 0x80, 0x7f, ...set(RES), // +Infinity
    ...i32c(0), ...set(G),
    ...BLOCK, ...LOOP,
    ...get(G), ...get(N_GROUPS), GE_U, ...brIf(1),
    ...get(PTR), ...v128Load(0), ...set(M),
    ...get(PTR), ...v128Load(16), ...set(N),
    ...get(PTR), ...i32c(32), ADD, ...set(PTR),
    ...i32c(1), ...set(J),
    ...BLOCK, ...LOOP,
    ...get(J), ...get(PAIRS), GE_U, ...brIf(1),
    ...maxInto(M, 0), ...maxInto(N, 16),
    ...get(PTR), ...i32c(32), ADD, ...set(PTR),
    ...get(J), ...i32c(1), ADD, ...set(J), ...br(0),
    END, END,
    ...get(M), ...get(N), ...simd(0xe9), ...set(M),
    ...get(RES), ...lane(0), ...lane(1), F32_MAX, ...lane(2), ...lane(3), F32_MAX, F32_MAX, F32_MIN, ...set(RES),
    ...get(G), ...i32c(1), ADD, ...set(G), ...br(0),
    END, END,
    ...get(RES), END,
  ];
  const full = [3, 2, I32, 2, V128, 1, 0x7d, ...code];
  return [...uleb(full.length), ...full];
}

function moduleBytes(): Uint8Array {
  const F32 = 0x7d;
  const type = [3, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0, 0x60, 5, I32, I32, F32, I32, I32, 1, I32, 0x60, 3, I32, I32, I32, 1, 0x7d];
  const imports = [1, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01];
  const funcs = [3, 0, 1, 2];
  const exports = [3, ...name('gemm'), 0x00, 0, ...name('collect'), 0x00, 1, ...name('groupFloor'), 0x00, 2];
  const code = [3, ...body(), ...collectBody(), ...groupFloorBody()];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** See {@link collectBody}. */
export type CollectFn = (ptr: number, end: number, threshold: number, list: number, max: number) => number;

/** See {@link groupFloorBody}. */
export type GroupFloorFn = (ptr: number, nGroups: number, pairsPerGroup: number) => number;

export type GemmFn = (
  uPtr: number,
  nUserBlocks: number,
  itPtr: number,
  nPanels: number,
  dim: number,
  outPtr: number,
  outStrideBytes: number,
) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (then callers use the JS path). */
export function gemmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A fresh instance over a memory of at least `bytes` bytes. */
export function instantiateGemm(bytes: number): { memory: WebAssembly.Memory; gemm: GemmFn; collect: CollectFn; groupFloor: GroupFloorFn } | null {
  const module = gemmModule();
  if (module === null) return null;
  const pages = Math.ceil(bytes / 65536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages });
  const instance = new WebAssembly.Instance(module, { env: { mem: memory } });
  return {
    memory,
    gemm: instance.exports['gemm'] as GemmFn,
    collect: instance.exports['collect'] as CollectFn,
    groupFloor: instance.exports['groupFloor'] as GroupFloorFn,
  };
}
