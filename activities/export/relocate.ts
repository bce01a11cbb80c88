/**
 * Moves a corpus module under Gatekeeper's `lib` prefix without rewriting its text by pattern: the
 * places to change come from the module's AST (`opa parse --json-include locations`), and only
 * there is `lib.` inserted —
 *
 *   package kpc.lib.k8s            →  package lib.kpc.lib.k8s
 *   import data.kpc.lib.k8s        →  import data.lib.kpc.lib.k8s
 *   data.kpc.params[policy][key]   →  data.lib.kpc.params[policy][key]
 *   data.kpc.admission.old_object  →  data.lib.kpc.admission.old_object
 *
 * Gatekeeper requires library packages under `lib.` and allows no `data` reference outside
 * `data.lib` and `data.inventory`; the template's entry module supplies data.lib.kpc.params and
 * data.lib.kpc.admission with `with` (gatekeeper.ts). Strings and comments are never touched. A
 * location whose text is not the expected `kpc` (e.g. `data["kpc"]`) is an error naming file:row:col.
 */
import { isObject } from '../../lib/json';

/** The top-level data document the corpus owns; everything under it moves to data.lib.<ROOT>. */
export const CORPUS_ROOT = 'kpc';
export const GATEKEEPER_LIB_PREFIX = 'lib';

export class RelocateError extends Error {
  override name = 'RelocateError';
}

interface Location {
  row: number;
  col: number;
  text?: string;
}

function locationOf(term: unknown): Location | undefined {
  if (!isObject(term) || !isObject(term.location)) return undefined;
  const { row, col, text } = term.location as Record<string, unknown>;
  if (typeof row !== 'number' || typeof col !== 'number') return undefined;
  return { row, col, ...(typeof text === 'string' ? { text } : {}) };
}

const isVar = (term: unknown, name: string) => isObject(term) && term.type === 'var' && term.value === name;
const isString = (term: unknown, value: string) => isObject(term) && term.type === 'string' && term.value === value;

/** Every place (the `kpc` element of a package path or of a data reference) where `lib.` goes in. */
export function relocationPoints(ast: unknown): Location[] {
  const points: Location[] = [];
  const pkg = isObject(ast) && isObject(ast.package) ? ast.package : undefined;
  const path = Array.isArray(pkg?.path) ? pkg.path : [];
  if (isString(path[1], CORPUS_ROOT)) {
    const at = locationOf(path[1]);
    if (at) points.push(at);
  }
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (!isObject(node)) return;
    if (node.type === 'ref' && Array.isArray(node.value) && isVar(node.value[0], 'data') && isString(node.value[1], CORPUS_ROOT)) {
      const at = locationOf(node.value[1]);
      if (at) points.push(at);
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'location' && key !== 'package') walk(child);
  };
  walk(isObject(ast) ? { imports: ast.imports, rules: ast.rules } : undefined);
  const seen = new Set<string>();
  return points.filter((p) => {
    const key = `${p.row}:${p.col}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The module's text with `lib.` inserted at every relocation point (columns are byte offsets, as OPA counts them). */
export function relocateModule(source: string, ast: unknown, file: string): string {
  const lines = source.split('\n').map((line) => Buffer.from(line, 'utf8'));
  const points = relocationPoints(ast).sort((a, b) => b.row - a.row || b.col - a.col);
  for (const point of points) {
    const line = lines[point.row - 1];
    const offset = point.col - 1;
    const where = `${file}:${point.row}:${point.col}`;
    if (!line || line.subarray(offset, offset + CORPUS_ROOT.length).toString('utf8') !== CORPUS_ROOT)
      throw new RelocateError(`${where}: expected "${CORPUS_ROOT}" at the location OPA reported`);
    if (point.text !== undefined && Buffer.from(point.text, 'base64').toString('utf8') !== CORPUS_ROOT)
      throw new RelocateError(
        `${where}: the reference is not written as ${CORPUS_ROOT}.… (e.g. data["${CORPUS_ROOT}"]); cannot move it under ${GATEKEEPER_LIB_PREFIX}`,
      );
    if (line[offset - 1] !== '.'.charCodeAt(0) && line[offset - 1] !== ' '.charCodeAt(0))
      throw new RelocateError(`${where}: unexpected text before "${CORPUS_ROOT}"`);
    lines[point.row - 1] = Buffer.concat([line.subarray(0, offset), Buffer.from(`${GATEKEEPER_LIB_PREFIX}.`), line.subarray(offset)]);
  }
  return lines.map((line) => line.toString('utf8')).join('\n');
}
