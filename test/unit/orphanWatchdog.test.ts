/**
 * The orphan watchdog forgets a process group when its process exits (`unwatch`), so a group id the
 * system hands out again later is never signalled; `ManagedProcess` tells it when a child exits.
 */
import { ManagedProcess } from '../../cli/dev/childProcess';
import { readWatchdogCommands } from '../../cli/dev/orphanWatchdog';

async function* linesOf(lines: string[]): AsyncIterable<string> {
  yield* lines;
}

test('unwatch forgets a group; stop is remembered; malformed lines are ignored', async () => {
  expect(await readWatchdogCommands(linesOf(['watch 101', 'watch 102', 'unwatch 101', 'watch x', 'unwatch']))).toEqual({
    groups: new Set([102]),
    stopped: false,
  });
  expect(await readWatchdogCommands(linesOf(['watch 7', 'stop']))).toEqual({ groups: new Set([7]), stopped: true });
});

test("what onSpawn returns is called with the child's exit", async () => {
  const events: string[] = [];
  const child = await ManagedProcess.start({
    name: 'short',
    command: process.execPath,
    args: ['-e', 'setTimeout(() => {}, 50)'],
    onSpawn: (pid) => {
      events.push(`spawned ${pid}`);
      return () => events.push(`exited ${pid}`);
    },
  });
  await new Promise((resolve) => child.child.once('exit', resolve));
  expect(events).toEqual([`spawned ${child.pid}`, `exited ${child.pid}`]);
});
