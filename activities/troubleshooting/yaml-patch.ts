/**
 * Applies an RFC 6902 patch to a YAML Document (the `yaml` package's Document API) so the file
 * keeps its comments, key order and formatting everywhere the patch does not touch. Supported:
 * add, remove, replace (what the fix recommender produces); test/move/copy are refused.
 */
import { type Document, isMap, isSeq, type Node } from 'yaml';
import { type JsonPatch, PatchError, parsePointer } from './patch';

function pathOf(pointer: string): (string | number)[] {
  return parsePointer(pointer).map((t) => (/^(0|[1-9]\d*)$/.test(t) ? Number(t) : t));
}

export function applyPatchToDocument(doc: Document, patch: JsonPatch): void {
  patch.forEach((op, index) => {
    const fail = (message: string): never => {
      throw new PatchError(`patch operation ${index} (${op.op} ${op.path}): ${message}`);
    };
    const path = pathOf(op.path);
    if (path.length === 0) fail('cannot replace the whole document');
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1] as string | number;
    const parent = (parentPath.length ? doc.getIn(parentPath, true) : doc.contents) as Node | undefined;
    switch (op.op) {
      case 'add': {
        const node = doc.createNode(op.value);
        if (isSeq(parent)) {
          const at = parsePointer(op.path).at(-1) === '-' ? parent.items.length : Number(last);
          if (!Number.isInteger(at) || at > parent.items.length) fail('index out of bounds');
          parent.items.splice(at, 0, node);
        } else if (isMap(parent)) {
          parent.set(String(last), node);
        } else fail('the parent does not exist');
        break;
      }
      case 'replace': {
        if (!doc.hasIn(path)) fail('the target does not exist');
        doc.setIn(path, doc.createNode(op.value));
        break;
      }
      case 'remove': {
        if (!doc.hasIn(path)) fail('the target does not exist');
        doc.deleteIn(path);
        break;
      }
      default:
        fail(`${op.op} is not supported on YAML documents`);
    }
  });
}

/** toString options that follow the source's own style (block sequences indented or not, flow padding). */
export function styleOf(source: string): { indentSeq: boolean; flowCollectionPadding: boolean } {
  const flat = /^( *)[^\s#-][^:\n]*:\s*\n\1- /m.test(source);
  const indented = /^( *)[^\s#-][^:\n]*:\s*\n\1 {2}- /m.test(source);
  return { indentSeq: indented || !flat, flowCollectionPadding: !/\{[^ }\n]/.test(source) };
}
