/**
 * Every ```ts block of every package README is a complete program: this test extracts each one,
 * typechecks all of them with the workspace's strict tsconfig, and runs each with tsx on the
 * synthetic data it builds itself — so the READMEs cannot rot. The blocks are written to a temporary
 * directory inside the workspace (so `@dtl/*` resolve to the workspace packages, read from source
 * through the `@dtl/source` condition) and each runs in its own directory, where it may write files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ReadmeBlock {
  /** README path relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the block's first code line in the README. */
  readonly line: number;
  readonly code: string;
}

/** The ```ts / ```typescript blocks of a markdown text, with the README line where each starts. */
export function extractTsBlocks(readme: string, markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = markdown.split('\n');
  let open: { line: number; lang: string; code: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const fence = /^```(\S*)\s*$/.exec(text);
    if (!open && fence) {
      open = { line: i + 2, lang: fence[1]!, code: [] };
    } else if (open && /^```\s*$/.test(text)) {
      if (open.lang === 'ts' || open.lang === 'typescript') blocks.push({ readme, line: open.line, code: open.code.join('\n') + '\n' });
      open = undefined;
    } else if (open) {
      open.code.push(text);
    }
  }
  return blocks;
}

function readmes(): string[] {
  const dirs = [...readdirSync(join(ROOT, 'packages')).map((d) => `packages/${d}`), 'apps/dtl'];
  return dirs.map((d) => `${d}/README.md`).filter((f) => existsSync(join(ROOT, f)));
}

const blocks = readmes().flatMap((f) => extractTsBlocks(f, readFileSync(join(ROOT, f), 'utf8')));
const dirName = (b: ReadmeBlock) => `${b.readme.replace(/\/README\.md$/, '').replace(/\//g, '-')}-L${b.line}`;
/** A block whose first line is `// name.test.ts …` is a vitest file: it is written under that name and run with vitest. */
const testFileName = (b: ReadmeBlock) => /^\/\/ ([\w.-]+\.test\.ts)\b/.exec(b.code)?.[1];
const fileName = (b: ReadmeBlock) => testFileName(b) ?? 'main.ts';

const TMP = mkdtempSync(join(ROOT, 'examples', '.readme-blocks-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

for (const b of blocks) {
  mkdirSync(join(TMP, dirName(b)));
  writeFileSync(join(TMP, dirName(b), fileName(b)), b.code);
  if (testFileName(b)) {
    writeFileSync(
      join(TMP, dirName(b), 'vitest.config.mjs'),
      "export default { resolve: { conditions: ['@dtl/source'] }, ssr: { resolve: { conditions: ['@dtl/source'] } }, test: { include: ['*.test.ts'] } };\n",
    );
  }
}

/** Rewrites `<dir>/main.ts(12,5)` in compiler output to `packages/x/README.md:<line>:5`. */
function toReadmeLocations(text: string): string {
  return text.replace(/([\w.-]+)\/[\w.-]+\.ts\((\d+),(\d+)\)/g, (whole, dir: string, line: string, col: string) => {
    const b = blocks.find((x) => dirName(x) === dir);
    return b ? `${b.readme}:${b.line + Number(line) - 1}:${col}` : whole;
  });
}

function runBlock(b: ReadmeBlock): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    const args = testFileName(b)
      ? [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.mjs']
      : ['--conditions=@dtl/source', '--import', 'tsx', 'main.ts'];
    const child = spawn(process.execPath, args, {
      cwd: join(TMP, dirName(b)),
      stdio: ['ignore', 'pipe', 'pipe'],
      // A nested vitest must not think it is a worker of this one.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS')), NODE_NO_WARNINGS: '1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

describe('README code blocks', () => {
  it('extractTsBlocks finds ts blocks with their README line and skips other languages', () => {
    const md = ['# x', '```sh', 'npm test', '```', '', '```ts', "import { a } from 'b';", 'a();', '```', '```typescript', 'let y = 1;', '```'].join('\n');
    expect(extractTsBlocks('r.md', md)).toEqual([
      { readme: 'r.md', line: 7, code: "import { a } from 'b';\na();\n" },
      { readme: 'r.md', line: 11, code: 'let y = 1;\n' },
    ]);
  });

  it('there are blocks to check, and each is a complete program (it imports what it uses)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    for (const b of blocks) expect(b.code, `${b.readme}:${b.line}`).toMatch(/^import /m);
  });

  it('every block typechecks under the workspace tsconfig (strict)', () => {
    writeFileSync(
      join(TMP, 'tsconfig.json'),
      JSON.stringify({ extends: relative(TMP, join(ROOT, 'tsconfig.base.json')), compilerOptions: { noEmit: true }, include: ['*/*.ts'] }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(TMP, 'tsconfig.json'), '--pretty', 'false'], {
      cwd: TMP,
      encoding: 'utf8',
    });
    expect(toReadmeLocations(tsc.stdout + tsc.stderr)).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('every block runs to completion on synthetic data', async () => {
    const failures: string[] = [];
    const queue = [...blocks];
    const worker = async () => {
      for (let b = queue.shift(); b; b = queue.shift()) {
        const r = await runBlock(b);
        if (r.code !== 0) failures.push(`${b.readme}:${b.line}: exit ${r.code}\n${r.output.slice(-2000)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures.join('\n\n')).toBe('');
  }, 300_000);
});
