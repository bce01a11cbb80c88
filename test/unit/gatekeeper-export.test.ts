/** The Gatekeeper export's pure parts: moving modules under lib. by their AST, structural schemas, names, Constraints and sync. */
import { describe, expect, it } from 'vitest';
import { constraint, constraintKind, entryPackage, syncConfig } from '../../activities/export/gatekeeper';
import { structuralSchema } from '../../activities/export/openapi';
import { RelocateError, relocateModule, relocationPoints } from '../../activities/export/relocate';
import { loadPolicyIndex } from '../../datasets/load';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const at = (row: number, col: number, text: string) => ({ location: { row, col, text: b64(text) } });
const dataRef = (row: number, col: number, rest: string[]) => ({
  type: 'ref',
  value: [
    { type: 'var', value: 'data', ...at(row, col, 'data') },
    { type: 'string', value: rest[0], ...at(row, col + 5, rest[0] as string) },
    ...rest.slice(1).map((r) => ({ type: 'string', value: r })),
  ],
});

// what `opa parse --json-include locations` gives for this module (the parts relocate reads)
const source = [
  'package kpc.policies.demo',
  '',
  'import data.kpc.lib.k8s',
  '',
  'deny contains msg if {',
  '\tdata.kpc.params.demo.on == true',
  '\tmsg := "data.kpc.params is read" # data.kpc in a comment',
  '}',
  '',
].join('\n');
const ast = {
  package: {
    path: [
      { type: 'var', value: 'data', ...at(1, 9, 'kpc') },
      { type: 'string', value: 'kpc', ...at(1, 9, 'kpc') },
      { type: 'string', value: 'policies', ...at(1, 13, 'policies') },
    ],
  },
  imports: [{ path: dataRef(3, 8, ['kpc', 'lib', 'k8s']) }],
  rules: [
    {
      body: [
        {
          terms: [
            { type: 'ref', value: [{ type: 'var', value: 'eq' }] },
            dataRef(6, 2, ['kpc', 'params']),
            { type: 'boolean', value: true },
          ],
        },
      ],
    },
  ],
};

describe('relocateModule', () => {
  it('inserts lib. at the package and every data.kpc reference, never in strings or comments', () => {
    expect(relocationPoints(ast).map((p) => `${p.row}:${p.col}`)).toEqual(['1:9', '3:13', '6:7']);
    expect(relocateModule(source, ast, 'demo.rego').split('\n')).toEqual([
      'package lib.kpc.policies.demo',
      '',
      'import data.lib.kpc.lib.k8s',
      '',
      'deny contains msg if {',
      '\tdata.lib.kpc.params.demo.on == true',
      '\tmsg := "data.kpc.params is read" # data.kpc in a comment',
      '}',
      '',
    ]);
  });

  it('refuses a location whose text is not kpc, naming file:row:col', () => {
    const shifted = { ...ast, imports: [{ path: dataRef(3, 9, ['kpc', 'lib']) }] };
    expect(() => relocateModule(source, shifted, 'demo.rego')).toThrow(RelocateError);
    expect(() => relocateModule(source, shifted, 'demo.rego')).toThrow(/demo\.rego:3:14/);
  });
});

describe('structuralSchema', () => {
  it('drops additionalProperties beside properties and defaults; anyOf keeps any value; enums get a type', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: {
        ports: { type: 'array', default: [], items: { anyOf: [{ type: 'integer' }, { type: 'object' }] } },
        level: { type: 'array', items: { enum: ['baseline', 'restricted'] } },
        min: { type: 'number', exclusiveMinimum: 0, description: 'above zero' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    expect(structuralSchema(schema)).toEqual({
      type: 'object',
      properties: {
        ports: { type: 'array', items: { 'x-kubernetes-preserve-unknown-fields': true } },
        level: { type: 'array', items: { type: 'string', enum: ['baseline', 'restricted'] } },
        min: { type: 'number', description: 'above zero', minimum: 0, exclusiveMinimum: true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
  });
});

describe('names, Constraints and sync', () => {
  const meta = loadPolicyIndex().find((m) => m.id === 'container-privileged-ports');
  if (!meta) throw new Error('container-privileged-ports is not in the index');

  it('kinds in CamelCase with a Kpc prefix; entry packages unique per policy', () => {
    expect(constraintKind('pss-privileged')).toBe('KpcPssPrivileged');
    expect(constraintKind('rbac-pv-create')).toBe('KpcRbacPvCreate');
    expect(entryPackage(meta)).toBe('kpc_gatekeeper.container_privileged_ports');
  });

  it('a Constraint denies at or above the severity, else warns, and states its parameters', () => {
    expect((constraint(meta, { allowed_ports: [80] }, 'high').spec as Record<string, unknown>).enforcementAction).toBe('warn');
    const low = constraint(meta, { allowed_ports: [80] }, 'low');
    expect(low.spec).toEqual({
      enforcementAction: 'deny',
      match: { kinds: [{ apiGroups: ['*'], kinds: meta.kinds }] },
      parameters: { allowed_ports: [80] },
    });
  });

  it('syncs the kinds of the inventory with their group and version', () => {
    const config = syncConfig({
      namespace: {
        shop: {
          Service: { web: { apiVersion: 'v1', kind: 'Service' } },
          PodDisruptionBudget: { p: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' } },
        },
      },
      cluster: { StorageClass: { fast: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' } } },
    });
    expect((config.spec as { sync: { syncOnly: unknown[] } }).sync.syncOnly).toEqual([
      { group: '', version: 'v1', kind: 'Service' },
      { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' },
      { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' },
    ]);
  });
});
