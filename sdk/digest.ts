/** How a content digest reads to people: its first 12 hex characters. Workflow-safe (no imports). */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
