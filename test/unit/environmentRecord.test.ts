/** `modelship deploy` links to the UI `modelship dev` recorded for its frontend, not to a port guessed from it. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { recordedUiUrl, removeEnvironmentRecord, writeEnvironmentRecord } from '../../cli/dev/environmentRecord';

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
