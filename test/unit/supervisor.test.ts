/**
 * The dev environment's supervisor, over real (tiny) Node processes: a child that dies is reported
 * with how it ended and its last output, and restarted; one that keeps dying at once is given up on.
 */
import { ManagedProcess } from '../../cli/dev/childProcess';
import { Supervisor, type SupervisedService } from '../../cli/dev/supervisor';

function nodeService(name: string, script: string, readyPattern?: RegExp): SupervisedService {
  return { name, start: () => ManagedProcess.start({ name, command: process.execPath, args: ['-e', script], processGroup: true, readyPattern }) };
}

test('a child that keeps failing at once is reported each time, restarted with backoff, then given up on', async () => {
  const lines: string[] = [];
  const supervisor = new Supervisor({ report: (line) => lines.push(line), maxFastFailures: 3, initialBackoffMs: 10, maxBackoffMs: 40 });
  const service = nodeService('flaky', "console.error('cannot open the thing'); process.exit(3)");
  supervisor.supervise(service, await service.start());
  const reason = await supervisor.gaveUp;
  expect(reason.message).toMatch(/^flaky failed 3 times in a row within 30 s of starting: giving up/);
  expect(lines.filter((l) => /^flaky \(pid \d+\) died: exit code 3 after/.test(l))).toHaveLength(3);
  expect(lines.filter((l) => l.includes('cannot open the thing'))).toHaveLength(3);
  expect(lines.filter((l) => l === 'flaky restarted' || /^flaky restarted \(pid \d+\)$/.test(l))).toHaveLength(2);
  expect(lines.filter((l) => l.startsWith('restarting flaky in'))).toEqual(['restarting flaky in 0.0 s', 'restarting flaky in 0.0 s']);
  expect(supervisor.restarts('flaky')).toBe(2);
});

test('a killed child is restarted and named with its signal; stop() stops it and restarts nothing', async () => {
  const lines: string[] = [];
  const supervisor = new Supervisor({ report: (line) => lines.push(line), initialBackoffMs: 10 });
  const service = nodeService('sleeper', "console.log('up'); setInterval(() => {}, 1000)", /^up$/);
  const first = await service.start();
  supervisor.supervise(service, first);
  try {
    process.kill(first.pid as number, 'SIGKILL');
    while (supervisor.restarts('sleeper') === 0) await new Promise((r) => setTimeout(r, 20));
  } finally {
    if (supervisor.restarts('sleeper') === 0) await supervisor.stop();
  }
  expect(lines[0]).toMatch(/^sleeper \(pid \d+\) died: signal SIGKILL after/);
  expect(lines).toContain('  its last output:\n    up');
  const second = supervisor.current('sleeper');
  expect(second.pid).not.toBe(first.pid);
  await supervisor.stop();
  expect(second.exitDescription()).toBe('signal SIGTERM');
  await new Promise((r) => setTimeout(r, 50));
  expect(supervisor.restarts('sleeper')).toBe(1);
});
