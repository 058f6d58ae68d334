/**
 * Opens a report in headless Chromium (Debian package `chromium`) and checks that the charts are
 * in the rendered DOM and actually painted. Skipped when no Chromium binary is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CHART_COLORS } from './charts.ts';
import { writeReport } from './index.ts';
import { writePipelineFixture } from './__tests__/fixtures.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const SKIP_NOTE = CHROMIUM ? '' : ' — SKIPPED: no Chromium found (/usr/bin/chromium); install the Debian package `chromium` to run it';

const tmp = mkdtempSync(join(tmpdir(), 'dtl-report-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function chromium(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const profile = mkdtempSync(join(tmp, 'profile-'));
  const r = spawnSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
}

/** Decodes an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes) to RGBA pixels. */
function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      colorType = data[9]!;
      expect(data[12]).toBe(0);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0;
      let p = line[x]!;
      if (filter === 1) p += a;
      else if (filter === 2) p += b;
      else if (filter === 3) p += (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = p & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let k = 0; k < width * height; k++) {
    for (let ch = 0; ch < 3; ch++) rgba[4 * k + ch] = out[k * channels + ch]!;
    rgba[4 * k + 3] = channels === 4 ? out[k * channels + 3]! : 255;
  }
  return { width, height, rgba };
}

function countColor(rgba: Uint8Array, hex: string, tolerance = 8): number {
  const r = parseInt(hex.slice(1, 3), 16);
  const g = parseInt(hex.slice(3, 5), 16);
  const b = parseInt(hex.slice(5, 7), 16);
  let n = 0;
  for (let k = 0; k < rgba.length; k += 4) {
    if (Math.abs(rgba[k]! - r) <= tolerance && Math.abs(rgba[k + 1]! - g) <= tolerance && Math.abs(rgba[k + 2]! - b) <= tolerance) n++;
  }
  return n;
}

describe('report in headless Chromium', () => {
  it.skipIf(!CHROMIUM)(`renders the charts (DOM + pixels)${SKIP_NOTE}`, async () => {
    const clean = writePipelineFixture(join(tmp, 'clean'), { seed: 3 });
    const paper = writePipelineFixture(join(tmp, 'paper'), { seed: 4, protocol: 'paper' });
    const { path } = await writeReport([clean.dir, paper.dir], join(tmp, 'report.html'));
    const source = readFileSync(path, 'utf8');
    const sourceSvgs = source.split('<svg').length - 1;
    expect(sourceSvgs).toBeGreaterThan(10);

    const dom = chromium(['--dump-dom', `file://${path}`]);
    expect(dom.status, dom.stderr).toBe(0);
    // The parsed DOM keeps every chart as an <svg> with vega's mark groups and drawn paths.
    const svgs = dom.stdout.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(sourceSvgs);
    for (const svg of svgs) {
      expect(svg).toMatch(/class="marks"/);
      expect(svg).toMatch(/<g class="mark-(line|rect|symbol)[^"]*"[^>]*>\s*<(path|g)/);
      expect(svg).toMatch(/<path[^>]* d="M[-\d.]+,[-\d.]+/);
    }
    expect(dom.stdout).toMatch(/<table class="comparison">/);
    expect(dom.stdout).toMatch(/class="badge leaky"/);

    const png = join(tmp, 'report.png');
    const shot = chromium(['--window-size=1280,2400', `--screenshot=${png}`, `file://${path}`]);
    expect(existsSync(png), shot.stderr).toBe(true);
    const { width, height, rgba } = decodePng(readFileSync(png));
    expect(width).toBe(1280);
    expect(height).toBe(2400);
    // Painted pixels in the series colours: blue bars/lines, orange test curves, the red LEAKY badge.
    expect(countColor(rgba, CHART_COLORS.valid)).toBeGreaterThan(2000);
    expect(countColor(rgba, CHART_COLORS.test)).toBeGreaterThan(500);
    expect(countColor(rgba, '#b00020')).toBeGreaterThan(200);
  });
});
