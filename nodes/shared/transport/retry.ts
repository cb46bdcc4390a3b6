import { headerText } from '../headers';

/** hiapi's SDK backs off 0.5 s, 1 s, 2 s, ... and never waits longer than this between tries. */
const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 8_000;
/** A server may ask for longer waits than we are willing to hold an execution for. */
export const RETRY_AFTER_CAP_MS = 60_000;
/** Retries of one request (not counting the first try): enough to ride out a short rate limit, bounded: without Retry-After a dead service fails within about 16 s of backoff, with the longest Retry-After within 5 minutes. */
export const MAX_RETRIES = 5;

export function backoffMs(attempt: number): number {
	return Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_CAP_MS);
}

/**
 * Reads a Retry-After header given in seconds or as an HTTP-date; undefined when absent or unreadable.
 * `nowMs` is a parameter so tests can pin the clock.
 */
export function retryAfterMs(value: unknown, nowMs = Date.now()): number | undefined {
	const raw = headerText(value);
	if (raw === '') return undefined;
	let ms: number;
	if (/^\d+(\.\d+)?$/.test(raw)) {
		ms = Number(raw) * 1000;
	} else {
		const at = Date.parse(raw);
		if (Number.isNaN(at)) return undefined;
		ms = at - nowMs;
	}
	return Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}

/** The wait before retry number `attempt` (0-based): the server's word when it gave one, else exponential backoff. */
export function retryDelayMs(
	attempt: number,
	retryAfterHeader: unknown,
	nowMs = Date.now(),
): number {
	return retryAfterMs(retryAfterHeader, nowMs) ?? backoffMs(attempt);
}
