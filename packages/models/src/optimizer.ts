import { adamLazyRows, createCompute, sgdRows } from '@dtl/kernels';
import type { AdamHyper, Compute, SyncTeam, WasmArena } from '@dtl/kernels';
import { DtlError } from '@dtl/core';

export type OptimizerKind = 'adam' | 'lazy-adam' | 'sgd';

export interface OptimizerOptions {
  /** `adam` (default): PyTorch dense semantics, for parity. `lazy-adam`: only touched rows. `sgd`. */
  readonly kind?: OptimizerKind;
  /** Learning rate, default 1e-3. */
  readonly lr?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Threads for the dense Adam update (see `createSyncTeam`); default the calling thread only. */
  readonly team?: SyncTeam | undefined;
  /**
   * Where to allocate the Adam moments: with an arena (and parameters/gradients in the same arena)
   * the dense update runs the float32 WebAssembly SIMD kernel (`wasmAdamDense`; differs from the JS
   * float64 kernel by float32 rounding). Default: plain SharedArrayBuffers and the JS kernel.
   */
  readonly arena?: WasmArena | undefined;
  /**
   * The compute object to allocate the moments from and run the dense update on (`createCompute`
   * in `@dtl/kernels`); when given, `team` and `arena` are ignored. Default: one made from `team`
   * and `arena` (JS kernel and plain SharedArrayBuffers without an arena).
   */
  readonly compute?: Compute | undefined;
}

/** Updates one flat parameter tensor of `rows × dim` from its gradient. */
export interface Optimizer {
  readonly kind: OptimizerKind;
  /** Applies one step. `rows[0..rowCount)` lists the rows whose gradient may be non-zero. */
  step(params: Float32Array, grads: Float32Array, rows: Int32Array, rowCount: number): void;
  readonly stepCount: number;
  /** Learning rate = `scale` × the configured one from the next step (a schedule; default 1). */
  setScale(scale: number): void;
  state(): Record<string, Float32Array>;
  restore(stepCount: number, tensors: Readonly<Record<string, Float32Array>>): void;
}

export function createOptimizer(size: number, dim: number, options: OptimizerOptions = {}): Optimizer {
  const kind = options.kind ?? 'adam';
  const baseLr = options.lr ?? 1e-3;
  if (!(baseLr > 0)) throw new DtlError('INVALID_ARGUMENT', `learning rate must be > 0, got ${baseLr}`);
  let hyper: AdamHyper = { lr: baseLr, beta1: options.beta1 ?? 0.9, beta2: options.beta2 ?? 0.999, eps: options.eps ?? 1e-8 };
  // Without an arena: plain shared buffers and the JS kernel (a full arena falls back the same way).
  const compute = options.compute ?? createCompute({ team: options.team, arena: options.arena, wasm: options.arena !== undefined });
  const m = kind === 'sgd' ? new Float32Array(0) : compute.f32(size);
  const v = kind === 'sgd' ? new Float32Array(0) : compute.f32(size);
  let t = 0;
  return {
    kind,
    get stepCount() {
      return t;
    },
    setScale(scale) {
      if (!(scale >= 0) || !Number.isFinite(scale)) throw new DtlError('INVALID_ARGUMENT', `learning-rate scale must be a finite number ≥ 0, got ${scale}`);
      // scale 1 restores the configured value exactly (no rounding through a product).
      hyper = { ...hyper, lr: scale === 1 ? baseLr : baseLr * scale };
    },
    step(params, grads, rows, rowCount) {
      t++;
      if (kind === 'adam') {
        // The wasm kernel when params, grads, m and v share an arena, else the JS one.
        compute.adamDense(params, grads, m, v, hyper, t);
      }
      else if (kind === 'lazy-adam') adamLazyRows(params, grads, m, v, hyper, t, rows, rowCount, dim);
      else sgdRows(params, grads, hyper.lr, rows, rowCount, dim);
    },
    state(): Record<string, Float32Array> {
      if (kind === 'sgd') return {};
      return { 'adam.m': m, 'adam.v': v };
    },
    restore(stepCount, tensors) {
      t = stepCount;
      if (kind === 'sgd') return;
      const sm = tensors['adam.m'];
      const sv = tensors['adam.v'];
      if (!sm || !sv || sm.length !== size || sv.length !== size) {
        throw new DtlError('STATE_MISMATCH', `optimizer state lacks adam moments of size ${size}`);
      }
      m.set(sm);
      v.set(sv);
    },
  };
}
