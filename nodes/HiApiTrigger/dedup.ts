import type { IDataObject } from 'n8n-workflow';

/** hiapi retries a delivery for well under a day; a week of memory leaves a wide margin. */
const REMEMBER_S = 7 * 24 * 3600;
/** Bounds the workflow's static data, which n8n saves with the workflow after each call. */
const MAX_REMEMBERED = 5000;

/**
 * Deliveries being handled right now, in this process. Static data alone cannot stop two
 * concurrent deliveries: each webhook call works on its own copy until n8n saves it.
 */
const inFlight = new Set<string>();
/**
 * Tasks handled by this process. n8n saves a workflow's static data whole after each call, so two
 * concurrent calls for different tasks can overwrite each other's record: this memory covers that
 * gap while the process lives; static data covers restarts.
 */
const handled = new Map<string, number>();

export interface Dedup {
	/** 'new' claims the task for this call; release it with done() or abandon(). */
	claim(): 'new' | 'seen' | 'in-flight';
	done(): void;
	abandon(): void;
}

function seenMap(staticData: IDataObject): Record<string, number> {
	if (!staticData.seenTasks || typeof staticData.seenTasks !== 'object') staticData.seenTasks = {};
	return staticData.seenTasks as Record<string, number>;
}

function prune(seen: Record<string, number>, nowS: number) {
	const entries = Object.entries(seen);
	for (const [taskId, at] of entries) if (nowS - at > REMEMBER_S) delete seen[taskId];
	const left = Object.entries(seen);
	if (left.length > MAX_REMEMBERED) {
		left.sort((a, b) => a[1] - b[1]);
		for (const [taskId] of left.slice(0, left.length - MAX_REMEMBERED)) delete seen[taskId];
	}
}

/** At-least-once delivery becomes one execution per task: in-process lock plus a record in static data (survives restarts). */
export function dedupFor(staticData: IDataObject, scope: string, taskId: string): Dedup {
	const key = `${scope}:${taskId}`;
	const seen = seenMap(staticData);
	return {
		claim() {
			if (seen[taskId] || handled.has(key)) return 'seen';
			if (inFlight.has(key)) return 'in-flight';
			inFlight.add(key);
			return 'new';
		},
		done() {
			const nowS = Math.floor(Date.now() / 1000);
			seen[taskId] = nowS;
			prune(seen, nowS);
			handled.set(key, nowS);
			// Insertion order is age order, so the oldest entries go first.
			for (const old of handled.keys()) {
				if (handled.size <= MAX_REMEMBERED) break;
				handled.delete(old);
			}
			inFlight.delete(key);
		},
		abandon() {
			inFlight.delete(key);
		},
	};
}
