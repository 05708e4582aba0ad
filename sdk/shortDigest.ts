/** How a content digest is shown to people: its first 12 hex digits. Workflow-safe (no imports). */

/** The first 12 hex digits of a sha256 digest (a leading `sha256:` is dropped), as logs, the UI and the CLI show it. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
