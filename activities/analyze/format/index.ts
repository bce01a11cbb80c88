/**
 * The output formats of `pac analyze`: each is a streaming sink (resources one at a time) that
 * writes through `write`, plus begin/end. Adding a format is one module and one line below.
 */
import type { FormatContext, Formatter } from './common';
import { githubFormatter } from './github';
import { jsonFormatter } from './json';
import { junitFormatter } from './junit';
import { sarifFormatter } from './sarif';
import { textFormatter } from './text';

export const FORMATS = {
  text: textFormatter,
  json: jsonFormatter,
  sarif: sarifFormatter,
  junit: junitFormatter,
  github: githubFormatter,
} as const satisfies Record<string, (ctx: FormatContext) => Formatter>;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

export type { FormatContext, Formatter } from './common';

export function createFormatter(format: FormatName, ctx: FormatContext): Formatter {
  return FORMATS[format](ctx);
}
