/**
 * Admission at the endpoint: `submitDeployment` queues a deployment (or refuses it while busy, as
 * its spec's `whenBusy` says) and answers once it has started if it is next in line;
 * `awaitDeployment` lets a client wait, without polling, until a deployment has started or until
 * its outcome is recorded. A re-release's source (`version:`/`digest:`) is resolved once, at
 * admission, and kept with the queued entry. Deterministic.
 */
import { HandlerUnfinishedPolicy } from '@temporalio/common';
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  awaitDeploymentUpdate,
  submitDeploymentUpdate,
  type AwaitDeploymentRequest,
  type AwaitDeploymentResult,
  type SubmitDeploymentRequest,
  type SubmitDeploymentResult,
} from '../../sdk/definitions';
import { deploymentWorkflowId } from '../../sdk/names';
import type { AdmittedDeployment } from '../../sdk/schemas';
import type { EndpointContext } from './endpointContext';
import { knownArtifactFor } from './versions';

export function registerAdmission(ctx: EndpointContext): void {
  setHandler(submitDeploymentUpdate, (request) => submit(ctx, request), {
    validator: (request: SubmitDeploymentRequest) => {
      if (request.spec.endpoint !== ctx.name) throw new Error(`this is endpoint ${ctx.name}; the spec is for ${request.spec.endpoint}`);
      const workflowId = deploymentWorkflowId(ctx.name, request.spec.version);
      const { refused } = knownArtifactFor(ctx, request.spec);
      if (refused) throw new Error(`cannot re-release ${request.spec.model.source}: ${refused}`);
      if (request.spec.whenBusy === 'refuse' && ctx.busy() && !ctx.admitted(workflowId)) {
        throw new Error(
          `endpoint ${ctx.name} is busy (${ctx.describeBusy()}) and the spec says whenBusy: refuse; retry when it is idle, or use whenBusy: queue`,
        );
      }
    },
  });
  setHandler(awaitDeploymentUpdate, (request) => awaitDeployment(ctx, request), { unfinishedPolicy: HandlerUnfinishedPolicy.ABANDON });
}

async function submit(ctx: EndpointContext, request: SubmitDeploymentRequest): Promise<SubmitDeploymentResult> {
  const { state } = ctx;
  const workflowId = deploymentWorkflowId(ctx.name, request.spec.version);
  const existing = ctx.admitted(workflowId);
  if (existing) return { workflowId, runId: existing.runId, position: ctx.position(existing), existing: true };
  // A re-release's source is resolved once, here: an alias moved while it waits does not change what it releases.
  const { release } = knownArtifactFor(ctx, request.spec);
  const entry: AdmittedDeployment = {
    version: request.spec.version,
    workflowId,
    submittedAt: new Date().toISOString(),
    ...(request.by ? { submittedBy: request.by } : {}),
    ...(release ? { release } : {}),
  };
  ctx.startFailures.delete(workflowId); // an earlier start failure of this version is not this submission's
  state.queue.push(entry);
  ctx.pending.set(workflowId, request);
  ctx.show();
  // If it is next in line, answer once it has started, with its run id.
  if (state.queue.length === 1 && !state.active && !ctx.rollingBack) await condition(() => entry.runId !== undefined || !ctx.admitted(workflowId));
  const failure = ctx.startFailures.get(workflowId);
  if (failure) {
    ctx.startFailures.delete(workflowId);
    throw ApplicationFailure.nonRetryable(failure, 'DeploymentNotStarted');
  }
  return { workflowId, runId: entry.runId, position: ctx.position(entry), existing: false };
}

async function awaitDeployment(ctx: EndpointContext, { workflowId, until }: AwaitDeploymentRequest): Promise<AwaitDeploymentResult> {
  const { state } = ctx;
  const starting = (): boolean => ctx.isQueued(workflowId) || (state.active?.workflowId === workflowId && state.active.runId === undefined);
  if (until === 'started') await condition(() => !starting());
  else await condition(() => !ctx.admitted(workflowId));
  if (state.active?.workflowId === workflowId) return { known: true, runId: state.active.runId };
  const recorded = [...state.history].reverse().find((e) => e.workflowId === workflowId);
  if (!recorded) return { known: false };
  if (!recorded.runId) throw ApplicationFailure.nonRetryable(`${workflowId} did not start: ${recorded.detail}`, 'DeploymentNotStarted');
  return { known: true, runId: recorded.runId };
}
