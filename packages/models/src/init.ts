import type { Rng } from '@dtl/core';

/**
 * Xavier/Glorot uniform initialisation (Glorot & Bengio, AISTATS 2010) of an `rows × dim` block,
 * as PyTorch's `nn.init.xavier_uniform_` does for an embedding table of that shape:
 * U(−b, b) with b = √(6 / (rows + dim)) (fan_in = dim, fan_out = rows).
 */
export function xavierUniform(target: Float32Array, offset: number, rows: number, dim: number, rng: Rng): void {
  const bound = Math.sqrt(6 / (rows + dim));
  const end = offset + rows * dim;
  for (let i = offset; i < end; i++) target[i] = (rng.next() * 2 - 1) * bound;
}
