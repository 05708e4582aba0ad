/** A new namespace on the shared dev server (no search attributes, no worker), once the server answers for it. */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

export async function freshNamespace(connection: Connection, prefix: string): Promise<string> {
  const namespace = `${prefix}-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  for (;;) {
    try {
      await connection.operatorService.listSearchAttributes({ namespace });
      return namespace;
    } catch (error) {
      if ((error as { code?: number }).code !== grpcStatus.NOT_FOUND) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
