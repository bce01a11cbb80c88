/**
 * The limits on what a user may hand the platform, the same for the CLI and the API: how big one
 * input text may be, how deep a value may nest, how long one array or mapping may be, how many
 * documents one input may hold. Kubernetes itself stores an object of at most 1.5 MiB (etcd's
 * request limit) and a ConfigMap of at most 1 MiB, so the limits leave room for real manifests
 * and refuse the rest early, with the place of the problem:
 *
 * - `checkTextSize` / `checkFileSize`: before anything is parsed (a file is checked before it is read);
 * - `checkYamlDocument`: a composed YAML document, before it becomes a JavaScript value (line and
 *   path of the node; duplicate keys are found here in linear time);
 * - `checkValue`: a JavaScript value (a JSON request body, a YAML document after alias expansion):
 *   depth, lengths, recursive aliases, `__proto__` keys; JSON path of the problem.
 *
 * Each check returns the problem or undefined; the caller turns it into its own error (a 413 with
 * the JSON path in the API, a `file:line` error and exit code 2 in the CLI).
 */
import { statSync } from 'node:fs';
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';

export const INPUT_LIMITS = {
  /** one input text: a manifest file or field, a Rego file, a CI log, a document */
  textBytes: 4 * 1024 * 1024,
  /** nesting levels of one value (a Kubernetes object rarely has 20; a CRD schema 40) */
  depth: 64,
  /** items of one array, entries of one mapping */
  collectionLength: 10_000,
  /** documents (objects) in one input */
  documents: 1_000,
  /** alias expansions one YAML document may make (yaml's maxAliasCount) */
  aliases: 100,
} as const;

export type InputLimits = typeof INPUT_LIMITS;

export interface LimitProblem {
  /** JSON-path-like place inside the value: "" (the whole), ".spec.containers[3]" */
  path: string;
  message: string;
  /** size: too big or too long (HTTP 413); shape: too deep, recursive, a forbidden key (HTTP 400) */
  kind: 'size' | 'shape';
  /** offset in the text (YAML documents only) */
  offset?: number;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function describeTextLimit(bytes: number, limits: InputLimits = INPUT_LIMITS): string {
  return `the input is ${mib(bytes)}, larger than the ${mib(limits.textBytes)} limit on one input`;
}

/** A text larger than the limit (UTF-8 bytes). */
export function checkTextSize(text: string, limits: InputLimits = INPUT_LIMITS): LimitProblem | undefined {
  // a character is at most 3 UTF-8 bytes in a JS string (4 for a surrogate pair of 2): count only when it could matter
  if (text.length * 3 <= limits.textBytes) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limits.textBytes ? { path: '', message: describeTextLimit(bytes, limits), kind: 'size' } : undefined;
}

/** A file larger than the limit, before it is read; a missing file is not this check's business. */
export function checkFileSize(path: string, limits: InputLimits = INPUT_LIMITS): LimitProblem | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile() || stat.size <= limits.textBytes) return undefined;
  return { path: '', message: describeTextLimit(stat.size, limits), kind: 'size' };
}

const segment = (key: string | number) =>
  typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;

interface Frame {
  parent: Frame | undefined;
  key: string | number | undefined;
  depth: number;
}

function pathOf(frame: Frame | undefined): string {
  const parts: string[] = [];
  for (let f = frame; f?.key !== undefined; f = f.parent) parts.push(segment(f.key));
  const full = parts.reverse();
  // a path 10,000 levels deep says nothing more than its start and its length
  return full.length > 12 ? `${full.slice(0, 8).join('')}…(${full.length} levels)` : full.join('');
}

const tooDeep = (limits: InputLimits) => `nested deeper than ${limits.depth} levels`;
const tooLong = (n: number, what: string, limits: InputLimits) =>
  `${n} ${what}, more than the ${limits.collectionLength} allowed in one ${what === 'items' ? 'array' : 'mapping'}`;

/**
 * A composed YAML document over the limits: depth, sequence and mapping lengths, and duplicate
 * keys (a mapping key given twice is an error, as for the Kubernetes API server).
 */
export function checkYamlDocument(doc: Document, limits: InputLimits = INPUT_LIMITS): LimitProblem | undefined {
  const stack: { node: unknown; frame: Frame }[] = [{ node: doc.contents, frame: { parent: undefined, key: undefined, depth: 0 } }];
  while (stack.length > 0) {
    const { node, frame } = stack.pop() as { node: unknown; frame: Frame };
    if (!isMap(node) && !isSeq(node)) continue;
    const depth = frame.depth + 1;
    const offset = (node as Node).range?.[0];
    const at = offset === undefined ? {} : { offset };
    if (depth > limits.depth) return { path: pathOf(frame), message: tooDeep(limits), kind: 'shape', ...at };
    const items = node.items as unknown[];
    if (items.length > limits.collectionLength)
      return {
        path: pathOf(frame),
        message: tooLong(items.length, isSeq(node) ? 'items' : 'keys', limits),
        kind: 'size',
        ...at,
      };
    if (isSeq(node)) {
      items.forEach((item, index) => {
        if (!isAlias(item)) stack.push({ node: item, frame: { parent: frame, key: index, depth } });
      });
      continue;
    }
    const seen = new Set<string>();
    for (const pair of items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : pair.key === null ? '' : String(pair.key);
      if (seen.has(key)) {
        const at = (pair.key as Node | null)?.range?.[0];
        return {
          path: pathOf({ parent: frame, key, depth }),
          message: `the key "${key.slice(0, 100)}" appears twice in one mapping`,
          kind: 'shape',
          ...(at === undefined ? {} : { offset: at }),
        };
      }
      seen.add(key);
      if (pair.value && !isAlias(pair.value)) stack.push({ node: pair.value, frame: { parent: frame, key, depth } });
    }
  }
  return undefined;
}

/**
 * A JavaScript value over the limits (depth, lengths, strings longer than an input text or holding
 * a NUL character), holding
 * itself (a recursive YAML alias), or with a `__proto__` or `constructor.prototype` key (prototype
 * pollution). Walks iteratively: no depth overflows the stack.
 */
export function checkValue(value: unknown, limits: InputLimits = INPUT_LIMITS): LimitProblem | undefined {
  type Step = { value: object; frame: Frame; exit: boolean };
  const onPath = new Set<object>();
  const stack: Step[] = [];
  let found: LimitProblem | undefined;
  const push = (child: unknown, frame: Frame) => {
    if (typeof child === 'string') {
      const big = checkTextSize(child, limits);
      if (big && !found) found = { ...big, path: pathOf(frame) };
      if (!found && child.includes('\u0000'))
        found = { path: pathOf(frame), message: 'a NUL character: binary data, not text', kind: 'shape' };
    } else if (typeof child === 'object' && child !== null) stack.push({ value: child, frame, exit: false });
  };
  push(value, { parent: undefined, key: undefined, depth: 0 });
  while (stack.length > 0 && !found) {
    const step = stack.pop() as Step;
    if (step.exit) {
      onPath.delete(step.value);
      continue;
    }
    const { value: node, frame } = step;
    if (onPath.has(node)) return { path: pathOf(frame), message: 'the value contains itself (a recursive alias)', kind: 'shape' };
    const depth = frame.depth + 1;
    if (depth > limits.depth) return { path: pathOf(frame), message: tooDeep(limits), kind: 'shape' };
    const isArray = Array.isArray(node);
    const keys = isArray ? undefined : Object.keys(node);
    const length = isArray ? node.length : (keys as string[]).length;
    if (length > limits.collectionLength)
      return { path: pathOf(frame), message: tooLong(length, isArray ? 'items' : 'keys', limits), kind: 'size' };
    onPath.add(node);
    stack.push({ value: node, frame, exit: true });
    if (isArray) {
      for (let i = node.length - 1; i >= 0; i--) push(node[i], { parent: frame, key: i, depth });
      continue;
    }
    for (const key of keys as string[]) {
      const child = (node as Record<string, unknown>)[key];
      const polluting =
        key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && 'prototype' in child);
      if (polluting) return { path: pathOf({ parent: frame, key, depth }), message: `the key "${key}" is not allowed here`, kind: 'shape' };
      push(child, { parent: frame, key, depth });
    }
  }
  return found;
}

/** yaml's message for a document nested so deep that composing it overflowed the stack, made readable. */
export function describeYamlProblem(message: string, limits: InputLimits = INPUT_LIMITS): string {
  const first = message.split('\n')[0] ?? message;
  if (/Maximum call stack size exceeded/.test(first)) return `${tooDeep(limits)} (the document could not be read)`;
  if (/Excessive alias count/i.test(first)) return `${first} (more than ${limits.aliases} alias expansions: an alias bomb?)`;
  return first;
}
