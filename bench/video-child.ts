/**
 * The video benchmark's child processes (forked by video.ts), in one of two roles:
 *
 * - BENCH_VIDEO_ROLE=sim: the hiapi simulator on its own, as bench/sim-child.js, plus what this
 *   benchmark needs from it: a per-task output size set by the prompt (`[bytes=N]`) and
 *   `sim.outputDigest()` (sha256 and size of a served file, without holding it in memory).
 * - otherwise (with --expose-gc): one measurement in a fresh process. After a warm-up, the same big
 *   video output is fetched twice: by a bare streaming HTTP GET into a file (the baseline) and by the
 *   HiAPI node (Run Model, Wait for Result, download on) in one n8n binary mode. RSS is sampled every
 *   20 ms from a worker thread; heap and external memory from the main thread.
 */
import { createHash } from 'crypto';

const MB = 1024 * 1024;

// ---------------------------------------------------------------- role: simulator

interface SimRequest {
	id: number;
	cmd: 'reset' | 'digest' | 'log';
	taskId?: string;
	index?: number;
}

async function simRole(): Promise<void> {
	const { startSimulator } = require('../test/sim') as typeof import('../test/sim');
	const sim = await startSimulator(JSON.parse(process.env.BENCH_VIDEO_SIM ?? '{}'));
	const behave = () =>
		sim.setBehavior(({ input }: { input: Record<string, unknown> }) => {
			const m = /\[bytes=(\d+)\]/.exec(String(input.prompt));
			return m ? { outputBytes: Number(m[1]) } : undefined;
		});
	behave();
	const commands: Record<SimRequest['cmd'], (msg: SimRequest) => unknown> = {
		reset: () => {
			sim.reset();
			behave();
			return true;
		},
		digest: (msg) => sim.outputDigest(String(msg.taskId), msg.index ?? 0),
		log: () =>
			sim.log.map(({ t, method, route, status, taskId }) => ({ t, method, route, status, taskId })),
	};
	process.on('message', (raw) => {
		const msg = raw as SimRequest;
		try {
			if (!Object.hasOwn(commands, msg.cmd)) throw new Error(`unknown command ${msg.cmd}`);
			process.send?.({ id: msg.id, result: commands[msg.cmd](msg) });
		} catch (error) {
			process.send?.({ id: msg.id, error: error instanceof Error ? error.message : String(error) });
		}
	});
	process.on('disconnect', () => {
		void sim.stop().finally(() => process.exit(0));
	});
	process.send?.({ ready: true, baseUrl: sim.baseUrl, apiKey: sim.apiKey });
}

// ---------------------------------------------------------------- role: measurement

export interface VideoChildArgs {
	mode: 'default' | 'filesystem';
	baseUrl: string;
	apiKey: string;
	/** Size of the measured video (bytes). */
	bytes: number;
	/** Size of the warm-up video (bytes). */
	warmUpBytes: number;
	sampleMs: number;
	/** Diagnostic: force a minor GC (scavenge) this often (ms) while measuring; 0: never. */
	gcEveryMs?: number;
	/** Which download is measured first in this process. */
	order: 'bare-first' | 'node-first';
}

export interface Measurement {
	/** Wall time, from the start of the run (node) or of the GET (bare) to the saved file. */
	wallS: number;
	/** From the output's GET request leaving to the saved file: the download alone. */
	downloadS: number;
	baselineRssMB: number;
	peakRssGrowthMB: number;
	endRssGrowthMB: number;
	peakHeapUsedGrowthMB: number;
	/** Heap committed (young generation included): grows when V8 enlarges its semi-spaces. */
	peakHeapTotalGrowthMB: number;
	peakExternalGrowthMB: number;
	peakArrayBuffersGrowthMB: number;
	cpuMs: number;
	samples: number;
	/** sha256 and size of the saved bytes (read back as n8n reads them, for the node). */
	sha256: string;
	size: number;
}

export interface VideoChildResult {
	mode: string;
	order: VideoChildArgs['order'];
	gcEveryMs: number;
	taskId: string;
	bareTaskId: string;
	storedAs: string;
	bare: Measurement;
	node: Measurement;
}

const gc =
	(globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc ?? (() => {});
const minorGc = () => gc({ type: 'minor' });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(): Promise<NodeJS.MemoryUsage> {
	gc();
	await pause(100);
	gc();
	await pause(50);
	return process.memoryUsage();
}

/** Samples memory around `work`: RSS from a worker thread, heap and external from here. */
async function measured<T>(
	sampleMs: number,
	work: () => Promise<T>,
	gcEveryMs = 0,
): Promise<{ value: T; m: Omit<Measurement, 'downloadS' | 'sha256' | 'size'> }> {
	const { startRssSampler } = require('./lib') as typeof import('./lib');
	const base = await settle();
	const sampler = await startRssSampler(sampleMs);
	const peaks = {
		heapUsed: base.heapUsed,
		heapTotal: base.heapTotal,
		external: base.external,
		arrayBuffers: base.arrayBuffers,
	};
	const sampleHeap = () => {
		const now = process.memoryUsage();
		peaks.heapUsed = Math.max(peaks.heapUsed, now.heapUsed);
		peaks.heapTotal = Math.max(peaks.heapTotal, now.heapTotal);
		peaks.external = Math.max(peaks.external, now.external);
		peaks.arrayBuffers = Math.max(peaks.arrayBuffers, now.arrayBuffers);
	};
	const timer = setInterval(sampleHeap, sampleMs);
	// A minor GC (scavenge, ~1 ms) frees the young Buffers of finished chunks and their external memory; a full GC this often would starve the event loop.
	const gcTimer = gcEveryMs > 0 ? setInterval(() => minorGc(), gcEveryMs) : undefined;
	const cpu = process.cpuUsage();
	const start = performance.now();
	const value = await work();
	const wallS = (performance.now() - start) / 1000;
	const used = process.cpuUsage(cpu);
	clearInterval(gcTimer);
	sampleHeap();
	clearInterval(timer);
	const endRss = process.memoryUsage.rss();
	const sampled = await sampler.stop();
	return {
		value,
		m: {
			wallS,
			baselineRssMB: base.rss / MB,
			peakRssGrowthMB: (sampled.peak - base.rss) / MB,
			endRssGrowthMB: (endRss - base.rss) / MB,
			peakHeapUsedGrowthMB: (peaks.heapUsed - base.heapUsed) / MB,
			peakHeapTotalGrowthMB: (peaks.heapTotal - base.heapTotal) / MB,
			peakExternalGrowthMB: (peaks.external - base.external) / MB,
			peakArrayBuffersGrowthMB: (peaks.arrayBuffers - base.arrayBuffers) / MB,
			cpuMs: (used.user + used.system) / 1000,
			samples: sampled.samples,
		},
	};
}

/** The baseline: one streaming GET piped into a file, with node:http and nothing else. */
async function bareDownload(url: string, file: string): Promise<void> {
	const http = await import('http');
	const { createWriteStream } = await import('fs');
	const { pipeline } = await import('stream/promises');
	const response = await new Promise<import('http').IncomingMessage>((resolve, reject) =>
		http.get(url, resolve).once('error', reject),
	);
	if (response.statusCode !== 200) {
		response.resume();
		throw new Error(`bare GET ${url}: HTTP ${response.statusCode}`);
	}
	await pipeline(response, createWriteStream(file));
}

async function sha256Of(stream: NodeJS.ReadableStream): Promise<{ sha256: string; size: number }> {
	const hash = createHash('sha256');
	let size = 0;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		hash.update(chunk);
		size += chunk.length;
	}
	return { sha256: hash.digest('hex'), size };
}

/** Submits a task with plain fetch and waits for it: gives the bare baseline its own output URL. */
async function bareTask(
	args: VideoChildArgs,
	prompt: string,
): Promise<{ taskId: string; url: string }> {
	const headers = { authorization: `Bearer ${args.apiKey}`, 'content-type': 'application/json' };
	const submitted = (await (
		await fetch(`${args.baseUrl}/v1/tasks`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ model: 'seedance-2.0', input: { prompt } }),
		})
	).json()) as { data: { taskId?: string; task_id?: string; id?: string } };
	const taskId = String(submitted.data.taskId ?? submitted.data.task_id ?? submitted.data.id);
	for (let i = 0; i < 600; i++) {
		const got = (await (await fetch(`${args.baseUrl}/v1/tasks/${taskId}`, { headers })).json()) as {
			data: { status: string; output?: Array<{ url: string }> };
		};
		if (got.data.status === 'success') return { taskId, url: got.data.output![0].url };
		if (got.data.status === 'fail') throw new Error(`bare task ${taskId} failed`);
		await pause(50);
	}
	throw new Error(`bare task ${taskId} did not finish`);
}

async function measure(args: VideoChildArgs): Promise<VideoChildResult> {
	const dc = await import('diagnostics_channel');
	const { mkdtempSync, rmSync, createReadStream, statSync } = await import('fs');
	const { tmpdir } = await import('os');
	const { join, dirname } = await import('path');
	const { HIAPI, hiapiHarnessFor } = require('./lib') as typeof import('./lib');
	// The n8n-core DI container the harness installs its BinaryDataService in (see test/harness).
	const coreDir = dirname(require.resolve('n8n-core'));
	const { Container } = require(require.resolve('@n8n/di', { paths: [coreDir] })) as {
		Container: { get<T>(t: unknown): T };
	};
	const { BinaryDataService } = require('n8n-core') as typeof import('n8n-core');

	// When the output's GET leaves: node:http reports every client request on this channel.
	// Only the node's (first) one counts: the bare GET may run after it.
	let cdnRequestAt = 0;
	let watchCdn = false;
	dc.subscribe('http.client.request.start', (message) => {
		const { request } = message as { request: { path?: string } };
		if (watchCdn && !cdnRequestAt && request.path?.includes('/cdn/'))
			cdnRequestAt = performance.now();
	});

	const dir = mkdtempSync(join(tmpdir(), 'hiapi-bench-video-'));
	const h = hiapiHarnessFor(args, args.mode);
	const runVideo = (prompt: string) =>
		h.runNode({
			type: HIAPI,
			parameters: {
				operation: 'runModel',
				model: { __rl: true, mode: 'id', value: 'seedance-2.0' },
				inputMode: 'json',
				inputJson: JSON.stringify({ prompt }),
				options: { pollInterval: 0.1, download: true },
			},
			input: [{ json: {} }],
			timeoutMs: 600_000,
		});
	try {
		// Warm-up: loads n8n's code paths, the catalogue, sockets and the binary store, and the bare path.
		const warm = await runVideo(`warm-up [bytes=${args.warmUpBytes}]`);
		if (warm.status !== 'success')
			throw new Error(`warm-up: ${warm.error?.message ?? warm.status}`);
		const warmBare = await bareTask(args, `warm-up bare [bytes=${args.warmUpBytes}]`);
		await bareDownload(warmBare.url, join(dir, 'warm-up.mp4'));

		// The bare GET's own task (an output of the same size), made before either measurement.
		const target = await bareTask(args, `bare [bytes=${args.bytes}]`);
		const bareFile = join(dir, 'bare.mp4');
		const measureBare = () =>
			measured(
				args.sampleMs,
				async () => {
					const t0 = performance.now();
					await bareDownload(target.url, bareFile);
					return (performance.now() - t0) / 1000;
				},
				args.gcEveryMs,
			);
		// The node: submit, poll, download into n8n's binary store.
		let doneAt = 0;
		const measureNode = () => {
			cdnRequestAt = 0;
			return measured(
				args.sampleMs,
				async () => {
					watchCdn = true;
					const result = await runVideo(`video [bytes=${args.bytes}]`);
					doneAt = performance.now();
					watchCdn = false;
					return result;
				},
				args.gcEveryMs,
			);
		};
		// Whichever runs second starts with the pages the first one freed (the allocator keeps them), so
		// video.ts runs both orders.
		let bare: Awaited<ReturnType<typeof measureBare>>;
		let node: Awaited<ReturnType<typeof measureNode>>;
		if (args.order === 'node-first') {
			node = await measureNode();
			bare = await measureBare();
		} else {
			bare = await measureBare();
			node = await measureNode();
		}
		const bareDigest = await sha256Of(createReadStream(bareFile));
		if (bareDigest.size !== statSync(bareFile).size) throw new Error('bare file size mismatch');
		rmSync(bareFile);

		const r = node.value;
		const item = r.items[0];
		const binary = item?.binary?.data;
		if (r.status !== 'success' || !binary)
			throw new Error(`node run: status ${r.status}: ${r.error?.message ?? 'no binary output'}`);
		const taskId = String(item.json.taskId);
		// Read back as n8n would: a stream from the binary data service (by id); in memory mode the base64 in the item.
		const service = Container.get<InstanceType<typeof BinaryDataService>>(BinaryDataService);
		const stored = binary.id
			? await sha256Of(await service.getAsStream(binary.id))
			: await sha256Of([await service.getAsBuffer(binary)] as unknown as NodeJS.ReadableStream);
		return {
			mode: args.mode,
			order: args.order,
			gcEveryMs: args.gcEveryMs ?? 0,
			taskId,
			bareTaskId: target.taskId,
			storedAs: binary.id
				? `binary data id (${String(binary.id).split(':')[0]})`
				: 'base64 in the item',
			bare: { ...bare.m, downloadS: bare.value, ...bareDigest },
			node: {
				...node.m,
				downloadS: cdnRequestAt ? (doneAt - cdnRequestAt) / 1000 : NaN,
				...stored,
			},
		};
	} finally {
		await h.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

if (process.env.BENCH_VIDEO_ROLE === 'sim') {
	simRole().catch((error: unknown) => {
		process.stderr.write(
			`video bench simulator failed: ${error instanceof Error ? error.stack : String(error)}\n`,
		);
		process.exit(1);
	});
} else {
	const args = JSON.parse(process.env.BENCH_VIDEO_ARGS ?? '{}') as VideoChildArgs;
	measure(args).then(
		(result) => {
			process.send?.({ result });
			process.exit(0);
		},
		(error: unknown) => {
			process.send?.({
				error: error instanceof Error ? (error.stack ?? error.message) : String(error),
			});
			process.exit(1);
		},
	);
}
