/**
 * RFC 6902 JSON Patch and RFC 6901 JSON Pointer, pure: `applyPatch` returns a new document and
 * never changes its argument. Operations: add, remove, replace, move, copy, test. A failing
 * operation throws PatchError naming the operation's index and the pointer. `setOps` and `removeOp`
 * build the operations that set or remove one field.
 */
import { z } from 'zod';
import { isObject } from '../../lib/json';

export const patchOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('remove'), path: z.string() }),
  z.object({ op: z.literal('replace'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('move'), from: z.string(), path: z.string() }),
  z.object({ op: z.literal('copy'), from: z.string(), path: z.string() }),
  z.object({ op: z.literal('test'), path: z.string(), value: z.unknown() }),
]);
export type PatchOperation = z.infer<typeof patchOperationSchema>;
export const jsonPatchSchema = z.array(patchOperationSchema);
export type JsonPatch = z.infer<typeof jsonPatchSchema>;

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

/** "/a/b~1c/0" → ["a", "b/c", "0"]; "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer "${pointer}" must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

type Json = unknown;

function arrayIndex(token: string, length: number, forAdd: boolean, pointer: string): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchError(`"${token}" in ${pointer} is not an array index`);
  const index = Number(token);
  if (index > length || (!forAdd && index === length))
    throw new PatchError(`index ${index} in ${pointer} is out of bounds (length ${length})`);
  return index;
}

/** The value at a pointer, or undefined when a step does not exist. */
export function getAt(doc: Json, pointer: string | readonly string[]): Json {
  let node: Json = doc;
  for (const token of typeof pointer === 'string' ? parsePointer(pointer) : pointer) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (isObject(node)) {
      if (!Object.hasOwn(node, token)) return undefined;
      node = node[token];
    } else return undefined;
  }
  return node;
}

/**
 * The operations that set `tokens` to `value`: replace when it exists, else add the smallest
 * missing enclosing object (`securityContext: {readOnlyRootFilesystem: true}`). Empty when the
 * value is already there.
 */
export function setOps(doc: Json, tokens: readonly (string | number)[], value: Json): PatchOperation[] {
  const current = getAt(
    doc,
    tokens.map((t) => String(t)),
  );
  if (current !== undefined) {
    if (JSON.stringify(current) === JSON.stringify(value)) return [];
    return [{ op: 'replace', path: toPointer(tokens), value }];
  }
  // find the deepest existing ancestor
  let depth = tokens.length - 1;
  while (depth > 0 && !isObject(getAt(doc, tokens.slice(0, depth).map(String)))) depth -= 1;
  let nested: Json = value;
  for (let i = tokens.length - 1; i > depth; i--) nested = { [String(tokens[i])]: nested };
  const parent = getAt(doc, tokens.slice(0, depth).map(String));
  if (!isObject(parent)) return [];
  return [{ op: 'add', path: toPointer(tokens.slice(0, depth + 1)), value: nested }];
}

export const removeOp = (tokens: readonly (string | number)[]): PatchOperation => ({ op: 'remove', path: toPointer(tokens) });

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function parentOf(doc: Json, tokens: string[], pointer: string): { parent: Json; key: string } {
  if (tokens.length === 0) throw new PatchError(`${pointer}: the operation needs a parent`);
  const parent = getAt(doc, tokens.slice(0, -1));
  if (!Array.isArray(parent) && !isObject(parent)) throw new PatchError(`${pointer}: the parent does not exist or is not a container`);
  return { parent, key: tokens[tokens.length - 1] as string };
}

function addAt(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, pointer), 0, value);
  else (parent as Record<string, unknown>)[key] = value;
  return doc;
}

function removeAt(doc: Json, pointer: string): { doc: Json; removed: Json } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(key, parent.length, false, pointer), 1);
    return { doc, removed };
  }
  const record = parent as Record<string, unknown>;
  if (!Object.hasOwn(record, key)) throw new PatchError(`${pointer} does not exist`);
  const removed = record[key];
  delete record[key];
  return { doc, removed };
}

/** Applies the patch to a deep copy of `doc`; throws PatchError (with the operation's index) when one fails. */
export function applyPatch<T = Json>(doc: T, patch: readonly PatchOperation[]): T {
  let out: Json = structuredClone(doc);
  patch.forEach((op, index) => {
    try {
      switch (op.op) {
        case 'add':
          out = addAt(out, op.path, structuredClone(op.value));
          break;
        case 'remove':
          out = removeAt(out, op.path).doc;
          break;
        case 'replace': {
          if (op.path === '') {
            out = structuredClone(op.value);
            break;
          }
          if (getAt(out, op.path) === undefined) throw new PatchError(`${op.path} does not exist`);
          out = removeAt(out, op.path).doc;
          out = addAt(out, op.path, structuredClone(op.value));
          break;
        }
        case 'move': {
          if (op.path.startsWith(`${op.from}/`)) throw new PatchError(`cannot move ${op.from} into its own child ${op.path}`);
          const { removed } = removeAt(out, op.from);
          out = addAt(out, op.path, removed);
          break;
        }
        case 'copy': {
          const value = getAt(out, op.from);
          if (value === undefined) throw new PatchError(`${op.from} does not exist`);
          out = addAt(out, op.path, structuredClone(value));
          break;
        }
        case 'test':
          if (!deepEqual(getAt(out, op.path), op.value)) throw new PatchError(`test failed: ${op.path} is not ${JSON.stringify(op.value)}`);
          break;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new PatchError(`patch operation ${index} (${op.op} ${op.path}): ${message}`);
    }
  });
  return out as T;
}

/** Size of a patch for ranking: operations first, then the JSON length of the values. */
export function patchSize(patch: readonly PatchOperation[]): number {
  return patch.length * 1000 + JSON.stringify(patch).length;
}
