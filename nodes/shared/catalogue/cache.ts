/** hiapi's public model data changes when it adds a model or a price: minutes of staleness cost nothing. */
export const FRESH_MS = 5 * 60_000;
/** A failed read is not retried for this long, so an unreachable endpoint does not slow every run. */
export const FAILED_MS = 30_000;
export const FETCH_TIMEOUT_MS = 10_000;

/** What a public read gives: a value, or why there is none. */
export interface Read<T> {
	value?: T;
	problem?: string;
}

/**
 * One cache of public reads (catalogue, prices, schemas), keyed by URL and shared by every node run in
 * this process: a good answer is kept for minutes, a failed one for seconds. Concurrent callers of the
 * same URL share one request.
 */
export class PublicCache<T> {
	private readonly entries = new Map<string, { until: number; read: Promise<Read<T>> }>();

	async get(url: string, load: () => Promise<Read<T>>): Promise<Read<T>> {
		const now = Date.now();
		const hit = this.entries.get(url);
		if (hit && hit.until > now) return await hit.read;
		const read = load();
		const entry = { until: now + FRESH_MS, read };
		this.entries.set(url, entry);
		const result = await read;
		if (result.problem !== undefined || result.value === undefined)
			entry.until = Date.now() + FAILED_MS;
		return result;
	}

	clear(): void {
		this.entries.clear();
	}
}

export function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
