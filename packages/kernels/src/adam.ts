/**
 * Optimizer update kernels over flat Float32Array parameters.
 *
 * Adam follows PyTorch's `torch.optim.Adam` (Kingma & Ba, ICLR 2015) exactly, with weight_decay 0:
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
 * "Dense" semantics: every parameter is updated at every step, even with a zero gradient (its
 * moments decay and it keeps moving), as PyTorch does for dense embedding gradients.
 */
export interface AdamHyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** Dense Adam over elements [start, end) at 1-based step `t`. */
export function adamDenseRange(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper, t: number, start: number, end: number): void {
  const b1 = h.beta1;
  const b2 = h.beta2;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const stepSize = h.lr / (1 - Math.pow(b1, t));
  const invSqrtBc2 = 1 / Math.sqrt(1 - Math.pow(b2, t));
  const eps = h.eps;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + c1 * gi;
    const vi = b2 * v[i]! + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i]! -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}

/**
 * Lazy (sparse) Adam: only the listed rows are updated, with the global step's bias correction
 * (TensorFlow LazyAdam / PyTorch SparseAdam semantics). Much cheaper for MF; not PyTorch-dense.
 */
export function adamLazyRows(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper, t: number, rows: Int32Array, rowCount: number, dim: number): void {
  for (let k = 0; k < rowCount; k++) {
    const s = rows[k]! * dim;
    adamDenseRange(p, g, m, v, h, t, s, s + dim);
  }
}

/** Plain SGD on the listed rows: p ← p − lr·g. */
export function sgdRows(p: Float32Array, g: Float32Array, lr: number, rows: Int32Array, rowCount: number, dim: number): void {
  for (let k = 0; k < rowCount; k++) {
    const s = rows[k]! * dim;
    for (let i = s; i < s + dim; i++) p[i]! -= lr * g[i]!;
  }
}
