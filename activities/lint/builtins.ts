/**
 * Built-ins a policy must not call: network access and non-determinism (the same manifest could be
 * judged differently). One list for the linter's nondeterministic-builtin rule and the drafting
 * guardrail's no-forbidden-builtins gate, so the two never disagree.
 */
export const NONDETERMINISTIC_BUILTINS = [
  /^http\.send$/,
  /^net\./,
  /^opa\.runtime$/,
  /^time\./,
  /^rand\./,
  /^uuid\./,
  // parse_and_verify_certificates and its _with_options variant check validity against the clock
  /^crypto\.x509\.parse_and_verify/,
  /^io\.jwt\.decode_verify$/,
];

export function isNondeterministicBuiltin(name: string): boolean {
  return NONDETERMINISTIC_BUILTINS.some((pattern) => pattern.test(name));
}
