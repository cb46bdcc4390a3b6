import { createHash, createHmac } from 'crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { safeEqual } from '../callback/verify';
import { downloadOutputs } from '../media/output';
import { errorItem, type ErrorJson } from '../outcome/errorItem';
import { failureMessage, taskJson } from '../taskJson';
import { taskError } from '../transport/errors';
import type { HiApiContext } from '../transport/request';
import type { Task } from '../types';

/**
 * While the execution waits, the node's input items are replaced by one state item per input.
 * They are the only state n8n keeps for a waiting node (webhook calls cannot save anything), the
 * webhook reads them back with `$input.all()`, and they are what the node outputs if the deadline
 * passes first. So each is already the error item of a timeout (see errorItem: the shape n8n routes
 * to the error output), and its `error` names the task.
 */
export const PENDING = 'timeout';

export interface PendingError extends ErrorJson {
	taskId: string;
	status: typeof PENDING;
	model: string;
	/** The request's echoed parameters, put back on the output item when the task settles. */
	echo: IDataObject;
	/** The hash of the item key its callback URL carries (see itemKey). */
	keyHash?: string;
}

export type PendingItem = INodeExecutionData & { json: { error: PendingError } };

export function isPending(item: INodeExecutionData | undefined): item is PendingItem {
	const error = item?.json?.error as IDataObject | undefined;
	return (
		!!error &&
		typeof error === 'object' &&
		error.status === PENDING &&
		typeof error.taskId === 'string'
	);
}

export function pendingItem(
	itemIndex: number,
	task: Omit<PendingError, 'message' | 'status'>,
	timeoutS: number,
): PendingItem {
	const message = `Timed out waiting for hiapi's callback after ${timeoutS} s (task ID: ${task.taskId}): the task may still finish; fetch it with Get Task`;
	const error = { message, ...task, status: PENDING } as PendingError;
	return { json: { error }, pairedItem: { item: itemIndex } };
}

/**
 * A per-item key in the callback URL, so a callback is tied to its execution and item even where
 * n8n does not sign resume URLs (before 2.14). Keyed with a secret of this run (see
 * earlierTries.ts: kept in memory across Retry On Fail, never saved), not with the API key: a key
 * rotated while the batch waits must not turn every callback away.
 */
export function itemKey(secret: string, executionId: string, itemIndex: number): string {
	return createHmac('sha256', secret)
		.update(`hiapi-resume:${executionId}:${itemIndex}`)
		.digest('hex')
		.slice(0, 32);
}

/** What the paused state keeps of an item key: enough to check a callback, useless to forge one. */
export function itemKeyHash(key: string): string {
	return createHash('sha256').update(key).digest('hex');
}

/** Whether a callback's item key is the one this item's task was sent with. */
export function itemKeyMatches(
	keyHash: string | undefined,
	given: unknown,
	legacy: () => string,
): boolean {
	if (typeof given !== 'string' || given === '') return false;
	// Executions paused by versions before the key hash keyed the item key with the API key.
	if (typeof keyHash !== 'string') return safeEqual(given, legacy());
	return safeEqual(itemKeyHash(given), keyHash);
}

/** What a callback needs of each paused item: its task and key hash while it waits, else null. */
export type PendingIndex = Array<{ taskId: string; keyHash?: string } | null>;

/**
 * Read through n8n's expression engine, the only way a webhook has to its paused items. One fixed
 * expression that hands back only task IDs and key hashes: the engine caches its compiled form and
 * copies out a small array, where `$input.all()` copies out every item (see bench/callback-cost.ts).
 */
export const PENDING_INDEX_EXPRESSION = `{{ $input.all().map((x) => x.json && x.json.error && x.json.error.status === '${PENDING}' && typeof x.json.error.taskId === 'string' ? { taskId: x.json.error.taskId, keyHash: x.json.error.keyHash } : null) }}`;

/**
 * The output item of one settled task of a batch: its image, or an error item naming the task
 * (a failed task, or one whose image could not be downloaded).
 */
export async function settledItem(
	this: HiApiContext,
	state: PendingItem,
	task: Task,
	itemIndex: number,
	options: { outputProperty: string; download: boolean; signal?: AbortSignal },
): Promise<INodeExecutionData> {
	const pending = state.json.error;
	const echo = pending.echo ?? {};
	const ctx = { node: this.getNode(), itemIndex, taskId: task.taskId };
	if (task.status !== 'success') {
		const error = taskError({ ...ctx, taskStatus: 'fail' }, failureMessage(task));
		return errorItem(error, itemIndex, {
			...echo,
			model: task.model || pending.model,
			code: task.error?.code ?? 'TASK_FAILED',
		});
	}
	const json = { ...taskJson(task), ...echo };
	if (!options.download) return { json, pairedItem: { item: itemIndex } };
	try {
		const binary = await downloadOutputs.call(this, task, options.outputProperty, {
			itemIndex,
			signal: options.signal,
		});
		// Read again after the download, which labels an output hiapi gave no type by its Content-Type.
		return { json: { ...taskJson(task), ...echo }, binary, pairedItem: { item: itemIndex } };
	} catch (error) {
		return errorItem(error, itemIndex, { ...echo, model: task.model || pending.model });
	}
}
