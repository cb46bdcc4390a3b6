import { sleep } from 'n8n-workflow';

/**
 * Waits `ms`, returning early (false) as soon as the execution is cancelled, so a stopped
 * workflow never sits out a poll interval or a retry delay. n8n-workflow's `sleep` itself
 * cannot be aborted, hence the race with the signal.
 */
export async function sleepUnlessCancelled(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return false;
	if (!signal) {
		await sleep(ms);
		return true;
	}
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<boolean>((resolve) => {
		onAbort = () => resolve(false);
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([sleep(ms).then(() => true), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}
