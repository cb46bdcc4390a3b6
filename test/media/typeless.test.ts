/**
 * An output hiapi lists without a `type` is labelled by the Content-Type it was served with, on the
 * item a node outputs (hiapi-api.md: "label an entry without type by its served Content-Type").
 */
import { FAST, GPT, HIAPI, useSimulator } from '../support/env';

describe('outputs without a type', () => {
	const t = useSimulator({ ...FAST, omitOutputType: true } as never);

	it('GPT Image 2 (Wait for Result): the item says image, from the PNG it downloaded', async () => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'a fox', options: { pollInterval: 0.1 } },
		});
		expect(r.status).toBe('success');
		// What hiapi (the simulator) really listed: no type.
		const taskId = String(r.items[0].json.taskId);
		const read = await fetch(`${t.sim.baseUrl}/v1/tasks/${taskId}`, {
			headers: { Authorization: `Bearer ${t.sim.apiKey}` },
		});
		const served = (await read.json()) as { data: { output: Array<Record<string, unknown>> } };
		expect(served.data.output[0]).not.toHaveProperty('type');
		expect(r.items[0].json.outputs).toEqual([expect.objectContaining({ type: 'image' })]);
		expect(r.items[0].binary?.data.mimeType).toBe('image/png');
	});

	it('HiAPI (Wait for Result): a video is labelled video', async () => {
		const r = await t.h.runNode({
			type: HIAPI,
			parameters: {
				model: { __rl: true, mode: 'id', value: 'seedance-2.0' },
				inputMode: 'json',
				inputJson: '{"prompt": "a fox running"}',
				options: { pollInterval: 0.1 },
			},
		});
		expect(r.status).toBe('success');
		expect(r.items[0].json.outputs).toEqual([expect.objectContaining({ type: 'video' })]);
	});
});
