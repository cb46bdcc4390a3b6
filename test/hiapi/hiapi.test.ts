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

	const listModels = async (filter?: string) =>
		(await t.h.loadOptions({
			type: HIAPI,
			parameters: {},
			kind: 'listSearch',
			method: 'searchModels',
			...(filter ? { filter } : {}),
		})) as INodeListSearchResult;
	const mapFields = async (id: string, options: IDataObject = {}) =>
		(await t.h.loadOptions({
			type: HIAPI,
			parameters: { model: model(id), options },
			kind: 'resourceMapping',
			method: 'getModelFields',
		})) as ResourceMapperFields;

	describe('in the editor: model list and fields, as n8n loads them', () => {
		it("lists hiapi's price list (routes under their model, the chat model left out), titled by the docs catalogue, and searches it", async () => {
			const all = await listModels();
			const ids = all.results.map((r) => r.value);
			expect(ids).toEqual(
				expect.arrayContaining([
					'seedance-2.0',
					'kling-3.0-turbo/image-to-video',
					'qwen-audio-3.0-tts-flash',
					'gpt-image-2/text-to-image',
					'gpt-image-2/image-to-image',
				]),
			);
			expect(ids).not.toContain('gpt-5-mini');
			expect(ids).not.toContain('gpt-image-2/image-to-image@ext');
			expect(ids).toHaveLength(9);
			expect(
				all.results.find((r) => r.value === 'gpt-image-2/image-to-image')?.description,
			).toMatch(/routes: ext/);
			const video = await listModels('video');
			expect(video.results.map((r) => r.value).sort()).toEqual([
				'kling-3.0-turbo/image-to-video',
				'seedance-2.0',
			]);
			expect(video.results.find((r) => r.value === 'seedance-2.0')?.name).toBe(
				'Seedance 2.0 (Video)',
			);
			expect(t.sim.counters.pricingGets).toBe(1);
		});

		it('with docs/models.json switched off, the list and the fields come from hiapi alone', async () => {
			await t.reconfigure({ docsCatalogue: false } as never);
			const all = await listModels();
			expect(all.results.map((r) => r.value)).toEqual(
				expect.arrayContaining(['seedance-2.0', 'gpt-image-2/image-to-image']),
			);
			expect(all.results).toHaveLength(9);
			expect(all.results.find((r) => r.value === 'seedance-2.0')?.name).toBe(
				'seedance-2.0 (Video)',
			);
			const mapped = await mapFields('gpt-image-2/image-to-image');
			expect(mapped.fields.map((f) => f.id)).toEqual(
				expect.arrayContaining(['prompt', 'input_urls', 'aspect_ratio', 'resolution']),
			);
		});

		it("maps the model's JSON Schema: titles, required marks, enums as options, defaults, ranges; never `model`", async () => {
			const result = await mapFields('seedance-2.0');
			const byId = Object.fromEntries(result.fields.map((f) => [f.id, f]));
			expect(Object.keys(byId)).toEqual([
				'prompt',
				'first_frame_url',
				'last_frame_url',
				'reference_image_urls',
				'reference_video_urls',
				'reference_audio_urls',
				'resolution',
				'duration',
				'aspect_ratio',
				'generate_audio',
				'return_last_frame',
				'seed',
			]);
			expect(byId.prompt).toMatchObject({
				displayName: 'Prompt',
				required: true,
				type: 'string',
				removed: false,
			});
			expect(byId.resolution).toMatchObject({
				required: false,
				type: 'options',
				defaultValue: '720p',
				options: ['480p', '720p', '1080p', '4k'].map((v) => ({ name: v, value: v })),
			});
			expect(byId.duration).toMatchObject({
				displayName: 'Duration (4–15)',
				type: 'number',
				defaultValue: 5,
			});
			expect(byId.reference_image_urls).toMatchObject({
				displayName: 'Reference image urls (list of URLs, 1–9)',
				type: 'array',
				required: false,
			});
			expect(byId.generate_audio).toMatchObject({ type: 'boolean', defaultValue: true });
			// A route with a schema of its own maps its own fields.
			const ext = await mapFields('gpt-image-2/image-to-image', { route: 'ext' });
			expect(ext.fields.map((f) => f.id)).toEqual(
				expect.arrayContaining(['image_urls', 'quality']),
			);
			expect(ext.fields.map((f) => f.id)).not.toContain('input_urls');
		});

		it("without hiapi's model data the list says why, and the mapper points to JSON input", async () => {
			for (const route of ['catalogue', 'pricing', 'schema'])
				t.sim.inject({ route, type: 'status', status: 500, count: Infinity } as never);
			await expect(listModels()).rejects.toThrow(/Could not load hiapi's models: .*api\/pricing/);
			const mapped = await mapFields('seedance-2.0');
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

	describe("local checks against hiapi's schema, before anything is sent", () => {
		const refused = async (parameters: IDataObject, input = [{ json: {} }, { json: {} }]) => {
			const before = t.sim.counters.submits;
			const r = await run(parameters, input);
			expect(t.sim.counters.submits).toBe(before);
			return r.error?.message;
		};
		const json = (id: string, body: IDataObject) => ({
			model: model(id),
			inputMode: 'json',
			inputJson: JSON.stringify(body),
		});

		it('names the field, the item and what is valid', async () => {
			expect(await refused(json('seedance-2.0', { resolution: '720p' }))).toBe(
				'Input › prompt: is required (item 0)',
			);
			expect(await refused(json('seedance-2.0', { prompt: 'a', resolution: '4K' }))).toBe(
				"Input › resolution: '4K' is not supported (item 0)",
			);
			expect(await refused(json('seedance-2.0', { prompt: 'a', duration: 16 }))).toBe(
				'Input › duration: 16 is too large (item 0)',
			);
			expect(
				await refused(
					json('kling-3.0-turbo/image-to-video', {
						prompt: 'a',
						image: 'https://x.example/a.png',
						duration: 40,
					}),
				),
			).toBe('Input › duration: 40 is too large (item 0)');
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

		it('the error says what is valid in its description', async () => {
			const r = await run(json('seedance-2.0', { prompt: 'a', duration: 3 }));
			expect(r.error?.description).toBe('Give a whole number from 4 to 15.');
		});

		it('a field the schema does not list is refused locally (hiapi would), `model` in the input too', async () => {
			expect(await refused(json('seedance-2.0', { prompt: 'a', size: '1K' }))).toBe(
				"Input › size: is not an input of the model 'seedance-2.0' (item 0)",
			);
			expect(await refused(json('seedance-2.0', { prompt: 'a', model: 'seedance-2.0' }))).toBe(
				'Input › model: does not go inside the input (item 0)',
			);
		});

		it('an if/then rule broken is refused naming both fields', async () => {
			expect(
				await refused(
					json('seedance-2.0', { prompt: 'a', last_frame_url: 'https://x.example/last.png' }),
				),
			).toBe(
				"Input › last_frame_url, first_frame_url: first_frame_url is required when last_frame_url is 'https://x.example/last.png' (item 0)",
			);
			expect(
				await refused(
					json('gpt-image-2/text-to-image', {
						prompt: 'a',
						background: 'transparent',
						resolution: '2K',
					}),
				),
			).toMatch(
				/^Input › background, resolution: .*'2K'.* when background is 'transparent' \(item 0\)$/,
			);
			// Within the rules, hiapi takes it.
			const ok = await run(
				json('gpt-image-2/text-to-image', { prompt: 'a', background: 'opaque', resolution: '1K' }),
			);
			expect(ok.status).toBe('success');
		});

		it('mapped text is typed as the schema says ("5" → 5), and a string-typed number stays text', async () => {
			const r = await run({
				model: model('minimax-music-2.6'),
				inputMode: 'fields',
				inputFields: fields({ prompt: 'jazz', bpm: '120' }),
			});
			expect(r.status).toBe('success');
			expect(t.sim.tasks.get(String(r.items[0].json.taskId))!.input).toMatchObject({
				prompt: 'jazz',
				bpm: '120',
			});
		});

		it("without hiapi's schema, only the docs catalogue's list: fields it does not list go to hiapi, which may know more", async () => {
			t.sim.inject({ route: 'schema', type: 'status', status: 503, count: Infinity } as never);
			const r = await run(json('seedance-2.0', { prompt: 'a', size: '1K' }));
			expect(t.sim.counters.submits).toBe(1);
			expect(r.error?.message).toMatch(/size/);
			// What the docs list does say is still checked locally.
			expect(await refused(json('seedance-2.0', { resolution: '720p' }))).toBe(
				'Input › prompt: is required (item 0)',
			);
		});

		it('a model hiapi does not describe is sent as given, for hiapi to judge', async () => {
			const r = await run({
				model: model('brand-new-model'),
				inputMode: 'json',
				inputJson: '{"prompt": "x"}',
			});
			expect(r.error?.message).toMatch(/brand-new-model/);
			expect(t.sim.counters.submits).toBe(1);
		});
	});

	describe('files into the inputs the schema names', () => {
		const png = (n: number) => makePng(8 + n, 8);
		const binaries = (count: number) =>
			Object.fromEntries(
				Array.from({ length: count }, (_, i) => [
					`ref_${i}`,
					{ data: png(i), mimeType: 'application/octet-stream' },
				]),
			);
		const names = (count: number) => Array.from({ length: count }, (_, i) => `ref_${i}`).join(', ');
		const i2i = (field: string, properties: string, extra: IDataObject = {}) => ({
			model: model('gpt-image-2/image-to-image'),
			inputMode: 'json',
			inputJson: JSON.stringify({ prompt: 'blend', ...extra }),
			files: { file: [{ field, binaryProperties: properties }] },
		});

		it('several binaries fill a URL list in order, after the URLs given', async () => {
			const r = await run(
				i2i('input_urls', 'ref_0, ref_1', { input_urls: ['https://x.example/a.png'] }),
				[{ json: {}, binary: binaries(2) }],
			);
			expect(r.status).toBe('success');
			const sent = t.sim.tasks.get(String(r.items[0].json.taskId))!.input.input_urls as string[];
			expect(sent).toEqual([
				'https://x.example/a.png',
				`data:image/png;base64,${png(0).toString('base64')}`,
				`data:image/png;base64,${png(1).toString('base64')}`,
			]);
		});

		it('one binary for a list input is a list of one', async () => {
			const r = await run(i2i('input_urls', 'ref_0'), [{ json: {}, binary: binaries(1) }]);
			expect(r.status).toBe('success');
			expect(t.sim.tasks.get(String(r.items[0].json.taskId))!.input.input_urls).toEqual([
				`data:image/png;base64,${png(0).toString('base64')}`,
			]);
		});

		it("counts are checked against the list's maxItems before sending", async () => {
			const before = t.sim.counters.submits;
			const r = await run(i2i('input_urls', names(17)), [{ json: {}, binary: binaries(17) }]);
			expect(t.sim.counters.submits).toBe(before);
			expect(r.error?.message).toBe('Input › input_urls: has 17 entries (item 0)');
			expect(r.error?.description).toMatch(/1 to 16 links/);
		});

		it('a single-URL input takes one file; an input that takes no files, or none listed, is refused', async () => {
			const before = t.sim.counters.submits;
			const two = await run(
				{
					model: model('seedance-2.0'),
					inputMode: 'json',
					inputJson: '{"prompt": "go"}',
					files: { file: [{ field: 'first_frame_url', binaryProperties: 'ref_0, ref_1' }] },
				},
				[{ json: {}, binary: binaries(2) }],
			);
			expect(two.error?.message).toBe(
				"Files › Input Binary Fields: names 2 files for input 'first_frame_url', which takes one (item 0)",
			);
			const wrong = await run(i2i('resolution', 'ref_0'), [{ json: {}, binary: binaries(1) }]);
			expect(wrong.error?.message).toBe(
				"Files › Input Field: input 'resolution' of the model 'gpt-image-2/image-to-image' does not take files (item 0)",
			);
			expect(wrong.error?.description).toBe('Inputs that take files: input_urls.');
			const unknown = await run(i2i('image', 'ref_0'), [{ json: {}, binary: binaries(1) }]);
			expect(unknown.error?.message).toBe(
				"Files › Input Field: 'image' is not an input of the model 'gpt-image-2/image-to-image' (item 0)",
			);
			expect(t.sim.counters.submits).toBe(before);
		});

		it('each file is checked by its bytes against what the input takes', async () => {
			const before = t.sim.counters.submits;
			const r = await run(
				{
					model: model('seedance-2.0'),
					inputMode: 'json',
					inputJson: '{"prompt": "go"}',
					files: { file: [{ field: 'reference_video_urls', binaryProperties: 'ref_0' }] },
				},
				[{ json: {}, binary: binaries(1) }],
			);
			expect(r.error?.message).toBe(
				"Files: 'ref_0' on item 0 is an image, but input 'reference_video_urls' needs a video",
			);
			expect(t.sim.counters.submits).toBe(before);
		});
	});

	describe('price before paying, and storage', () => {
		it('each item carries its estimate and the rule matched (the schema default filled in)', async () => {
			const r = await run(
				{
					model: model('seedance-2.0'),
					inputMode: 'json',
					inputJson: '={{ JSON.stringify({ prompt: "sea", resolution: $json.res }) }}',
				},
				[{ json: { res: '1080p' } }, { json: { res: '480p' } }],
			);
			expect(r.items.map((item) => item.json.estimatedUsd)).toEqual([0.75, 0.25]);
			expect(r.items[0].json.estimateRule).toBe('seedance-2.0, resolution 1080p: $0.15 × 5 s');
		});

		it('without a price there is no estimate, never a guess', async () => {
			t.sim.inject({ route: 'pricing', type: 'status', status: 500, count: Infinity } as never);
			const r = await run({
				model: model('gpt-image-2/text-to-image'),
				inputMode: 'json',
				inputJson: '{"prompt": "x"}',
			});
			expect(r.status).toBe('success');
			expect(r.items[0].json).not.toHaveProperty('estimatedUsd');
		});

		it('Max Estimated Cost refuses a 100-item run over budget before the first submit, naming the total and the per-item price', async () => {
			const items = Array.from({ length: 100 }, () => ({ json: {} }));
			const r = await run(
				{
					model: model('gpt-image-2/text-to-image'),
					inputMode: 'json',
					inputJson: '{"prompt": "poster", "resolution": "2K"}',
					options: { maxEstimatedCostUsd: 4.99 },
				},
				items,
			);
			expect(r.error?.message).toBe(
				'Estimated cost $5.00 for 100 items ($0.05 each) is over the Max Estimated Cost of $4.99: nothing was submitted',
			);
			expect(r.error?.description).toMatch(
				/gpt-image-2\/text-to-image, resolution 2K: \$0.05 per task/,
			);
			expect(t.sim.counters.tasksCreated).toBe(0);
			expect(t.sim.counters.submits).toBe(0);

			const within = await run(
				{
					model: model('gpt-image-2/text-to-image'),
					inputMode: 'json',
					inputJson: '{"prompt": "poster", "resolution": "2K"}',
					options: { maxEstimatedCostUsd: 0.1 },
				},
				[{ json: {} }, { json: {} }],
			);
			expect(within.status).toBe('success');
			expect(t.sim.counters.tasksCreated).toBe(2);
		});

		it('Max Estimated Cost with no price to check refuses the run too', async () => {
			const r = await run({
				model: model('brand-new-model'),
				inputMode: 'json',
				inputJson: '{"prompt": "x"}',
				options: { maxEstimatedCostUsd: 10 },
			});
			expect(r.error?.message).toBe(
				"Max Estimated Cost is set, but hiapi's price list gives no price for item 0: nothing was submitted",
			);
			expect(t.sim.counters.submits).toBe(0);
		});

		it('Storage: Persistent goes top-level in the task request; the default sends nothing', async () => {
			const kept = await run({
				model: model('gpt-image-2/text-to-image'),
				inputMode: 'json',
				inputJson: '{"prompt": "keep"}',
				options: { storage: 'persistent' },
			});
			const task = t.sim.tasks.get(String(kept.items[0].json.taskId))!;
			expect(task.storage).toBe('persistent');
			expect(task.input).not.toHaveProperty('storage');
			const plain = await run({
				model: model('gpt-image-2/text-to-image'),
				inputMode: 'json',
				inputJson: '{"prompt": "plain"}',
			});
			expect(t.sim.tasks.get(String(plain.items[0].json.taskId))!.storage).toBe('temp');
		});
	});

	it("with hiapi's model data unreachable, a model by ID with JSON input still runs", async () => {
		for (const route of ['catalogue', 'pricing', 'schema'])
			t.sim.inject({ route, type: 'status', status: 503, count: Infinity } as never);
		const r = await run({
			model: model('seedance-2.0'),
			inputMode: 'json',
			inputJson: '{"prompt": "storm"}',
		});
		expect(r.status).toBe('success');
		expect(r.items[0].binary?.data.mimeType).toBe('video/mp4');
	});

	it("reads hiapi's model data at most once per run, and not again within minutes", async () => {
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
		expect(t.sim.counters).toMatchObject({ catalogueGets: 1, pricingGets: 1, schemaGets: 1 });
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
