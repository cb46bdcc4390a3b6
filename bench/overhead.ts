/**
 * Overhead: the CPU time GPT Image 2 spends per item (submit, one poll, download) when the jobs
 * themselves take no time, against the same three HTTP calls made bare in this process with
 * node:http and with fetch. The simulator runs in another process, so process.cpuUsage() counts
 * the client side only: for the node that is the node's code plus n8n's engine and helpers
 * (parameters, credentials, httpRequest, binary data) around it.
 */
import { randomUUID } from 'crypto';
import http from 'http';

import {
	QUICK,
	cpuMs,
	generate,
	harnessFor,
	median,
	note,
	prompts,
	round,
	startSimProcess,
	table,
	type BenchResult,
	type SimProcess,
} from './lib';
import { mapPool } from '../nodes/shared/pool';
import type { Harness } from '../test/harness';

/** A 1K output at the simulator's default 64 x 64 px, padded to about the size of a real 1K PNG. */
const IMAGE_PAD_BYTES = 1024 * 1024;
const CONCURRENCY = 10;

interface Sample {
	variant: string;
	items: number;
	cpuMs: number;
	wallS: number;
}

type Variant = { name: string; kind: 'node' | 'baseline'; run(items: number): Promise<void> };

function nodeVariant(name: string, h: Harness): Variant {
	return {
		name,
		kind: 'node',
		async run(items) {
			const r = await h.runNode({
				...generate({ pollInterval: 0.1, concurrency: CONCURRENCY, download: true }),
				input: prompts(items),
				timeoutMs: 600_000,
			});
			const images = r.items.filter(
				(item) => item.json.status === 'success' && item.binary?.data,
			).length;
			if (r.status !== 'success' || images !== items)
				throw new Error(
					`${name}: status ${r.status}, ${images}/${items} images (${r.error?.message ?? 'no error'})`,
				);
		},
	};
}

interface Answer {
	status: number;
	body: Buffer;
}

/** Submit, read the task, download its output: what the node does per item, without n8n. */
function bareVariant(
	name: string,
	sim: SimProcess,
	send: (
		method: string,
		url: string,
		headers: Record<string, string>,
		body?: string,
	) => Promise<Answer>,
): Variant {
	const auth = { Authorization: `Bearer ${sim.apiKey}`, Accept: 'application/json' };
	const json = (a: Answer, what: string) => {
		if (a.status !== 200) throw new Error(`${name}: ${what} answered ${a.status}`);
		return (JSON.parse(a.body.toString('utf8')) as { data: Record<string, unknown> }).data;
	};
	const item = async (i: number) => {
		const body = JSON.stringify({
			model: 'gpt-image-2/text-to-image',
			input: { prompt: `item ${i}`, aspect_ratio: '1:1', resolution: '1K' },
		});
		const submitted = json(
			await send(
				'POST',
				`${sim.baseUrl}/v1/tasks`,
				{ ...auth, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
				body,
			),
			'submit',
		);
		const task = json(
			await send(
				'GET',
				`${sim.baseUrl}/v1/tasks/${encodeURIComponent(String(submitted.taskId))}`,
				auth,
			),
			'get',
		);
		const output = (task.output as Array<{ url: string }>)[0];
		if (task.status !== 'success' || !output)
			throw new Error(`${name}: task ${String(submitted.taskId)} is ${String(task.status)}`);
		const image = await send('GET', output.url, {});
		if (image.status !== 200 || image.body.readUInt32BE(0) !== 0x89504e47)
			throw new Error(`${name}: download answered ${image.status}`);
	};
	return {
		name,
		kind: 'baseline',
		run: async (items) =>
			await mapPool(
				Array.from({ length: items }, (_, i) => i),
				CONCURRENCY,
				item,
			),
	};
}

function viaNodeHttp(agent: http.Agent) {
	return (
		method: string,
		url: string,
		headers: Record<string, string>,
		body?: string,
	): Promise<Answer> =>
		new Promise((resolve, reject) => {
			const req = http.request(url, { method, headers, agent }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
				res.on('error', reject);
			});
			req.on('error', reject);
			req.end(body);
		});
}

async function viaFetch(
	method: string,
	url: string,
	headers: Record<string, string>,
	body?: string,
): Promise<Answer> {
	const res = await fetch(url, { method, headers, body });
	return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

interface Row {
	image: string;
	variant: string;
	kind: 'node' | 'baseline';
	cpuMsPerItem: number;
	wallS: number;
}

/** All four clients against one simulator whose outputs are `padBytes` big; repeats interleaved. */
async function measure(
	image: string,
	padBytes: number,
	items: number,
	repeats: number,
): Promise<{ rows: Row[]; samples: Sample[]; imageBytes: number }> {
	const sim = await startSimProcess({
		durations: { queued: 0, handling: 0, archiving: 0 },
		outputPadBytes: padBytes,
	});
	const memory = harnessFor(sim, 'default');
	const disk = harnessFor(sim, 'filesystem');
	// A new connection per request, as n8n's own HTTP helper makes; reusing idle keep-alive sockets
	// also raced the server's keep-alive timeout here ("socket hang up").
	const agent = new http.Agent({ keepAlive: false });
	const variants: Variant[] = [
		nodeVariant('GPT Image 2 node, in-memory binary', memory),
		nodeVariant('GPT Image 2 node, filesystem binary', disk),
		bareVariant('bare node:http', sim, viaNodeHttp(agent)),
		bareVariant('bare fetch (undici)', sim, viaFetch),
	];
	try {
		for (const v of variants) await v.run(20); // warm-up: JIT, sockets, n8n's lazy setup
		const samples: Sample[] = [];
		for (let i = 0; i < repeats; i++) {
			for (const v of variants) {
				await sim.reset();
				const wall0 = performance.now();
				const cpu0 = process.cpuUsage();
				await v.run(items);
				samples.push({
					variant: `${image}: ${v.name}`,
					items,
					cpuMs: cpuMs(cpu0),
					wallS: (performance.now() - wall0) / 1000,
				});
			}
		}
		const imageBytes = (await viaNodeHttp(agent)('GET', await firstOutputUrl(sim, agent), {})).body
			.length;
		const rows = variants.map((v): Row => {
			const mine = samples.filter((s) => s.variant === `${image}: ${v.name}`);
			return {
				image,
				variant: v.name,
				kind: v.kind,
				cpuMsPerItem: median(mine.map((s) => s.cpuMs / s.items)),
				wallS: median(mine.map((s) => s.wallS)),
			};
		});
		return { rows, samples, imageBytes };
	} finally {
		agent.destroy();
		await memory.stop();
		await disk.stop();
		await sim.stop();
	}
}

/** Creates one task and returns its output URL, to weigh the image the simulator serves. */
async function firstOutputUrl(sim: SimProcess, agent: http.Agent): Promise<string> {
	const send = viaNodeHttp(agent);
	const auth = { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' };
	const body = JSON.stringify({
		model: 'gpt-image-2/text-to-image',
		input: { prompt: 'size probe', aspect_ratio: '1:1', resolution: '1K' },
	});
	const { taskId } = (
		JSON.parse((await send('POST', `${sim.baseUrl}/v1/tasks`, auth, body)).body.toString()) as {
			data: { taskId: string };
		}
	).data;
	const task = JSON.parse(
		(await send('GET', `${sim.baseUrl}/v1/tasks/${taskId}`, auth)).body.toString(),
	) as { data: { output: Array<{ url: string }> } };
	return task.data.output[0].url;
}

export async function run(): Promise<BenchResult> {
	const items = QUICK ? 40 : 100;
	const repeats = QUICK ? 1 : 3;
	// The simulator's own 1K output (64 x 64 px, a few kB) shows the fixed cost per item; the padded
	// one weighs about what a real 1K PNG does, so the cost of moving its bytes shows too.
	const sizes: Array<[string, number, number]> = [
		['1K image, 64x64 px', 0, items],
		['1K image padded to ~1 MiB', IMAGE_PAD_BYTES, QUICK ? 30 : 60],
	];
	const rows: Row[] = [];
	const samples: Sample[] = [];
	const imageBytes: Record<string, number> = {};
	for (const [image, pad, n] of sizes) {
		const m = await measure(image, pad, n, repeats);
		rows.push(...m.rows);
		samples.push(...m.samples);
		imageBytes[image] = m.imageBytes;
	}
	const baseOf = (image: string) =>
		rows.find((r) => r.image === image && r.variant.startsWith('bare node:http'))!;
	table(
		`Overhead: CPU per item at concurrency ${CONCURRENCY}, instant jobs, median of ${repeats}`,
		['image', 'client', 'CPU ms/item', 'x bare node:http', 'minus bare node:http', 'wall s'],
		rows.map((r) => {
			const base = baseOf(r.image);
			return [
				`${r.image} (${round(imageBytes[r.image] / 1024, 0)} KiB), ${samples.find((s) => s.variant.startsWith(r.image))!.items} items`,
				r.variant,
				round(r.cpuMsPerItem, 2).toFixed(2),
				`${round(r.cpuMsPerItem / base.cpuMsPerItem, 1).toFixed(1)}x`,
				`${round(r.cpuMsPerItem - base.cpuMsPerItem, 2).toFixed(2)} ms`,
				round(r.wallS, 2).toFixed(2),
			];
		}),
	);
	note(
		'Per item: POST /v1/tasks, one GET /v1/tasks/{id} (the job is already done), GET of the output from the CDN path.',
	);
	note(
		"The node figure includes n8n's engine around it (WorkflowExecute, parameter and credential resolution, httpRequest, binary store);",
	);
	note(
		'its 0.1 s poll wait costs no CPU. The simulator runs in another process and is not counted.',
	);
	const pick = (image: string, prefix: string) =>
		rows.find((r) => r.image === image && r.variant.startsWith(prefix))!;
	const line = ([image]: [string, number, number]) => {
		const mem = pick(image, 'GPT Image 2 node, in-memory');
		const fs = pick(image, 'GPT Image 2 node, filesystem');
		const base = baseOf(image);
		const fetchRow = pick(image, 'bare fetch');
		return `overhead (${image}, instant jobs): node ${round(mem.cpuMsPerItem, 1)} CPU ms/item in-memory, ${round(fs.cpuMsPerItem, 1)} filesystem vs bare node:http ${round(base.cpuMsPerItem, 1)} ms (${round(mem.cpuMsPerItem / base.cpuMsPerItem, 1)}x / ${round(fs.cpuMsPerItem / base.cpuMsPerItem, 1)}x), bare fetch ${round(fetchRow.cpuMsPerItem, 1)} ms`;
	};
	return {
		summary: sizes.map(line),
		data: {
			setup: {
				concurrency: CONCURRENCY,
				repeats,
				sizes: sizes.map(([image, padBytes, n]) => ({
					image,
					padBytes,
					items: n,
					bytes: imageBytes[image],
				})),
				durationsMs: 0,
				pollIntervalS: 0.1,
			},
			results: rows.map((r) => ({
				...r,
				cpuMsPerItem: round(r.cpuMsPerItem, 3),
				wallS: round(r.wallS, 3),
				vsBareNodeHttp: round(r.cpuMsPerItem / baseOf(r.image).cpuMsPerItem, 2),
			})),
			samples: samples.map((s) => ({ ...s, cpuMs: round(s.cpuMs, 1), wallS: round(s.wallS, 3) })),
		},
	};
}
