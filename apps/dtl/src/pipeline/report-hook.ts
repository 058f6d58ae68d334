import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `runDir/report.html` with the report module (loaded lazily: it pulls in vega). */
export async function writeRunReport(runDir: string): Promise<string> {
  const here = new URL('../report/index.ts', import.meta.url);
  const js = new URL('../report/index.js', import.meta.url);
  if (!existsSync(here) && !existsSync(js)) return '';
  const spec = existsSync(here) ? here.href : js.href;
  const mod = (await import(spec)) as { writeReport?: (dirs: string[], outFile: string) => Promise<unknown> | unknown };
  const outFile = join(runDir, 'report.html');
  if (!mod.writeReport) return '';
  await mod.writeReport([runDir], outFile);
  return outFile;
}
