import type { IDataObject, INodeListSearchResult, ResourceMapperFields } from 'n8n-workflow';

import { forgetCatalogues } from '../../nodes/shared/catalogue/fetch';
import {
	HIAPI,
	FAST,
	harnessFor,
	startSimulator,
	useSimulator,
	type Simulator,
} from '../support/env';
import { makePng } from '../support/images';

/** The HiAPI node against the simulator's catalogue: every model, any output type, through n8n's engine. */
describe('HiAPI node: any model from the live catalogue', () => {
	const t = useSimulator({
		...FAST,
		categoryDurations: { video: FAST.durations, audio: FAST.durations },
	} as never);
	beforeEach(() => forgetCatalogues());

	const model = (id: string) => ({ __rl: true, mode: 'id', value: id });
	const run = (
		parameters: IDataObject,
		input: Array<{
			json: IDataObject;
			binary?: Record<string, { data: Buffer; mimeType?: string }>;
		}> = [{ json: {} }],
		extra = {},
	) =>
		t.h.runNode({
			type: HIAPI,
			parameters: {
				operation: 'runModel',
				...parameters,
				options: { pollInterval: 0.1, ...((parameters.options as IDataObject) ?? {}) },
			},
			input,
			...extra,
		});
	const fields = (value: IDataObject) => ({ mappingMode: 'defineBelow', value });

	describe('in the editor: model list and fields, as n8n loads them', () => {
		it('lists the catalogue (text models and malformed entries left out) and searches it', async () => {
			const all = (await t.h.loadOptions({
				type: HIAPI,
				parameters: {},
				kind: 'listSearch',
				method: 'searchModels',
			})) as INodeListSearchResult;
			const ids = all.results.map((r) => r.value);
			expect(ids).toEqual(
				expect.arrayContaining([
					'seedance-2.0',
					'kling-3.0-turbo/image-to-video',
					'qwen-audio-3.0-tts-flash',
					'gpt-image-2/text-to-image',
				]),
			);
			expect(ids).not.toContain('gpt-5-mini');
			expect(ids).toHaveLength(9);
			const video = (await t.h.loadOptions({
				type: HIAPI,
				parameters: {},
				kind: 'listSearch',
				method: 'searchModels',
				filter: 'video',
			})) as INodeListSearchResult;
			expect(video.results.map((r) => r.value).sort()).toEqual([
				'kling-3.0-turbo/image-to-video',
				'seedance-2.0',
			]);
			expect(video.results.find((r) => r.value === 'seedance-2.0')?.name).toBe(
				'Seedance 2.0 (Video)',
			);
		});

		it("maps the selected model's inputs: types, required marks, enum values as options, defaults", async () => {
			const result = (await t.h.loadOptions({
				type: HIAPI,
				parameters: { model: model('seedance-2.0') },
				kind: 'resourceMapping',
				method: 'getModelFields',
			})) as ResourceMapperFields;
			const byId = Object.fromEntries(result.fields.map((f) => [f.id, f]));
			expect(Object.keys(byId)).toEqual([
				'prompt',
				'resolution',
				'duration',
				'aspect_ratio',
				'generate_audio',
			]);
			expect(byId.prompt).toMatchObject({ required: true, type: 'string', removed: false });
			expect(byId.resolution).toMatchObject({
				required: false,
				type: 'options',
				defaultValue: '720p',
				options: [
					{ name: '480p', value: '480p' },
					{ name: '720p', value: '720p' },
					{ name: '1080p', value: '1080p' },
				],
			});
			expect(byId.duration).toMatchObject({
				type: 'options',
				options: [
					{ name: '5', value: 5 },
					{ name: '10', value: 10 },
				],
			});
			expect(byId.generate_audio).toMatchObject({ type: 'boolean', defaultValue: false });
		});

		it('without a reachable catalogue the list says why, and the mapper points to JSON input', async () => {
			t.sim.inject({ route: 'catalogue', type: 'status', status: 500, count: Infinity });
			await expect(
				t.h.loadOptions({
					type: HIAPI,
					parameters: {},
					kind: 'listSearch',
					method: 'searchModels',
				}),
			).rejects.toThrow(/Could not load hiapi's models/);
			const mapped = (await t.h.loadOptions({
				type: HIAPI,
				parameters: { model: model('seedance-2.0') },
				kind: 'resourceMapping',
				method: 'getModelFields',
			})) as ResourceMapperFields;
			expect(mapped.fields).toEqual([]);
			expect(mapped.emptyFieldsNotice).toMatch(/Input Mode to JSON/);
		});
	});

	describe('a video model', () => {
		it('Wait for Result: the MP4 lands in binary with its type, name and exact bytes', async () => {
			const r = await run({
				model: model('seedance-2.0'),
				inputMode: 'fields',
				inputFields: fields({ prompt: 'a kite over dunes', duration: '5', resolution: '480p' }),
			});
			expect(r.status).toBe('success');
			const [item] = r.items;
			const taskId = String(item.json.taskId);
			expect(item.json).toMatchObject({
				status: 'success',
				model: 'seedance-2.0',
				outputs: [{ type: 'video' }],
			});
			expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${taskId}.mp4` });
			expect((await r.binaryBuffer(item)).equals(t.sim.outputBytes(taskId, 0))).toBe(true);
			// The field mapper's "5" went out as the catalogue's integer 5.
			expect(t.sim.tasks.get(taskId)!.input).toMatchObject({
				prompt: 'a kite over dunes',
				duration: 5,
				resolution: '480p',
			});
		});

		it('image to video with the first frame from the item, and a second output (first_frame) in data_1', async () => {
			const png = makePng(32, 32);
			const r = await run(
				{
					model: model('kling-3.0-turbo/image-to-video'),
					inputMode: 'json',
					inputJson: '{"prompt": "zoom out slowly"}',
					files: { file: [{ field: 'image', binaryProperties: 'data' }] },
				},
				[{ json: {}, binary: { data: { data: png, mimeType: 'image/png' } } }],
			);
			expect(r.status).toBe('success');
			const [item] = r.items;
			const taskId = String(item.json.taskId);
			expect(t.sim.tasks.get(taskId)!.input.image).toBe(
				`data:image/png;base64,${png.toString('base64')}`,
			);
			expect((item.json.outputs as IDataObject[]).map((o) => o.type)).toEqual([
				'video',
				'first_frame',
			]);
			expect(item.binary?.data.mimeType).toBe('video/mp4');
			expect(item.binary?.data_1.mimeType).toBe('image/png');
			expect((await r.binaryBuffer(item, 'data_1')).equals(t.sim.outputBytes(taskId, 1))).toBe(
				true,
			);
		});

		it('Wait for Callback: pauses, and the callback resumes it with the video', async () => {
			const params = {
				operation: 'runModel',
				model: model('seedance-2.0'),
				inputMode: 'json',
				inputJson: '{"prompt": "waves"}',
				completion: 'resume',
				options: { timeout: 60 },
			};
			const paused = await t.h.runNode({ type: HIAPI, parameters: params, input: [{ json: {} }] });
			expect(paused.status).toBe('waiting');
			const taskId = String(paused.items[0].json.taskId);
			await t.sim.waitFor((s: Simulator) => s.callbackLog.some((c) => c.taskId === taskId), 5000);
			const entry = t.sim.callbackLog.find((c) => c.taskId === taskId)!;
			const url = new URL(entry.url);
			const resumed = await t.h.callWebhook({
				type: HIAPI,
				parameters: params,
				waiting: paused,
				method: 'POST',
				query: Object.fromEntries(url.searchParams),
				headers: entry.headers as Record<string, string>,
				rawBody: Buffer.from(entry.body),
			});
			expect(resumed.responseBody).toEqual({ received: true, resumed: true });
			const [item] = resumed.workflowData![0];
			expect(item.binary?.data.mimeType).toBe('video/mp4');
			expect((await resumed.binaryBuffer(item, 'data')).equals(t.sim.outputBytes(taskId, 0))).toBe(
				true,
			);
		});

		it('Submit Only: the task ID at once', async () => {
			const r = await run({
				model: model('seedance-2.0'),
				inputMode: 'json',
				inputJson: '{"prompt": "rain"}',
				completion: 'callback',
				callbackUrl: 'https://n8n.example/webhook/x/hiapi',
			});
			expect(r.items[0].json).toMatchObject({
				status: 'submitted',
				model: 'seedance-2.0',
				callbackUrl: 'https://n8n.example/webhook/x/hiapi',
			});
		});
	});

	describe('an audio model', () => {
		it('text to speech gives a WAV, or an MP3 when asked', async () => {
			const r = await run(
				{
					model: model('qwen-audio-3.0-tts-flash'),
					inputMode: 'fields',
					inputFields: fields({ text: 'Hello there', voice: 'Ethan' }),
				},
				[{ json: {} }],
			);
			const [item] = r.items;
			expect(item.binary?.data).toMatchObject({
				mimeType: 'audio/wav',
				fileName: `${item.json.taskId}.wav`,
			});
			const mp3 = await run({
				model: model('qwen-audio-3.0-tts-flash'),
				inputMode: 'json',
				inputJson: '={{ JSON.stringify({ text: "Hi", format: "mp3" }) }}',
			});
			expect(mp3.items[0].binary?.data.mimeType).toBe('audio/mpeg');
			expect(mp3.items[0].binary?.data.fileName).toMatch(/\.mp3$/);
		});

		it('a reference audio file from the item is checked by its bytes: a WAV goes, a PNG is refused naming the field', async () => {
			const wav = t.sim.outputBytes(
				String(
					(
						await run({
							model: model('qwen-audio-3.0-tts-flash'),
							inputMode: 'json',
							inputJson: '{"text": "la"}',
						})
					).items[0].json.taskId,
				),
				0,
			);
			const ok = await run(
				{
					model: model('minimax-music-2.6'),
					inputMode: 'json',
					inputJson: '{"prompt": "jazz"}',
					files: { file: [{ field: 'reference_audio', binaryProperties: 'song' }] },
				},
				[{ json: {}, binary: { song: { data: wav, mimeType: 'application/octet-stream' } } }],
			);
			expect(ok.status).toBe('success');
			const before = t.sim.counters.submits;
			const bad = await run(
				{
					model: model('minimax-music-2.6'),
					inputMode: 'json',
					inputJson: '{"prompt": "jazz"}',
					files: { file: [{ field: 'reference_audio', binaryProperties: 'song' }] },
				},
				[{ json: {}, binary: { song: { data: makePng(8, 8), mimeType: 'audio/wav' } } }],
			);
			expect(bad.error?.message).toBe(
				"Files: 'song' on item 0 is an image, but input 'reference_audio' needs an audio file",
			);
			expect(t.sim.counters.submits).toBe(before);
		});
	});

	describe('local checks, before anything is sent, when the catalogue knows the model', () => {
		const refused = async (parameters: IDataObject) => {
			const before = t.sim.counters.submits;
			const r = await run(parameters, [{ json: {} }, { json: {} }]);
			expect(t.sim.counters.submits).toBe(before);
			return r.error?.message;
		};
		it('names the field, the item and what is valid', async () => {
			expect(
				await refused({
					model: model('seedance-2.0'),
					inputMode: 'json',
					inputJson: '{"resolution": "720p"}',
				}),
			).toBe('Input › prompt: is required (item 0)');
			expect(
				await refused({
					model: model('seedance-2.0'),
					inputMode: 'json',
					inputJson: '{"prompt": "a", "resolution": "4K"}',
				}),
			).toBe("Input › resolution: '4K' is not supported (item 0)");
			expect(
				await refused({
					model: model('kling-3.0-turbo/image-to-video'),
					inputMode: 'json',
					inputJson: '{"prompt": "a", "image": "https://x.example/a.png", "duration": 40}',
				}),
			).toBe('Input › duration: 40 is out of range (item 0)');
			expect(
				await refused({ model: model('seedance-2.0'), inputMode: 'json', inputJson: 'not json' }),
			).toBe('Input (JSON): is not valid JSON (item 0)');
			// An empty model is n8n's own parameter issue: it refuses to start the node at all.
			await expect(run({ model: model(''), inputMode: 'json', inputJson: '{}' })).rejects.toThrow(
				/Parameter "Model" is required/,
			);
			// An expression that yields nothing is caught by the node.
			expect(
				await refused({
					model: { __rl: true, mode: 'id', value: '={{ $json.none }}' },
					inputMode: 'json',
					inputJson: '{}',
				}),
			).toBe('Model: is empty (item 0)');
		});

		it("with only the docs catalogue's list, a field it does not list goes to hiapi, which may know more", async () => {
			const r = await run({
				model: model('seedance-2.0'),
				inputMode: 'json',
				inputJson: '{"prompt": "a", "size": "1K"}',
			});
			expect(t.sim.counters.submits).toBe(1);
			expect(r.error?.message).toBe(
				"hiapi does not accept the input field 'size' for the model 'seedance-2.0'",
			);
		});

		it('a model the catalogue does not know is sent as given, for hiapi to judge', async () => {
			const r = await run({
				model: model('brand-new-model'),
				inputMode: 'json',
				inputJson: '{"prompt": "x"}',
			});
			expect(r.error?.message).toMatch(
				/hiapi rejected the request: unknown model 'brand-new-model'/,
			);
			expect(t.sim.counters.submits).toBe(1);
		});
	});

	it('with the catalogue unreachable, a model by ID with JSON input still runs', async () => {
		t.sim.inject({ route: 'catalogue', type: 'status', status: 503, count: Infinity });
		const r = await run({
			model: model('seedance-2.0'),
			inputMode: 'json',
			inputJson: '{"prompt": "storm"}',
		});
		expect(r.status).toBe('success');
		expect(r.items[0].binary?.data.mimeType).toBe('video/mp4');
	});

	it('reads the catalogue at most once per run, and not again within minutes', async () => {
		await run(
			{
				model: model('gpt-image-2/text-to-image'),
				inputMode: 'json',
				inputJson: '={{ JSON.stringify({ prompt: "item " + $itemIndex }) }}',
			},
			[{ json: {} }, { json: {} }, { json: {} }],
		);
		await run({
			model: model('gpt-image-2/text-to-image'),
			inputMode: 'json',
			inputJson: '{"prompt": "again"}',
		});
		expect(t.sim.counters.catalogueGets).toBe(1);
	});

	it('Get Task fetches any task with its outputs of any type', async () => {
		const first = await run({
			model: model('seedance-2.0'),
			inputMode: 'json',
			inputJson: '{"prompt": "birds"}',
			options: { download: false },
		});
		const taskId = String(first.items[0].json.taskId);
		expect(first.items[0].binary).toBeUndefined();
		const r = await t.h.runNode({
			type: HIAPI,
			parameters: { operation: 'getTask', taskId },
			input: [{ json: {} }],
		});
		expect(r.items[0].binary?.data.mimeType).toBe('video/mp4');
		expect((await r.binaryBuffer(r.items[0])).equals(t.sim.outputBytes(taskId, 0))).toBe(true);
	});

	it('the HiAPI Trigger emits a video the same way', async () => {
		const signed = await startSimulator({
			...FAST,
			signingKey: 'whsec_t',
			categoryDurations: { video: FAST.durations },
		} as never);
		const h = harnessFor(signed, { signingSecret: 'whsec_t' });
		try {
			const submit = await fetch(`${signed.baseUrl}/v1/tasks`, {
				method: 'POST',
				headers: { authorization: `Bearer ${signed.apiKey}`, 'content-type': 'application/json' },
				body: JSON.stringify({
					model: 'seedance-2.0',
					input: { prompt: 'sea' },
					callback: { url: 'http://127.0.0.1:9/hook', when: 'final' },
				}),
			});
			const { taskId } = ((await submit.json()) as { data: { taskId: string } }).data;
			await signed.waitFor((s: Simulator) => s.callbackLog.some((c) => c.taskId === taskId), 5000);
			const entry = signed.callbackLog.find((c) => c.taskId === taskId)!;
			const r = await h.callWebhook({
				type: 'n8n-nodes-hiapi.hiApiTrigger',
				parameters: {},
				method: 'POST',
				headers: entry.headers as Record<string, string>,
				rawBody: Buffer.from(entry.body),
			});
			const [item] = r.workflowData![0];
			expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${taskId}.mp4` });
			expect((await r.binaryBuffer(item, 'data')).equals(signed.outputBytes(taskId, 0))).toBe(true);
		} finally {
			await h.stop();
			await signed.stop();
		}
	});
});
