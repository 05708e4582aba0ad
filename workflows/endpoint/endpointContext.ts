/**
 * What the endpoint workflow's parts share: the live state (the authority on what serves), the
 * specs of queued deployments, and the small acts on them — record an event, set the phase, show
 * the UI's current details, answer "who is busy". Deterministic.
 */
import { proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { SubmitDeploymentRequest } from '../../sdk/definitions';
import { ACTIVITY_TASK_QUEUES, SEARCH_ATTRIBUTES } from '../../sdk/names';
import type { AdmittedDeployment, EndpointEvent, EndpointState, Phase } from '../../sdk/schemas';
import { endpointDetails } from './endpointDetails';
import { stateMemoWriter } from './stateMemo';

/** Rollout history entries kept (older ones drop off; each deployment keeps its own full record). */
const HISTORY_LIMIT = 100;

export class EndpointContext {
  readonly name: string;
  readonly self = workflowInfo().workflowId;
  /** Specs of the queued deployments (it continues as new only with an empty queue). */
  readonly pending = new Map<string, SubmitDeploymentRequest>();
  /** Why a deployment could not start, for the submitter waiting on it. */
  readonly startFailures = new Map<string, string>();
  rollingBack = false;
  /** The running deployment has reached its release: it may have changed the routing. */
  releasing = false;
  readonly acts = proxyActivities<Activities>({
    taskQueue: ACTIVITY_TASK_QUEUES.cpu,
    startToCloseTimeout: '3m',
    heartbeatTimeout: '1m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
  });

  private readonly writeMemo = stateMemoWriter();

  constructor(readonly state: EndpointState) {
    this.name = state.endpoint;
  }

  busy(): boolean {
    return this.state.active !== undefined || this.rollingBack || this.state.queue.length > 0;
  }

  /** The deployment with this id, running or queued. */
  admitted(workflowId: string): AdmittedDeployment | undefined {
    const { active, queue } = this.state;
    return active?.workflowId === workflowId ? active : queue.find((d) => d.workflowId === workflowId);
  }

  isQueued(workflowId: string): boolean {
    return this.state.queue.some((d) => d.workflowId === workflowId);
  }

  /** Deployments ahead of `entry` (0: running). */
  position(entry: AdmittedDeployment): number {
    if (this.state.active?.workflowId === entry.workflowId) return 0;
    const index = this.state.queue.findIndex((d) => d.workflowId === entry.workflowId);
    return index + (this.state.active || this.rollingBack ? 1 : 0);
  }

  describeBusy(): string {
    if (this.rollingBack) return 'rolling back';
    const active = this.state.active;
    const parts = active ? [`${active.workflowId} is ${active.phase ?? 'running'}${active.weight ? ` at ${active.weight}%` : ''}`] : [];
    if (this.state.queue.length > 0) parts.push(`${this.state.queue.length} queued`);
    return parts.join(', ');
  }

  record(event: Omit<EndpointEvent, 'at'>): void {
    const history = this.state.history;
    history.push({ at: new Date().toISOString(), ...event });
    if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
    this.show();
  }

  setPhase(phase: Phase): void {
    this.state.phase = phase;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: phase }]);
    this.show();
  }

  /** The Temporal UI's "current details" (what serves, what rolls out, what waits, what happened), and the memo of the same. */
  show(): void {
    setCurrentDetails(endpointDetails(this.state));
    this.writeMemo(this.state);
  }
}
