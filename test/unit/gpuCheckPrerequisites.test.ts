/**
 * scripts/gpu-check.sh's first step on a machine that lacks prerequisites: it names every one
 * missing (not only the first) and exits 4 before building or starting anything. Run here with a
 * Python and a temporal binary that do not exist; the GPU provider libraries and the NVIDIA driver are
 * named missing too where they are (this machine has neither), and --cpu-only reports them without
 * requiring them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../sdk/packageRoot';

const LIBDIR = path.join(PACKAGE_ROOT, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
const PROVIDER_LIBRARIES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_tensorrt.so'];

function gpuCheck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, MODELSHIP_PYTHON: '/nonexistent/python', MODELSHIP_TEMPORAL_BIN: '/nonexistent/temporal' };
  return new Promise((resolve) => {
    execFile('bash', [path.join(PACKAGE_ROOT, 'scripts/gpu-check.sh'), ...args], { env, cwd: PACKAGE_ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('the whole check names every missing prerequisite and exits 4 before step 2', async () => {
  const { code, stdout, stderr } = await gpuCheck([]);
  expect(code).toBe(4);
  expect(stderr).toMatch(/missing prerequisites \(\d+\):/);
  expect(stderr).toContain('the temporal binary (/nonexistent/temporal cannot run): name one with MODELSHIP_TEMPORAL_BIN');
  expect(stderr).toMatch(
    /a Python with torch, onnx, onnxscript, onnxruntime, onnxconverter_common and numpy \(\/nonexistent\/python lacks some or cannot run\)/,
  );
  for (const lib of PROVIDER_LIBRARIES.filter((l) => !existsSync(path.join(LIBDIR, l)))) {
    expect(stderr).toMatch(new RegExp(`- node_modules/onnxruntime-node/bin/napi-v6/linux/x64/${lib}: onnxruntime-node's GPU provider library, from nuget`));
  }
  expect(stderr).toContain('FAILED: prerequisites missing');
  expect(stdout).not.toContain('== 2.');
});

test('--cpu-only requires the toolchain but only reports the GPU prerequisites', async () => {
  const { code, stdout, stderr } = await gpuCheck(['--cpu-only']);
  expect(code).toBe(4);
  expect(stderr).toMatch(/missing prerequisites \(2\):\n {2}- the temporal binary .*\n {2}- a Python with torch/);
  expect(stderr).not.toContain('GPU provider library');
  for (const lib of PROVIDER_LIBRARIES.filter((l) => !existsSync(path.join(LIBDIR, l))))
    expect(stdout).toContain(`not here (--cpu-only): node_modules/onnxruntime-node/bin/napi-v6/linux/x64/${lib}`);
});
