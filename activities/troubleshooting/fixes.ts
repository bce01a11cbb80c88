/**
 * The manifest fixes the recommender searches: small edits, each an RFC 6902 patch, generated for
 * a concrete manifest from the catalogue (fix-catalogue.ts) — every container of every list, the
 * pod spec, metadata and each kind's own fields (fixes-by-kind.ts). Each candidate says which Rego
 * fields it touches (`reads`), so the search only tries the ones whose fields the target policy's
 * Rego reads, and which values a person must still supply (`placeholders`: a digest, an owner)
 * when it cannot know them. Pure.
 */

import { RESTRICTED_VOLUME_SOURCES } from '../../lib/k8s-pod-security';
import { parseQuantity } from '../../lib/quantity';
import {
  CONTAINER_SECURITY_FIXES,
  type Condition,
  DEFAULT_PROBE_PORT,
  DIGEST_PLACEHOLDER,
  type Edit,
  type FieldFix,
  type FixCandidate,
  IMAGE_MIRROR,
  INTERNAL_REGISTRIES,
  POD_SPEC_FIXES,
  PROBES,
  type Propose,
  RESOURCE_DEFAULTS,
} from './fix-catalogue';
import { kindFixes, metadataFixes } from './fixes-by-kind';
import { getAt, type PatchOperation, removeOp, setOps, toPointer } from './patch';
import { type ContainerRef, containersOf, isObject, type Json, podMetadataTokens, podSpecTokens, type Tokens } from './workload';

export type { FixCandidate, Propose } from './fix-catalogue';

/** Every fix the catalogue can propose for this manifest (before any guidance or verification). */
export function generateCandidates(manifest: Json): FixCandidate[] {
  const out: FixCandidate[] = [];
  const propose: Propose = (id, description, patch, reads, placeholders = []) => {
    if (patch.length > 0) out.push({ id, description, patch, reads, placeholders });
  };
  if (!isObject(manifest)) return out;
  const name = String((manifest.metadata as Record<string, unknown> | undefined)?.name ?? 'app');
  for (const c of containersOf(manifest)) containerFixes(manifest, c, name, propose);
  podFixes(manifest, name, propose);
  metadataFixes(manifest, name, propose);
  kindFixes(manifest, name, propose);
  return out;
}

// ---- catalogue field fixes --------------------------------------------------------------------

function holds(base: Json, condition: Condition): boolean {
  const value = getAt(base, condition.path);
  switch (condition.is) {
    case 'present':
      return value !== undefined;
    case 'enabled':
      return value !== undefined && value !== false;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value) && (!('includes' in condition) || value.includes(condition.includes));
  }
}

/** The items of a keepOnly edit's list that stay. */
function keptItems(base: Json, edit: Edit): unknown[] {
  const list = getAt(base, edit.field);
  return 'keepOnly' in edit && Array.isArray(list) ? list.filter((item) => edit.keepOnly.includes(item as string)) : [];
}

/** The operations of one edit of the object at `at` (`base` is its value). */
function editOps(manifest: Json, base: Json, at: Tokens, edit: Edit): PatchOperation[] {
  if (edit.when && !edit.when.some((condition) => holds(base, condition))) return [];
  const tokens = [...at, ...edit.field];
  if ('set' in edit) return setOps(manifest, tokens, edit.set);
  if ('remove' in edit) return [removeOp(tokens)];
  const keep = keptItems(base, edit);
  return keep.length ? [{ op: 'replace', path: toPointer(tokens), value: keep }] : [removeOp(tokens)];
}

/** Proposes the catalogue's field fixes for the container or pod spec at `at`; `label` names each one. */
function proposeFieldFixes(
  manifest: Json,
  at: Tokens,
  fixes: readonly FieldFix[],
  label: (fix: FieldFix) => [id: string, text: string],
  propose: Propose,
) {
  const base = getAt(manifest, at.map(String));
  for (const fix of fixes) {
    const [id, text] = label(fix);
    // a fix that keeps some list items says which
    const kept = [...new Set(fix.edits.flatMap((edit) => keptItems(base, edit)))];
    const patch = fix.edits.flatMap((edit) => editOps(manifest, base, at, edit));
    propose(id, kept.length ? `${text} other than ${kept.join(', ')}` : text, patch, fix.reads);
  }
}

// ---- containers -------------------------------------------------------------------------------

function containerFixes(manifest: Json, c: ContainerRef, name: string, propose: Propose) {
  const at = toPointer(c.tokens);
  const where = `container "${String(c.container.name ?? c.index)}" (${c.list})`;
  proposeFieldFixes(manifest, c.tokens, CONTAINER_SECURITY_FIXES, (fix) => [`container.${fix.id}@${at}`, `${where}: ${fix.text}`], propose);
  const ports = c.container.ports;
  if (Array.isArray(ports)) {
    const ops = ports.flatMap((p, i) => (isObject(p) && p.hostPort !== undefined ? [removeOp([...c.tokens, 'ports', i, 'hostPort'])] : []));
    propose(`container.hostPort@${at}`, `${where}: remove hostPort from its ports`, ops, ['hostPort', 'ports']);
  }
  // resources (ephemeral containers cannot have them)
  if (c.list !== 'ephemeralContainers') resourceFixes(manifest, c, at, where, propose);
  // probes (containers of long-running kinds)
  if (c.list === 'containers') {
    const port =
      Array.isArray(ports) && isObject(ports[0]) && ports[0].containerPort !== undefined ? ports[0].containerPort : DEFAULT_PROBE_PORT;
    for (const probe of PROBES) {
      if (c.container[probe] !== undefined && c.container[probe] !== null) continue;
      propose(
        `container.${probe}@${at}`,
        `${where}: add a ${probe} (TCP check on port ${String(port)})`,
        setOps(manifest, [...c.tokens, probe], { tcpSocket: { port }, periodSeconds: 10 }),
        [probe],
      );
    }
  }
  imageFixes(c, at, where, propose);
  envFixes(c, at, where, name, propose);
}

function resourceFixes(manifest: Json, c: ContainerRef, at: string, where: string, propose: Propose) {
  const res = isObject(c.container.resources) ? c.container.resources : {};
  for (const kindOf of ['requests', 'limits'] as const) {
    for (const resource of Object.keys(RESOURCE_DEFAULTS)) {
      const defaults = RESOURCE_DEFAULTS[resource] as { request: string; limit: string };
      const current = isObject(res[kindOf]) ? (res[kindOf] as Record<string, unknown>)[resource] : undefined;
      if (current !== undefined && current !== null && current !== '') continue;
      let value = kindOf === 'requests' ? defaults.request : defaults.limit;
      // a new limit never below the request, a new request never above the limit
      const other = isObject(res[kindOf === 'requests' ? 'limits' : 'requests'])
        ? (res[kindOf === 'requests' ? 'limits' : 'requests'] as Record<string, unknown>)[resource]
        : undefined;
      if (other !== undefined && other !== null && other !== '') value = String(other);
      propose(
        `container.${kindOf}.${resource}@${at}`,
        `${where}: set resources.${kindOf}.${resource}=${value}`,
        setOps(manifest, [...c.tokens, 'resources', kindOf, resource], value),
        ['resources', kindOf, resource, resource === 'ephemeral-storage' ? 'ephemeral_storage' : resource],
      );
    }
  }
  // limit/request ratio: bring the limit down to twice the request
  const req = isObject(res.requests) ? res.requests : {};
  const lim = isObject(res.limits) ? res.limits : {};
  for (const resource of ['cpu', 'memory']) {
    const r = parseQuantity(req[resource]);
    const l = parseQuantity(lim[resource]);
    if (r !== undefined && l !== undefined && l > 2 * r) {
      propose(
        `container.ratio.${resource}@${at}`,
        `${where}: lower resources.limits.${resource} to the request (${String(req[resource])})`,
        [{ op: 'replace', path: toPointer([...c.tokens, 'resources', 'limits', resource]), value: req[resource] }],
        ['limits', 'requests', resource, 'ratio'],
      );
    }
  }
}

function imageFixes(c: ContainerRef, at: string, where: string, propose: Propose) {
  const image = c.container.image;
  if (typeof image !== 'string') return;
  const replaceImage = (value: string): PatchOperation[] => [{ op: 'replace', path: toPointer([...c.tokens, 'image']), value }];
  const [base = '', digest] = image.split('@');
  const lastSegment = base.split('/').pop() ?? '';
  const hasTag = lastSegment.includes(':');
  const tag = hasTag ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  if (!digest || !/^[A-Za-z0-9]+:[A-Fa-f0-9]{32,}$/.test(digest)) {
    propose(
      `container.pinDigest@${at}`,
      `${where}: pin the image by digest (${base}@sha256:<digest of the approved build>)`,
      replaceImage(`${base}@${DIGEST_PLACEHOLDER}`),
      ['image', 'digest'],
      ['image digest (sha256 of the approved build)'],
    );
  }
  if (!hasTag || tag === 'latest') {
    const untagged = hasTag ? base.slice(0, base.lastIndexOf(':')) : base;
    propose(
      `container.versionTag@${at}`,
      `${where}: use a version tag instead of ${hasTag ? '"latest"' : 'no tag'} (${untagged}:<version>)`,
      replaceImage(`${untagged}:1.0.0${digest ? `@${digest}` : ''}`),
      ['image', 'tag', 'latest'],
      ['image version tag'],
    );
  }
  if (!INTERNAL_REGISTRIES.test(image)) {
    const path = base.replace(/^[^/]*\.[^/]*\//, '').replace(/^docker\.io\//, '');
    propose(
      `container.mirrorImage@${at}`,
      `${where}: pull the image through the internal mirror (${IMAGE_MIRROR}/${path})`,
      replaceImage(`${IMAGE_MIRROR}/${path}${digest ? `@${digest}` : ''}`),
      ['image', 'registries', 'registry'],
      [`the image mirrored to ${IMAGE_MIRROR}`],
    );
  }
}

/** Literal values in env that belong in a Secret. */
function envFixes(c: ContainerRef, at: string, where: string, name: string, propose: Propose) {
  const env = c.container.env;
  if (!Array.isArray(env)) return;
  env.forEach((variable, i) => {
    if (!isObject(variable) || variable.value === undefined) return;
    const key = String(variable.name ?? `var-${i}`)
      .toLowerCase()
      .replace(/_/g, '-');
    propose(
      `container.envFromSecret.${i}@${at}`,
      `${where}: take env ${String(variable.name)} from Secret "${name}-secrets" (key "${key}") instead of a literal`,
      [
        { op: 'remove', path: toPointer([...c.tokens, 'env', i, 'value']) },
        { op: 'add', path: toPointer([...c.tokens, 'env', i, 'valueFrom']), value: { secretKeyRef: { name: `${name}-secrets`, key } } },
      ],
      ['env', 'value', 'valueFrom'],
      [`a Secret "${name}-secrets" with key "${key}"`],
    );
  });
}

// ---- pod spec ---------------------------------------------------------------------------------

function podFixes(manifest: Json, name: string, propose: Propose) {
  const specTokens = podSpecTokens(manifest);
  const podSpec = specTokens ? getAt(manifest, specTokens.map(String)) : undefined;
  if (!specTokens || !isObject(podSpec)) return;
  const at = toPointer(specTokens);
  proposeFieldFixes(manifest, specTokens, POD_SPEC_FIXES, (fix) => [`pod.${fix.id}@${at}`, fix.text], propose);
  if (podSpec.serviceAccountName === undefined || podSpec.serviceAccountName === 'default' || podSpec.serviceAccountName === '') {
    propose(
      `pod.serviceAccount@${at}`,
      `run as a dedicated service account "${name}"`,
      setOps(manifest, [...specTokens, 'serviceAccountName'], name),
      ['serviceAccountName', 'serviceAccount'],
      [`a ServiceAccount "${name}"`],
    );
  }
  const volumes = podSpec.volumes;
  if (Array.isArray(volumes)) {
    const allowed = new Set(['name', ...RESTRICTED_VOLUME_SOURCES]);
    volumes.forEach((volume, i) => {
      if (!isObject(volume)) return;
      const bad = Object.keys(volume).filter((k) => !allowed.has(k));
      if (bad.length === 0) return;
      propose(
        `pod.volume.${i}@${at}`,
        `replace volume "${String(volume.name)}" (${bad.join(', ')}) by an emptyDir`,
        [{ op: 'replace', path: toPointer([...specTokens, 'volumes', i]), value: { name: volume.name, emptyDir: {} } }],
        ['volumes', 'hostPath', ...bad],
      );
    });
  }
  const podMeta = podMetadataTokens(manifest);
  const podAnnotations = podMeta ? getAt(manifest, [...podMeta, 'annotations'].map(String)) : undefined;
  if (podMeta && isObject(podAnnotations)) {
    const ops = Object.keys(podAnnotations)
      .filter((k) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && podAnnotations[k] !== 'runtime/default')
      .map((k) => ({ op: 'replace' as const, path: toPointer([...podMeta, 'annotations', k]), value: 'runtime/default' }));
    propose(`pod.appArmorAnnotations@${at}`, 'use runtime/default in the AppArmor annotations', ops, ['annotations', 'apparmor']);
  }
}
