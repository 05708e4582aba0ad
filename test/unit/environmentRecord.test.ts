/** `modelship deploy` links to the UI `modelship dev` recorded for its frontend, not to a port guessed from it. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultStateDir, recordedUiUrl, removeEnvironmentRecord, writeEnvironmentRecord } from '../../cli/dev/environmentRecord';

test('the recorded UI of the same frontend, else none', async () => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'modelship-record-'));
  expect(recordedUiUrl('127.0.0.1:7233', stateDir)).toBeUndefined();
  await writeEnvironmentRecord(stateDir, { temporalAddress: '127.0.0.1:7233', uiUrl: 'http://127.0.0.1:9999' });
  expect(recordedUiUrl('127.0.0.1:7233', stateDir)).toBe('http://127.0.0.1:9999');
  expect(recordedUiUrl('localhost:7233', stateDir)).toBe('http://127.0.0.1:9999');
  expect(recordedUiUrl('127.0.0.1:7234', stateDir)).toBeUndefined();
  await removeEnvironmentRecord(stateDir);
  expect(recordedUiUrl('127.0.0.1:7233', stateDir)).toBeUndefined();
});

test('a record left by a modelship dev that is gone is ignored; commands look in MODELSHIP_STATE_DIR', async () => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'modelship-record-'));
  await writeEnvironmentRecord(stateDir, { temporalAddress: '127.0.0.1:7233', uiUrl: 'http://127.0.0.1:9999', pid: process.pid });
  expect(recordedUiUrl('127.0.0.1:7233', stateDir)).toBe('http://127.0.0.1:9999');
  await writeEnvironmentRecord(stateDir, { temporalAddress: '127.0.0.1:7233', uiUrl: 'http://127.0.0.1:9999', pid: 2147483646 }); // SIGKILLed: no such process
  expect(recordedUiUrl('127.0.0.1:7233', stateDir)).toBeUndefined();
  expect(defaultStateDir({ MODELSHIP_STATE_DIR: stateDir })).toBe(stateDir);
  expect(defaultStateDir({})).toBe('.modelship');
});
