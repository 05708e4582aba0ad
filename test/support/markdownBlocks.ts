/** The fenced code blocks of a Markdown document, so tests run what the docs show instead of a copy of it. */

export interface CodeBlock {
  /** The info string after the opening fence (`bash`, `yaml`, ...), or empty. */
  lang: string;
  /** The block's text, with its final newline. */
  text: string;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  return [...markdown.matchAll(/^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => ({ lang: (m[1] ?? '').trim(), text: m[2] ?? '' }));
}

/** The one block of language `lang` that contains `marker`; throws when there is none or more than one. */
export function codeBlockWith(markdown: string, lang: string, marker: string): string {
  const found = codeBlocks(markdown).filter((b) => b.lang === lang && b.text.includes(marker));
  if (found.length !== 1) throw new Error(`expected one \`\`\`${lang} block containing ${JSON.stringify(marker)}, found ${found.length}`);
  return (found[0] as CodeBlock).text;
}
