/**
 * Renders a deployment's progress. Off a terminal (CI logs, pipes, tests): a line when a stage or
 * rollout step starts and one when it ends ({@link ProgressPrinter}). On a terminal: the same end
 * lines, and meanwhile a spinner line with the elapsed time for each stage or step still running
 * ({@link LiveProgress}). A stage waiting for an operator's retry prints, once, what failed and what
 * to do; each decision on it (retry, abort) prints a line.
 */
import type { DeploymentResult, DeploymentStatus, StageState } from '../sdk/schemas';
import { STAGE_MARKS, staleReplicasNote, stepLabel } from './deploymentView';
import { describeDecision, retryInstructions } from '../sdk/retryInstructions';
import { shortDigest } from '../sdk/shortDigest';
import { watchHeadline, watchIntervalLine } from '../sdk/watchSummary';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Something that shows a deployment's progress as its status changes. */
export interface ProgressView {
  update(status: DeploymentStatus): void;
  /** Stops any animation; the lines printed so far stay. */
  stop(): void;
}

/** A stage or rollout step as it stands, with the line that shows it. */
interface ProgressItem {
  key: string;
  /** Changes whenever the item's line would change. */
  shown: string;
  running: boolean;
  /** A rollout step, shown under its stage. */
  nested: boolean;
  /** ISO time it started, for a running item's elapsed time. */
  startedAt?: string;
  /** Its line; for a running item on a terminal, with a spinner frame and the elapsed time. */
  line(live?: { frame: string; elapsedMs: number }): string;
}

function progressItems(status: DeploymentStatus): ProgressItem[] {
  const items: ProgressItem[] = [];
  if (status.phase === 'Queued') {
    items.push({
      key: 'queued',
      shown: 'queued',
      running: true,
      nested: false,
      line: (live) =>
        live
          ? `  ${live.frame} queued     waiting for the endpoint's deployment in progress ${formatSeconds(live.elapsedMs)}`
          : `  … queued     waiting for the endpoint's deployment in progress`,
    });
  }
  // Stages in order; the rollout's steps right after the stage that runs them (release), so they follow ✓ benchmark.
  const steps = rolloutItems(status);
  for (const stage of status.stages) {
    if (stage.status !== 'pending') items.push(stageItem(stage));
    if (stage.name === 'release') items.push(...steps.splice(0));
  }
  return [...items, ...steps, ...watchItems(status), ...retryItems(status)];
}

/** The watch: a line when it starts and when it ends, one per judged interval with its numbers. */
function watchItems(status: DeploymentStatus): ProgressItem[] {
  const watch = status.rollout?.watch;
  if (!watch) return [];
  return [
    noteItem(`watch:${watch.phase}`, `      ↳ ${watchHeadline(watch)}`),
    ...watch.intervals.map((interval, i) => noteItem(`watch-interval:${i}`, `        ${watchIntervalLine(interval, i, watch.previousVersion)}`)),
  ];
}

/** A permanent line (printed once, never running). */
function noteItem(key: string, text: string): ProgressItem {
  return { key, shown: text, running: false, nested: false, line: () => text };
}

/** The retry instructions when a stage starts waiting for an operator, and a line per decision. */
function retryItems(status: DeploymentStatus): ProgressItem[] {
  const items: ProgressItem[] = [];
  const waiting = status.waiting;
  if (waiting) {
    const lines = retryInstructions(status, waiting);
    items.push(noteItem(`waiting:${waiting.since}`, [`  ⏸ ${lines[0]}`, ...lines.slice(1).map((line) => `      ${line}`)].join('\n')));
  }
  for (const [i, decision] of (status.decisions ?? []).entries()) items.push(noteItem(`decision:${i}`, `  ↻ ${describeDecision(decision)}`));
  return items;
}

function stageItem(stage: StageState): ProgressItem {
  const elapsed = stage.startedAt && stage.finishedAt ? ` (${formatMs(Date.parse(stage.finishedAt) - Date.parse(stage.startedAt))})` : '';
  const summary = stage.status === 'running' ? 'running' : (stage.summary ?? stage.status);
  return {
    key: stage.name,
    shown: stage.status,
    running: stage.status === 'running',
    nested: false,
    startedAt: stage.startedAt,
    line: (live) =>
      live
        ? `  ${live.frame} ${stage.name.padEnd(10)} running ${formatSeconds(live.elapsedMs)}`
        : `  ${STAGE_MARKS[stage.status]} ${stage.name.padEnd(10)} ${summary}${elapsed}`,
  };
}

function rolloutItems(status: DeploymentStatus): ProgressItem[] {
  const items: ProgressItem[] = [];
  for (const [i, step] of (status.rollout?.steps ?? []).entries()) {
    if (step.status === 'pending') continue;
    const what = stepLabel(step).padEnd(12);
    const verdict = step.verdict ? ` (analysis: ${step.verdict.status}; ${step.verdict.checks.map((c) => `${c.name} ${c.status}`).join(', ')})` : '';
    const notes = [step.note, staleReplicasNote(step)].filter(Boolean);
    const note = notes.length > 0 ? ` — ${notes.join('; ')}` : '';
    const state = status.rollout?.state;
    items.push({
      key: `rollout-${i}`,
      shown: `${step.status}:${note}`,
      running: step.status === 'running',
      nested: true,
      startedAt: step.startedAt,
      line: (live) =>
        live
          ? `      ${live.frame} ${what} ${state ?? step.status} ${formatSeconds(live.elapsedMs)}${note}`
          : `      ↳ ${what} ${step.status}${verdict}${note}`,
    });
  }
  return items;
}

/** One line when a stage or rollout step starts, one when it ends: for logs and pipes. */
export class ProgressPrinter implements ProgressView {
  private readonly seen = new Map<string, string>();

  constructor(private readonly write: (line: string) => void) {}

  update(status: DeploymentStatus): void {
    for (const item of progressItems(status)) {
      if (this.seen.get(item.key) === item.shown) continue;
      this.seen.set(item.key, item.shown);
      this.write(item.line());
    }
  }

  stop(): void {}
}

/** The terminal the live view draws on: a writable stream that knows its width. */
export interface Terminal {
  write(text: string): unknown;
  columns?: number;
}

/**
 * On a terminal: a line per stage or step that ended (as {@link ProgressPrinter} writes it), below
 * them a spinner line per running one with its elapsed time, redrawn in place.
 */
export class LiveProgress implements ProgressView {
  private readonly seen = new Map<string, string>();
  private running: ProgressItem[] = [];
  /** Local time each running item was first seen, when it has no start time of its own. */
  private readonly firstSeen = new Map<string, number>();
  /** Lines of the live block now on screen, below the permanent lines. */
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly terminal: Terminal,
    private readonly now: () => number = Date.now,
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => {
      this.frame++;
      this.redraw([]);
    }, intervalMs);
    this.timer.unref();
  }

  update(status: DeploymentStatus): void {
    const ended: string[] = [];
    const running: ProgressItem[] = [];
    for (const item of progressItems(status)) {
      if (item.running) {
        running.push(item);
        if (!this.firstSeen.has(item.key)) this.firstSeen.set(item.key, this.now());
        continue;
      }
      if (this.seen.get(item.key) === item.shown) continue;
      this.seen.set(item.key, item.shown);
      ended.push(item.line());
    }
    // Running stages, then the rollout steps under them.
    this.running = [...running.filter((i) => !i.nested), ...running.filter((i) => i.nested)];
    this.redraw(ended);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.running = [];
    this.redraw([]);
  }

  /** Replaces the live block: permanent lines first, then the running items' spinner lines. */
  private redraw(permanent: string[]): void {
    const width = Math.max(20, (this.terminal.columns ?? 80) - 1);
    const live = this.running.map((item) => {
      const started = item.startedAt ? Date.parse(item.startedAt) : Number.NaN;
      const since = Number.isFinite(started) ? started : (this.firstSeen.get(item.key) ?? this.now());
      const frame = SPINNER[this.frame % SPINNER.length] as string;
      // Cut to the terminal's width: a wrapped line would break the count of lines to redraw.
      return item.line({ frame, elapsedMs: Math.max(0, this.now() - since) }).slice(0, width);
    });
    if (this.drawn === 0 && permanent.length === 0 && live.length === 0) return;
    // To the start of the live block, clear to the end of the screen, write.
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    this.terminal.write(up + [...permanent, ...live].map((line) => `${line}\n`).join(''));
    this.drawn = live.length;
  }
}

/** The view for a stream: live on a terminal, one line per event elsewhere. */
export function progressView(stream: NodeJS.WriteStream): ProgressView {
  if (stream.isTTY && process.env.TERM !== 'dumb') return new LiveProgress(stream);
  return new ProgressPrinter((line) => stream.write(`${line}\n`));
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One paragraph on how a deployment ended. */
export function describeOutcome(result: DeploymentResult): string {
  switch (result.outcome) {
    case 'promoted': {
      const pick = result.candidates.find((c) => c.selected && c.artifact?.digest === result.artifact?.digest);
      const report = result.report ? `\n  report: ${result.report.uri}` : '';
      return `promoted: ${result.endpoint} now serves ${result.version} (${pick?.label ?? 'model'} ${result.artifact ? shortDigest(result.artifact.digest) : ''}, routing generation ${result.release?.generation})${report}`;
    }
    case 'rejected':
      return `rejected at ${result.failure?.stage}: ${result.failure?.type}: ${result.failure?.message}${result.report ? `\n  report: ${result.report.uri}` : ''}`;
    case 'rolledBack':
      return `rolled back: ${result.failure?.type}: ${result.failure?.message}; ${result.endpoint} serves ${result.rollout?.stableVersion} again (verified: ${JSON.stringify(result.rollout?.rollback?.verified ?? {})})`;
    case 'failed':
      return `failed at ${result.failure?.stage}: ${result.failure?.type}: ${result.failure?.message}`;
  }
}
