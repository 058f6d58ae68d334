import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts joined by NUL (so ("ab","c") and ("a","bc") differ). */
export function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  parts.forEach((p, i) => {
    if (i > 0) h.update('\0');
    h.update(p);
  });
  return h.digest('hex');
}
