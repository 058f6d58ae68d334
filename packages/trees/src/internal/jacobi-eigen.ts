/**
 * Eigen-decomposition of a small dense symmetric matrix by the cyclic Jacobi method
 * (Golub & Van Loan, "Matrix Computations", 4th ed., §8.5.2), used for the projected matrix of
 * the Lanczos iteration (at most a few hundred rows). Jacobi is slower than QR for large matrices
 * but tiny, branch-free to read, and accurate to working precision for every eigenvalue.
 *
 * `a` is row-major m×m and is destroyed. Returns eigenvalues sorted descending and the eigenvector
 * matrix `vectors` (row-major m×m, column i = eigenvector of `values[i]`).
 */
export function jacobiEigen(a: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < m; p++) {
      diag += a[p * m + p]! * a[p * m + p]!;
      for (let q = p + 1; q < m; q++) off += a[p * m + q]! * a[p * m + q]!;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q]!;
        if (apq === 0) continue;
        const app = a[p * m + p]!;
        const aqq = a[q * m + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p]!;
          const akq = a[k * m + q]!;
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k]!;
          const aqk = a[q * m + k]!;
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p]!;
          const vkq = v[k * m + q]!;
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => a[y * m + y]! - a[x * m + x]! || x - y);
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  for (let c = 0; c < m; c++) {
    const src = order[c]!;
    values[c] = a[src * m + src]!;
    for (let r = 0; r < m; r++) vectors[r * m + c] = v[r * m + src]!;
  }
  return { values, vectors };
}
