/**
 * "Wait for Result" on many items: wall time against the slowest job, status reads per task (task
 * GETs plus task-list reads), CPU per item and peak RSS, at the v1 default (5 at once) and at
 * concurrency 100 (the option's maximum), in the same process against the same simulator.
 *
 *   node -r ./scripts/ts-register.js bench/waitForResult.ts      (BENCH_FULL=1: the v1 baseline at 1000 items too)
 */
import {
	cpuMs,
	generate,
	harnessFor,
	machineLine,
	prompts,
	round,
	startRssSampler,
	startSimProcess,
	table,
} from './lib';

const JOB = { queued: 20, handling: 250, archiving: 20 };
const SLOWEST_MS = JOB.queued + JOB.handling + JOB.archiving;

async function main() {
	const sim = await startSimProcess({ durations: JOB });
	const h = harnessFor(sim);
	const rows: Array<Array<string | number>> = [];
	try {
		for (const items of [20, 200, 1000]) {
			const wall: Record<number, number> = {};
			for (const concurrency of [100, 5]) {
				if (concurrency === 5 && items === 1000 && process.env.BENCH_FULL !== '1') continue;
				await sim.reset();
				const rss = await startRssSampler();
				const cpu = process.cpuUsage();
				const started = Date.now();
				const result = await h.runNode({
					...generate({ pollInterval: 0.1, concurrency }),
					input: prompts(items),
				});
				wall[concurrency] = Date.now() - started;
				const cpuPerItem = cpuMs(cpu) / items;
				const { peak } = await rss.stop();
				if (result.status !== 'success') throw new Error(`run failed: ${result.error?.message}`);
				const counters = (await sim.counters()) as unknown as {
					getsTotal: number;
					lists: number;
					tasksCreated: number;
				};
				rows.push([
					items,
					concurrency === 5 ? '5 (v1 default)' : '100',
					wall[concurrency],
					round(wall[concurrency] / SLOWEST_MS, 1),
					round((counters.getsTotal + counters.lists) / counters.tasksCreated, 2),
					round(cpuPerItem, 2),
					round(peak / 2 ** 20, 0),
					wall[5] && wall[100] ? `${round(wall[5] / wall[100], 1)}×` : '',
				]);
			}
		}
	} finally {
		await sim.stop();
	}
	console.log(machineLine());
	table(
		`Wait for Result, jobs of ${SLOWEST_MS} ms, poll interval 0.1 s`,
		[
			'items',
			'concurrency',
			'wall ms',
			'× slowest job',
			'status reads/task',
			'CPU ms/item',
			'peak RSS MiB',
			'v1 / 100',
		],
		rows,
	);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
