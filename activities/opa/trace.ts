/**
 * Renders the trace events `opa test -v --format json` attaches to failed tests (raw Go structs
 * with AST nodes) as short text lines, close to what `opa test -v` prints:
 *
 *   fail_test.rego:9 | | Fail 1 = 2
 *
 * Best effort: AST shapes it does not know are shown as compact JSON.
 */
import type { OpaTraceEvent } from './schemas';

const INFIX: Record<string, string> = {
  eq: '=',
  assign: ':=',
  equal: '==',
  neq: '!=',
  lt: '<',
  gt: '>',
  lte: '<=',
  gte: '>=',
  plus: '+',
  minus: '-',
  mul: '*',
  div: '/',
  rem: '%',
  and: '&',
  or: '|',
  'internal.member_2': 'in',
};

const MAX_NODE_CHARS = 300;

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compact(value: Json): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_NODE_CHARS ? `${text.slice(0, MAX_NODE_CHARS)}…` : text;
}

/** `data.a.b["x y"][i]` from a ref's terms. */
function renderRef(terms: Json[]): string {
  return terms
    .map((term, index) => {
      if (index === 0) return renderTerm(term);
      if (isRecord(term) && term.type === 'string' && typeof term.value === 'string' && /^[A-Za-z_]\w*$/.test(term.value)) {
        return `.${term.value}`;
      }
      return `[${renderTerm(term)}]`;
    })
    .join('');
}

/** The operator's name of a call or expression, e.g. `eq`, `internal.member_2`, `sprintf`. */
function operatorName(term: Json): string {
  return isRecord(term) && term.type === 'ref' && Array.isArray(term.value) ? renderRef(term.value) : renderTerm(term);
}

function renderCall(operator: Json, args: Json[]): string {
  const name = operatorName(operator);
  const infix = INFIX[name];
  if (infix && args.length === 2) return `${renderTerm(args[0])} ${infix} ${renderTerm(args[1])}`;
  if (name === 'internal.member_3' && args.length === 3) {
    return `${renderTerm(args[0])}, ${renderTerm(args[1])} in ${renderTerm(args[2])}`;
  }
  return `${name}(${args.map(renderTerm).join(', ')})`;
}

function renderBody(body: Json): string {
  return Array.isArray(body) ? body.map(renderExpr).join('; ') : compact(body);
}

/** A term `{type, value}` as Rego text. */
export function renderTerm(term: Json): string {
  if (!isRecord(term) || typeof term.type !== 'string') return compact(term);
  const { type, value } = term;
  switch (type) {
    case 'null':
      return 'null';
    case 'boolean':
    case 'number':
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'var':
      return String(value);
    case 'ref':
      return Array.isArray(value) ? renderRef(value) : compact(value);
    case 'array':
      return Array.isArray(value) ? `[${value.map(renderTerm).join(', ')}]` : compact(value);
    case 'set':
      return Array.isArray(value) ? (value.length ? `{${value.map(renderTerm).join(', ')}}` : 'set()') : compact(value);
    case 'object':
      return Array.isArray(value)
        ? `{${value.map((pair) => (Array.isArray(pair) ? `${renderTerm(pair[0])}: ${renderTerm(pair[1])}` : compact(pair))).join(', ')}}`
        : compact(value);
    case 'call':
      return Array.isArray(value) && value.length > 0 ? renderCall(value[0], value.slice(1)) : compact(value);
    case 'arraycomprehension':
      return isRecord(value) ? `[${renderTerm(value.term)} | ${renderBody(value.body)}]` : compact(value);
    case 'setcomprehension':
      return isRecord(value) ? `{${renderTerm(value.term)} | ${renderBody(value.body)}}` : compact(value);
    case 'objectcomprehension':
      return isRecord(value) ? `{${renderTerm(value.key)}: ${renderTerm(value.value)} | ${renderBody(value.body)}}` : compact(value);
    case 'every':
      return isRecord(value)
        ? `every ${[value.key, value.value]
            .filter((t) => t !== undefined && t !== null)
            .map(renderTerm)
            .join(', ')} in ${renderTerm(value.domain)} { ${renderBody(value.body)} }`
        : compact(value);
    default:
      return compact(value);
  }
}

/** An expression `{index, terms, negated?, with?}` as Rego text. */
export function renderExpr(expr: Json): string {
  if (!isRecord(expr)) return compact(expr);
  const { terms } = expr;
  let text: string;
  if (Array.isArray(terms) && terms.length > 0) {
    text = renderCall(terms[0], terms.slice(1));
  } else if (isRecord(terms) && Array.isArray(terms.symbols)) {
    text = `some ${terms.symbols.map(renderTerm).join(', ')}`;
  } else {
    text = renderTerm(terms);
  }
  if (expr.negated === true) text = `not ${text}`;
  if (Array.isArray(expr.with)) {
    for (const modifier of expr.with) {
      if (isRecord(modifier)) text += ` with ${renderTerm(modifier.target)} as ${renderTerm(modifier.value)}`;
    }
  }
  return text;
}

/** A trace node: a body (array of expressions), a rule, an expression or a term. */
export function renderNode(node: Json): string {
  if (node === undefined || node === null) return '';
  if (Array.isArray(node)) return renderBody(node);
  if (isRecord(node)) {
    if (isRecord(node.head)) {
      const head = node.head;
      const name = Array.isArray(head.ref) ? renderRef(head.ref) : String(head.name ?? '');
      return Array.isArray(head.args) ? `${name}(${head.args.map(renderTerm).join(', ')})` : name;
    }
    if ('terms' in node) return renderExpr(node);
    if (typeof node.type === 'string') return renderTerm(node);
  }
  return compact(node);
}

/**
 * One line per event: `file:row`, then one `| ` per nesting level, the operation and the node
 * (or the message of a Note). Nesting follows the query ids, as in OPA's own pretty trace.
 */
export function renderTrace(events: readonly OpaTraceEvent[]): string[] {
  const depths = new Map<number, number>();
  return events.map((event) => {
    const queryId = event.QueryID ?? 0;
    let depth = depths.get(queryId);
    if (depth === undefined) {
      const parent = event.ParentID === undefined || event.ParentID === queryId ? undefined : depths.get(event.ParentID);
      depth = parent === undefined ? 1 : parent + 1;
      depths.set(queryId, depth);
    }
    const location = event.Location ? `${event.Location.file || 'query'}:${event.Location.row}` : 'query';
    const what = event.Op === 'Note' && event.Message ? event.Message : renderNode(event.Node);
    return `${location} ${'| '.repeat(depth - 1)}${event.Op}${what ? ` ${what}` : ''}`;
  });
}
