import { describe, expect, it } from 'vitest';
import { isQuantity, parseQuantity, QUANTITY_SUFFIXES } from '../../lib/quantity';

describe('Kubernetes quantities (the API server grammar)', () => {
  it('reads every decimal SI suffix', () => {
    expect(parseQuantity('5n')).toBeCloseTo(5e-9, 20);
    expect(parseQuantity('5u')).toBeCloseTo(5e-6, 15);
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('2k')).toBe(2e3);
    expect(parseQuantity('2M')).toBe(2e6);
    expect(parseQuantity('2G')).toBe(2e9);
    expect(parseQuantity('2T')).toBe(2e12);
    expect(parseQuantity('2P')).toBe(2e15);
    expect(parseQuantity('2E')).toBe(2e18);
  });

  it('reads every binary SI suffix', () => {
    expect(parseQuantity('1Ki')).toBe(1024);
    expect(parseQuantity('1Mi')).toBe(1024 ** 2);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(parseQuantity('1Ti')).toBe(1024 ** 4);
    expect(parseQuantity('1Pi')).toBe(1024 ** 5);
    expect(parseQuantity('1Ei')).toBe(1024 ** 6);
    expect(Object.keys(QUANTITY_SUFFIXES).sort()).toEqual(
      ['E', 'Ei', 'G', 'Gi', 'Ki', 'M', 'Mi', 'P', 'Pi', 'T', 'Ti', 'k', 'm', 'n', 'u'].sort(),
    );
  });

  it('reads decimal exponents, and tells exa from an exponent', () => {
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1E3')).toBe(1000);
    expect(parseQuantity('12e-3')).toBeCloseTo(0.012);
    expect(parseQuantity('1e+2')).toBe(100);
    expect(parseQuantity('1E')).toBe(1e18);
  });

  it('reads every number form: signs, a trailing or leading point', () => {
    expect(parseQuantity('+1')).toBe(1);
    expect(parseQuantity('-1')).toBe(-1);
    expect(parseQuantity('1.')).toBe(1);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(parseQuantity('0.25Gi')).toBe(0.25 * 1024 ** 3);
    expect(parseQuantity(1.5)).toBe(1.5);
    expect(parseQuantity(0)).toBe(0);
  });

  it('refuses what the API server refuses', () => {
    for (const bad of [
      '',
      ' 1',
      '1 ',
      'lots',
      '1Gb',
      '1gi',
      '1K',
      '1mi',
      '1e',
      '1e1.5',
      '1.2.3',
      '.',
      '+',
      '1ki',
      'Mi',
      '1 Mi',
      '1iB',
      '0x10',
      '1e3Mi',
      '1Mi1',
    ])
      expect(parseQuantity(bad), bad).toBeUndefined();
    expect(parseQuantity(null)).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
    expect(parseQuantity(true)).toBeUndefined();
    expect(parseQuantity(Number.NaN)).toBeUndefined();
    expect(parseQuantity(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseQuantity('1e999')).toBeUndefined();
    expect(isQuantity('100m')).toBe(true);
    expect(isQuantity('100 m')).toBe(false);
  });
});
