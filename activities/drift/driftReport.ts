/**
 * The promoted version's HTML report (`reports/<endpoint>/<version>/report.html`) shows its drift:
 * after each check the page is written again from the report's JSON, with the drift section of the
 * version's recent checks at its end. Best effort: a version deployed without a report (or a report
 * unreadable) keeps its page as it is, and the check stands.
 */
import { log } from '@temporalio/activity';
import { deploymentStatus } from '../../sdk/schemas';
import { readDocument, recentDriftChecks, storeKeys, type ArtifactStore } from '../../store';
import { writeReportHtml } from '../report/deploymentReport';
import { driftSection } from '../report/driftSection';

/** Checks shown in the chart. */
const CHART_CHECKS = 50;

export async function refreshDriftReport(store: ArtifactStore, endpoint: string, version: string, threshold: number): Promise<void> {
  try {
    const status = await readDocument(store, storeKeys.report(endpoint, version, 'json'), deploymentStatus);
    if (!status) return;
    const checks = (await recentDriftChecks(store, endpoint, CHART_CHECKS)).filter((c) => c.version === version);
    await writeReportHtml(store, status, driftSection(checks, threshold));
  } catch (error) {
    log.warn(`drift section of ${endpoint} ${version}'s report not written: ${String(error)}`);
  }
}
