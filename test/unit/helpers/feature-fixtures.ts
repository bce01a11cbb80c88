/**
 * The fixtures of datasets/fixtures with their manifest features, and readers of a feature row,
 * shared by the feature tests.
 */
import { extractManifestFeatures, type ManifestFeatures } from '../../../activities/features';
import { loadNegativeFixtures, loadPositiveFixtures } from '../../../datasets/load';

export const positives = loadPositiveFixtures().map((f) => ({
  name: f.name,
  manifest: f.manifest,
  x: extractManifestFeatures(f.manifest),
}));
export const negatives = loadNegativeFixtures().map((f) => ({
  name: f.name,
  manifest: f.manifest,
  deny: f.expected.deny,
  x: extractManifestFeatures(f.manifest),
}));

export const value = (row: ManifestFeatures, name: string): number => {
  const v = row[name];
  if (typeof v !== 'number') throw new Error(`${name} is not numeric: ${String(v)}`);
  return v;
};
export const anyPositive = (row: ManifestFeatures, names: readonly string[]) => names.some((name) => value(row, name) > 0);
