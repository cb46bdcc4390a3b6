import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { downloadOutputs } from '../media/output';
import { failureMessage, taskJson } from '../taskJson';
import { asNodeError, taskError } from '../transport/errors';
import type { Task } from '../types';
import type { RunSettings } from './settings';

/**
 * Turns a settled task into the node's output item, downloading the image at once since its link
 * expires. A failed task is an error of a generation, but the answer of a read (Get Task): that
 * caller passes `failAsItem`.
 */
export async function finishedItem(
	this: IExecuteFunctions,
	task: Task,
	itemIndex: number,
	settings: RunSettings,
	echo: IDataObject = {},
	failAsItem = false,
): Promise<INodeExecutionData> {
	const json = { ...taskJson(task), ...echo };
	if (task.status === 'fail') {
		settings.ledger.settle(task.taskId, 'failed');
		if (failAsItem) return { json, pairedItem: { item: itemIndex } };
		throw taskError(
			{ node: this.getNode(), itemIndex, taskId: task.taskId, taskStatus: 'fail' },
			failureMessage(task),
		);
	}
	if (!settings.download || task.status !== 'success') {
		if (task.status === 'success') settings.ledger.settle(task.taskId, 'succeeded');
		return { json, pairedItem: { item: itemIndex } };
	}
	try {
		const binary = await downloadOutputs.call(this, task, settings.outputProperty, {
			itemIndex,
			signal: settings.signal,
		});
		settings.ledger.settle(task.taskId, 'succeeded');
		// Read again after the download, which labels an output hiapi gave no type by its Content-Type.
		return { json: { ...taskJson(task), ...echo }, binary, pairedItem: { item: itemIndex } };
	} catch (error) {
		settings.ledger.settle(task.taskId, 'not downloaded');
		throw asNodeError(this.getNode(), error, itemIndex);
	}
}
