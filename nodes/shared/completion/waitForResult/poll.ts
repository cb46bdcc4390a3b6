import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { waitForTask } from '../../transport/tasks';
import { isTerminal } from '../../types';
import { finishedItem } from '../finished';
import type { TaskRequest } from '../request';
import type { RunSettings } from '../settings';
import { submitItem } from '../submit';

/** "Wait for Result": submit, poll until the task settles or the deadline passes, then output the image. */
export async function submitAndWait(
	this: IExecuteFunctions,
	request: TaskRequest,
	itemIndex: number,
	settings: RunSettings,
): Promise<INodeExecutionData[]> {
	const deadline = Date.now() + settings.timeoutMs;
	const submitted = await submitItem.call(this, request, itemIndex, settings);
	// A task picked up again from an earlier try may have settled already: no need to poll it.
	const task =
		submitted.task && isTerminal(submitted.task.status)
			? submitted.task
			: await waitForTask.call(this, submitted.taskId, {
					intervalMs: settings.pollIntervalMs,
					deadline,
					itemIndex,
					signal: settings.signal,
					board: settings.board,
				});
	return [await finishedItem.call(this, task, itemIndex, settings, request.echo)];
}
