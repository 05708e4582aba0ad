/**
 * A real Prometheus (Debian's build, unpacked into `.tools/` by scripts/setup.sh) scraping gateway
 * replicas every second, for the PromQL checks of canary analysis and the shipped dashboard and rules.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ManagedProcess } from '../../cli/dev/childProcess';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { tempDir, testEnv } from './testEnv';

/** `prometheus`, or another program of Debian's package (`promtool`): the one in `.tools/` if set up there, else from PATH. */
export function prometheusBinary(name: 'prometheus' | 'promtool' = 'prometheus'): string {
  const local = path.join(PACKAGE_ROOT, '.tools', 'prometheus', 'usr', 'bin', name);
  return existsSync(local) ? local : name;
}

/** Starts Prometheus scraping `targets` (gateway URLs) every second, evaluating the rules of `ruleFiles` (absolute paths) every second. */
export async function startPrometheus(targets: string[], ruleFiles: string[] = []): Promise<{ process: ManagedProcess; url: string }> {
  const dir = await tempDir('prometheus');
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    ...(ruleFiles.length > 0 ? ['rule_files:', ...ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)] : []),
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
