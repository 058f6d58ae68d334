/**
 * A hand-assembled WebAssembly SIMD GEMM for dense row-major products Y = A·X (A n×k, X k×m, Y n×m),
 * one module per m (the row length of X and Y, so their row offsets are constants).
 *
 * Source: the register-blocked micro-kernel of Goto & van de Geijn, "Anatomy of high-performance
 * matrix multiplication" (ACM TOMS 34(3), 2008). A tile of {@link GEMM_TILE_ROWS} rows × 16 columns
 * of Y (four f32x4 vectors per row) stays in vector registers while k streams past it: per k step
 * the four vectors X[k][c..c+16) are loaded once and each row's A[r][k] is broadcast
 * (`v128.load32_splat`) and multiplied with them. That is 8 accumulators + 4 X vectors + 2
 * broadcasts = 14 of the 15 xmm registers V8 allocates on x86-64 (xmm15 is its scratch), no spills.
 * Measured on this machine (Node 20 / V8 11.3, AMD EPYC, one thread, n = 49152, k = m = 64): 2×16
 * 42 GFLOP/s, 4×8 40, 3×8 39, 2×12 37; 6×8 and 4×12 26–28 (they spill). Unrolling k by 2 or 4 loses
 * 30 % (V8 schedules every load of the unrolled steps before the arithmetic and spills), so the k
 * loop is a plain do-while. No packing: X (k×m, e.g. 64×64 = 16 KB) stays in L1 for a whole row
 * block and each row of A is read sequentially. For long k the caller splits k into blocks (Goto's
 * "k panels", sized to L2) and continues from the stored Y ({@link GEMM_CONTINUE}). Edges: rows
 * beyond the last full tile use a 1-row tile; columns beyond the last full 16-column panel use one
 * narrower chunk of f32x4 vectors plus up to 3 scalar columns.
 *
 * Numerics: every Y[r][c] is the float32 sum over k = 0..K−1 **in order** of A[r][k]·X[k][c], with
 * separate mul and add (no FMA) onto an accumulator that starts at +0 (`acc + a·x`, the operand
 * order of the SpMM kernel) — exactly what the CSR SpMM kernel of `wasm-kernel-module.ts` computes
 * for a dense A, so the results are bit-identical to it and independent of the tiling and of the k
 * blocking (a float32 store and reload is lossless).
 *
 * Exported `gemm(a, lda, x, y, n, k, bias, mode)` (pointers are byte offsets, `lda` the byte distance
 * between rows of A; k ≥ 1), with `mode`:
 * - {@link GEMM_STORE}: Y = A·X;
 * - {@link GEMM_CONTINUE}: each sum continues from the stored Y (the next k block);
 * - {@link GEMM_BIAS}: Y = A·X + b (one float32 add; `bias` holds m floats);
 * - {@link GEMM_ACCUMULATE}: Y = float32((Y + A·X) + b) with both additions in float64 — what
 *   `y[i] = y[i] + t[i] + b[c]` on Float32Arrays computes in JavaScript.
 */
import {
  F32, I32, V128, ADD, BLOCK, ELSE, END, EQ, GE_U, IF, LOOP, LT_U, MUL, REM_U, SUB, F32_ADD, F32_DEMOTE_F64, F32_MUL, F64_ADD, F64_PROMOTE_F32,
  assembleModule, br, brIf, f32c, f32Load, f32Store, f32x4Add, f32x4DemoteZero, f32x4Mul, f64x2Add, f64x2PromoteLow, get, i32c, load32Splat, set,
  simd, v128Load, v128Store, v128Zero,
  highHalf,
} from './wasm-asm.ts';
import type { Code, WasmFunction } from './wasm-asm.ts';

/** Rows per register tile. */
export const GEMM_TILE_ROWS = 2;
/** f32x4 vectors per tile row (16 columns). */
export const GEMM_TILE_VECS = 4;

export const GEMM_STORE = 0;
export const GEMM_CONTINUE = 1;
export const GEMM_BIAS = 2;
export const GEMM_ACCUMULATE = 3;

export type DenseGemmFn = (a: number, lda: number, x: number, y: number, n: number, k: number, bias: number, mode: number) => void;

/** Lanes 0, 1 of the first vector, then lanes 0, 1 of the second. */
const lowHalves = simd(0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);

/** Register tile shape: rows × (vecs·4) columns. Tests vary it to exercise the edge code. */
export interface GemmTiling {
  readonly rows: number;
  readonly vecs: number;
}

const DEFAULT_TILING: GemmTiling = { rows: GEMM_TILE_ROWS, vecs: GEMM_TILE_VECS };

function gemmFunction(m: number, tiling: GemmTiling): WasmFunction {
  const { rows: R, vecs: W } = tiling;
  // params
  const A = 0, LDA = 1, X = 2, Y = 3, N = 4, K = 5, BIAS = 6, MODE = 7;
  // i32 locals; AP..AP+R−1 point at A[r + i][k] of the current tile
  const AROW = 8, YROW = 9, REND = 10, COL = 11, XP = 12, XE = 13, YP = 14, BP = 15, KB = 16, AP = 17;
  const nI32 = AP + R - AROW;
  // v128 locals: accumulators (R·W), X vectors (W), the broadcast, two epilogue temporaries
  const ACC = AP + R, XV = ACC + R * W, S = XV + W, T0 = S + 1, T1 = S + 2;
  const nV128 = T1 + 1 - ACC;
  // f32 locals for the scalar columns: accumulators (R·3), X values (3), the A value
  const SACC = T1 + 1, XS = SACC + 3 * R, FS = XS + 3;
  const nF32 = FS + 1 - SACC;

  const m4 = 4 * m;
  const al = m % 4 === 0 ? 4 : 2;
  const panelBytes = 16 * W;
  const nPanels = Math.floor(m / (4 * W));
  const remVecs = Math.floor((m - 4 * W * nPanels) / 4);
  const remScalars = m % 4;

  /** One register tile: `rows` rows × (`vecs` f32x4 + `scalars` f32) columns from byte COL of a row. */
  const tile = (rows: number, vecs: number, scalars: number): Code => {
    const acc = (i: number, j: number): number => ACC + i * W + j;
    const sacc = (i: number, s: number): number => SACC + i * 3 + s;
    const yOff = (i: number, j: number): number => i * m4 + 16 * j;
    const ySOff = (i: number, s: number): number => i * m4 + 16 * vecs + 4 * s;
    const init: Code[] = [], zero: Code[] = [], step: Code[] = [];
    const store: Code[] = [], bias: Code[] = [], accumulate: Code[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < vecs; j++) {
        init.push(get(YP), v128Load(yOff(i, j), al), set(acc(i, j)));
        zero.push(v128Zero, set(acc(i, j)));
      }
      for (let s = 0; s < scalars; s++) {
        init.push(get(YP), f32Load(ySOff(i, s)), set(sacc(i, s)));
        zero.push(f32c(0), set(sacc(i, s)));
      }
    }
    // One k step: acc[i][j] = acc[i][j] + A[r+i][k]·X[k][j].
    for (let j = 0; j < vecs; j++) step.push(get(XP), v128Load(16 * j, al), set(XV + j));
    for (let s = 0; s < scalars; s++) step.push(get(XP), f32Load(16 * vecs + 4 * s), set(XS + s));
    for (let i = 0; i < rows; i++) {
      if (vecs > 0) {
        step.push(get(AP + i), load32Splat(0), set(S));
        for (let j = 0; j < vecs; j++) step.push(get(acc(i, j)), get(S), get(XV + j), f32x4Mul, f32x4Add, set(acc(i, j)));
      }
      if (scalars > 0) {
        step.push(get(AP + i), f32Load(0), set(FS));
        for (let s = 0; s < scalars; s++) step.push(get(sacc(i, s)), get(FS), get(XS + s), F32_MUL, F32_ADD, set(sacc(i, s)));
      }
    }
    for (let i = 0; i < rows; i++) step.push(get(AP + i), i32c(4), ADD, set(AP + i));
    step.push(get(XP), i32c(m4), ADD, set(XP));
    // Epilogues.
    const half = (v: number, high: boolean): Code => (high ? [get(v), get(v), highHalf, f64x2PromoteLow] : [get(v), f64x2PromoteLow]);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < vecs; j++) {
        const sum = (high: boolean): Code => [half(T0, high), half(acc(i, j), high), f64x2Add, half(T1, high), f64x2Add, f32x4DemoteZero];
        store.push(get(YP), get(acc(i, j)), v128Store(yOff(i, j), al));
        bias.push(get(YP), get(acc(i, j)), get(BP), v128Load(16 * j, al), f32x4Add, v128Store(yOff(i, j), al));
        accumulate.push(
          get(YP), v128Load(yOff(i, j), al), set(T0),
          get(BP), v128Load(16 * j, al), set(T1),
          get(YP), sum(false), sum(true), lowHalves, v128Store(yOff(i, j), al),
        );
      }
      for (let s = 0; s < scalars; s++) {
        const b: Code = [get(BP), f32Load(16 * vecs + 4 * s)];
        store.push(get(YP), get(sacc(i, s)), f32Store(ySOff(i, s)));
        bias.push(get(YP), get(sacc(i, s)), b, F32_ADD, f32Store(ySOff(i, s)));
        accumulate.push(
          get(YP),
          get(YP), f32Load(ySOff(i, s)), F64_PROMOTE_F32, get(sacc(i, s)), F64_PROMOTE_F32, F64_ADD, b, F64_PROMOTE_F32, F64_ADD, F32_DEMOTE_F64,
          f32Store(ySOff(i, s)),
        );
      }
    }
    return [
      // AP_i = AROW + i·lda; XP = X + COL (X[0][c]); XE = XP + k·m·4; YP = YROW + COL; BP = BIAS + COL
      get(AROW), set(AP),
      ...Array.from({ length: rows - 1 }, (_, i) => [get(AP + i), get(LDA), ADD, set(AP + i + 1)]),
      get(X), get(COL), ADD, set(XP),
      get(XP), get(KB), ADD, set(XE),
      get(YROW), get(COL), ADD, set(YP),
      get(BIAS), get(COL), ADD, set(BP),
      get(MODE), i32c(GEMM_CONTINUE), EQ, IF, init, ELSE, zero, END,
      // do { one k step } while (XP < XE)   (k ≥ 1)
      LOOP, step, get(XP), get(XE), LT_U, brIf(0), END,
      get(MODE), i32c(GEMM_BIAS), EQ, IF, bias, ELSE,
      get(MODE), i32c(GEMM_ACCUMULATE), EQ, IF, accumulate, ELSE, store, END,
      END,
    ];
  };

  /** All column chunks of a block of `rows` rows at AROW / YROW. */
  const rowBlock = (rows: number): Code => {
    const code: Code[] = [];
    if (nPanels > 0) {
      code.push(i32c(0), set(COL), LOOP, tile(rows, W, 0), get(COL), i32c(panelBytes), ADD, set(COL), get(COL), i32c(nPanels * panelBytes), LT_U, brIf(0), END);
    }
    if (remVecs + remScalars > 0) code.push(i32c(nPanels * panelBytes), set(COL), tile(rows, remVecs, remScalars));
    return code;
  };

  /** Blocks of `rows` rows while AROW < REND. */
  const rowLoop = (rows: number): Code => [
    BLOCK, LOOP, get(AROW), get(REND), GE_U, brIf(1),
    rowBlock(rows),
    get(AROW), get(LDA), i32c(rows), MUL, ADD, set(AROW),
    get(YROW), i32c(rows * m4), ADD, set(YROW),
    br(0), END, END,
  ];

  const code: Code = [
    get(K), i32c(m4), MUL, set(KB),
    get(A), set(AROW), get(Y), set(YROW),
    // full tiles up to row n − n mod R, then single rows up to n
    get(A), get(N), get(N), i32c(R), REM_U, SUB, get(LDA), MUL, ADD, set(REND),
    rowLoop(R),
    ...(R > 1 ? [get(A), get(N), get(LDA), MUL, ADD, set(REND), rowLoop(1)] : []),
  ];
  return {
    exportName: 'gemm',
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [[nI32, I32], [nV128, V128], [nF32, F32]],
    code,
  };
}

/** The module for rows of m ≥ 1 floats, importing a shared memory of up to `maxPages` pages. */
export function denseGemmModuleBytes(m: number, maxPages: number, tiling: GemmTiling = DEFAULT_TILING): Uint8Array {
  if (!(Number.isInteger(m) && m >= 1 && tiling.rows >= 1 && tiling.vecs >= 1)) throw new RangeError(`denseGemmModuleBytes: bad m ${m} or tiling ${JSON.stringify(tiling)}`);
  return assembleModule({ shared: true, maxPages }, [gemmFunction(m, tiling)]);
}
