/**
 * Package hygiene checked from the sources (the packaging test, scripts/pack-test.mjs, checks the
 * real tarballs): what each entry point pulls in, and the package.json fields a consumer relies on.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Manifest {
  name: string;
  version?: string;
  private?: boolean;
  license?: string;
  repository?: { url?: string; directory?: string };
  files?: string[];
  exports?: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
}

function packageDirs(): string[] {
  const dirs = readdirSync(join(ROOT, 'packages')).map((d) => join('packages', d));
  return [...dirs, 'apps/dtl'].filter((d) => existsSync(join(ROOT, d, 'package.json')));
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;

/** Import/export declarations that load a module at run time (not `import type` / `export type`). */
const VALUE = [/\b(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g];
/** `@dtl/x/sub` → the workspace source file its exports map names under the `@dtl/source` condition. */
function workspaceSource(spec: string): string | undefined {
  const m = /^(@dtl\/[^/]+)(\/.*)?$/.exec(spec);
  if (!m) return undefined;
  const dir = m[1] === '@dtl/app' ? 'apps/dtl' : m[1] === '@dtl/examples' ? 'examples' : `packages/${m[1]!.slice(5)}`;
  if (!existsSync(join(ROOT, dir, 'package.json'))) return undefined;
  const target = manifest(dir).exports?.[`.${m[2] ?? ''}`]?.['@dtl/source'];
  return target ? join(ROOT, dir, target) : undefined;
}

const STATIC = [/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /typeof import\(\s*['"]([^'"]+)['"]/g];
const DYNAMIC = /(?<!typeof )\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * The bare specifiers reachable from `entry` through relative imports: `static` = imported by an
 * import/export declaration (type-only included: those end up in the emitted .d.ts) or `typeof
 * import()`; `dynamic` = only loaded with `import()` at run time.
 */
function reachable(entry: string): { static: Set<string>; dynamic: Set<string>; value: Set<string> } {
  const seen = new Set<string>();
  const found = { static: new Set<string>(), dynamic: new Set<string>(), value: new Set<string>() };
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const add = (spec: string, kind: 'static' | 'dynamic' | 'value'): void => {
      if (!spec.startsWith('.')) {
        found[kind].add(spec);
        const source = workspaceSource(spec);
        if (source) visit(source);
        return;
      }
      const target = resolve(dirname(file), spec);
      // Relative type-only imports are followed too: their own imports matter for the .d.ts.
      if (kind !== 'value' && target.endsWith('.ts') && existsSync(target)) visit(target);
    };
    for (const re of STATIC) for (const m of source.matchAll(re)) add(m[1]!, 'static');
    for (const m of source.matchAll(DYNAMIC)) add(m[1]!, 'dynamic');
    for (const re of VALUE) for (const m of source.matchAll(re)) if (!m[1]!.startsWith('.')) found.value.add(m[1]!);
  };
  visit(entry);
  return found;
}

describe('entry points', () => {
  it('the walker sees type-only imports (so the tfjs check below can fail)', () => {
    const tfjsEntry = reachable(join(ROOT, 'packages/models/src/tfjs.ts'));
    expect([...tfjsEntry.static]).toContain('@tensorflow/tfjs');
  });

  for (const dir of packageDirs().filter((d) => d !== 'apps/dtl')) {
    const pkg = manifest(dir);
    for (const [sub, conditions] of Object.entries(pkg.exports ?? {})) {
      if (sub.endsWith('/tfjs')) continue;
      it(`${pkg.name}${sub.slice(1)} references no @tensorflow package (its types compile without tfjs)`, () => {
        const entry = join(ROOT, dir, conditions['@dtl/source']!);
        const { static: imported } = reachable(entry);
        expect([...imported].filter((s) => s.startsWith('@tensorflow/'))).toEqual([]);
      });
    }
  }

  it('the dtl CLI loads vega, vega-lite, tfjs, node-llama-cpp, the langchain providers, better-sqlite3 and DuckDB only on use (no static value import from bin.ts)', () => {
    const { value, dynamic } = reachable(join(ROOT, 'apps/dtl/src/bin.ts'));
    const heavy = (s: string) =>
      s === 'vega' || s === 'vega-lite' || s.startsWith('@tensorflow/') || s === 'node-llama-cpp' || s === '@langchain/openai' || s === '@langchain/ollama' || s === 'better-sqlite3' || s === '@duckdb/node-api';
    expect([...value].filter(heavy)).toEqual([]);
    // …and they are still reachable dynamically (so this test notices if the walker stops seeing them;
    // better-sqlite3 is loaded through createRequire, which the walker does not follow).
    expect([...dynamic].filter(heavy)).toEqual(expect.arrayContaining(['vega', 'vega-lite', '@langchain/openai', '@langchain/ollama', '@duckdb/node-api']));
  });

  it('@dtl/models/tfjs and @dtl/kernels/tfjs exist with the source condition and built types', () => {
    for (const dir of ['packages/models', 'packages/kernels']) {
      const entry = manifest(dir).exports?.['./tfjs'];
      expect(entry, dir).toEqual({ '@dtl/source': './src/tfjs.ts', types: './dist/tfjs.d.ts', import: './dist/tfjs.js' });
      expect(existsSync(join(ROOT, dir, 'src/tfjs.ts'))).toBe(true);
    }
  });
});

describe('package.json hygiene', () => {
  for (const dir of packageDirs()) {
    const pkg = manifest(dir);
    it(`${pkg.name}: publishable fields (version, MIT, repository, files without src or tests)`, () => {
      expect(pkg.private).not.toBe(true);
      expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(pkg.license).toBe('MIT');
      expect(pkg.repository?.directory).toBe(dir);
      expect(pkg.files).toEqual(['dist', '!dist/**/*.map', 'README.md', 'LICENSE']);
      const readme = readFileSync(join(ROOT, dir, 'README.md'), 'utf8');
      expect(readme).toMatch(/ESM only/);
    });
  }

  it('the root LICENSE is MIT (pnpm pack adds it to every tarball)', () => {
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('@dtl/examples is private (never packed)', () => {
    expect(manifest('examples').private).toBe(true);
  });

  it('heavy packages are optional for consumers: no required dependency on tfjs, node-llama-cpp or (in libraries) better-sqlite3', () => {
    for (const dir of packageDirs()) {
      const deps = Object.keys(manifest(dir).dependencies ?? {});
      expect(deps.filter((d) => d.startsWith('@tensorflow/') || d === 'node-llama-cpp'), dir).toEqual([]);
      if (dir !== 'apps/dtl') expect(deps, dir).not.toContain('better-sqlite3');
    }
  });

  it('pnpm is pinned at the root so npm scripts (turbo) find it without a global install', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string; devDependencies: Record<string, string> };
    expect(root.packageManager).toBe(`pnpm@${root.devDependencies['pnpm']}`);
  });
});
