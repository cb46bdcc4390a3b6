/**
 * Batch throughput: a batch of items through GPT Image 2 (Wait for Result, download on) on n8n's
 * real engine, at several concurrency settings, against simulated jobs of one fixed duration.
 * Figures are wall times and speed-ups over concurrency 1, measured in the same run.
 */
import {
	QUICK,
	generate,
	harnessFor,
	median,
	note,
	peakInFlight,
	prompts,
	round,
	startSimProcess,
	table,
	type BenchResult,
	type SimProcess,
} from './lib';
import type { Harness } from '../test/harness';

/** Job length: a 1 s job would make the concurrency-1 run of 100 items last 100 s or more. */
const JOB_MS = 250;
const DURATIONS = { queued: 50, handling: 150, archiving: 50 };
/** The Poll Interval option's minimum (0.1 s), so most of an item's time is the job itself. */
const POLL_S = 0.1;

interface Run {
	items: number;
	concurrency: number;
	wallS: number;
	getsPerItem: number;
	peakInFlight: number;
}

async function batch(
	h: Harness,
	sim: SimProcess,
	items: number,
	concurrency: number,
): Promise<Run> {
	await sim.reset();
	const start = performance.now();
	const r = await h.runNode({
		...generate({ pollInterval: POLL_S, concurrency, download: true }),
		input: prompts(items),
		timeoutMs: 600_000,
	});
	const wallS = (performance.now() - start) / 1000;
	const withImage = r.items.filter(
		(item) => item.json.status === 'success' && item.binary?.data,
	).length;
	if (r.status !== 'success' || withImage !== items) {
		throw new Error(
			`batch of ${items} at concurrency ${concurrency}: status ${r.status}, ${withImage} images (${r.error?.message ?? 'no error'})`,
		);
	}
	const counters = await sim.counters();
	return {
		items,
		concurrency,
		wallS,
		getsPerItem: counters.getsTotal / items,
		peakInFlight: peakInFlight(await sim.log()),
	};
}

export async function run(): Promise<BenchResult> {
	const repeats = QUICK ? 1 : 3;
	const sim = await startSimProcess({ durations: DURATIONS });
	const h = harnessFor(sim, 'default');
	try {
		await batch(h, sim, 10, 10); // warm-up: JIT, sockets, n8n's lazy setup

		// [items, concurrency, repeats]. The sequential run of 100 items is long (~30 s) and averages
		// 100 items by itself, so it runs once; quick mode estimates it from the 20-item one.
		const plan: Array<[number, number, number]> = [
			[20, 1, repeats],
			[20, 5, repeats],
			[20, 20, repeats],
			...(QUICK ? [] : [[100, 1, 1] as [number, number, number]]),
			[100, 5, repeats],
			[100, 20, repeats],
			[100, 100, repeats],
		];
		const runs: Run[] = [];
		// Repeats interleaved (round r of every setting, then round r + 1) so drift hits all alike.
		for (let round_ = 0; round_ < repeats; round_++) {
			for (const [items, concurrency, times] of plan) {
				if (round_ < times) runs.push(await batch(h, sim, items, concurrency));
			}
		}

		const summarize = (items: number, concurrency: number) => {
			const mine = runs.filter((r) => r.items === items && r.concurrency === concurrency);
			return {
				items,
				concurrency,
				runs: mine.length,
				wallS: median(mine.map((r) => r.wallS)),
				allWallS: mine.map((r) => round(r.wallS, 3)),
				getsPerItem: median(mine.map((r) => r.getsPerItem)),
				peakInFlight: Math.max(...mine.map((r) => r.peakInFlight)),
			};
		};
		const small = [1, 5, 20].map((c) => summarize(20, c));
		const big = [...(QUICK ? [] : [1]), 5, 20, 100].map((c) => summarize(100, c));
		const seq20 = small[0].wallS;
		const seq100 = QUICK ? seq20 * 5 : big[0].wallS;
		const seq100Label = QUICK ? 'estimated as 5 x the 20-item sequential run' : 'measured';

		const rows = (list: typeof small, seq: number, estimated: boolean) =>
			list.map((s) => [
				`${s.items} items, concurrency ${s.concurrency}`,
				s.runs,
				round(s.wallS, 2).toFixed(2),
				round(s.wallS / s.items, 3).toFixed(3),
				`${round(seq / s.wallS, 1).toFixed(1)}x${estimated && s.concurrency !== 1 ? ' (est.)' : ''}`,
				s.peakInFlight,
				round(s.getsPerItem, 1).toFixed(1),
			]);
		const headers = [
			'batch',
			'runs',
			'wall s (median)',
			's/item',
			'speed-up vs c=1',
			'peak in flight',
			'GETs/item',
		];
		table(
			`Throughput: 20 items (issue 4), ${JOB_MS} ms jobs, poll ${POLL_S} s`,
			headers,
			rows(small, seq20, false),
		);
		table(
			`Throughput: 100 items, ${JOB_MS} ms jobs, poll ${POLL_S} s`,
			headers,
			rows(big, seq100, QUICK),
		);
		note(
			`Jobs take a fixed ${JOB_MS} ms (not 1 s) to keep the sequential run short; poll interval ${POLL_S} s; download on, 64x64 PNG, in-memory binary mode.`,
		);
		note(`Sequential 100-item time: ${seq100Label}. Target: >= 15x at concurrency 20.`);

		const speedup = (s: { wallS: number }, seq: number) => round(seq / s.wallS, 1);
		const at = (list: typeof small, c: number) => list.find((s) => s.concurrency === c)!;
		const summary = [
			`throughput: 100 items of ${JOB_MS} ms jobs: c=1 ${round(seq100, 1)} s${QUICK ? ' (est.)' : ''}, c=5 ${round(at(big, 5).wallS, 2)} s, c=20 ${round(at(big, 20).wallS, 2)} s, c=100 ${round(at(big, 100).wallS, 2)} s; speed-up ${speedup(at(big, 5), seq100)}x / ${speedup(at(big, 20), seq100)}x / ${speedup(at(big, 100), seq100)}x (target >= 15x at 20: ${speedup(at(big, 20), seq100) >= 15 ? 'met' : 'NOT met'})`,
			`throughput: 20 items: c=1 ${round(seq20, 2)} s, c=5 ${round(at(small, 5).wallS, 2)} s (${speedup(at(small, 5), seq20)}x), c=20 ${round(at(small, 20).wallS, 2)} s (${speedup(at(small, 20), seq20)}x)`,
		];
		return {
			summary,
			data: {
				setup: {
					jobMs: JOB_MS,
					durations: DURATIONS,
					pollIntervalS: POLL_S,
					download: true,
					binaryMode: 'default',
					repeats,
					sequential100: seq100Label,
				},
				twentyItems: small.map((s) => ({ ...s, speedup: speedup(s, seq20) })),
				hundredItems: big.map((s) => ({ ...s, speedup: speedup(s, seq100) })),
				sequential100WallS: seq100,
				runs,
			},
		};
	} finally {
		await h.stop();
		await sim.stop();
	}
}
