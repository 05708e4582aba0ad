/** Free ports for the test environment (`cli/dev/ports.ts`): picked together, so never the same one twice. */
import { freePorts, isPortOpen } from '../../cli/dev/ports';

test('freePorts hands out distinct ports, all released again', async () => {
  for (let round = 0; round < 20; round++) {
    const ports = await freePorts(3);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) expect(await isPortOpen(port)).toBe(false);
  }
});
