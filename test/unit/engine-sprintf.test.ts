/**
 * sprintf as OPA computes it (Go's fmt over int64, *big.Int, float64 and string arguments): every
 * expected text below was printed by `opa eval` (OPA 1.22.2) for the same format and arguments
 * (test/integration/engine-builtins.test.ts compares the two live through the wasm host).
 */
import { describe, expect, it } from 'vitest';
import { goArgOf, regoSprintf } from '../../activities/engine/builtins';
import { formatFloat } from '../../activities/engine/builtins/go-float';
import { goSprintf } from '../../activities/engine/builtins/go-fmt';
import { parseRegoValue } from '../../activities/engine/builtins/rego-value';

/** [format, arguments in Rego syntax, what opa eval printed] */
const CASES: [string, string, string][] = [
  ['%s', '["abc"]', 'abc'],
  ['%q', '["a\\"b\\\\c\\n\\t\\u00e9\\u00a0\\u0001"]', '"a\\"b\\\\c\\n\\té\\u00a0\\x01"'],
  ['%d', '[5]', '5'],
  ['%s', '[5]', '%!s(int64=5)'],
  ['%v', '[1.5]', '1.5'],
  ['%d', '[1.5]', '%!d(float64=1.5)'],
  ['%v', '[1.0]', '1'],
  ['%v', '[1e3]', '1000'],
  ['%v', '[1000000.5]', '1.0000005e+06'],
  ['%v', '[1234567.0]', '1.234567e+06'],
  ['%v', '[0.00001]', '1e-05'],
  ['%v', '[0.0001]', '0.0001'],
  ['%.2f', '[0.125]', '0.12'],
  ['%.2f', '[0.375]', '0.38'],
  ['%.0f', '[0.5]', '0'],
  ['%.0f', '[1.5]', '2'],
  ['%.0f', '[2.5]', '2'],
  ['%e', '[123.456]', '1.234560e+02'],
  ['%E', '[0.000123]', '1.230000E-04'],
  ['%g', '[123.456]', '123.456'],
  ['%.3g', '[123.456]', '123'],
  ['%.10g', '[123.456]', '123.456'],
  ['%G', '[1e-7]', '1E-07'],
  ['%5d|%-5d|%05d', '[42, 42, -42]', '   42|42   |-0042'],
  ['%+d % d %x %X %o %O %b %#x %#o', '[42, 42, 255, 255, 8, 8, 5, 255, 8]', '+42  42 ff FF 10 0o10 101 0xff 010'],
  ['%c %q %U %#U', '[65, 65, 9731, 9731]', "A 'A' U+2603 U+2603 '☃'"],
  ['%05s|%-5s|%5s|%.2s', '["ab", "ab", "ab", "héllo"]', '000ab|ab   |   ab|hé'],
  ['%x % x %#x % #X', '["hi", "hi", "hi", "hi"]', '6869 68 69 0x6869 0X68 0X69'],
  ['%v %v %v %v', '[true, null, ["a", 1], {"b": 1, "a": "x"}]', 'true null ["a", 1] {"a": "x", "b": 1}'],
  ['%s', '[["a", "b"]]', '["a", "b"]'],
  ['%d', '["x"]', '%!d(string=x)'],
  ['%t', '[true]', '%!t(string=true)'],
  ['%d %d', '[1]', '1 %!d(MISSING)'],
  ['%d', '[1, 2, "x"]', '1%!(EXTRA int64=2, string=x)'],
  ['%', '[1]', '%!(NOVERB)%!(EXTRA int64=1)'],
  ['%!', '[]', '%!!(MISSING)'],
  ['%[2]d %[1]d', '[1, 2]', '2 1'],
  ['%[3]d', '[1, 2]', '%!d(BADINDEX)'],
  ['%*d', '[5, 42]', '   42'],
  ['%.*f', '[2, 3.14159]', '3.14'],
  ['%v', '[99999999999999999999]', '99999999999999999999'],
  ['%x', '[99999999999999999999]', '56bc75e2d630fffff'],
  ['%c', '[99999999999999999999]', '%!c(big.Int=99999999999999999999)'],
  ['%T %T %T %T', '[1, 1.5, "s", [1]]', 'int64 float64 string string'],
  ['%6.2f|%-8.3e|%08.3f|%+.1e', '[3.14159, 1234.5, -3.14159, 12345.678]', '  3.14|1.234e+03|-003.142|+1.2e+04'],
  ['%#v %#v %+v', '["s", 1.5, 3]', '"s" 1.5 3'],
  ['%x %X %b', '[1.5, -0.1, 2.0]', '0x1.8p+00 -0X1.999999999999AP-04 4503599627370496p-51'],
  ['%#g %#.3g %#e', '[1.0, 2.0, 3.0]', '1.00000 2.00 3.000000e+00'],
  ['%v', '[1e21]', '1e+21'],
  ['%v', '[123456789012345678]', '123456789012345678'],
  ['%10.4v|', '[3.14159265]', '     3.142|'],
  ['%q', '["😀 \\u200b \\ufeff"]', '"😀 \\u200b \\ufeff"'],
  ['%+q %#q %#q', '["é", "ab", "a`b"]', '"\\u00e9" `ab` "a`b"'],
  ['%s %v', '[{"x": {"z", "a"}}, []]', '{"x": {"a", "z"}} []'],
  ['%d%%', '[50]', '50%'],
  ['%3c|%-4q|', '[65, 66]', "  A|'B' |"],
  ['%.3d %.0d|%5.0d|', '[7, 0, 0]', '007 |     |'],
  ['%v', '[-0.0]', '-0'],
  ['%v %v', '[0.1, 0.30000000000000004]', '0.1 0.30000000000000004'],
  ['%8.3s|', '["abcdef"]', '     abc|'],
  ['%z', '[1]', '%!z(int64=1)'],
  ['%-08d|', '[5]', '5       |'],
  ['%v %v', '[{1, "a", [2]}, set()]', '{1, "a", [2]} set()'],
  ['%v', '[{"k": {3, 1}, "a": [1.50, 2e2]}]', '{"a": [1.50, 2e2], "k": {1, 3}}'],
  ['%d', '[-9223372036854775808]', '-9223372036854775808'],
  ['%d', '[9223372036854775808]', '9223372036854775808'],
  ['%.3x|%8.2X|', '[3.5, 1.0]', '0x1.c00p+01|0X1.00P+00|'],
  ['%5.1f%%', '[99.95]', '100.0%'],
  ['%s', '[1e400]', '1e400'],
];

describe('sprintf (Go fmt, as OPA passes arguments)', () => {
  it.each(CASES)('sprintf(%j, %s)', (format, args, expected) => {
    expect(regoSprintf(format, parseRegoValue(args))).toBe(expected);
  });

  it('is undefined when the arguments are not an array', () => {
    expect(regoSprintf('%s', parseRegoValue('"x"'))).toBeUndefined();
  });

  it('hands numbers to Go as int64, *big.Int or float64 by their text, anything else as its Rego text', () => {
    expect(goArgOf(parseRegoValue('5'))).toEqual({ t: 'int64', v: 5n });
    expect(goArgOf(parseRegoValue('1.0'))).toEqual({ t: 'float64', v: 1 });
    expect(goArgOf(parseRegoValue('9223372036854775808'))).toEqual({ t: 'bigint', v: 9223372036854775808n });
    expect(goArgOf(parseRegoValue('1e400'))).toEqual({ t: 'string', v: '1e400' });
    expect(goArgOf(parseRegoValue('{"b", "a"}'))).toEqual({ t: 'string', v: '{"a", "b"}' });
  });
});

describe('float formatting (strconv)', () => {
  it('rounds ties to even on the exact binary value, unlike toFixed', () => {
    expect(formatFloat(0.125, 'f', 2).text).toBe('0.12');
    expect((0.125).toFixed(2)).toBe('0.13');
    expect(formatFloat(2.5, 'f', 0).text).toBe('2');
    expect(formatFloat(0.1, 'f', 20).text).toBe('0.10000000000000000555');
  });

  it("prints shortest digits with Go's exponent rule for %v", () => {
    expect(
      goSprintf('%v %v %v', [
        { t: 'float64', v: 123456 },
        { t: 'float64', v: 1e6 },
        { t: 'float64', v: 5e-324 },
      ]),
    ).toBe('123456 1e+06 5e-324');
  });
});
