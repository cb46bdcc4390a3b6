import { createHmac } from 'crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { downloadOutputs } from '../../shared/images/output';
import { errorItem } from '../../shared/outcome/errorItem';
import { failureMessage, taskJson } from '../../shared/taskJson';
import { taskError } from '../../shared/transport/errors';
import type { HiApiContext } from '../../shared/transport/request';
import type { Task } from '../../shared/types';

/**
 * While the execution waits, the node's input items are replaced by one state item per input.
 * They are the only state n8n keeps for a waiting node (webhook calls cannot save anything), the
 * webhook reads them back with `$input.all()`, and they are what the node outputs if the deadline
 * passes first. So each is already the error item of a timeout: `{error, details}` is the shape n8n
 * routes to the error output (see errorItem), and `details` names the task.
 */
export const PENDING = 'timeout';

export interface PendingDetails extends IDataObject {
	taskId: string;
	status: typeof PENDING;
	model: string;
	prompt: string;
	aspectRatio: string;
	resolution: string;
}

export type PendingItem = INodeExecutionData & { json: { error: string; details: PendingDetails } };

export function isPending(item: INodeExecutionData | undefined): item is PendingItem {
	const details = item?.json?.details as IDataObject | undefined;
	return details?.status === PENDING && typeof details.taskId === 'string';
}

export function pendingItem(itemIndex: number, details: PendingDetails, timeoutS: number): PendingItem {
	const error = `Timed out waiting for hiapi's callback after ${timeoutS} s (task ID: ${details.taskId}): the task may still finish; fetch it with Get Task`;
	return { json: { error, details }, pairedItem: { item: itemIndex } };
}

/**
 * A per-item key in the callback URL, so a callback is tied to its execution and item even where
 * n8n does not sign resume URLs (before 2.14). Keyed with the API key, which hiapi already holds.
 */
export function itemKey(apiKey: string, executionId: string, itemIndex: number): string {
	return createHmac('sha256', apiKey).update(`hiapi-resume:${executionId}:${itemIndex}`).digest('hex').slice(0, 32);
}

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
	const { details } = state.json;
	const echo = { prompt: details.prompt, aspectRatio: details.aspectRatio, resolution: details.resolution };
	const ctx = { node: this.getNode(), itemIndex, taskId: task.taskId };
	if (task.status !== 'success') {
		const error = taskError({ ...ctx, taskStatus: 'fail' }, failureMessage(task));
		return errorItem(error, itemIndex, { ...echo, model: task.model || details.model, code: task.error?.code ?? 'TASK_FAILED' });
	}
	const json = { ...taskJson(task), ...echo };
	if (!options.download) return { json, pairedItem: { item: itemIndex } };
	try {
		const binary = await downloadOutputs.call(this, task, options.outputProperty, { itemIndex, signal: options.signal });
		return { json, binary, pairedItem: { item: itemIndex } };
	} catch (error) {
		return errorItem(error, itemIndex, { ...echo, model: task.model || details.model });
	}
}
