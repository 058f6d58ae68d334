/**
 * The gates of DENS (Lai et al., "Disentangled Negative Sampling for Collaborative Filtering",
 * WSDM 2023), shared by the model that trains them (`@dtl/models`, option `dens`) and the sampler
 * that reads them (`createDensSampler` in `@dtl/sampler`).
 */

/** A linear map y = W x + b in PyTorch `nn.Linear` layout: `weight[out * dim + in]`. */
export interface DensLinear {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * The four dim → dim gates. With σ the logistic function, per layer l:
 * relevant part of the positive r⁺ = e⁺ ⊙ σ(item(e⁺) + user(e_u)), of a negative
 * r⁻ = e⁻ ⊙ σ(neg(e⁻) + pos(r⁺)). Owners update the arrays in place; readers must not write them.
 */
export interface DensGates {
  readonly dim: number;
  readonly user: DensLinear;
  readonly item: DensLinear;
  readonly pos: DensLinear;
  readonly neg: DensLinear;
}
