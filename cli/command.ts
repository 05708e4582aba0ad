import { z } from 'zod';

/** The shape of one `modelship` command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Runs the command; returns the exit code. Throws {@link CliError} for errors to print. */
  run(argv: string[]): Promise<number>;
}

/** The parsed form of {@link CONNECTION_FLAGS}. */
export const connectionOptions = z.object({ address: z.string().optional(), namespace: z.string().optional(), profile: z.string().optional() });

/** Connection flags every command that talks to Temporal takes. */
export const CONNECTION_FLAGS = {
  address: { type: 'string' },
  namespace: { type: 'string' },
  profile: { type: 'string' },
} as const;

/** `--json` and the connection flags: commands that print something. */
export const JSON_FLAGS = { json: { type: 'boolean' }, ...CONNECTION_FLAGS } as const;
export const jsonOptions = connectionOptions.extend({ json: z.boolean().default(false) });

/** Who asks, and why (`--by`, `--reason`), and the connection flags: commands that change something. */
export const CONTROL_FLAGS = { reason: { type: 'string' }, by: { type: 'string' }, ...CONNECTION_FLAGS } as const;
export const controlOptions = connectionOptions.extend({ reason: z.string().optional(), by: z.string().default(process.env.USER ?? 'cli') });

/** Where the Temporal UI is: `--ui-url`, `MODELSHIP_UI_URL`, or the dev server's (frontend port + 1000). */
export function temporalUiUrl(address: string, explicit?: string): string | undefined {
  if (explicit) return explicit;
  if (process.env.MODELSHIP_UI_URL) return process.env.MODELSHIP_UI_URL;
  const match = /^(127\.0\.0\.1|localhost):(\d+)$/.exec(address);
  return match ? `http://${match[1]}:${Number(match[2]) + 1000}` : undefined;
}
