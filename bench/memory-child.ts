/**
 * One memory measurement in a fresh process (forked by memory.ts with --expose-gc): a batch of big
 * outputs through GPT Image 2 in one binary mode, sampling this process's RSS every 20 ms.
 *
 * RSS is sampled from a worker thread, so a main thread busy copying or encoding a buffer cannot
 * delay the sample that would show the peak; heap figures (per isolate) come from the main thread.
 */
import { Worker } from 'worker_threads';

import { generate, harnessFor, prompts } from './lib';

interface Args {
	mode: 'default' | 'filesystem';
	baseUrl: string;
	apiKey: string;
	items: number;
	concurrency: number;
	sampleMs: number;
}

export interface MemoryChildResult {
	mode: string;
	items: number;
	concurrency: number;
	wallS: number;
	baselineRssMB: number;
	peakRssMB: number;
	peakRssGrowthMB: number;
	endRssGrowthMB: number;
	peakHeapUsedGrowthMB: number;
	peakExternalGrowthMB: number;
	peakArrayBuffersGrowthMB: number;
	samples: number;
	/** Binary bytes the output items hold, read back through n8n's BinaryDataService. */
	outputMB: number;
	storedAs: string;
}

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SAMPLER = `
const { parentPort, workerData } = require('worker_threads');
let peak = 0;
let samples = 0;
const take = () => { peak = Math.max(peak, process.memoryUsage.rss()); samples++; };
take();
const timer = setInterval(take, workerData.sampleMs);
parentPort.on('message', () => { take(); clearInterval(timer); parentPort.postMessage({ peak, samples }); });
`;

async function measure(args: Args): Promise<MemoryChildResult> {
	const h = harnessFor(args, args.mode);
	const batch = () =>
		h.runNode({
			...generate({ pollInterval: 0.1, concurrency: args.concurrency, download: true }),
			input: prompts(args.items),
			timeoutMs: 600_000,
		});
	try {
		// Warm-up with a small batch: loads n8n's code paths, sockets and the binary store.
		await h.runNode({
			...generate({ pollInterval: 0.1, download: true }),
			input: prompts(2, 'warm-up'),
			timeoutMs: 120_000,
		});
		gc();
		await pause(100);
		gc();
		const base = process.memoryUsage();

		const worker = new Worker(SAMPLER, { eval: true, workerData: { sampleMs: args.sampleMs } });
		await new Promise((resolve) => worker.once('online', resolve));
		const peaks = {
			heapUsed: base.heapUsed,
			external: base.external,
			arrayBuffers: base.arrayBuffers,
		};
		const sampleHeap = () => {
			const m = process.memoryUsage();
			peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed);
			peaks.external = Math.max(peaks.external, m.external);
			peaks.arrayBuffers = Math.max(peaks.arrayBuffers, m.arrayBuffers);
		};
		const heapTimer = setInterval(sampleHeap, args.sampleMs);

		const start = performance.now();
		const r = await batch();
		const wallS = (performance.now() - start) / 1000;
		sampleHeap();
		clearInterval(heapTimer);
		const endRss = process.memoryUsage.rss();
		const sampled = await new Promise<{ peak: number; samples: number }>((resolve) => {
			worker.once('message', resolve);
			worker.postMessage('stop');
		});
		await worker.terminate();

		const images = r.items.filter((item) => item.json.status === 'success' && item.binary?.data);
		if (r.status !== 'success' || images.length !== args.items) {
			throw new Error(
				`${args.mode}: status ${r.status}, ${images.length}/${args.items} images (${r.error?.message ?? 'no error'})`,
			);
		}
		// Every output has the same size (give or take a few header bytes): read one back through n8n.
		const bytes = (await r.binaryBuffer(images[0])).length * images.length;
		const first = images[0].binary!.data;
		return {
			mode: args.mode,
			items: args.items,
			concurrency: args.concurrency,
			wallS,
			baselineRssMB: base.rss / MB,
			peakRssMB: sampled.peak / MB,
			peakRssGrowthMB: (sampled.peak - base.rss) / MB,
			endRssGrowthMB: (endRss - base.rss) / MB,
			peakHeapUsedGrowthMB: (peaks.heapUsed - base.heapUsed) / MB,
			peakExternalGrowthMB: (peaks.external - base.external) / MB,
			peakArrayBuffersGrowthMB: (peaks.arrayBuffers - base.arrayBuffers) / MB,
			samples: sampled.samples,
			outputMB: bytes / MB,
			storedAs: first.id
				? `binary data id (${String(first.id).split(':')[0]})`
				: 'base64 in the item',
		};
	} finally {
		await h.stop();
	}
}

const args = JSON.parse(process.env.BENCH_MEMORY_ARGS ?? '{}') as Args;
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
