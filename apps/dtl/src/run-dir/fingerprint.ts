import { createHash } from 'node:crypto';

/**
 * The one fingerprint of the app: the first 16 hex digits of the SHA-256 of `JSON.stringify(value)`
 * (so key order matters — build the value in a fixed order). Guards resume of train runs.
 */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
