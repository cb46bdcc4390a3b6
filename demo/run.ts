/**
 * The demo: the package's nodes, built into dist/, running in n8n's real workflow engine
 * (n8n-core's WorkflowExecute, in process) against the hiapi simulator, or against the real
 * hiapi when HIAPI_API_KEY is set. Images land in demo-output/.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import type { IDataObject, INodeExecutionData, INodeType, ICredentialType } from 'n8n-workflow';
import { join, resolve } from 'path';

import {
	createHarness,
	type Harness,
	type RunNodeOptions,
	type RunResult,
	type WebhookCallResult,
} from '../test/harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSimulator } = require('../test/sim');

const root = resolve(__dirname, '..');
const out = join(root, 'demo-output');
const load = <T>(path: string, name: string): T =>
	new (require(join(root, 'dist', path))[name])() as T;

const GPT = 'n8n-nodes-hiapi.gptImage2';
const HIAPI = 'n8n-nodes-hiapi.hiApi';
const TRIGGER = 'n8n-nodes-hiapi.hiApiTrigger';
const SIGNING_KEY = 'whsec_demo_signing_key';

function step(title: string) {
	const start = performance.now();
	process.stdout.write(`\n▶ ${title}\n`);
	return () => `${((performance.now() - start) / 1000).toFixed(2)} s`;
}

async function save(
	result: { binaryBuffer(item: INodeExecutionData, property?: string): Promise<Buffer> },
	items: INodeExecutionData[],
	prefix: string,
) {
	const files: string[] = [];
	for (const [i, item] of items.entries()) {
		if (!item.binary?.data) continue;
		const file = join(out, `${prefix}-${i}-${item.binary.data.fileName}`);
		writeFileSync(file, await result.binaryBuffer(item, 'data'));
		files.push(file);
	}
	return files;
}

function show(items: INodeExecutionData[]) {
	for (const item of items) {
		const j = item.json;
		// Error items are {error: {message, taskId, status}}; the message names the task too.
		const error = j.error as { message?: string } | undefined;
		const line = error
			? `error: ${error.message}`
			: `${j.status} ${j.taskId} ${j.aspectRatio ?? ''} ${j.resolution ?? ''} "${j.prompt ?? ''}"`;
		process.stdout.write(`   item ${JSON.stringify(item.pairedItem)} → ${line}\n`);
	}
}

async function main() {
	const real = Boolean(process.env.HIAPI_API_KEY);
	rmSync(out, { recursive: true, force: true });
	mkdirSync(out, { recursive: true });

	const sim = real
		? undefined
		: await startSimulator({
				durations: { queued: 200, handling: 1200, archiving: 200 },
				// Video and audio models take a little longer than images, but not the simulator's default 3× / 1.5×: the demo stays short.
				categoryDurations: {
					video: { queued: 200, handling: 1800, archiving: 200 },
					audio: { queued: 200, handling: 1200, archiving: 200 },
				},
				imageScale: 1 / 4,
				signingKey: SIGNING_KEY,
			});
	const credentials = real
		? {
				apiKey: process.env.HIAPI_API_KEY!,
				baseUrl: process.env.HIAPI_BASE_URL ?? 'https://api.hiapi.ai',
			}
		: {
				apiKey: sim.apiKey,
				baseUrl: sim.baseUrl,
				signingSecret: SIGNING_KEY,
				catalogueUrl: sim.catalogUrl,
			};
	process.stdout.write(
		real
			? `Using the real hiapi at ${credentials.baseUrl}\n`
			: `Using the hiapi simulator at ${sim.baseUrl}\n`,
	);

	const h: Harness = createHarness({
		nodeTypes: {
			[GPT]: load<INodeType>('nodes/GptImage2/GptImage2.node.js', 'GptImage2'),
			[HIAPI]: load<INodeType>('nodes/HiApi/HiApi.node.js', 'HiApi'),
			[TRIGGER]: load<INodeType>('nodes/HiApiTrigger/HiApiTrigger.node.js', 'HiApiTrigger'),
		},
		credentialTypes: [load<ICredentialType>('credentials/HiApiApi.credentials.js', 'HiApiApi')],
		credentials: { hiApiApi: credentials },
		binaryMode: 'filesystem',
	});
	const fail = (r: RunResult) => {
		if (r.status !== 'success' && r.status !== 'waiting')
			throw new Error(`${r.status}: ${r.error?.message}`);
	};

	try {
		let done = step('1. Text to image: 3 prompts, in parallel, wait for the result');
		const t2i = await h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: '={{ $json.prompt }}',
				aspectRatio: '={{ $json.ratio }}',
				options: { pollInterval: real ? 2 : 0.3 },
			},
			input: [
				{ json: { prompt: 'A lighthouse at dawn, watercolor', ratio: '16:9' } },
				{ json: { prompt: 'A red fox in fresh snow, studio photo', ratio: '1:1' } },
				{ json: { prompt: 'Poster of a mountain café, flat illustration', ratio: '2:3' } },
			],
		});
		fail(t2i);
		show(t2i.items);
		const made = await save(t2i, t2i.items, 'text-to-image');
		process.stdout.write(
			`   ${done()} — saved ${made.map((f) => f.replace(root + '/', '')).join(', ')}\n`,
		);

		done = step(
			'2. Image to image: the fox and the lighthouse from step 1 as two references (binary input, sent as input_urls)',
		);
		const i2i = await h.runNode({
			type: GPT,
			parameters: {
				operation: 'imageToImage',
				prompt:
					'The fox from the first image sitting before the lighthouse of the second, pencil sketch',
				imageSource: 'binary',
				binaryPropertyName: 'fox, lighthouse',
				aspectRatio: '3:2',
				options: { pollInterval: real ? 2 : 0.3 },
			},
			input: [
				{
					json: {},
					binary: {
						fox: {
							data: await t2i.binaryBuffer(t2i.items[1]),
							mimeType: 'image/png',
							fileName: 'fox.png',
						},
						lighthouse: {
							data: await t2i.binaryBuffer(t2i.items[0]),
							mimeType: 'image/png',
							fileName: 'lighthouse.png',
						},
					},
				},
			],
		});
		fail(i2i);
		show(i2i.items);
		process.stdout.write(
			`   ${done()} — saved ${(await save(i2i, i2i.items, 'image-to-image')).map((f) => f.replace(root + '/', '')).join(', ')}\n`,
		);

		if (!sim) {
			process.stdout.write(
				'\nSteps 3–5 need hiapi to reach this machine (callbacks) or the simulator: skipped with a real key.\n',
			);
			return;
		}

		done = step('3. Continue On Fail: one prompt is refused upstream, the others still finish');
		const cof = await h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: '={{ $json.prompt }}',
				options: { pollInterval: 0.3 },
			},
			input: [
				{ json: { prompt: 'A blue bicycle' } },
				{ json: { prompt: 'FAILME on purpose' } },
				{ json: { prompt: 'A green teapot' } },
			],
			continueOnFail: true,
		});
		show(cof.items);
		await save(cof, cof.items, 'continue-on-fail');
		process.stdout.write(`   ${done()}\n`);

		done = step(
			'4. Submit with a callback → the simulator calls back → HiAPI Trigger emits the image',
		);
		const { createServer } = await import('http');
		const received: WebhookCallResult[] = [];
		const server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', async () => {
				const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
				const result = await h.callWebhook({
					type: TRIGGER,
					parameters: {},
					headers: req.headers as Record<string, string>,
					query,
					rawBody: Buffer.concat(chunks),
				});
				if (result.workflowData) received.push(result);
				res
					.writeHead(result.statusCode, { 'content-type': 'application/json' })
					.end(JSON.stringify(result.responseBody ?? {}));
			});
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const port = (server.address() as { port: number }).port;
		const submitted = await h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: 'A paper boat on a pond',
				completion: 'callback',
				callbackUrl: `http://127.0.0.1:${port}/webhook/demo/hiapi`,
			},
			input: [{ json: {} }],
		});
		show(submitted.items);
		await sim.waitFor(
			(s: { counters: { callbacksAcked: number } }) => s.counters.callbacksAcked >= 1,
			10_000,
		);
		server.close();
		for (const r of received) {
			show(r.workflowData![0]);
			await save(r, r.workflowData![0], 'trigger');
		}
		process.stdout.write(
			`   ${done()} — ${received.length} trigger execution(s), signature verified, confirmed with hiapi\n`,
		);

		done = step('5. Wait for Callback (No Polling): the execution pauses, callbacks resume it');
		const paused = await h.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: '={{ $json.prompt }}', completion: 'resume' },
			input: [{ json: { prompt: 'A kite over dunes' } }, { json: { prompt: 'A lantern in fog' } }],
		});
		fail(paused);
		const ids = paused.items.map((i) => String(i.json.taskId));
		const reads = () => ids.map((id) => sim.counters.gets[id] ?? 0);
		process.stdout.write(
			`   paused: status ${paused.status}, ${ids.length} tasks, status reads so far: ${JSON.stringify(reads())}\n`,
		);
		// The simulator cannot reach this in-process engine's resume URL, so its deliveries are replayed into webhook().
		await sim.waitFor(
			(s: { callbackLog: Array<{ taskId: string }> }) =>
				ids.every((id) => s.callbackLog.some((c) => c.taskId === id)),
			10_000,
		);
		let resumed: WebhookCallResult | undefined;
		for (const id of ids) {
			const entry = sim.callbackLog.find((c: { taskId: string }) => c.taskId === id);
			const result = await h.callWebhook({
				type: GPT,
				parameters: {
					operation: 'textToImage',
					prompt: '={{ $json.prompt }}',
					completion: 'resume',
				},
				waiting: paused,
				headers: entry.headers,
				query: Object.fromEntries(new URL(entry.url).searchParams),
				rawBody: Buffer.from(entry.body),
			});
			process.stdout.write(`   callback for ${id} → ${JSON.stringify(result.responseBody)}\n`);
			if (result.workflowData) {
				// n8n answers any later callback for a finished execution with 409 itself.
				resumed = result;
				break;
			}
		}
		show(resumed!.workflowData![0]);
		await save(resumed!, resumed!.workflowData![0], 'resume');
		process.stdout.write(
			`   ${done()} — resumed once; status reads per task, all made after its callback: ${JSON.stringify(reads())}\n`,
		);

		done = step(
			'6. Product video (examples/product-video.json): product shot → video from it → voice-over, with the HiAPI node',
		);
		await productVideo(h, sim);
		process.stdout.write(`   ${done()}\n`);
	} finally {
		await h.stop();
		await sim?.stop();
	}
	process.stdout.write(`\nDone. The files are in ${out}\n`);
}

/**
 * examples/product-video.json, node by node in n8n's engine: its Product code makes the texts, then
 * each HiAPI node runs with the example's own parameters (only polling made faster for the demo);
 * the Merge nodes' part (the texts and the shot on one item) is done here.
 */
async function productVideo(h: Harness, sim: { outputBytes(taskId: string, i: number): Buffer }) {
	const example = JSON.parse(
		readFileSync(join(root, 'examples', 'product-video.json'), 'utf8'),
	) as { nodes: Array<{ name: string; parameters: IDataObject }> };
	const node = (name: string) => example.nodes.find((n) => n.name === name)!.parameters;
	// The Product node is plain JavaScript without n8n expressions.
	const [{ json: product }] = new Function(String(node('Product').jsCode))() as Array<{
		json: IDataObject;
	}>;
	const run = async (name: string, input: RunNodeOptions['input']) => {
		const parameters = node(name);
		const r = await h.runNode({
			type: HIAPI,
			parameters: {
				...parameters,
				options: { ...(parameters.options as IDataObject), pollInterval: 0.3 },
			},
			input,
		});
		if (r.status !== 'success') throw new Error(`${name}: ${r.status}: ${r.error?.message}`);
		const [item] = r.items;
		process.stdout.write(
			`   ${name}: ${item.json.status} ${item.json.taskId} ${item.json.model} → ${Object.keys(item.binary ?? {}).join(', ')}\n`,
		);
		return { r, item };
	};
	const saved: string[] = [];
	const keep = async (r: RunResult, item: INodeExecutionData, property: string, label: string) => {
		const bytes = await r.binaryBuffer(item, property);
		const taskId = String(item.json.taskId);
		const exact = bytes.equals(sim.outputBytes(taskId, property.endsWith('_1') ? 1 : 0));
		if (!exact)
			throw new Error(`${label}: the saved file differs from the simulator's output of ${taskId}`);
		const file = join(out, `product-video-${label}-${item.binary![property].fileName}`);
		writeFileSync(file, bytes);
		saved.push(
			`${file.replace(root + '/', '')} (${item.binary![property].mimeType}, ${bytes.length} bytes)`,
		);
	};

	const shot = await run('Product Shot', [{ json: product }]);
	await keep(shot.r, shot.item, 'data', 'shot');
	const png = await shot.r.binaryBuffer(shot.item, 'data');
	const video = await run('Product Video', [
		{
			json: { ...product, ...shot.item.json },
			binary: {
				data: {
					data: png,
					mimeType: shot.item.binary!.data.mimeType,
					fileName: shot.item.binary!.data.fileName,
				},
			},
		},
	]);
	await keep(video.r, video.item, 'video', 'video');
	const voice = await run('Voice-over', [{ json: product }]);
	await keep(voice.r, voice.item, 'voiceover', 'voiceover');
	process.stdout.write(`   saved (each equal to the simulator's file): ${saved.join(', ')}\n`);
}

main().catch((error) => {
	process.stderr.write(`Demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
