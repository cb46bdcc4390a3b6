/**
 * Runs `work` over `keys` with at most `width` in flight, resolving when every started one has
 * settled. `shouldStart` is asked before each new start, so a caller can stop feeding the pool
 * (after a failure, or a cancel) while letting in-flight work finish.
 */
export async function mapPool<K>(
	keys: K[],
	width: number,
	work: (key: K) => Promise<void>,
	shouldStart: () => boolean = () => true,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < keys.length && shouldStart()) {
			await work(keys[next++]);
		}
	};
	const lanes = Math.max(1, Math.min(Math.floor(width) || 1, keys.length));
	await Promise.all(Array.from({ length: lanes }, worker));
}
