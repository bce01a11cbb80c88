/**
 * What every per-kind extractor receives: the manifest with its kind and the parts most of them
 * read, each already an object ({} when missing or of the wrong type).
 */
import type { ManifestFeatures } from './manifest-features';
import type { Obj } from './read-json';

export interface ManifestView {
  raw: Obj;
  kind: string;
  metadata: Obj;
  labels: Obj;
  annotations: Obj;
  spec: Obj;
}

/** Fills the features of one kind (or family of kinds) into a row that already holds every feature. */
export type KindExtractor = (f: ManifestFeatures, m: ManifestView) => void;
