import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { taskIdOf, taskStatusOf } from '../transport/errors';

/** What an error item says: n8n's message, and which task it is about (so Get Task can fetch it). */
export interface ErrorJson extends IDataObject {
	message: string;
	taskId?: string;
	status?: string;
}

/**
 * An item for a failure under On Error "Continue". n8n moves an item to the error output only when
 * it has an item-level `error` or when its json is nothing but an error: in 2.x any mix of `error`,
 * `message` and `details`, in 1.x `{error}` alone or `{error, message}` (n8n-core
 * WorkflowExecute.handleNodeErrorOutput). An item-level `error` also makes both replace the whole json
 * with `{error: message}` (normalizeNodeErrors), which would drop the task ID. So the json is
 * `{error: {message, taskId, status, ...}}`: routed by every supported n8n, task ID kept.
 */
export function errorItem(
	error: unknown,
	itemIndex: number,
	details: IDataObject = {},
): INodeExecutionData {
	return { json: { error: errorJson(error, details) }, pairedItem: { item: itemIndex } };
}

export function errorJson(error: unknown, details: IDataObject = {}): ErrorJson {
	const taskId = taskIdOf(error);
	const status = taskStatusOf(error);
	return {
		message: error instanceof Error ? error.message : String(error),
		...(taskId ? { taskId } : {}),
		...(status ? { status } : {}),
		...details,
	};
}

/** The item of an input never submitted because the execution was cancelled: one item per input, always. */
export function cancelledBeforeSubmit(itemIndex: number): INodeExecutionData {
	return errorItem(new Error('Not submitted: the execution was cancelled'), itemIndex, {
		status: 'not submitted',
	});
}
