import { normalizeTask } from '../transport/tasks';
import type { Task } from '../types';

/** Task callbacks are a few hundred bytes; anything near this is not from hiapi. */
export const MAX_CALLBACK_BYTES = 1024 * 1024;

export type ParsedCallback = { ok: true; task: Task } | { ok: false; status: 400; reason: string };

/**
 * Reads a callback body. hiapi posts the task object; the whole {code,message,data} envelope is
 * accepted too, since its docs can be read either way.
 */
export function parseCallback(rawBody: Buffer | undefined): ParsedCallback {
	if (!rawBody || rawBody.length === 0) return { ok: false, status: 400, reason: 'empty body' };
	if (rawBody.length > MAX_CALLBACK_BYTES) {
		return {
			ok: false,
			status: 400,
			reason: `body of ${rawBody.length} bytes is over the ${MAX_CALLBACK_BYTES}-byte limit`,
		};
	}
	let value: unknown;
	try {
		value = JSON.parse(rawBody.toString('utf8'));
	} catch {
		return { ok: false, status: 400, reason: 'body is not JSON' };
	}
	const task = normalizeTask(value);
	if (!task) return { ok: false, status: 400, reason: 'body has no taskId' };
	return { ok: true, task };
}
