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

export type OutputKind = 'image' | 'video' | 'audio';

/**
 * What a model makes, from its ID, when nothing better is known: a failed task has no output to
 * tell. Video first: "image-to-video" models make videos.
 */
export function outputKindOf(model: string): OutputKind | undefined {
	const id = model.toLowerCase();
	if (/video|seedance|kling|veo|hailuo|sora|runway|wan-?\d|pixverse|vidu/.test(id)) return 'video';
	if (/audio|tts|speech|voice|music|song|sound/.test(id)) return 'audio';
	if (/image|img|flux|imagen|seedream|midjourney|recraft|ideogram/.test(id)) return 'image';
	return undefined;
}

const KIND_PHRASES: Record<OutputKind, string> = {
	image: 'the image',
	video: 'the video',
	audio: 'the audio',
};

/** The message of a failed task, naming what it was to make (the image, the video, the audio). */
export function failureMessage(task: Task, kind?: OutputKind): string {
	const code = task.error?.code || 'TASK_FAILED';
	const known = kind ?? outputKindOf(task.model);
	const what = known ? KIND_PHRASES[known] : 'the output';
	return `hiapi could not generate ${what}: ${task.error?.message || 'the task failed'} [${code}]`;
}
