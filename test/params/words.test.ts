/** The words a user reads name the node and the output kind that apply (issue 23). */
import { HiApiTrigger } from '../../nodes/HiApiTrigger/HiApiTrigger.node';
import { failureMessage } from '../../nodes/shared/taskJson';
import type { Task } from '../../nodes/shared/types';

const failed = (model: string): Task => ({
	taskId: 'tk-1',
	model,
	status: 'fail',
	created: 0,
	completed: 0,
	output: [],
	error: { code: 'TASK_FAILED', message: 'upstream said no' },
});

describe('words a user reads', () => {
	it.each([
		['qwen-audio-3.0-tts-flash', 'the audio'],
		['seedance-2.0', 'the video'],
		['kling-3.0-turbo/image-to-video', 'the video'],
		['gpt-image-2/text-to-image', 'the image'],
		['brand-new-model', 'the output'],
	])('a failed %s task says hiapi could not generate %s', (model, what) => {
		expect(failureMessage(failed(model))).toBe(
			`hiapi could not generate ${what}: upstream said no [TASK_FAILED]`,
		);
	});

	it("the trigger's setup notice and Secret Token help name both nodes that submit with a callback", () => {
		const { properties } = new HiApiTrigger().description;
		const notice = properties.find((p) => p.name === 'setupNotice')!.displayName;
		expect(notice).toMatch(/GPT Image 2 or HiAPI node/);
		const token = properties
			.find((p) => p.name === 'authentication')!
			.options!.find((o) => 'value' in o && o.value === 'token') as { description: string };
		expect(token.description).toMatch(/GPT Image 2 and HiAPI nodes/);
	});
});
