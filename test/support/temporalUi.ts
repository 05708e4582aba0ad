/**
 * The Temporal UI (the version bundled with the toolchain's `temporal` CLI) driven in a real browser:
 * playwright-core over Debian's Chromium, headless. Every selector a test depends on lives here, by
 * accessible role and visible text where the UI offers them, so a UI upgrade is fixed in one place.
 * A step whose element is not found fails naming the step, the page, and where its screenshot is.
 *
 * @example
 * const ui = await TemporalUi.open(testEnv('temporalUi'), { screenshotsDir });
 * await ui.listWorkflows(`ModelshipPhase = 'WaitingForRetry'`, 'deploy/shop/v2');
 * await ui.openWorkflow('deploy/shop/v2');
 * await ui.sendSignal('retry', { by: 'me', reason: 'the store is back' });
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** How long one step may wait for an element, and how long a poll (reloading the page) may go on. */
const STEP_TIMEOUT_MS = 30_000;
const POLL_TIMEOUT_MS = 90_000;

/** The Chromium to drive: `MODELSHIP_CHROMIUM`, else `chromium` on the PATH; an error naming what to install when there is none. */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.MODELSHIP_CHROMIUM;
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new Error(`MODELSHIP_CHROMIUM is ${configured}, which does not exist: point it at a Chromium binary, or unset it to use Debian's chromium`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'chromium');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    "Chromium is not installed: the Temporal UI test drives a real browser. Install Debian's chromium package " +
      '(`apt-get install chromium`; `npm run setup` does it as root), or set MODELSHIP_CHROMIUM to a Chromium binary ' +
      "(Playwright's own browser download is not used).",
  );
}

export class TemporalUi {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly baseUrl: string,
    private readonly namespace: string,
    private readonly screenshotsDir: string,
  ) {}

  /** A headless browser on the UI at `baseUrl` (`http://127.0.0.1:<ui port>`); screenshots of failed steps go to `screenshotsDir`. */
  static async open(baseUrl: string, options: { screenshotsDir: string; namespace?: string }): Promise<TemporalUi> {
    await mkdir(options.screenshotsDir, { recursive: true });
    const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: ['--no-sandbox'], headless: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    return new TemporalUi(browser, page, baseUrl.replace(/\/$/, ''), options.namespace ?? 'default', options.screenshotsDir);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /**
   * Opens the workflows list filtered by a visibility `query` (as the UI's filter bar keeps it) and
   * reloads it until `expected` is listed (visibility lags a moment behind the workflow); the listed workflow IDs.
   */
  async listWorkflows(query: string, expected: string): Promise<string[]> {
    const url = `${this.baseUrl}/namespaces/${encodeURIComponent(this.namespace)}/workflows?query=${encodeURIComponent(query)}`;
    return this.step(`list the workflows matching ${query} until ${expected} is among them`, () =>
      this.poll(async () => {
        await this.page.goto(url);
        // The heading counts what matched ("1 Workflow", "0 Workflows") once the list has loaded.
        await this.page
          .getByRole('main')
          .getByRole('heading', { level: 1 })
          .filter({ hasText: /\d+ Workflows?/ })
          .waitFor();
        const table = this.page.getByRole('table', { name: 'Workflows' });
        if (!(await table.isVisible())) return undefined;
        const ids = await workflowIdsIn(table.getByRole('link'));
        return ids.includes(expected) ? ids : undefined;
      }, `${expected} was not listed`),
    );
  }

  /** Opens a workflow from the list on screen (by its Workflow ID link) and waits for its page. */
  async openWorkflow(workflowId: string): Promise<void> {
    await this.step(`open ${workflowId} from the workflows list`, async () => {
      await this.page.getByRole('table', { name: 'Workflows' }).getByRole('link', { name: workflowId, exact: true }).first().click();
      await this.workflowHeading(workflowId).waitFor();
    });
  }

  /** The open workflow's "Current Details" (tab "User Metadata"), as the rendered Markdown's text. */
  async currentDetails(): Promise<string> {
    return this.step('read the current details (tab "User Metadata", section "Current Details")', async () => {
      await this.page.getByRole('tab', { name: 'User Metadata' }).click();
      // The Markdown is rendered in an iframe under the section's heading.
      const frame = this.page.getByRole('heading', { name: 'Current Details' }).locator('xpath=following::iframe[1]').contentFrame();
      const body = frame.locator('body');
      await body.filter({ hasText: /\S/ }).waitFor();
      return normalize(await body.innerText());
    });
  }

  /** Reloads the open workflow's page until its current details contain every one of `texts`; the details. */
  async waitForCurrentDetails(...texts: string[]): Promise<string> {
    let last = '';
    return this.poll(
      async () => {
        last = await this.currentDetails();
        if (texts.every((t) => last.includes(t))) return last;
        await this.page.reload();
        return undefined;
      },
      () => `the current details never showed ${texts.map((t) => JSON.stringify(t)).join(' and ')}; last seen:\n${last}`,
    );
  }

  /** Reloads the open workflow's page until its status badge reads `status` (`Running`, `Completed`, `Failed`, ...). */
  async waitForWorkflowStatus(status: string): Promise<void> {
    await this.step(`see the workflow ${status}`, () =>
      this.poll(async () => {
        const badge = this.page
          .getByRole('main')
          .getByRole('status')
          .filter({ hasText: new RegExp(`^\\s*${status}\\s*$`, 'i') });
        if (await badge.first().isVisible()) return true;
        await this.page.reload();
        await this.page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();
        return undefined;
      }, `the status never read ${status}`),
    );
  }

  /** Sends a Signal to the open workflow as an operator does: "More Actions" → "Send a Signal", its name, a JSON input, "Submit". */
  async sendSignal(name: string, input: unknown): Promise<void> {
    const page = this.page;
    const dialog = page.getByRole('dialog', { name: 'Send a Signal' });
    await this.step('open "More Actions" → "Send a Signal"', async () => {
      await page.getByRole('button', { name: 'More Actions' }).click();
      await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
      await dialog.waitFor();
    });
    await this.step(`choose the signal ${name} and fill in its input`, async () => {
      await this.chooseSignalName(dialog, name);
      const data = dialog.getByRole('textbox', { name: 'Data' });
      await data.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      // Inserted as text: typed, the JSON editor would close each bracket and quote a second time.
      await page.keyboard.insertText(JSON.stringify(input));
      // Leave the editor before submitting (by a click inside the form: a click elsewhere closes the dialog):
      // it re-formats the JSON on blur, which would move the buttons under a click.
      await dialog.getByText('Single JSON payload supported.').click();
    });
    await this.step(`submit the ${name} signal`, async () => {
      await dialog.getByRole('button', { name: 'Submit' }).click();
      await dialog.waitFor({ state: 'hidden' });
    }).catch(async (error: Error) => {
      const alerts = (
        await dialog
          .getByRole('alert')
          .allInnerTexts()
          .catch(() => [])
      ).filter((t) => t.trim());
      throw alerts.length > 0 ? new Error(`${error.message}\nthe dialog says: ${alerts.join('; ')}`) : error;
    });
  }

  /**
   * Picks the signal's name: from the list of the workflow's Signal handlers when the UI offers one
   * ("Select a signal", for a workflow whose SDK reports its handlers), else typed into "Signal name".
   */
  private async chooseSignalName(dialog: Locator, name: string): Promise<void> {
    const picker = dialog.getByRole('button', { name: 'Select a signal' });
    // The label's `for` names an id this UI version gives two inputs: the field's test id as well.
    const field = dialog.getByLabel('Signal name').or(dialog.getByTestId('signal-name')).first();
    await picker.or(field).first().waitFor();
    if (!(await picker.isVisible())) return field.fill(name);
    await picker.click();
    const options = dialog.getByRole('option');
    await options.first().waitFor();
    const option = options.filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) });
    if ((await option.count()) === 0) throw new Error(`the workflow lists no signal ${name} (it lists ${(await options.allInnerTexts()).join(', ')})`);
    await option.first().click();
  }

  private workflowHeading(workflowId: string) {
    return this.page.getByRole('main').getByRole('heading', { level: 1 }).filter({ hasText: workflowId });
  }

  /** Runs one step; when it fails, saves a screenshot and names the step, the page and the screenshot. */
  private async step<T>(what: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const file = path.join(this.screenshotsDir, `temporal-ui-${what.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
      const saved = await this.page
        .screenshot({ path: file, fullPage: true })
        .then(() => `its screenshot is ${file}`)
        .catch(() => 'no screenshot could be taken');
      const cause = String((error as Error).message ?? error).split('\n')[0];
      throw new Error(`Temporal UI: could not ${what} at ${this.page.url()} (${saved}): ${cause}`);
    }
  }

  /** Calls `attempt` until it returns a value (once a second, {@link POLL_TIMEOUT_MS} at most). */
  private async poll<T>(attempt: () => Promise<T | undefined>, failure: string | (() => string)): Promise<T> {
    const deadline = Date.now() + POLL_TIMEOUT_MS;
    for (;;) {
      const value = await attempt();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(typeof failure === 'string' ? failure : failure());
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The workflow IDs the links of a workflows table point at (`/namespaces/<ns>/workflows/<id>/<run>/…`), each once. */
async function workflowIdsIn(links: Locator): Promise<string[]> {
  const hrefs = await links.evaluateAll((elements) => elements.map((e) => e.getAttribute('href') ?? ''));
  const ids = hrefs.map((href) => /\/workflows\/([^/?#]+)\/[^/?#]+\/[a-z-]+$/.exec(href)?.[1]).filter((id): id is string => id !== undefined);
  return [...new Set(ids.map(decodeURIComponent))];
}

/** Rendered text without the blank lines the Markdown renderer leaves between blocks. */
function normalize(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}
