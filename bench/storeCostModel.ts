/**
 * The cost model for store requests: S3 list prices, $0.005 per 1,000 LIST or PUT and
 * $0.0004 per 1,000 GET, as dollars per day at a rate of requests per second.
 */
import type { RequestCounts } from '../test/support/countingStore';

export const LIST_PUT_PER_1000 = 0.005;
export const GET_PER_1000 = 0.0004;

/** Dollars per day at `perSecond` requests of each class. */
export function dollarsPerDay(perSecond: RequestCounts): number {
  return ((perSecond.list + perSecond.put) * LIST_PUT_PER_1000 + perSecond.get * GET_PER_1000) * 86.4;
}
