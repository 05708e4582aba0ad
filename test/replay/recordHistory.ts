/**
 * Records a workflow's history for replay tests, as binary protobuf (`<name>.binpb`).
 * (JSON histories from the CLI do not load here: `historyFromJSON` trips over the nested copies of
 * protobufjs that npm installs under @temporalio/common and @temporalio/proto.)
 *
 * Usage: TEMPORAL_ADDRESS=127.0.0.1:7233 node --import tsx test/replay/recordHistory.ts <workflow id> <name>
 * (`npm run replay:record` re-records every scenario from scratch.)
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { resolveConnection } from '../../sdk/connection';

/** Saves the history of the latest run of `workflowId` as `histories/<name>.binpb`. */
export async function saveHistory(client: Client, workflowId: string, name: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const bytes = temporal.api.history.v1.History.encode(history).finish();
  const out = path.join(__dirname, 'histories', `${name}.binpb`);
  await writeFile(out, bytes);
  console.log(`${workflowId}: ${history.events?.length} events → ${path.relative(process.cwd(), out)}`);
}

async function main(): Promise<void> {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name) throw new Error('usage: recordHistory.ts <workflow id> <name>');
  const resolved = resolveConnection();
  const connection = await Connection.connect(resolved.connectionOptions as Parameters<typeof Connection.connect>[0]);
  try {
    await saveHistory(new Client({ connection, namespace: resolved.namespace }), workflowId, name);
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
