/**
 * Image references: tag, digest, registry and whether the registry is allowed, as the image
 * policies of the corpus read them; and the image features of a pod's containers.
 */
import { type ManifestFeatures, NONE } from './manifest-features';
import type { PodView } from './manifest-pod';
import { str } from './read-json';

/** Registries images may come from (the default of image-allowed-registries). */
export const ALLOWED_REGISTRIES = ['registry.internal.example/', 'mirror.internal.example/'] as const;

const DIGEST = /@[A-Za-z0-9]+([+._-][A-Za-z0-9]+)*:[A-Fa-f0-9]{32,}$/;
const SHA256_PINNED = /^[^@]+@sha256:[a-f0-9]{64}$/;
const TAG = /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function lastSegment(image: string): string {
  const name = image.split('@')[0] ?? '';
  const segments = name.split('/');
  return segments[segments.length - 1] ?? '';
}

function imageTag(image: string): string | undefined {
  const last = lastSegment(image);
  const i = last.indexOf(':');
  return i >= 0 ? last.slice(i + 1) : undefined;
}

/** The registry host of an image reference ("docker.io" for short names). */
export function imageRegistry(image: string): string {
  const segments = image.split('/');
  const host = segments[0] ?? '';
  if (segments.length > 1 && (host.includes('.') || host.includes(':') || host === 'localhost')) return host;
  return 'docker.io';
}

function imageAllowed(image: string): boolean {
  const registry = imageRegistry(image);
  let ref = image;
  if (registry === 'docker.io' && !image.startsWith('docker.io/'))
    ref = image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
  return ALLOWED_REGISTRIES.some((prefix) => ref.startsWith(prefix));
}

/** Tags, digests and registries of the images of every container ("" when a container names none). */
export function extractImages(f: ManifestFeatures, pod: PodView): void {
  let untagged = 0;
  let latest = 0;
  let unpinned = 0;
  let notAllowed = 0;
  const registries = new Set<string>();
  let first: string | undefined;
  for (const { container } of pod.containers) {
    const image = str(container.image) ?? '';
    const registry = imageRegistry(image);
    registries.add(registry);
    first ??= registry;
    const digest = DIGEST.test(image);
    if (!digest && !TAG.test(lastSegment(image))) untagged++;
    // pinned means a sha256 digest, as image-digest-pinned and image-no-latest-tag agree
    if (!SHA256_PINNED.test(image) && imageTag(image) === 'latest') latest++;
    if (!SHA256_PINNED.test(image)) unpinned++;
    if (!imageAllowed(image)) notAllowed++;
  }
  f.image_untagged_count = untagged;
  f.image_latest_count = latest;
  f.image_unpinned_count = unpinned;
  f.image_registry_not_allowed_count = notAllowed;
  f.distinct_registries = registries.size;
  f.image_registry = first ?? NONE;
}
