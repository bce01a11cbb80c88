/**
 * What every trained family (ranker, fix classifier, latency regressor) is made of: the fitted
 * encoder and the family's own model. They are saved together as `{encoder, model}` and loaded back
 * validated, so a loaded model predicts exactly what the saved one did.
 */
import { z } from 'zod';
import { type EncoderState, encoderFromJSON, encoderStateSchema, type FeatureEncoder } from './encoder';
import { ModelError, modelWidth, type ScoringModel } from './models';

/** The saved state of a family: the encoder's state and the family's model (validated by `model`). */
export function encodedStateSchema<M extends z.ZodType>(model: M) {
  return z.object({ encoder: encoderStateSchema, model });
}

export abstract class EncodedModel<M> {
  /**
   * `scorers` are the model's scoring models, each with the text that names it in the error thrown
   * when it reads more columns than the encoder gives.
   */
  constructor(
    readonly encoder: FeatureEncoder,
    readonly model: M,
    scorers: readonly (readonly [what: string, scorer: ScoringModel])[],
  ) {
    for (const [what, scorer] of scorers) {
      const width = modelWidth(scorer);
      if (width > encoder.width) throw new ModelError(`${what} reads ${width} columns but the encoder gives ${encoder.width}`);
    }
  }

  toJSON(): { encoder: EncoderState; model: M } {
    return { encoder: this.encoder.toJSON(), model: structuredClone(this.model) };
  }
}

/** Validates a saved `{encoder, model}` and builds the family's model from it. */
export function loadEncodedModel<M, T>(
  schema: z.ZodType<{ encoder: EncoderState; model: M }>,
  json: unknown,
  Family: new (encoder: FeatureEncoder, model: M) => T,
): T {
  const state = schema.parse(json);
  return new Family(encoderFromJSON(state.encoder), state.model);
}
