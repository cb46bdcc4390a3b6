import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getTask } from '../transport/tasks';
import { nonEmptyText } from '../validate';
import { inOrder, runItems } from './items';
import { finishedItem } from './finished';
import type { RunSettings } from './settings';

/** The Get Task operation's field, shared by every model node (shown under that node's own operation). */
export const taskIdField: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. tk-hiapi-01HZTQ8BX2N3GM3YFK4Z9D7VQR',
	description:
		'ID of an earlier task, e.g. from a timed-out run, an error item or a Submit Only item',
};

/**
 * Reads an earlier task once per item: a finished one comes with its output files, an unfinished one
 * with its status, a failed one with `error.code` and `error.message` (the answer to the read, not an
 * error of it). Any model's task: outputs of every type are downloaded alike.
 */
export async function getTasks(
	this: IExecuteFunctions,
	settings: RunSettings,
): Promise<INodeExecutionData[][]> {
	const itemCount = this.getInputData().length;
	const all = Array.from({ length: itemCount }, (_, i) => i);
	const results = await runItems.call(
		this,
		all,
		settings.concurrency,
		settings.ledger,
		async (itemIndex) => {
			const taskId = nonEmptyText.call(
				this,
				itemIndex,
				'Task ID',
				this.getNodeParameter('taskId', itemIndex),
			);
			const task = await getTask.call(this, taskId, { itemIndex, signal: settings.signal });
			return [await finishedItem.call(this, task, itemIndex, settings, {}, true)];
		},
	);
	return [inOrder(itemCount, results)];
}
