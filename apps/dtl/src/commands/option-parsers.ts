import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parsers shared by every command. Each rejects with an InvalidArgumentError whose
 * message names the value; commander prefixes the flag (`option '--dim <n>' argument '-3' is invalid.`)
 * and exits with code 1 before the command runs, so a typo never silently becomes a default.
 */

function parseNumber(value: string): number {
  // Number('') and Number(' ') are 0; an empty argument is a mistake, not zero.
  return value.trim() === '' ? Number.NaN : Number(value);
}

function isIntegerAtLeast(n: number, min: number | undefined): boolean {
  return Number.isSafeInteger(n) && (min === undefined || n >= min);
}

function integerParser(min: number | undefined, what: string): (value: string) => number {
  return (value) => {
    const n = parseNumber(value);
    if (!isIntegerAtLeast(n, min)) throw new InvalidArgumentError(`"${value}" is not ${what}`);
    return n;
  };
}

function numberParser(accept: (n: number) => boolean, what: string): (value: string) => number {
  return (value) => {
    const n = parseNumber(value);
    if (!Number.isFinite(n) || !accept(n)) throw new InvalidArgumentError(`"${value}" is not ${what}`);
    return n;
  };
}

/** Any integer (seeds). */
export const integer = integerParser(undefined, 'an integer');
/** An integer ≥ 1 (sizes, counts, epochs, threads). */
export const positiveInt = integerParser(1, 'a positive integer');
/** An integer ≥ 0 (offsets, retries, LightGCN layers). */
export const nonNegativeInt = integerParser(0, 'a non-negative integer');
/** Any finite number (exponents that may be negative). */
export const finiteNumber = numberParser(() => true, 'a finite number');
/** A finite number > 0 (learning rate, loss weights). */
export const positiveNumber = numberParser((n) => n > 0, 'a number > 0');
/** A finite number ≥ 0 (regularisation, view weights). */
export const nonNegativeNumber = numberParser((n) => n >= 0, 'a number ≥ 0');
/** A number in [0, 1] (thresholds). */
export const unitFloat = numberParser((n) => n >= 0 && n <= 1, 'a number in [0, 1]');
/** A number in [0, 1) (fractions of a split to carve off). */
export const fraction = numberParser((n) => n >= 0 && n < 1, 'a number in [0, 1)');

/** A comma-separated list of positive integers (`5,10,20`). */
export function positiveIntList(value: string): number[] {
  const ks = value.split(',').map(parseNumber);
  if (ks.some((k) => !isIntegerAtLeast(k, 1))) {
    throw new InvalidArgumentError(`"${value}" is not a comma-separated list of positive integers`);
  }
  return ks;
}

/** A positive integer or the word `auto`. */
export function positiveIntOrAuto(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = parseNumber(value);
  if (!isIntegerAtLeast(n, 1)) throw new InvalidArgumentError(`"${value}" is not a positive integer or "auto"`);
  return n;
}
