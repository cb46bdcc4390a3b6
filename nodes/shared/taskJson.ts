import type { IDataObject } from 'n8n-workflow';

import type { Task } from './types';

function iso(unixSeconds: number): string | null {
	return unixSeconds > 0 ? new Date(unixSeconds * 1000).toISOString() : null;
}

/** The item json both nodes emit for a task: dates as ISO strings, the first output promoted to `url`. */
export function taskJson(task: Task): IDataObject {
	const first = task.output[0];
	const json: IDataObject = {
		taskId: task.taskId,
		model: task.model,
		status: task.status,
		url: first?.url ?? null,
		expireAt: first ? iso(first.expireAt) : null,
		created: iso(task.created),
		completed: iso(task.completed),
	};
	// Every output with its type (image, video, audio, first_frame...): which binary property holds what.
	if (task.output.length > 0) {
		json.outputs = task.output.map((o) => ({
			url: o.url,
			type: o.type,
			expireAt: iso(o.expireAt),
		}));
	}
	if (task.error) json.error = { code: task.error.code, message: task.error.message };
	return json;
}

export function failureMessage(task: Task): string {
	const code = task.error?.code || 'TASK_FAILED';
	return `hiapi could not generate the image: ${task.error?.message || 'the task failed'} [${code}]`;
}
