/**
 * Memory: a batch of 8 MB outputs through GPT Image 2 in n8n's filesystem binary mode and in its
 * default in-memory mode. Each mode runs in a fresh process (memory-child.ts) so one cannot
 * pollute the other, and the simulator (which keeps every image it served) runs in a third.
 */
import { fork } from 'child_process';
import { join } from 'path';

import { QUICK, REGISTER, note, round, startSimProcess, table, type BenchResult } from './lib';
import type { MemoryChildResult } from './memory-child';

const PAD_BYTES = 8 * 1024 * 1024;
const TARGET_MB = 100;

function child(args: Record<string, unknown>): Promise<MemoryChildResult> {
	return new Promise((resolve, reject) => {
		const proc = fork(join(__dirname, 'memory-child.ts'), [], {
			execArgv: ['-r', REGISTER, '--expose-gc'],
			env: { ...process.env, BENCH_MEMORY_ARGS: JSON.stringify(args) },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let answer: { result?: MemoryChildResult; error?: string } | undefined;
		proc.on('message', (msg) => (answer = msg as typeof answer));
		proc.on('exit', (code) => {
			if (answer?.result) resolve(answer.result);
			else
				reject(
					new Error(
						`memory child (${String(args.mode)}) exited ${code}: ${answer?.error ?? 'no result'}`,
					),
				);
		});
	});
}

export async function run(): Promise<BenchResult> {
	const items = QUICK ? 20 : 50;
	const concurrency = 5; // the node's default
	// Filesystem mode again at concurrency 20: if the node buffered whole images, the peak would grow with it.
	const plan: Array<{ mode: 'filesystem' | 'default'; concurrency: number }> = [
		{ mode: 'filesystem', concurrency },
		...(QUICK ? [] : [{ mode: 'filesystem' as const, concurrency: 20 }]),
		{ mode: 'default', concurrency },
	];
	const sim = await startSimProcess({
		durations: { queued: 20, handling: 60, archiving: 20 },
		outputPadBytes: PAD_BYTES,
	});
	try {
		const common = { baseUrl: sim.baseUrl, apiKey: sim.apiKey, items, sampleMs: 20 };
		const results: MemoryChildResult[] = [];
		for (const step of plan) {
			await sim.reset();
			results.push(await child({ ...common, ...step }));
		}
		const fsMode = results[0];
		const memMode = results[results.length - 1];
		table(
			`Memory: ${items} outputs of ${PAD_BYTES / 2 ** 20} MiB each, RSS sampled every 20 ms (MiB)`,
			[
				'binary mode',
				'concurrency',
				'output MiB',
				'stored as',
				'peak RSS growth',
				'RSS growth at end',
				'peak heap growth',
				'peak external growth',
				'wall s',
			],
			results.map((r) => [
				r.mode === 'default' ? 'default (in memory)' : r.mode,
				r.concurrency,
				round(r.outputMB, 0),
				r.storedAs,
				round(r.peakRssGrowthMB, 0),
				round(r.endRssGrowthMB, 0),
				round(r.peakHeapUsedGrowthMB, 0),
				round(r.peakExternalGrowthMB, 0),
				round(r.wallS, 1).toFixed(1),
			]),
		);
		note(
			`Growth = peak minus the RSS after a 2-item warm-up and GC, in a fresh process per mode. Target: < ${TARGET_MB} MiB in filesystem mode.`,
		);
		note(
			'"external" is Buffer memory. In filesystem mode its peak (~65 MiB) does not grow with concurrency or item count: it is download',
		);
		note(
			'chunks awaiting garbage collection, not images held whole (with a forced GC every 10 ms it stays near 3 MiB; see bench/README.md).',
		);
		note(
			'In the default mode n8n keeps every binary as base64 inside the item, so growth there is expected to scale with the output size.',
		);
		const met = results
			.filter((r) => r.mode === 'filesystem')
			.every((r) => r.peakRssGrowthMB < TARGET_MB);
		return {
			summary: [
				`memory: ${items} x ${PAD_BYTES / 2 ** 20} MiB outputs (${round(fsMode.outputMB, 0)} MiB): peak RSS growth ${round(fsMode.peakRssGrowthMB, 0)} MiB in filesystem mode at concurrency ${concurrency}${results.length > 2 ? ` (${round(results[1].peakRssGrowthMB, 0)} MiB at ${results[1].concurrency})` : ''} (target < ${TARGET_MB}: ${met ? 'met' : 'NOT met'}), ${round(memMode.peakRssGrowthMB, 0)} MiB in the default in-memory mode`,
			],
			data: {
				setup: { items, outputBytes: PAD_BYTES, plan, sampleMs: 20, pollIntervalS: 0.1 },
				results: results.map((r) =>
					Object.fromEntries(
						Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, 1) : v]),
					),
				),
			},
		};
	} finally {
		await sim.stop();
	}
}
