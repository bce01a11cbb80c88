/**
 * The document formats the knowledge base takes: Markdown and plain text as they are, HTML
 * converted to Markdown with turndown (ATX headings, so a citation can name the section it came
 * from; scripts, styles and page furniture dropped). The format is told by the file extension.
 */
import TurndownService from 'turndown';

export const DOCUMENT_FORMATS = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.html': 'html',
  '.htm': 'html',
} as const;

export type DocumentFormat = (typeof DOCUMENT_FORMATS)[keyof typeof DOCUMENT_FORMATS];

/** The MIME type each format is uploaded as (the JSON upload names one). */
export const FORMAT_CONTENT_TYPES: Record<DocumentFormat, string> = {
  markdown: 'text/markdown',
  text: 'text/plain',
  html: 'text/html',
};

/** Input the knowledge base cannot take: an unknown extension, a document with no text. */
export class DocumentFormatError extends Error {
  constructor(
    readonly document: string,
    message: string,
  ) {
    super(`${document}: ${message}`);
    this.name = 'DocumentFormatError';
  }
}

export const SUPPORTED_EXTENSIONS = Object.keys(DOCUMENT_FORMATS);

/** The format of a file name by its extension; an unsupported extension is a DocumentFormatError. */
export function documentFormatOf(name: string): DocumentFormat {
  const match = /(\.[A-Za-z0-9]+)$/.exec(name);
  const ext = match?.[1]?.toLowerCase() ?? '';
  const format = (DOCUMENT_FORMATS as Record<string, DocumentFormat>)[ext];
  if (!format)
    throw new DocumentFormatError(
      name,
      `unsupported file type "${ext || '(no extension)'}": expected one of ${SUPPORTED_EXTENSIONS.join(', ')} (Markdown, text, HTML)`,
    );
  return format;
}

/** The format of a MIME type (parameters such as charset ignored), or undefined. */
export function formatOfContentType(contentType: string | undefined): DocumentFormat | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return (Object.entries(FORMAT_CONTENT_TYPES) as [DocumentFormat, string][]).find(([, t]) => t === type)?.[0];
}

let turndown: TurndownService | undefined;

function converter(): TurndownService {
  if (turndown) return turndown;
  turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '*' });
  turndown.remove(['script', 'style', 'noscript', 'iframe', 'template', 'nav', 'head', 'title', 'meta', 'link']);
  return turndown;
}

/** HTML → Markdown. The page's <title> becomes the "# " heading when the page has no <h1>. */
export function htmlToMarkdown(html: string): string {
  const markdown = converter().turndown(html).trim();
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.replace(/\s+/g, ' ').trim();
  if (title && !/^#\s/m.test(markdown)) return `# ${title}\n\n${markdown}`;
  return markdown;
}

/**
 * The text to index for a document: HTML converted to Markdown, Markdown and text as given. A
 * document with no words (after conversion) is a DocumentFormatError naming it.
 */
export function indexableText(name: string, text: string, format: DocumentFormat = documentFormatOf(name)): string {
  const out = format === 'html' ? htmlToMarkdown(text) : text;
  if (!/[\p{L}\p{N}]/u.test(out)) throw new DocumentFormatError(name, 'the document is empty (no words to index)');
  return out;
}
