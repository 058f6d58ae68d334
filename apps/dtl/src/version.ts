import { readFileSync } from 'node:fs';

/**
 * The app's version, from its package.json (`../package.json` from both `src/` and `dist/`, so the
 * installed CLI and `pnpm dtl` agree). Its own module so `dtl --version` loads nothing else.
 */
export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
