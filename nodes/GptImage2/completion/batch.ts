import { createHmac } from 'crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/**
 * While the execution waits, the node's input items are replaced by one state item per input.
 * They are the only state n8n keeps for a waiting node (webhook calls cannot save anything), the
 * webhook reads them back with `$input.all()`, and they are what the node outputs if the deadline
 * passes first: each already says "timed out" and names its task.
 */
export const PENDING = 'timeout';

export interface PendingJson extends IDataObject {
	taskId: string;
	model: string;
	status: typeof PENDING;
	error: string;
	prompt: string;
	aspectRatio: string;
	resolution: string;
}

export function isPending(item: INodeExecutionData | undefined): item is INodeExecutionData & { json: PendingJson } {
	return item?.json?.status === PENDING && typeof item.json.taskId === 'string';
}

/**
 * A per-item key in the callback URL, so a callback is tied to its execution and item even where
 * n8n does not sign resume URLs (before 2.14). Keyed with the API key, which hiapi already holds.
 */
export function itemKey(apiKey: string, executionId: string, itemIndex: number): string {
	return createHmac('sha256', apiKey).update(`hiapi-resume:${executionId}:${itemIndex}`).digest('hex').slice(0, 32);
}
