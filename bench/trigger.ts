/**
 * Trigger: callbacks per second that the HiAPI Trigger's webhook() handles, called in process through
 * n8n's real WebhookContext (harness.callWebhook), with a signing key (every callback's HMAC is
 * checked), deduplication, and the image downloaded; Confirm With HiAPI on (one GET per callback)
 * and off; one at a time and 10 at once. A last row re-delivers callbacks already handled
 * (hiapi retries), which deduplication answers without any request.
 *
 * Not measured here: n8n's own webhook HTTP server and execution start in front of webhook(). That
 * end-to-end figure belongs to the real-n8n harness in test/e2e/.
 */
import { createHmac } from 'crypto';
import http from 'http';
import type { IDataObject } from 'n8n-workflow';

import {
	QUICK,
	TRIGGER,
	cpuMs,
	harnessFor,
	median,
	note,
	round,
	startSimProcess,
	table,
	type BenchResult,
	type SimProcess,
} from './lib';
import { mapPool } from '../nodes/shared/pool';
import type { Harness } from '../test/harness';

const SIGNING_KEY = 'whsec_bench_signing_key';
const CONCURRENT = 10;

interface Callback {
	taskId: string;
	rawBody: Buffer;
}

function post(
	agent: http.Agent,
	url: string,
	headers: Record<string, string>,
	body?: string,
): Promise<string> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{ method: body === undefined ? 'GET' : 'POST', headers, agent },
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (text += chunk));
				res.on('end', () =>
					res.statusCode === 200
						? resolve(text)
						: reject(new Error(`${url}: HTTP ${res.statusCode} ${text}`)),
				);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

/** Creates `n` finished tasks in the simulator (not timed) and returns the body hiapi would post for each. */
async function finishedTasks(sim: SimProcess, n: number): Promise<Callback[]> {
	const agent = new http.Agent({ keepAlive: true });
	const auth = { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' };
	try {
		const ids: string[] = [];
		await mapPool(
			Array.from({ length: n }, (_, i) => i),
			20,
			async (i) => {
				const body = JSON.stringify({
					model: 'gpt-image-2/text-to-image',
					input: { prompt: `callback ${i}`, aspect_ratio: '1:1', resolution: '1K' },
				});
				ids[i] = (
					JSON.parse(await post(agent, `${sim.baseUrl}/v1/tasks`, auth, body)) as {
						data: { taskId: string };
					}
				).data.taskId;
			},
		);
		const bodies: Callback[] = [];
		await mapPool(ids, 20, async (taskId) => {
			// A callback carries the task object, the same as GET /v1/tasks/{id} once it has settled.
			const task = (
				JSON.parse(await post(agent, `${sim.baseUrl}/v1/tasks/${taskId}`, auth)) as {
					data: IDataObject;
				}
			).data;
			bodies.push({ taskId, rawBody: Buffer.from(JSON.stringify(task)) });
		});
		return bodies;
	} finally {
		agent.destroy();
	}
}

function signedHeaders(rawBody: Buffer): Record<string, string> {
	const timestamp = String(Math.floor(Date.now() / 1000));
	const signature = createHmac('sha256', SIGNING_KEY)
		.update(`${timestamp}.`)
		.update(rawBody)
		.digest('hex');
	return {
		'content-type': 'application/json',
		'x-hiapi-timestamp': timestamp,
		'x-hiapi-signature': signature,
	};
}

interface Sample {
	scenario: string;
	calls: number;
	wallS: number;
	cpuMs: number;
}

/**
 * Delivers every callback through webhook(). Like n8n, each call gets the workflow's static data as
 * last saved (the dedup record) and the saved copy is replaced by what the call leaves behind.
 */
async function deliver(
	h: Harness,
	callbacks: Callback[],
	width: number,
	confirm: boolean,
	expect: 'new' | 'duplicate',
) {
	let staticData: IDataObject = {};
	let failures = 0;
	await mapPool(callbacks, width, async ({ rawBody }) => {
		const result = await h.callWebhook({
			type: TRIGGER,
			parameters: { confirm, download: true, events: 'both' },
			headers: signedHeaders(rawBody),
			rawBody,
			staticData,
		});
		staticData = result.staticData;
		const items = result.workflowData?.[0] ?? [];
		const ok =
			expect === 'new'
				? result.statusCode === 200 && items.length === 1 && items[0].binary?.data !== undefined
				: result.statusCode === 200 &&
					(result.responseBody as IDataObject | undefined)?.duplicate === true &&
					items.length === 0;
		if (!ok) failures++;
	});
	if (failures > 0)
		throw new Error(
			`${failures}/${callbacks.length} callbacks were not handled as ${expect} (confirm ${confirm}, width ${width})`,
		);
	return staticData;
}

export async function run(): Promise<BenchResult> {
	const n = QUICK ? 50 : 200;
	const repeats = QUICK ? 1 : 3;
	const sim = await startSimProcess({ durations: { queued: 0, handling: 0, archiving: 0 } });
	const h = harnessFor(sim, 'default', { signingSecret: SIGNING_KEY });
	const scenarios = [
		{ name: 'confirm on, sequential', confirm: true, width: 1 },
		{ name: `confirm on, ${CONCURRENT} concurrent`, confirm: true, width: CONCURRENT },
		{ name: 'confirm off, sequential', confirm: false, width: 1 },
		{ name: `confirm off, ${CONCURRENT} concurrent`, confirm: false, width: CONCURRENT },
	];
	try {
		await deliver(h, await finishedTasks(sim, 20), 5, true, 'new'); // warm-up
		const samples: Sample[] = [];
		const measure = async (scenario: string, run: () => Promise<unknown>, calls: number) => {
			const wall0 = performance.now();
			const cpu0 = process.cpuUsage();
			await run();
			samples.push({
				scenario,
				calls,
				wallS: (performance.now() - wall0) / 1000,
				cpuMs: cpuMs(cpu0),
			});
		};
		const duplicates = 'duplicate delivery (dedup), sequential';
		for (let i = 0; i < repeats; i++) {
			for (const s of scenarios) {
				await sim.reset();
				const callbacks = await finishedTasks(sim, n); // fresh tasks: each must be new to the dedup
				await measure(s.name, () => deliver(h, callbacks, s.width, s.confirm, 'new'), n);
				if (s.width === 1 && s.confirm) {
					await measure(duplicates, () => deliver(h, callbacks, 1, true, 'duplicate'), n);
				}
			}
		}
		const names = [...scenarios.map((s) => s.name), duplicates];
		const rows = names.map((scenario) => {
			const mine = samples.filter((s) => s.scenario === scenario);
			return {
				scenario,
				callsPerS: median(mine.map((s) => s.calls / s.wallS)),
				msPerCall: median(mine.map((s) => (s.wallS * 1000) / s.calls)),
				cpuMsPerCall: median(mine.map((s) => s.cpuMs / s.calls)),
			};
		});
		table(
			`Trigger webhook(): ${n} signed callbacks per run, download on (64x64 PNG), median of ${repeats}`,
			['scenario', 'callbacks/s', 'ms/callback', 'CPU ms/callback'],
			rows.map((r) => [
				r.scenario,
				round(r.callsPerS, 0),
				round(r.msPerCall, 2).toFixed(2),
				round(r.cpuMsPerCall, 2).toFixed(2),
			]),
		);
		note(
			"In process, through n8n's WebhookContext: HMAC check, body parse, dedup (in-process claim + static data), GET /v1/tasks/{id} when",
		);
		note(
			'confirm is on, image download into binary data. Every callback is for a new task except in the duplicate row.',
		);
		note(
			"Not measured here: n8n's webhook HTTP server and workflow start in front of webhook(); the real-n8n figure comes from the e2e harness (test/e2e/).",
		);
		const at = (name: string) => rows.find((r) => r.scenario === name)!;
		return {
			summary: [
				`trigger webhook() in process (signed, dedup, download on): confirm on ${round(at(scenarios[0].name).callsPerS, 0)}/s sequential, ${round(at(scenarios[1].name).callsPerS, 0)}/s at ${CONCURRENT} concurrent; confirm off ${round(at(scenarios[2].name).callsPerS, 0)}/s and ${round(at(scenarios[3].name).callsPerS, 0)}/s; duplicates ${round(at(duplicates).callsPerS, 0)}/s (real-n8n figure: test/e2e, not measured here)`,
			],
			data: {
				setup: {
					callbacksPerRun: n,
					repeats,
					concurrent: CONCURRENT,
					signed: true,
					download: true,
					image: '64x64 PNG (simulator default)',
				},
				results: rows.map((r) => ({
					...r,
					callsPerS: round(r.callsPerS, 1),
					msPerCall: round(r.msPerCall, 3),
					cpuMsPerCall: round(r.cpuMsPerCall, 3),
				})),
				samples: samples.map((s) => ({ ...s, wallS: round(s.wallS, 3), cpuMs: round(s.cpuMs, 1) })),
				notMeasured:
					'n8n webhook HTTP server + execution start: measured by the end-to-end harness in test/e2e/',
			},
		};
	} finally {
		await h.stop();
		await sim.stop();
	}
}
