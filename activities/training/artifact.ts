/**
 * ModelArtifact: one JSON document per trained model, whatever its family, so the registry can
 * store and load any of them the same way (e.g. as the run artifact "model/model.json"):
 *
 *   { family: 'ranker' | 'fix' | 'latency', version: 1, createdFrom: { datasetDigest, … },
 *     encoder, model, metrics }
 *
 * `model` is the family's own schema (rankerModelSchema, fixModelSchema, latencyModelSchema);
 * `encoder` is the shared encoder state. Loading validates everything and gives back a model that
 * predicts exactly what the saved one did.
 */
import { z } from 'zod';
import { encoderFromJSON, encoderStateSchema } from './encoder';
import { FixClassifier, fixModelSchema } from './fix';
import { LatencyRegressor, latencyModelSchema } from './latency';
import { PolicyRanker, rankerModelSchema } from './ranker';

export const ARTIFACT_FAMILIES = ['ranker', 'fix', 'latency'] as const;
export type ArtifactFamily = (typeof ARTIFACT_FAMILIES)[number];

/** Where the model came from: the dataset version (content digest) and anything else that pins it. */
export const createdFromSchema = z
  .object({
    /** sha256 of the training data (e.g. the generated dataset's digest) */
    datasetDigest: z.string().min(1),
    /** the corpus the labels were computed with, when it matters */
    corpusDigest: z.string().optional(),
    rows: z.number().int().nonnegative().optional(),
    seed: z.number().int().optional(),
    /** how the evaluation data was split off, e.g. "hash(id) seed 1, test 0.2" */
    split: z.string().optional(),
    createdAt: z.iso.datetime().optional(),
  })
  .loose();
export type CreatedFrom = z.infer<typeof createdFromSchema>;

const metricsSchema = z.record(z.string(), z.number().refine(Number.isFinite, { error: 'metrics must be finite numbers' }));

const common = { version: z.literal(1), createdFrom: createdFromSchema, encoder: encoderStateSchema, metrics: metricsSchema };

export const modelArtifactSchema = z.discriminatedUnion('family', [
  z.object({ family: z.literal('ranker'), ...common, model: rankerModelSchema }),
  z.object({ family: z.literal('fix'), ...common, model: fixModelSchema }),
  z.object({ family: z.literal('latency'), ...common, model: latencyModelSchema }),
]);
export type ModelArtifact = z.infer<typeof modelArtifactSchema>;

export type TrainedModel = PolicyRanker | FixClassifier | LatencyRegressor;

export function familyOf(model: TrainedModel): ArtifactFamily {
  if (model instanceof PolicyRanker) return 'ranker';
  if (model instanceof FixClassifier) return 'fix';
  return 'latency';
}

/** The artifact of a trained model (validated). */
export function toArtifact(model: TrainedModel, createdFrom: CreatedFrom, metrics: Record<string, number>): ModelArtifact {
  const state = model.toJSON();
  return modelArtifactSchema.parse({
    family: familyOf(model),
    version: 1,
    createdFrom,
    encoder: state.encoder,
    model: state.model,
    metrics,
  });
}

export type LoadedArtifact =
  | { family: 'ranker'; artifact: ModelArtifact; model: PolicyRanker }
  | { family: 'fix'; artifact: ModelArtifact; model: FixClassifier }
  | { family: 'latency'; artifact: ModelArtifact; model: LatencyRegressor };

/** Validates a stored artifact (parsed JSON) and rebuilds its model. */
export function loadArtifact(json: unknown): LoadedArtifact {
  const artifact = modelArtifactSchema.parse(json);
  const encoder = encoderFromJSON(artifact.encoder);
  switch (artifact.family) {
    case 'ranker':
      return { family: 'ranker', artifact, model: new PolicyRanker(encoder, artifact.model) };
    case 'fix':
      return { family: 'fix', artifact, model: new FixClassifier(encoder, artifact.model) };
    case 'latency':
      return { family: 'latency', artifact, model: new LatencyRegressor(encoder, artifact.model) };
  }
}

/** Loads an artifact and checks it is of the expected family. */
export function loadArtifactOf<F extends ArtifactFamily>(family: F, json: unknown): Extract<LoadedArtifact, { family: F }> {
  const loaded = loadArtifact(json);
  if (loaded.family !== family) throw new Error(`expected a ${family} artifact, got a ${loaded.family} artifact`);
  return loaded as Extract<LoadedArtifact, { family: F }>;
}
