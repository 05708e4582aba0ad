/**
 * A real Prometheus (Debian's build, unpacked into `.tools/` by scripts/setup.sh) scraping gateway
 * replicas every second, for the PromQL checks of canary analysis.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ManagedProcess } from '../../cli/dev/childProcess';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { tempDir, testEnv } from './testEnv';

export function prometheusBinary(): string {
  const local = path.join(PACKAGE_ROOT, '.tools', 'prometheus', 'usr', 'bin', 'prometheus');
  return existsSync(local) ? local : 'prometheus';
}

export async function startPrometheus(targets: string[]): Promise<{ process: ManagedProcess; url: string }> {
  const dir = await tempDir('prometheus');
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: modelship-gateway',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(new URL(t).host)).join(', ')}]`,
  ].join('\n');
  await writeFile(path.join(dir, 'prometheus.yml'), `${config}\n`);
  const process_ = await ManagedProcess.start({
    name: 'prometheus',
    command: prometheusBinary(),
    args: [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    env: process.env,
    cwd: dir,
    logTo: path.join(testEnv('workDir'), 'prometheus.log'),
    readyPattern: /Server is ready to receive web requests/,
    readyTimeoutMs: 30_000,
  });
  return { process: process_, url: `http://127.0.0.1:${port}` };
}
