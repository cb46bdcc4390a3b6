import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { taskIdOf, taskStatusOf } from '../transport/errors';

/**
 * An item for a failure under On Error "Continue". n8n moves an item to the error output only when
 * it has an item-level `error` or when its json holds nothing but `error`, `message` and `details`
 * (n8n-core WorkflowExecute.handleNodeErrorOutput). An item-level `error` also makes n8n replace
 * the whole json with `{error}` (WorkflowExecute.normalizeNodeErrors), which would drop the task ID.
 * So the json is `{error, details}`: it routes like n8n's own error items and keeps the task ID.
 */
export function errorItem(error: unknown, itemIndex: number, details: IDataObject = {}): INodeExecutionData {
	const taskId = taskIdOf(error);
	const status = taskStatusOf(error);
	return {
		json: {
			error: error instanceof Error ? error.message : String(error),
			details: { ...(taskId ? { taskId } : {}), ...(status ? { status } : {}), ...details },
		},
		pairedItem: { item: itemIndex },
	};
}

/** The task ID an error item (or a plain item) names, wherever it keeps it. */
export function itemTaskId(item: INodeExecutionData | undefined): string | undefined {
	const details = item?.json?.details as IDataObject | undefined;
	const id = details?.taskId ?? item?.json?.taskId;
	return typeof id === 'string' ? id : undefined;
}
