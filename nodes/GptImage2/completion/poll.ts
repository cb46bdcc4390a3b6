import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { downloadOutputs } from '../../shared/images/output';
import { failureMessage, taskJson } from '../../shared/taskJson';
import { taskError } from '../../shared/transport/errors';
import { submitTask, waitForTask } from '../../shared/transport/tasks';
import type { Task } from '../../shared/types';
import type { GenerationRequest } from '../actions/generate';
import type { RunSettings } from './settings';

/** Turns a settled task into the node's output item, downloading the image at once since its link expires. */
export async function finishedItem(
	this: IExecuteFunctions,
	task: Task,
	itemIndex: number,
	settings: RunSettings,
	echo: IDataObject = {},
): Promise<INodeExecutionData> {
	if (task.status === 'fail') {
		throw taskError({ node: this.getNode(), itemIndex, taskId: task.taskId }, failureMessage(task));
	}
	const json = { ...taskJson(task), ...echo };
	if (!settings.download || task.status !== 'success') return { json, pairedItem: { item: itemIndex } };
	const binary = await downloadOutputs.call(this, task, settings.outputProperty, { itemIndex, signal: settings.signal });
	return { json, binary, pairedItem: { item: itemIndex } };
}

/** "Wait for Result": submit, poll until the task settles or the deadline passes, then output the image. */
export async function submitAndWait(
	this: IExecuteFunctions,
	request: GenerationRequest,
	itemIndex: number,
	settings: RunSettings,
): Promise<INodeExecutionData[]> {
	const deadline = Date.now() + settings.timeoutMs;
	const { taskId } = await submitTask.call(this, request.body, {
		idempotencyKey: request.idempotencyKey,
		itemIndex,
		signal: settings.signal,
	});
	const task = await waitForTask.call(this, taskId, {
		intervalMs: settings.pollIntervalMs,
		deadline,
		itemIndex,
		signal: settings.signal,
	});
	return [await finishedItem.call(this, task, itemIndex, settings, request.echo)];
}
