/**
 * Malformed manifests, replayed through `pac analyze` / `pac troubleshoot` and POST /v1/analyze /
 * POST /v1/troubleshoot: YAML bombs and aliases, deep nesting, wrong kinds, huge arrays, binary
 * data and invalid UTF-8, and bodies of 10 MB. Each must be refused with the line (file:line for
 * the CLI, body.manifests:line for the API) or the JSON path of the problem.
 */
import { type BadInputCase, type Category, MIB } from './types';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `name.yaml:LINE` (any line when not given) in the CLI's output. */
export const fileLine = (file: string, line?: number) => new RegExp(`${escapeRegExp(file)}:${line ?? '\\d+'}\\b`);

type Command = 'analyze' | 'troubleshoot' | 'autofix';
const API_OF: Record<Command, { path: string; field: string }> = {
  analyze: { path: '/v1/analyze', field: 'manifests' },
  troubleshoot: { path: '/v1/troubleshoot', field: 'manifest' },
  autofix: { path: '/v1/autofix', field: 'manifest' },
};

interface ManifestOptions {
  /** the line the problem is reported at (any line when absent) */
  line?: number;
  /** also part of the message */
  message?: RegExp;
  commands?: Command[];
  apiStatus?: number[];
  /** the file's extension (yaml) */
  ext?: string;
  maxMs?: number;
}

/** One case per command: the same bad text through the CLI and through the API. */
export function manifestCases(category: Category, name: string, what: string, text: string, options: ManifestOptions = {}): BadInputCase[] {
  return (options.commands ?? ['analyze', 'troubleshoot']).map((command) => {
    const file = `${name}.${options.ext ?? 'yaml'}`;
    const { path, field } = API_OF[command];
    const line = options.line === undefined ? '\\d+' : String(options.line);
    return {
      id: `${category}/${name}/${command}`,
      category,
      kind: 'malformed',
      what,
      cli: {
        file: { name: file, content: text },
        args: (f) => [command, f],
        exit: [2],
        shows: fileLine(file, options.line),
        ...(options.maxMs ? { maxMs: options.maxMs } : {}),
      },
      api: {
        call: { method: 'POST', path, token: command === 'autofix' ? 'proposer' : 'reader', body: { [field]: text } },
        status: options.apiStatus ?? [400],
        shows: new RegExp(`body\\.${field}:${line}:${options.message ? `[^;]*${options.message.source}` : ''}`),
        ...(options.maxMs ? { maxMs: options.maxMs } : {}),
      },
    } satisfies BadInputCase;
  });
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n';

/** Billion laughs: `width` aliases of the level below, `depth` levels. */
function laughs(depth: number, width: number, flow = true): string {
  const lines = [POD.trim(), 'data:', '  l0: &l0 "lol"'];
  for (let d = 1; d <= depth; d++) {
    const refs = Array.from({ length: width }, () => `*l${d - 1}`);
    lines.push(flow ? `  l${d}: &l${d} [${refs.join(', ')}]` : `  l${d}: &l${d}\n${refs.map((r) => `    - ${r}`).join('\n')}`);
  }
  return `${lines.join('\n')}\n`;
}

function yamlBombs(): BadInputCase[] {
  const out: BadInputCase[] = [];
  const alias = /alias/i;
  for (const [depth, width] of [
    [9, 9],
    [6, 10],
    [20, 2],
    [30, 2],
    [4, 50],
  ] as const)
    out.push(
      ...manifestCases('yaml-bomb', `laughs-${depth}x${width}`, `billion laughs, ${width}^${depth} expansions`, laughs(depth, width), {
        line: 1,
        message: alias,
      }),
    );
  out.push(
    ...manifestCases('yaml-bomb', 'laughs-block', 'billion laughs in block style', laughs(8, 8, false), { line: 1, message: alias }),
  );
  out.push(
    ...manifestCases(
      'yaml-bomb',
      'merge-keys',
      'merge keys (<<) that expand a bomb into every mapping',
      `${POD}spec: &s\n  a: &a {x: 1, y: 2}\n  b: &b {<<: [*a, *a, *a, *a], c: [*a, *a, *a, *a]}\n  c: &c {k: [*b, *b, *b, *b, *b, *b]}\n  d: &d {k: [*c, *c, *c, *c, *c, *c]}\n  e: [*d, *d, *d, *d, *d, *d, *d, *d]\n`,
      { line: 1, message: alias },
    ),
  );
  out.push(
    ...manifestCases('yaml-bomb', 'self-reference', 'an alias inside its own anchor (a cycle)', `${POD}spec: &a\n  containers: [*a]\n`, {
      line: 1,
      message: /contains itself/,
    }),
  );
  out.push(
    ...manifestCases(
      'yaml-bomb',
      'second-document',
      'a bomb in the second document: the line of that document',
      `${POD}---\n${laughs(9, 9)}`,
      { line: 6, message: alias, commands: ['troubleshoot'] },
    ),
  );
  out.push(
    ...manifestCases(
      'yaml-bomb',
      'alias-keys',
      'aliases used as mapping keys of a growing structure',
      `${POD}k0: &k0 [a, b, c, d, e, f, g, h]\nk1: &k1 {${Array.from({ length: 12 }, (_, i) => `x${i}: *k0`).join(', ')}}\nk2: &k2 {${Array.from({ length: 12 }, (_, i) => `y${i}: *k1`).join(', ')}}\nk3: {${Array.from({ length: 12 }, (_, i) => `z${i}: *k2`).join(', ')}}\n`,
      { line: 1, message: alias },
    ),
  );
  out.push(
    ...manifestCases(
      'yaml-bomb',
      'list-items',
      'a bomb inside the items of a kind: List',
      `apiVersion: v1\nkind: List\nitems:\n- ${laughs(7, 9).split('\n').join('\n  ')}`,
      {
        line: 1,
        message: alias,
      },
    ),
  );
  return out;
}

function deepNesting(): BadInputCase[] {
  const out: BadInputCase[] = [];
  const deep = /nested deeper than \d+ levels/;
  for (const depth of [65, 1_000, 100_000])
    out.push(
      ...manifestCases(
        'deep-nesting',
        `flow-${depth}`,
        `flow sequences ${depth} deep`,
        `${POD}spec:\n  x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
        {
          message: deep,
        },
      ),
    );
  const block = (depth: number) =>
    `${POD}spec:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:`).join('\n')} leaf\n`;
  for (const depth of [70, 400])
    out.push(...manifestCases('deep-nesting', `block-map-${depth}`, `block mappings ${depth} deep`, block(depth), { message: deep }));
  const seq = (depth: number) =>
    `${POD}spec:\n  x:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(2 * i + 4)}-`).join('\n')} leaf\n`;
  out.push(...manifestCases('deep-nesting', 'block-seq-300', 'block sequences 300 deep', seq(300), { message: deep }));
  const json = (depth: number) =>
    `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": ${'{"a": '.repeat(depth)}1${'}'.repeat(depth)}}\n`;
  for (const depth of [80, 50_000])
    out.push(
      ...manifestCases('deep-nesting', `json-${depth}`, `a JSON manifest ${depth} objects deep`, json(depth), {
        message: deep,
        ext: 'json',
      }),
    );
  // JSON bodies: refused by the body parser with the JSON path, before any route sees them
  const nest = (depth: number): unknown => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
  out.push({
    id: 'deep-nesting/objects-100k/api',
    category: 'deep-nesting',
    kind: 'malformed',
    what: 'a JSON body 100,000 objects deep on /v1/analyze',
    api: {
      call: {
        method: 'POST',
        path: '/v1/analyze',
        token: 'reader',
        raw: `{"objects": [{"kind": "Pod", "spec": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`,
      },
      status: [400],
      shows: /^body\.objects\[0\].*nested deeper than 64 levels/,
    },
  });
  for (const [name, path, token, body, shows] of [
    [
      'objects-100',
      '/v1/analyze',
      'reader',
      { objects: [{ kind: 'Pod', spec: nest(100) }] },
      /^body\.objects\[0\]\.spec\.a\.a.*nested deeper than 64 levels/,
    ],
    [
      'propose-examples',
      '/v1/propose',
      'proposer',
      {
        intent: 'Pods must not define hostAliases at all',
        examples: { deny: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: nest(500) }] },
      },
      /^body\.examples\.deny\[0\]\.spec.*nested deeper/,
    ],
    ['autofix-extra', '/v1/autofix', 'proposer', { manifest: 'kind: Pod', x: nest(1_000) }, /^body\.x\.a.*nested deeper/],
    ['lint-extra', '/v1/lint', 'reader', { files: [{ name: 'p.rego', content: 'package p' }], x: nest(70) }, /^body\.x\.a.*nested deeper/],
  ] as const)
    out.push({
      id: `deep-nesting/${name}/api`,
      category: 'deep-nesting',
      kind: 'malformed',
      what: `a JSON body nested deep on ${path}`,
      api: { call: { method: 'POST', path, token, body }, status: [400], shows },
    });
  return out;
}

function wrongKinds(): BadInputCase[] {
  const out: BadInputCase[] = [];
  const notObject = /not a Kubernetes object/;
  const texts: [string, string, string][] = [
    ['scalar', 'a plain string', 'hello world\n'],
    ['number', 'a number', '42\n'],
    ['boolean', 'a boolean', 'true\n'],
    ['sequence', 'a sequence at the top', '- apiVersion: v1\n  kind: Pod\n'],
    ['no-kind', 'a mapping without kind', 'apiVersion: v1\nmetadata:\n  name: web\n'],
    ['kind-number', 'kind is a number', 'apiVersion: v1\nkind: 42\nmetadata:\n  name: web\n'],
    ['kind-list', 'kind is a sequence', 'apiVersion: v1\nkind: [Pod]\nmetadata:\n  name: web\n'],
    ['kind-map', 'kind is a mapping', 'apiVersion: v1\nkind: {name: Pod}\nmetadata:\n  name: web\n'],
    ['kind-null', 'kind is null', 'apiVersion: v1\nkind: null\nmetadata:\n  name: web\n'],
    ['list-items', 'a List whose items are not objects', 'apiVersion: v1\nkind: List\nitems:\n  - 1\n  - text\n'],
    ['json-array', 'a JSON array', '[{"apiVersion": "v1", "kind": "Pod"}]\n'],
  ];
  for (const [name, what, text] of texts)
    out.push(
      ...manifestCases('wrong-kind', name, what, text, {
        line: 1,
        message: notObject,
        ext: name.startsWith('json') ? 'json' : 'yaml',
        commands: ['analyze', 'troubleshoot', 'autofix'],
      }),
    );
  out.push(
    ...manifestCases('wrong-kind', 'second-scalar', 'a scalar document after a good one (line of the second)', `${POD}---\njust text\n`, {
      line: 6,
      message: notObject,
      commands: ['troubleshoot', 'autofix'],
    }),
  );
  // YAML sees the sequence is not closed at the end of the input (line 7)
  out.push(
    ...manifestCases('wrong-kind', 'syntax', 'a broken flow sequence', `${POD}spec:\n  containers: [unclosed\n`, {
      line: 7,
      commands: ['analyze', 'troubleshoot', 'autofix'],
    }),
  );
  out.push(...manifestCases('wrong-kind', 'tab-indent', 'a tab used for indentation', `${POD}spec:\n\tcontainers: []\n`, { line: 6 }));
  out.push(
    ...manifestCases(
      'wrong-kind',
      'duplicate-key',
      'a key given twice in one mapping',
      `${POD}spec:\n  hostNetwork: true\n  hostNetwork: false\n`,
      {
        line: 7,
        message: /appears twice/,
      },
    ),
  );
  // objects given as JSON values to the API
  for (const [name, objects, path] of [
    ['objects-scalar', [42], /body\.objects\[0\]/],
    ['objects-no-kind', [{ apiVersion: 'v1', metadata: { name: 'x' } }], /body\.objects\[0\]:1: not a Kubernetes object/],
    ['objects-not-array', 'Pod', /body\.objects/],
  ] as const)
    out.push({
      id: `wrong-kind/${name}/api-objects`,
      category: 'wrong-kind',
      kind: 'malformed',
      what: `analyze objects: ${JSON.stringify(objects)}`,
      api: { call: { method: 'POST', path: '/v1/analyze', token: 'reader', body: { objects } }, status: [400], shows: path },
    });
  return out;
}

function hugeArrays(): BadInputCase[] {
  const out: BadInputCase[] = [];
  const tooMany = /more than the 10000 allowed/;
  const containers = `${POD}spec:\n  containers:\n${'  - name: a\n    image: nginx:1.27\n'.repeat(12_000)}`;
  out.push(...manifestCases('huge-array', 'containers-12k', '12,000 containers in one pod', containers, { message: tooMany, line: 7 }));
  const env = `${POD}spec:\n  containers:\n  - name: a\n    image: nginx:1.27\n    env:\n${'    - {name: A, value: b}\n'.repeat(15_000)}`;
  out.push(...manifestCases('huge-array', 'env-15k', '15,000 environment variables', env, { message: tooMany }));
  const data = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n${Array.from({ length: 12_000 }, (_, i) => `  k${i}: v`).join('\n')}\n`;
  out.push(...manifestCases('huge-array', 'configmap-12k-keys', 'a ConfigMap with 12,000 keys', data, { message: /12000 keys/ }));
  const list = `apiVersion: v1\nkind: List\nitems:\n${'- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n'.repeat(11_000)}`;
  out.push(...manifestCases('huge-array', 'list-11k', 'a List of 11,000 items', list, { message: tooMany }));
  const docs = `${POD}---\n`.repeat(1_001);
  out.push(
    ...manifestCases('huge-array', 'documents-1001', '1,001 documents in one input (troubleshooting works per object)', docs, {
      message: /more than 1000 documents/,
      commands: ['troubleshoot'],
    }),
  );
  for (const [name, body, status, shows] of [
    ['objects-1001', { objects: Array.from({ length: 1001 }, () => ({ kind: 'Pod' })) }, [400], /body\.objects/],
    ['objects-20k', { objects: Array.from({ length: 20_000 }, () => ({ kind: 'Pod' })) }, [413], /body\.objects: 20000 items/],
    [
      'nested-array-20k',
      { objects: [{ kind: 'Pod', spec: { containers: Array.from({ length: 20_000 }, () => ({})) } }] },
      [413],
      /body\.objects\[0\]\.spec\.containers: 20000 items/,
    ],
  ] as const)
    out.push({
      id: `huge-array/${name}/api`,
      category: 'huge-array',
      kind: 'malformed',
      what: `analyze ${name}`,
      api: { call: { method: 'POST', path: '/v1/analyze', token: 'reader', body }, status: [...status], shows },
    });
  return out;
}

/** Bytes that are not UTF-8, each inside an otherwise good manifest (line 4). */
const INVALID_UTF8: [string, number[]][] = [
  ['latin1', [0x63, 0x61, 0x66, 0xe9]],
  ['overlong', [0xc0, 0xaf]],
  ['lone-continuation', [0x80, 0x41]],
  ['truncated', [0xe2, 0x82]],
  ['surrogate', [0xed, 0xa0, 0x80]],
  ['above-10ffff', [0xf4, 0x90, 0x80, 0x80]],
  ['ff-byte', [0xff]],
];

function binary(): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const [name, bytes] of INVALID_UTF8) {
    const content = Buffer.concat([Buffer.from('apiVersion: v1\nkind: Pod\nmetadata:\n  name: '), Buffer.from(bytes), Buffer.from('\n')]);
    const json = Buffer.concat([
      Buffer.from('{"manifests": "apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: '),
      Buffer.from(bytes),
      Buffer.from('"}'),
    ]);
    out.push({
      id: `binary-utf8/${name}`,
      category: 'binary-utf8',
      kind: 'malformed',
      what: `invalid UTF-8 (${name}) in a manifest`,
      cli: { file: { name: `${name}.yaml`, content }, args: (f) => ['analyze', f], exit: [2], shows: fileLine(`${name}.yaml`, 4) },
      api: { call: { method: 'POST', path: '/v1/analyze', token: 'reader', raw: json }, status: [400], shows: /body: not valid UTF-8/ },
    });
  }
  let seed = 42;
  const random = (n: number) =>
    Buffer.from(
      Array.from({ length: n }, () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % 256;
      }),
    );
  const blobs: [string, Buffer][] = [
    ['random-1k', random(1024)],
    ['random-64k', random(65_536)],
    ['gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, ...random(200)])],
    ['png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), random(300)])],
    ['elf', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), random(300)])],
    ['utf16', Buffer.from(`\ufeff${POD}`, 'utf16le')],
    ['nul-bytes', Buffer.from(`${POD}spec:\n  x: "a\u0000b"\n`)],
  ];
  for (const [name, content] of blobs)
    out.push({
      id: `binary-utf8/${name}`,
      category: 'binary-utf8',
      kind: 'malformed',
      what: `${name} bytes as a manifest file and as a request body`,
      cli: { file: { name: `${name}.yaml`, content }, args: (f) => ['analyze', f], exit: [2], shows: fileLine(`${name}.yaml`) },
      api: {
        call: { method: 'POST', path: '/v1/analyze', token: 'reader', raw: content },
        status: [400],
        shows: /^body: not valid (UTF-8|JSON)/,
      },
    });
  out.push({
    id: 'binary-utf8/nul-in-json-string',
    category: 'binary-utf8',
    kind: 'malformed',
    what: 'a NUL character (\\u0000) inside the manifest text of a JSON body: refused by the body parser',
    api: {
      call: { method: 'POST', path: '/v1/analyze', token: 'reader', body: { manifests: `${POD}spec:\n  x: a\u0000b\n` } },
      status: [400],
      shows: /^body\.manifests: a NUL character/,
    },
  });
  out.push({
    id: 'binary-utf8/troubleshoot-binary',
    category: 'binary-utf8',
    kind: 'malformed',
    what: 'random bytes given to pac troubleshoot',
    cli: { file: { name: 'blob.yaml', content: random(4096) }, args: (f) => ['troubleshoot', f], exit: [2], shows: fileLine('blob.yaml') },
  });
  return out;
}

function hugeBodies(): BadInputCase[] {
  const out: BadInputCase[] = [];
  const configMap = (bytes: number) => {
    const value = 'v'.repeat(90);
    const n = Math.ceil(bytes / 100);
    return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: shop\ndata:\n${Array.from({ length: n }, (_, i) => `  key${i}: "${value}"`).join('\n')}\n`;
  };
  const big = configMap(11 * MIB);
  out.push({
    id: 'huge-body/configmap-11mb',
    serial: true,
    category: 'huge-body',
    kind: 'malformed',
    what: 'an 11 MB ConfigMap (took 78 s before): analysed within 10 s or refused with a size error',
    cli: {
      file: { name: 'configmap-11mb.yaml', content: big },
      args: (f) => ['analyze', f],
      exit: [0, 2, 3],
      shows: /configmap-11mb\.yaml/,
      maxMs: 10_000,
    },
    api: {
      call: { method: 'POST', path: '/v1/analyze', token: 'reader', body: { manifests: big } },
      status: [413],
      shows: /larger than|too large|body/,
      maxMs: 10_000,
    },
  });
  // 9,000 keys of 400 bytes: under the size (4 MiB) and mapping (10,000 keys) limits
  const near = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: near\n  namespace: shop\ndata:\n${Array.from({ length: 9_000 }, (_, i) => `  key${i}: "${'v'.repeat(400)}"`).join('\n')}\n`;
  out.push({
    id: 'huge-body/configmap-3.7mb',
    serial: true,
    category: 'huge-body',
    kind: 'malformed',
    what: 'a 3.7 MB ConfigMap of 9,000 keys, under the limits: analysed within 10 s on both channels',
    cli: { file: { name: 'configmap-3mb.yaml', content: near }, args: (f) => ['analyze', f], exit: [0, 3], maxMs: 10_000 },
    api: { call: { method: 'POST', path: '/v1/analyze', token: 'reader', body: { manifests: near } }, status: [200], maxMs: 10_000 },
  });
  const string45 = 'x'.repeat(4.5 * MIB);
  out.push({
    id: 'huge-body/field-4.5mb',
    category: 'huge-body',
    kind: 'malformed',
    what: 'a 4.5 MB text field inside the body limit: refused by the input limit, with its JSON path',
    api: {
      call: { method: 'POST', path: '/v1/analyze', token: 'reader', body: { manifests: string45 } },
      status: [413],
      shows: /^body\.manifests: the input is 4\.5 MiB/,
    },
  });
  const ten = 'x'.repeat(10 * MIB);
  for (const [name, path, token, body] of [
    ['question-10mb', '/v1/query', 'reader', { question: ten }],
    [
      'document-10mb',
      '/v1/documents',
      'proposer',
      { name: 'big.md', contentType: 'text/markdown', content: Buffer.from(ten).toString('base64') },
    ],
    ['ci-log-10mb', '/v1/ci-log', 'reader', { log: ten }],
    ['lint-10mb', '/v1/lint', 'reader', { files: [{ name: 'policy.rego', content: ten }] }],
    ['propose-10mb', '/v1/propose', 'proposer', { intent: ten }],
  ] as const)
    out.push({
      id: `huge-body/${name}/api`,
      category: 'huge-body',
      kind: 'malformed',
      what: `a 10 MB body on ${path}`,
      api: { call: { method: 'POST', path, token, body }, status: [413], shows: /too large|larger than/, maxMs: 10_000 },
    });
  out.push({
    id: 'huge-body/unauthenticated-10mb/api',
    category: 'huge-body',
    kind: 'malformed',
    what: 'a 10 MB body without a token: 401 before a byte of it is parsed',
    api: {
      call: { method: 'POST', path: '/v1/analyze', token: 'none', body: { manifests: ten } },
      status: [401],
      shows: /missing Authorization/,
      maxMs: 10_000,
    },
  });
  out.push({
    id: 'huge-body/chunked-10mb/api',
    category: 'huge-body',
    kind: 'malformed',
    what: 'a 10 MB body sent in chunks without a content-length',
    api: {
      call: { method: 'POST', path: '/v1/analyze', token: 'reader', raw: JSON.stringify({ manifests: ten }), chunked: true },
      status: [413],
      maxMs: 10_000,
    },
  });
  for (const [name, command, ext] of [
    ['lint-10mb', 'lint', 'rego'],
    ['ci-log-10mb', 'ci-log', 'log'],
    ['troubleshoot-10mb', 'troubleshoot', 'yaml'],
  ] as const)
    out.push({
      id: `huge-body/${name}/cli`,
      category: 'huge-body',
      kind: 'malformed',
      what: `a 10 MB file for pac ${command}`,
      cli: {
        file: { name: `${name}.${ext}`, content: `# ${ten}\n` },
        args: (f) => [command, f],
        exit: [2],
        shows: /larger than/,
        maxMs: 10_000,
      },
    });
  return out;
}

export function manifestCorpus(): BadInputCase[] {
  return [...yamlBombs(), ...deepNesting(), ...wrongKinds(), ...hugeArrays(), ...binary(), ...hugeBodies()];
}
