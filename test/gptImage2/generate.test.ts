import { GPT, harnessFor, useSimulator } from '../support/env';
import { makePng, pngSize } from '../support/images';

describe('GPT Image 2: generate and wait', () => {
	const t = useSimulator();

	const fast = { pollInterval: 0.1 };

	it('text to image: outputs the task and the exact image bytes as binary', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: '={{ $json.idea }}',
				aspectRatio: '16:9',
				resolution: '2K',
				options: fast,
			},
			input: [{ json: { idea: 'a lighthouse at dawn' } }],
		});
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		const taskId = String(item.json.taskId);
		expect(item.json).toMatchObject({
			taskId,
			model: 'gpt-image-2/text-to-image',
			status: 'success',
			prompt: 'a lighthouse at dawn',
			aspectRatio: '16:9',
			resolution: '2K',
		});
		expect(item.json.url).toEqual(expect.stringContaining(taskId));
		expect(String(item.json.expireAt)).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect(String(item.json.created)).toMatch(/^\d{4}-/);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary?.data.fileName).toBe(`${taskId}.png`);
		expect(item.binary?.data.mimeType).toBe('image/png');
		const bytes = await result.binaryBuffer(item, 'data');
		expect(bytes.equals(t.sim.imageBytes(taskId))).toBe(true);
		const size = pngSize(bytes);
		expect(size.width / size.height).toBeCloseTo(16 / 9, 1);
		const task = t.sim.tasks.get(taskId)!;
		expect(task.input).toEqual({
			prompt: 'a lighthouse at dawn',
			aspect_ratio: '16:9',
			resolution: '2K',
		});
	});

	it('image to image by URL sends the URL in input_urls', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'imageToImage',
				prompt: 'make it a watercolor',
				imageSource: 'url',
				imageUrls: ['https://example.com/ref.jpg'],
				options: fast,
			},
			input: [{ json: {} }],
		});
		expect(result.status).toBe('success');
		const task = t.sim.tasks.get(String(result.items[0].json.taskId))!;
		expect(task.model).toBe('gpt-image-2/image-to-image');
		expect(task.input.input_urls).toEqual(['https://example.com/ref.jpg']);
	});

	it.each(['default', 'filesystem'] as const)(
		'image to image from a binary file (%s binary mode) sends a data URL of the real bytes',
		async (mode) => {
			const local = harnessFor(t.sim, {}, mode);
			const png = makePng(24, 16);
			const result = await local.runNode({
				type: GPT,
				parameters: {
					operation: 'imageToImage',
					prompt: 'sketch',
					imageSource: 'binary',
					binaryPropertyName: 'photo',
					options: fast,
				},
				input: [
					{
						json: {},
						binary: {
							photo: { data: png, fileName: 'x.bin', mimeType: 'application/octet-stream' },
						},
					},
				],
			});
			expect(result.status).toBe('success');
			const task = t.sim.tasks.get(String(result.items[0].json.taskId))!;
			expect(task.input.input_urls).toEqual([`data:image/png;base64,${png.toString('base64')}`]);
			const out = await result.binaryBuffer(result.items[0], 'data');
			if (mode === 'filesystem') expect(result.items[0].binary?.data.id).toMatch(/^filesystem/);
			expect(out.equals(t.sim.imageBytes(String(result.items[0].json.taskId)))).toBe(true);
			await local.stop();
		},
	);

	it('several outputs land in data, data_1, ...', async () => {
		t.sim.setBehavior(() => ({ outputs: 2 }));
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'two', options: fast },
			input: [{ json: {} }],
		});
		const [item] = result.items;
		const taskId = String(item.json.taskId);
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'data_1']);
		expect(item.binary?.data_1.fileName).toBe(`${taskId}_1.png`);
		expect((await result.binaryBuffer(item, 'data_1')).equals(t.sim.imageBytes(taskId, 1))).toBe(
			true,
		);
		expect(item.json.outputs).toHaveLength(2);
	});

	it('with Download off, returns the URL only', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'p', options: { ...fast, download: false } },
			input: [{ json: {} }],
		});
		expect(result.items[0].binary).toBeUndefined();
		expect(result.items[0].json.url).toEqual(expect.stringContaining('/cdn/'));
		expect(t.sim.counters.cdnGets).toBe(0);
	});

	it('a download cut off mid-body is tried again, and the file is whole', async () => {
		t.sim.inject({ route: 'cdn', type: 'truncate', count: 1 });
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'p', options: fast },
			input: [{ json: {} }],
		});
		expect(result.status).toBe('success');
		const taskId = String(result.items[0].json.taskId);
		expect(t.sim.counters.cdnGets).toBe(2);
		expect((await result.binaryBuffer(result.items[0])).equals(t.sim.imageBytes(taskId))).toBe(
			true,
		);
	});

	it('a download cut off every time fails naming the task', async () => {
		t.sim.inject({ route: 'cdn', type: 'truncate', count: Infinity });
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'p', options: fast },
			input: [{ json: {} }],
			continueOnFail: true,
		});
		const taskId = [...t.sim.tasks.keys()][0];
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.error).toMatchObject({ taskId, status: 'not downloaded' });
		expect(String((result.items[0].json.error as { message: string }).message)).toMatch(
			/^Could not download the task output after \d+ tries.*\(task ID: /,
		);
	});

	it('a custom output binary field is honoured', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: 'p',
				options: { ...fast, outputBinaryPropertyName: 'image' },
			},
			input: [{ json: {} }],
		});
		expect(Object.keys(result.items[0].binary ?? {})).toEqual(['image']);
	});

	it('an idempotency key makes a re-run return the first task instead of a new one', async () => {
		const run = () =>
			t.h.runNode({
				type: GPT,
				parameters: {
					operation: 'textToImage',
					prompt: 'p',
					options: { ...fast, idempotencyKey: '={{ "order-" + $json.id }}' },
				},
				input: [{ json: { id: 42 } }],
			});
		const first = await run();
		const second = await run();
		expect(second.items[0].json.taskId).toBe(first.items[0].json.taskId);
		expect(t.sim.counters.tasksCreated).toBe(1);
		expect(t.sim.log.filter((r) => r.route === 'submit').map((r) => r.idempotencyKey)).toEqual([
			'order-42',
			'order-42',
		]);
	});

	it('route and additional input are sent; a field the served schema does not list is refused before sending', async () => {
		const ok = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'p', options: { ...fast, route: 'ext' } },
			input: [{ json: {} }],
		});
		expect(t.sim.tasks.get(String(ok.items[0].json.taskId))!.route).toBe('ext');
		const bad = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: 'p',
				options: { ...fast, additionalInput: '{"quality":"high"}' },
			},
			input: [{ json: {} }],
		});
		expect(bad.status).toBe('error');
		expect(bad.error?.message).toBe(
			"Additional Input (quality): is not an input of the model 'gpt-image-2/text-to-image' (item 0)",
		);
		expect(t.sim.counters.submits).toBe(1);
	});

	it("a failed task fails the node with hiapi's code and message and the task ID", async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'FAILME', options: fast },
			input: [{ json: {} }],
		});
		expect(result.status).toBe('error');
		const taskId = [...t.sim.tasks.keys()][0];
		expect(result.error?.message).toBe(
			`hiapi could not generate the image: upstream rejected the prompt [TASK_FAILED] (task ID: ${taskId})`,
		);
	});

	it('an expired output link gets a clear error naming the task', async () => {
		await t.reconfigure({ outputTtlSeconds: 0 });
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: 'p', options: fast },
			input: [{ json: {} }],
		});
		const taskId = [...t.sim.tasks.keys()][0];
		expect(result.error?.message).toBe(
			`The output link of the task has expired or is gone (HTTP 410) (task ID: ${taskId})`,
		);
	});
});
