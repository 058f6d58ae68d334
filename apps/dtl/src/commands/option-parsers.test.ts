import { CommanderError, InvalidArgumentError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../cli.ts';
import {
  finiteNumber,
  fraction,
  integer,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  positiveIntList,
  positiveIntOrAuto,
  positiveNumber,
  unitFloat,
} from './option-parsers.ts';

describe('option parsers', () => {
  const cases: Array<[string, (v: string) => unknown, string[], string[]]> = [
    ['integer', integer, ['-3', '0', '2022'], ['1.5', 'abc', '', ' ', '1e400', 'NaN']],
    ['positiveInt', positiveInt, ['1', '64'], ['0', '-1', '2.5', '', 'Infinity']],
    ['nonNegativeInt', nonNegativeInt, ['0', '15138'], ['-1', '0.5', 'x']],
    ['finiteNumber', finiteNumber, ['-2', '0', '0.75', '1e-3'], ['Infinity', 'abc', '']],
    ['positiveNumber', positiveNumber, ['1e-3', '2'], ['0', '-1e-3', 'NaN']],
    ['nonNegativeNumber', nonNegativeNumber, ['0', '0.3'], ['-0.1', 'x']],
    ['unitFloat', unitFloat, ['0', '0.5', '1'], ['1.01', '-0.01']],
    ['fraction', fraction, ['0', '0.1', '0.99'], ['1', '1.5', '-0.1']],
  ];
  for (const [name, parse, good, bad] of cases) {
    it(`${name} accepts ${good.join(', ')} and rejects ${bad.map((b) => JSON.stringify(b)).join(', ')}`, () => {
      for (const g of good) expect(parse(g)).toBe(Number(g));
      for (const b of bad) {
        expect(() => parse(b)).toThrow(InvalidArgumentError);
        expect(() => parse(b)).toThrow(`"${b}" is not`);
      }
    });
  }

  it('positiveIntList parses comma lists with spaces and rejects any bad entry', () => {
    expect(positiveIntList('5, 10,20')).toEqual([5, 10, 20]);
    for (const bad of ['5,0', '5,x', '5,,10', '', '2.5']) expect(() => positiveIntList(bad)).toThrow(InvalidArgumentError);
  });

  it('positiveIntOrAuto takes "auto" or a positive integer', () => {
    expect(positiveIntOrAuto('auto')).toBe('auto');
    expect(positiveIntOrAuto('3')).toBe(3);
    for (const bad of ['0', 'AUTO', '']) expect(() => positiveIntOrAuto(bad)).toThrow(InvalidArgumentError);
  });
});

describe('commands reject bad numeric options before running', () => {
  afterEach(() => vi.restoreAllMocks());

  async function parseError(argv: string[]): Promise<{ error: unknown; stderr: string }> {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    try {
      // The data folder does not exist: a command that got past option parsing would fail with NOT_FOUND instead.
      await buildProgram().parseAsync(['node', 'dtl', ...argv]);
      return { error: undefined, stderr };
    } catch (error) {
      return { error, stderr };
    }
  }

  const cases: Array<[string[], string]> = [
    [['train', '--data', '/nonexistent', '--out', '/nonexistent/run', '--threads', '0'], "option '--threads <n>' argument '0' is invalid"],
    [['train', '--data', '/nonexistent', '--out', '/nonexistent/run', '--candidates', 'ten'], "option '--candidates <n>' argument 'ten' is invalid"],
    [['train', '--data', '/nonexistent', '--out', '/nonexistent/run', '--carve-valid', '1.5'], "option '--carve-valid <fraction>' argument '1.5' is invalid"],
    [['train', '--data', '/nonexistent', '--out', '/nonexistent/run', '--alpha-co', '-1'], "option '--alpha-co <x>' argument '-1' is invalid"],
    [['trees', '--data', '/nonexistent', '--out', '/nonexistent/t', '--leaf', '0'], "option '--leaf <n>' argument '0' is invalid"],
    [['trees', '--data', '/nonexistent', '--out', '/nonexistent/t', '--builder', 'agglomerative'], "option '--builder <name>' argument 'agglomerative' is invalid"],
    [['eval', '--data', '/nonexistent', '--user-emb', 'u', '--item-emb', 'i', '--workers', '0'], "option '--workers <n>' argument '0' is invalid"],
    [['data', 'synth', '--out', '/nonexistent/s', '--seed', '1.5'], "option '--seed <n>' argument '1.5' is invalid"],
  ];
  for (const [argv, message] of cases) {
    it(`dtl ${argv.join(' ')}`, async () => {
      const { error, stderr } = await parseError(argv);
      expect(error).toBeInstanceOf(CommanderError);
      expect((error as CommanderError).code).toBe('commander.invalidArgument');
      expect(stderr).toContain(message);
    });
  }
});
