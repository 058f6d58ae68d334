/**
 * Seeded synthetic implicit-feedback data with a planted item hierarchy and known false negatives.
 *
 * Why: on real data a "false negative" (an unobserved item the user would like) is never known, so
 * false-negative identification (FNI) can only be measured against held-out test items, which is
 * noisy and tempts leaks. Here every user's likes come from a known distribution, and a sample of
 * them is withheld from every split: the exact ground truth (docs/method.md, "FNI measured
 * directly").
 *
 * The generative process (every draw from the given {@link Rng}, forked into the streams
 * `"taxonomy"`, `"users"` and `"splits"`):
 * 1. **Taxonomy.** A complete tree with `branching` children per node and `depth` levels below the
 *    root: `branching^depth` leaves. Leaf sizes are multinomial with leaf weights 0.5 + Exp(1)
 *    (every leaf gets ≥ 1 item), item ids are a random permutation, so ids carry no structure.
 *    `itemPaths[i]` is item i's root→leaf list of child indices (e.g. `[0, 2, 1]`).
 * 2. **Item appeal (Zipf within topics).** In each leaf the items get a random rank r = 0, 1, … and
 *    appeal (r + 1)^−zipfExponent. Drawing from a topic (any subtree) picks an item of that subtree
 *    with probability ∝ appeal, so each topic has its few hits and a long tail.
 * 3. **Topic popularity.** At every level the nodes get a random rank and weight (rank + 1)^−topicSkew,
 *    so some subtrees are more popular than others (what a popularity baseline can learn).
 * 4. **Users' tastes (a Dirichlet mixture of 1–3 subtree topics).** User u draws K uniform in
 *    `topicsPerUser`; each topic picks a level (leaf, its parent, … by `topicLevelWeights`) and a node
 *    of that level by topic popularity; mixture weights θ ~ Dirichlet(dirichletAlpha·1_K).
 * 5. **Amounts.** Observed interactions n_u = min(maxInteractions, minInteractions +
 *    round(Exp(1)·(meanInteractions − minInteractions))); each is uniform noise with probability
 *    `noiseFraction`, else a taste draw. Held-out likes h_u = max(1, round(heldOutFraction · taste)).
 *    Taste draws are capped at 60 % of the items in the user's topics (so distinct draws stay easy).
 * 6. **Taste draws.** Distinct items: topic k ~ θ, then an item of topic k ~ appeal. A random h_u of
 *    them become the user's **held-out preferences** (`truth.preferences`), the rest are observed.
 *    Noise items are uniform over items the user has not drawn.
 * 7. **Splits.** Each user's observed items are shuffled; round(testFraction·n) go to test,
 *    round(validFraction·n) to valid, the rest (≥ 1) to train.
 * So `truth.preferences` is disjoint from train, valid and test; it is a sample of the items the
 * user likes, not all of them (an item of a user's topic outside it is "liked but unknown").
 *
 * Source: a hierarchical variant of the topic-mixture simulators used to study recommenders
 * (latent Dirichlet allocation, Blei, Ng & Jordan, JMLR 2003, with a tree of topics as in the
 * nested CRP, Blei, Griffiths & Jordan, J. ACM 2010; Zipf item popularity as in most CF simulators).
 */
import { DtlError, createRng, csrFromPairs, shuffleInPlace } from '@dtl/core';
import type { Csr, InteractionData, Rng } from '@dtl/core';
import { IntBuffer } from './internal/int-buffer.ts';
import { cumulative, dirichlet, drawCumulative } from './internal/draws.ts';

/** Named parameter sets of {@link generateSynthetic}. */
export type SyntheticPreset = 'tiny' | 'default';

/** Every parameter of the generator (see the file's TSDoc for how each is used). */
export interface SyntheticParams {
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  /** Children per taxonomy node. */
  readonly branching: number;
  /** Levels below the root (leaf paths have this length). */
  readonly depth: number;
  /** [min, max] topics per user, inclusive. */
  readonly topicsPerUser: readonly [number, number];
  /** Weight of choosing a topic at the leaf level, one level up, two up, … (levels ≥ 1 only). */
  readonly topicLevelWeights: readonly number[];
  /** Zipf exponent of topic-node popularity within a level. */
  readonly topicSkew: number;
  /** Symmetric Dirichlet concentration of a user's topic mixture. */
  readonly dirichletAlpha: number;
  /** Zipf exponent of item appeal within a leaf. */
  readonly zipfExponent: number;
  readonly meanInteractions: number;
  readonly minInteractions: number;
  readonly maxInteractions: number;
  /** Probability that an observed interaction is uniform noise. */
  readonly noiseFraction: number;
  /** Held-out preferences per user as a fraction of their observed taste draws. */
  readonly heldOutFraction: number;
  readonly validFraction: number;
  readonly testFraction: number;
}

/**
 * Options of {@link generateSynthetic}: a preset (default `'default'`) whose parameters any field
 * overrides, and the seed used when no RNG is passed (default 2022).
 */
export interface SyntheticOptions extends Partial<SyntheticParams> {
  readonly preset?: SyntheticPreset | undefined;
  readonly seed?: number | undefined;
}

/** One topic of a user's taste: a taxonomy node (root→node path) and its mixture weight. */
export interface UserTopic {
  readonly path: readonly number[];
  readonly weight: number;
}

/** What the generator planted (never available on real data). */
export interface SyntheticTruth {
  /** The taxonomy path of each item (length `depth`). */
  readonly itemPaths: number[][];
  /** users × items: liked items withheld from every split (disjoint from train, valid and test). */
  readonly preferences: Csr;
  /** Each user's taste mixture. */
  readonly userTopics: UserTopic[][];
  /** Each item's within-leaf appeal weight (rank+1)^−zipfExponent. */
  readonly itemAppeal: Float64Array;
}

/** The result of {@link generateSynthetic}. */
export interface SyntheticDataset {
  readonly data: InteractionData;
  readonly truth: SyntheticTruth;
  /** The parameters used (preset merged with overrides). */
  readonly params: SyntheticParams;
}

const COMMON = {
  topicsPerUser: [1, 3] as const,
  topicSkew: 0.7,
  dirichletAlpha: 1,
  zipfExponent: 1,
  noiseFraction: 0.1,
  heldOutFraction: 0.5,
  validFraction: 0.1,
  testFraction: 0.2,
};

/** The presets: `tiny` for unit tests (~300 × 200, a few ms), `default` for benchmarks (~3000 × 1500). */
export const SYNTHETIC_PRESETS: Readonly<Record<SyntheticPreset, SyntheticParams>> = {
  tiny: {
    ...COMMON,
    name: 'synthetic-tiny',
    nUsers: 300,
    nItems: 200,
    branching: 3,
    depth: 3,
    topicLevelWeights: [0.3, 0.5, 0.2],
    meanInteractions: 12,
    minInteractions: 4,
    maxInteractions: 40,
  },
  default: {
    ...COMMON,
    name: 'synthetic-default',
    nUsers: 3000,
    nItems: 1500,
    branching: 4,
    depth: 3,
    topicLevelWeights: [0.5, 0.35, 0.15],
    meanInteractions: 20,
    minInteractions: 5,
    maxInteractions: 120,
  },
};

function resolveParams(options: SyntheticOptions): SyntheticParams {
  const preset = options.preset ?? 'default';
  const base = SYNTHETIC_PRESETS[preset];
  if (!base) throw new DtlError('INVALID_ARGUMENT', `generateSynthetic: unknown preset "${String(preset)}"`);
  const p: SyntheticParams = { ...base };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key !== 'preset' && key !== 'seed') (p as unknown as Record<string, unknown>)[key] = value;
  }
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new DtlError('INVALID_ARGUMENT', `generateSynthetic: ${what}`);
  };
  const isInt = (x: number, min: number) => Number.isInteger(x) && x >= min;
  check(isInt(p.nUsers, 1) && isInt(p.nItems, 1), 'nUsers and nItems must be positive integers');
  check(isInt(p.branching, 2) && isInt(p.depth, 1), 'branching must be an integer ≥ 2 and depth ≥ 1');
  check(p.branching ** p.depth <= p.nItems, `nItems (${p.nItems}) must be ≥ branching^depth (${p.branching ** p.depth} leaves)`);
  const [kMin, kMax] = p.topicsPerUser;
  check(isInt(kMin, 1) && isInt(kMax, kMin), 'topicsPerUser must be [min, max] with 1 ≤ min ≤ max');
  check(p.topicLevelWeights.length > 0 && p.topicLevelWeights.every((w) => w >= 0), 'topicLevelWeights must be non-negative');
  check(p.topicLevelWeights.slice(0, p.depth).some((w) => w > 0), 'topicLevelWeights needs a positive weight within depth');
  check(p.dirichletAlpha > 0 && p.zipfExponent >= 0 && p.topicSkew >= 0, 'dirichletAlpha > 0, zipfExponent ≥ 0, topicSkew ≥ 0');
  check(
    isInt(p.minInteractions, 1) && p.meanInteractions >= p.minInteractions && p.maxInteractions >= p.minInteractions,
    'need 1 ≤ minInteractions ≤ meanInteractions and minInteractions ≤ maxInteractions',
  );
  check(p.noiseFraction >= 0 && p.noiseFraction <= 1, 'noiseFraction must be in [0, 1]');
  check(p.heldOutFraction >= 0, 'heldOutFraction must be ≥ 0');
  check(p.validFraction >= 0 && p.testFraction >= 0 && p.validFraction + p.testFraction < 1, 'validFraction + testFraction must be < 1');
  return p;
}

function exponential(rng: Rng): number {
  return -Math.log(1 - rng.next());
}

/** Index drawn ∝ weight among positions [lo, hi) of a cumulative array. */
function drawInRange(cum: Float64Array, lo: number, hi: number, rng: Rng): number {
  const base = lo > 0 ? cum[lo - 1]! : 0;
  const target = base + rng.next() * (cum[hi - 1]! - base);
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (cum[mid]! > target) b = mid;
    else a = mid + 1;
  }
  return a;
}

function digits(index: number, base: number, length: number): number[] {
  const out = new Array<number>(length);
  for (let k = length - 1; k >= 0; k--) {
    out[k] = index % base;
    index = Math.floor(index / base);
  }
  return out;
}

/**
 * Generates a synthetic dataset with a planted item taxonomy, users with hierarchical tastes and
 * held-out true preferences (the process is described in this file's header and in the package
 * README). Deterministic: the same options and seed (or RNG state) give the same data.
 *
 * @param options preset (default `'default'`), parameter overrides, seed (default 2022)
 * @param rng the random source; default `createRng(options.seed ?? 2022)`
 */
export function generateSynthetic(options: SyntheticOptions = {}, rng?: Rng): SyntheticDataset {
  const p = resolveParams(options);
  const root = rng ?? createRng(options.seed ?? 2022);
  const taxRng = root.fork('taxonomy');
  const userRng = root.fork('users');
  const splitRng = root.fork('splits');
  const { nUsers, nItems, branching: b, depth: d } = p;

  // 1. Taxonomy: leaf sizes, then items laid out leaf by leaf in a random id order.
  const nLeaves = b ** d;
  const leafWeights = new Float64Array(nLeaves);
  for (let l = 0; l < nLeaves; l++) leafWeights[l] = 0.5 + exponential(taxRng);
  const leafCum = cumulative(leafWeights);
  const leafSize = new Int32Array(nLeaves).fill(1);
  for (let k = nLeaves; k < nItems; k++) leafSize[drawCumulative(leafCum, taxRng)]!++;
  const leafStart = new Int32Array(nLeaves + 1);
  for (let l = 0; l < nLeaves; l++) leafStart[l + 1] = leafStart[l]! + leafSize[l]!;
  const order = new Int32Array(nItems);
  for (let k = 0; k < nItems; k++) order[k] = k;
  shuffleInPlace(order, taxRng); // order[position] = item id; a leaf owns a contiguous run of positions

  // 2. Appeal: the rank within a leaf is the position within its run (already random).
  const itemAppeal = new Float64Array(nItems);
  const itemPaths: number[][] = new Array<number[]>(nItems);
  const appealByPos = new Float64Array(nItems);
  for (let l = 0; l < nLeaves; l++) {
    const path = digits(l, b, d);
    for (let pos = leafStart[l]!; pos < leafStart[l + 1]!; pos++) {
      const w = Math.pow(pos - leafStart[l]! + 1, -p.zipfExponent);
      const item = order[pos]!;
      itemAppeal[item] = w;
      appealByPos[pos] = w;
      itemPaths[item] = path.slice();
    }
  }
  const appealCum = cumulative(appealByPos);

  // 3. Topic popularity per level (level ℓ has b^ℓ nodes; node j covers leaves [j·b^(d−ℓ), (j+1)·b^(d−ℓ))).
  const nodeCum: Float64Array[] = [new Float64Array([1])];
  for (let level = 1; level <= d; level++) {
    const m = b ** level;
    const rank = new Int32Array(m);
    for (let j = 0; j < m; j++) rank[j] = j;
    shuffleInPlace(rank, taxRng);
    const w = new Float64Array(m);
    for (let j = 0; j < m; j++) w[j] = Math.pow(rank[j]! + 1, -p.topicSkew);
    nodeCum.push(cumulative(w));
  }
  const levelCum = cumulative(p.topicLevelWeights.slice(0, d)); // index j → level d − j
  const nodeRange = (level: number, node: number): [number, number] => {
    const span = b ** (d - level);
    return [leafStart[node * span]!, leafStart[(node + 1) * span]!];
  };

  // 4–6. Users.
  const bufs = {
    train: [new IntBuffer(), new IntBuffer()],
    valid: [new IntBuffer(), new IntBuffer()],
    test: [new IntBuffer(), new IntBuffer()],
    pref: [new IntBuffer(), new IntBuffer()],
  } as const;
  const push = (buf: readonly [IntBuffer, IntBuffer], u: number, i: number) => {
    buf[0].push(u);
    buf[1].push(i);
  };
  const userTopics: UserTopic[][] = new Array<UserTopic[]>(nUsers);
  const mark = new Uint8Array(nItems);
  const [kMin, kMax] = p.topicsPerUser;
  for (let u = 0; u < nUsers; u++) {
    const k = kMin + userRng.int(kMax - kMin + 1);
    const ranges: Array<[number, number]> = [];
    const topics: UserTopic[] = [];
    const seen = new Set<string>();
    for (let t = 0; t < k; t++) {
      let level = 0;
      let node = 0;
      for (let attempt = 0; attempt < 10; attempt++) {
        level = d - drawCumulative(levelCum, userRng);
        node = drawCumulative(nodeCum[level]!, userRng);
        if (!seen.has(`${level}:${node}`)) break;
      }
      seen.add(`${level}:${node}`);
      ranges.push(nodeRange(level, node));
      topics.push({ path: digits(node, b, level), weight: 0 });
    }
    const theta = dirichlet(topics.length, p.dirichletAlpha, userRng);
    userTopics[u] = topics.map((t, j) => ({ path: t.path, weight: theta[j]! }));
    const thetaCum = cumulative(theta);

    // Capacity: distinct items covered by the topics (ranges may nest or coincide).
    const sorted = ranges.slice().sort((x, y) => x[0] - y[0]);
    let capacity = 0;
    let reach = -1;
    for (const [s, e] of sorted) {
      const from = Math.max(s, reach);
      if (e > from) capacity += e - from;
      reach = Math.max(reach, e);
    }

    const n = Math.min(
      p.maxInteractions,
      p.minInteractions + Math.round(exponential(userRng) * (p.meanInteractions - p.minInteractions)),
    );
    let noise = 0;
    for (let s = 0; s < n; s++) if (userRng.next() < p.noiseFraction) noise++;
    const tasteObserved = n - noise;
    const wanted = tasteObserved + Math.max(1, Math.round(p.heldOutFraction * tasteObserved));
    const total = Math.min(wanted, Math.max(Math.min(capacity, 2), Math.floor(0.6 * capacity)));
    const held = total <= 1 ? 0 : Math.max(1, Math.round((total * p.heldOutFraction) / (1 + p.heldOutFraction)));

    const taste: number[] = [];
    for (let attempt = 0; taste.length < total && attempt < 200 * total; attempt++) {
      const [s, e] = ranges[drawCumulative(thetaCum, userRng)]!;
      const item = order[drawInRange(appealCum, s, e, userRng)]!;
      if (mark[item] === 1) continue;
      mark[item] = 1;
      taste.push(item);
    }
    shuffleInPlace(taste, userRng);
    const noiseItems: number[] = [];
    const noiseTarget = Math.min(noise, nItems - taste.length);
    for (let attempt = 0; noiseItems.length < noiseTarget && attempt < 200 * noiseTarget + 100; attempt++) {
      const item = userRng.int(nItems);
      if (mark[item] === 1) continue;
      mark[item] = 1;
      noiseItems.push(item);
    }
    for (const item of taste) mark[item] = 0;
    for (const item of noiseItems) mark[item] = 0;
    const observed = taste.slice(held).concat(noiseItems);
    for (let j = 0; j < held; j++) push(bufs.pref, u, taste[j]!);

    // 7. Split this user's observed items.
    shuffleInPlace(observed, splitRng);
    const m = observed.length;
    let nTest = Math.round(p.testFraction * m);
    let nValid = Math.round(p.validFraction * m);
    while (m - nTest - nValid < 1 && nValid > 0) nValid--;
    while (m - nTest - nValid < 1 && nTest > 0) nTest--;
    for (let j = 0; j < m; j++) {
      const item = observed[j]!;
      push(j < nTest ? bufs.test : j < nTest + nValid ? bufs.valid : bufs.train, u, item);
    }
  }

  const csr = (buf: readonly [IntBuffer, IntBuffer]): Csr => csrFromPairs(nUsers, nItems, buf[0].toArray(), buf[1].toArray()).csr;
  return {
    data: { name: p.name, nUsers, nItems, train: csr(bufs.train), valid: csr(bufs.valid), test: csr(bufs.test) },
    truth: { itemPaths, preferences: csr(bufs.pref), userTopics, itemAppeal },
    params: p,
  };
}
