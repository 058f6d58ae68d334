import { DtlError } from '@dtl/core';
import type { Rank, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs';
import { xavierUniform } from './init.ts';
import { createTfjsModel } from './tfjs-model.ts';
import type { TfjsModel, TfjsModelDefinition, TfjsModelOptions } from './tfjs-model.ts';

export type TowerActivation = 'tanh' | 'relu' | 'linear';

export interface TwoTowerOptions extends TfjsModelOptions {
  /** Non-linearity after each tower's dense layer, default `tanh`. */
  readonly activation?: TowerActivation;
}

/**
 * A two-tower model (the dual-encoder of Covington et al., "Deep Neural Networks for YouTube
 * Recommendations", RecSys 2016, and Yi et al., "Sampling-Bias-Corrected Neural Modeling for Large
 * Corpus Item Recommendations", RecSys 2019), reduced to ID features: each side looks up a free
 * ID embedding and passes it through its own dense layer,
 *   u = act(E_u[user]·W_u + b_u),  i = act(E_i[item]·W_i + b_i),  score = ⟨u, i⟩,
 * trained with BPR like MF. One layer (the tower outputs); the BPR L2 term applies to the batch rows
 * of the ID tables E_u/E_i, as for MF. Initialisation: Xavier-uniform tables and weights, zero biases.
 * Written with the tfjs adapter as the worked example of `ADDING_A_MODEL.md`.
 */
export function twoTowerDefinition(activation: TowerActivation = 'tanh'): TfjsModelDefinition {
  if (activation !== 'tanh' && activation !== 'relu' && activation !== 'linear') {
    throw new DtlError('INVALID_ARGUMENT', `two-tower activation must be tanh, relu or linear, got "${String(activation)}"`);
  }
  return {
    name: 'two-tower',
    config: { activation },
    build({ tf, nUsers, nItems, dim, rng }) {
      const table = (rows: number, cols: number): Variable<Rank.R2> => {
        const values = new Float32Array(rows * cols);
        xavierUniform(values, 0, rows, cols, rng);
        return tf.tidy(() => tf.variable(tf.tensor2d(values, [rows, cols])));
      };
      const userEmb = table(nUsers, dim);
      const itemEmb = table(nItems, dim);
      const userW = table(dim, dim);
      const itemW = table(dim, dim);
      const userB = tf.tidy(() => tf.variable(tf.zeros([dim]) as Tensor1D));
      const itemB = tf.tidy(() => tf.variable(tf.zeros([dim]) as Tensor1D));
      const tower = (emb: Tensor2D, w: Tensor2D, b: Tensor1D): Tensor2D => {
        const x: Tensor2D = tf.add(tf.matMul(emb, w), b);
        return activation === 'tanh' ? tf.tanh(x) : activation === 'relu' ? tf.relu(x) : x;
      };
      return {
        variables: { userEmb, itemEmb, userW, userB, itemW, itemB },
        layers: () => ({ users: [tower(userEmb, userW, userB)], items: [tower(itemEmb, itemW, itemB)] }),
        l2Rows: () => ({ users: userEmb, items: itemEmb }),
      };
    },
  };
}

/** Creates a {@link twoTowerDefinition} model on the given tfjs (see `loadTfjs` in `@dtl/kernels`). */
export function createTwoTowerModel(options: TwoTowerOptions): TfjsModel {
  return createTfjsModel(twoTowerDefinition(options.activation ?? 'tanh'), options);
}
