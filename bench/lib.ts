/**
 * Shared pieces of the benchmarks: the simulator in a child process, a harness on n8n's real
 * engine, statistics, tables and result files.
 */
import { fork, type ChildProcess } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { cpus, freemem, totalmem } from 'os';
import { join } from 'path';

import { HiApiApi } from '../credentials/HiApiApi.credentials';
import { GptImage2 } from '../nodes/GptImage2/GptImage2.node';
import { HiApiTrigger } from '../nodes/HiApiTrigger/HiApiTrigger.node';
import { createHarness, type Harness, type HarnessOptions } from '../test/harness';

export const GPT = 'n8n-nodes-hiapi.gptImage2';
export const TRIGGER = 'n8n-nodes-hiapi.hiApiTrigger';

export const ROOT = join(__dirname, '..');
export const REGISTER = join(__dirname, '..', 'scripts', 'ts-register.js');
export const RESULTS_DIR = join(__dirname, 'results');

/** BENCH_QUICK=1: fewer items and repeats, for a run under a minute. */
export const QUICK = process.env.BENCH_QUICK === '1';

export interface BenchResult {
	/** Key figures, one line each, repeated in the final summary. */
	summary: string[];
	/** Everything else, written to bench/results/<name>.json. */
	data: Record<string, unknown>;
}

export type Bench = () => Promise<BenchResult>;

// ---------------------------------------------------------------- machine

function packageVersion(name: string): string {
	try {
		const file = require.resolve(`${name}/package.json`, { paths: [ROOT] });
		return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version);
	} catch {
		return 'unknown';
	}
}

export function machine() {
	const list = cpus();
	return {
		cores: list.length,
		cpuModel: list[0]?.model ?? 'unknown',
		memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
		freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
		node: process.version,
		platform: `${process.platform} ${process.arch}`,
		n8nCore: packageVersion('n8n-core'),
		n8nWorkflow: packageVersion('n8n-workflow'),
	};
}

export function machineLine(): string {
	const m = machine();
	return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}, n8n-core ${m.n8nCore}`;
}

// ---------------------------------------------------------------- statistics and output

export function median(values: number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function quantile(values: number[], q: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Rounds for display and JSON alike. */
export function round(value: number, digits = 2): number {
	return Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
}

export function table(title: string, headers: string[], rows: Array<Array<string | number>>): void {
	const cells = [headers, ...rows.map((row) => row.map(String))];
	const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
	const line = (row: string[]) =>
		row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
	process.stdout.write(
		`\n${title}\n${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`,
	);
	for (const row of cells.slice(1)) process.stdout.write(`${line(row)}\n`);
}

export function note(text: string): void {
	process.stdout.write(`  ${text}\n`);
}

export function writeResult(name: string, payload: Record<string, unknown>): string {
	mkdirSync(RESULTS_DIR, { recursive: true });
	const file = join(RESULTS_DIR, `${name}.json`);
	writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
	return file;
}

/** Process CPU time (user + system) in ms since `since`. */
export function cpuMs(since: NodeJS.CpuUsage): number {
	const d = process.cpuUsage(since);
	return (d.user + d.system) / 1000;
}

// ---------------------------------------------------------------- simulator process

export interface SimTask {
	id: string;
	createdAt: number;
	settleAt: number;
	prompt: string;
}

export interface SimLogEntry {
	t: number;
	method: string;
	route: 'submit' | 'get' | 'list' | 'cdn' | 'other';
	status: number | 'reset';
	taskId?: string;
}

export interface SimCounters {
	submits: number;
	tasksCreated: number;
	gets: Record<string, number>;
	getsTotal: number;
	cdnGets: number;
}

export interface SimProcess {
	baseUrl: string;
	apiKey: string;
	counters(): Promise<SimCounters>;
	reset(): Promise<void>;
	tasks(): Promise<SimTask[]>;
	log(): Promise<SimLogEntry[]>;
	stop(): Promise<void>;
}

/** Starts test/sim in a child process (see sim-child.js); `options` are the simulator's own. */
export async function startSimProcess(options: Record<string, unknown>): Promise<SimProcess> {
	const child: ChildProcess = fork(join(__dirname, 'sim-child.js'), [JSON.stringify(options)], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		execArgv: [],
	});
	let seq = 0;
	const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
	const ready = new Promise<{ baseUrl: string; apiKey: string }>((resolve, reject) => {
		child.once('exit', (code) =>
			reject(new Error(`bench simulator exited (${code}) before it was ready`)),
		);
		child.on('message', (raw) => {
			const msg = raw as {
				ready?: boolean;
				baseUrl: string;
				apiKey: string;
				id?: number;
				result?: unknown;
				error?: string;
			};
			if (msg.ready) return resolve(msg);
			const waiter = msg.id !== undefined ? pending.get(msg.id) : undefined;
			if (!waiter) return;
			pending.delete(msg.id!);
			if (msg.error) waiter.reject(new Error(msg.error));
			else waiter.resolve(msg.result);
		});
	});
	const { baseUrl, apiKey } = await ready;
	const call = <T>(cmd: string) =>
		new Promise<T>((resolve, reject) => {
			const id = ++seq;
			pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
			child.send({ id, cmd });
		});
	return {
		baseUrl,
		apiKey,
		counters: () => call<SimCounters>('counters'),
		reset: async () => {
			await call('reset');
		},
		tasks: () => call<SimTask[]>('tasks'),
		log: () => call<SimLogEntry[]>('log'),
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.disconnect();
			}),
	};
}

// ---------------------------------------------------------------- harness

export function harnessFor(
	sim: Pick<SimProcess, 'baseUrl' | 'apiKey'>,
	binaryMode: HarnessOptions['binaryMode'] = 'default',
	credential: Record<string, string> = {},
): Harness {
	return createHarness({
		nodeTypes: { [GPT]: new GptImage2(), [TRIGGER]: new HiApiTrigger() },
		credentialTypes: [new HiApiApi()],
		credentials: { hiApiApi: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, ...credential } },
		binaryMode,
	});
}

/** Parameters of a GPT Image 2 "Wait for Result" text-to-image run; the prompt comes from each item. */
export function generate(options: Record<string, unknown>) {
	return {
		type: GPT,
		parameters: { operation: 'textToImage', prompt: '={{ $json.prompt }}', options },
	};
}

export const prompts = (n: number, label = 'item') =>
	Array.from({ length: n }, (_, i) => ({ json: { prompt: `${label} ${i}` } }));

/** Highest number of tasks in flight at once: from each task's submit to its output download. */
export function peakInFlight(log: SimLogEntry[]): number {
	const events: Array<[number, number]> = [];
	for (const e of log) {
		if (e.route === 'submit') events.push([e.t, 1]);
		else if (e.route === 'cdn') events.push([e.t, -1]);
	}
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let now = 0;
	let peak = 0;
	for (const [, d] of events) peak = Math.max(peak, (now += d));
	return peak;
}

// ---------------------------------------------------------------- HiAPI node and RSS sampling (video benchmark)

export const HIAPI = 'n8n-nodes-hiapi.hiApi';

/** A harness with the HiAPI node, its credential pointing at the simulator's catalogue too. */
export function hiapiHarnessFor(
	sim: Pick<SimProcess, 'baseUrl' | 'apiKey'>,
	binaryMode: HarnessOptions['binaryMode'] = 'default',
): Harness {
	// Loaded here, so the other benchmarks do not pay for the HiAPI node's modules.
	const { HiApi } =
		require('../nodes/HiApi/HiApi.node') as typeof import('../nodes/HiApi/HiApi.node');
	return createHarness({
		nodeTypes: { [HIAPI]: new HiApi() },
		credentialTypes: [new HiApiApi()],
		credentials: {
			hiApiApi: {
				apiKey: sim.apiKey,
				baseUrl: sim.baseUrl,
				catalogueUrl: `${sim.baseUrl}/docs/models.json`,
			},
		},
		binaryMode,
	});
}

const RSS_SAMPLER = `
const { parentPort, workerData } = require('worker_threads');
let peak = 0;
let samples = 0;
const take = () => { peak = Math.max(peak, process.memoryUsage.rss()); samples++; };
take();
const timer = setInterval(take, workerData.sampleMs);
parentPort.on('message', () => { take(); clearInterval(timer); parentPort.postMessage({ peak, samples }); });
`;

export interface RssSampler {
	/** Stops sampling; the highest RSS seen (bytes) and the number of samples. */
	stop(): Promise<{ peak: number; samples: number }>;
}

/**
 * Samples this process's RSS every `sampleMs` from a worker thread, so a main thread busy copying
 * or encoding a buffer cannot delay the sample that would show the peak.
 */
export async function startRssSampler(sampleMs = 20): Promise<RssSampler> {
	const { Worker } = require('worker_threads') as typeof import('worker_threads');
	const worker = new Worker(RSS_SAMPLER, { eval: true, workerData: { sampleMs } });
	await new Promise((resolve) => worker.once('online', resolve));
	return {
		async stop() {
			const sampled = await new Promise<{ peak: number; samples: number }>((resolve) => {
				worker.once('message', resolve);
				worker.postMessage('stop');
			});
			await worker.terminate();
			return sampled;
		},
	};
}
