import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getTask } from '../../shared/transport/tasks';
import { finishedItem } from '../completion/poll';
import type { RunSettings } from '../completion/settings';
import { nonEmptyText } from './validate';

const fields: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. tk-hiapi-01HZTQ8BX2N3GM3YFK4Z9D7VQR',
		description: 'ID of an earlier task, e.g. from a timed-out run or a Submit Only item',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['getTask'] } }, fields);

/**
 * Reads an earlier task once: a finished one comes with its image, an unfinished one with its status,
 * a failed one with `error.code` and `error.message` (the answer to the read, not an error of it).
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: RunSettings,
): Promise<INodeExecutionData[]> {
	const taskId = nonEmptyText.call(this, itemIndex, 'Task ID', this.getNodeParameter('taskId', itemIndex));
	const task = await getTask.call(this, taskId, { itemIndex, signal: settings.signal });
	return [await finishedItem.call(this, task, itemIndex, settings, {}, true)];
}
