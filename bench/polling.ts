/**
 * Polling cost and detection delay of "Wait for Result": per task, how many GETs it took and how
 * long after the task settled (simulator clock) the node saw it, with the default poll interval
 * against a fixed 5 s baseline.
 *
 * Real task lengths (4-12 s) and poll intervals would make this slow, so the simulator's timeScale
 * shrinks the tasks and the poll interval is shrunk by the same factor; the figures are scaled back
 * to real seconds. Timer and HTTP latencies are not shrunk, so they weigh 1/scale more than in a
 * real run: the delays shown are, if anything, pessimistic.
 */
import { DEFAULT_POLL_INTERVAL_S } from '../nodes/shared/completion/descriptions';
import {
	QUICK,
	generate,
	harnessFor,
	mean,
	median,
	note,
	quantile,
	round,
	startSimProcess,
	table,
	type BenchResult,
	type SimLogEntry,
	type SimProcess,
	type SimTask,
} from './lib';
import type { Harness } from '../test/harness';

const BASELINE_S = 5;
const MIN_TASK_S = 4;
const MAX_TASK_S = 12;

interface TaskFigures {
	taskS: number;
	gets: number;
	/** From settling to the GET that reported it, real seconds. */
	delayS: number;
	/** From settling to the output download request, real seconds. */
	downloadDelayS: number;
	/** GETs per poll interval of waiting (submit to detection). */
	getsPerInterval: number;
	/** Whether the GET before the terminal one was still before settleAt (no extra read). */
	terminalOnFirstReadAfterSettle: boolean;
	/** Mean time between two GETs minus the poll interval, in real ms (latency, so not rescaled). */
	periodOvershootMs: number;
}

function figures(
	tasks: SimTask[],
	log: SimLogEntry[],
	scale: number,
	intervalS: number,
): TaskFigures[] {
	const realS = (simMs: number) => simMs / scale / 1000;
	return tasks.map((task) => {
		const gets = log.filter((e) => e.route === 'get' && e.taskId === task.id).map((e) => e.t);
		const cdn = log.find((e) => e.route === 'cdn' && e.taskId === task.id);
		// The node stops polling once a task is terminal, so its last GET is the one that saw it.
		const seen = gets[gets.length - 1];
		if (seen === undefined || !cdn || seen < task.settleAt) {
			throw new Error(
				`task ${task.id}: ${gets.length} GETs, last at ${seen}, settled at ${task.settleAt}, download ${cdn ? 'seen' : 'missing'}`,
			);
		}
		const waitedS = realS(seen - task.createdAt);
		const gaps = gets.slice(1).map((t, i) => t - gets[i]);
		const periodOvershootMs = gaps.length > 0 ? mean(gaps) - intervalS * scale * 1000 : NaN;
		return {
			taskS: realS(task.settleAt - task.createdAt),
			gets: gets.length,
			delayS: realS(seen - task.settleAt),
			downloadDelayS: realS(cdn.t - task.settleAt),
			getsPerInterval: gets.length / (waitedS / intervalS),
			terminalOnFirstReadAfterSettle: gets.length < 2 || gets[gets.length - 2] < task.settleAt,
			periodOvershootMs,
		};
	});
}

async function batch(h: Harness, sim: SimProcess, n: number, scale: number, intervalS: number) {
	await sim.reset();
	// Task lengths spread evenly over 4-12 s (in steps that do not line up with the poll grid).
	const input = Array.from({ length: n }, (_, i) => {
		const ms = (MIN_TASK_S + ((MAX_TASK_S - MIN_TASK_S) * i) / Math.max(1, n - 1)) * 1000;
		return { json: { prompt: `task ${i} [ms=${ms.toFixed(0)}]` } };
	});
	const r = await h.runNode({
		...generate({ pollInterval: intervalS * scale, concurrency: n, download: true }),
		input,
		timeoutMs: 600_000,
	});
	if (r.status !== 'success' || r.items.some((item) => item.json.status !== 'success')) {
		throw new Error(
			`polling batch (interval ${intervalS} s): status ${r.status} (${r.error?.message ?? 'no error'})`,
		);
	}
	return figures(await sim.tasks(), await sim.log(), scale, intervalS);
}

export async function run(): Promise<BenchResult> {
	const scale = QUICK ? 0.1 : 0.25;
	const repeats = QUICK ? 1 : 3;
	const n = 20;
	const sim = await startSimProcess({ timeScale: scale, durationFromPrompt: true });
	const h = harnessFor(sim, 'default');
	try {
		await batch(h, sim, 4, scale, DEFAULT_POLL_INTERVAL_S); // warm-up
		const settings = [
			{ name: `default (${DEFAULT_POLL_INTERVAL_S} s)`, intervalS: DEFAULT_POLL_INTERVAL_S },
			{ name: `fixed ${BASELINE_S} s (baseline)`, intervalS: BASELINE_S },
		];
		const all = new Map<string, TaskFigures[][]>(settings.map((s) => [s.name, []]));
		for (let i = 0; i < repeats; i++) {
			for (const s of settings) all.get(s.name)!.push(await batch(h, sim, n, scale, s.intervalS));
		}

		const results = settings
			.map((s) => {
				const rounds = all.get(s.name)!;
				const tasks = rounds.flat();
				const delays = tasks.map((t) => t.delayS);
				return {
					setting: s.name,
					intervalS: s.intervalS,
					tasks: tasks.length,
					// Medians over repeats of each round's figure, and extremes over every task.
					medianDelayS: median(rounds.map((r) => median(r.map((t) => t.delayS)))),
					p90DelayS: quantile(delays, 0.9),
					maxDelayS: Math.max(...delays),
					maxDelayIntervals: Math.max(...delays) / s.intervalS,
					medianDownloadDelayS: median(rounds.map((r) => median(r.map((t) => t.downloadDelayS)))),
					getsPerTask: median(rounds.map((r) => mean(r.map((t) => t.gets)))),
					getsPerBatch: median(rounds.map((r) => r.reduce((a, t) => a + t.gets, 0))),
					getsPerInterval: median(rounds.map((r) => mean(r.map((t) => t.getsPerInterval)))),
					maxGetsPerInterval: Math.max(...tasks.map((t) => t.getsPerInterval)),
					extraReads: tasks.filter((t) => !t.terminalOnFirstReadAfterSettle).length,
					periodOvershootMs: median(tasks.map((t) => t.periodOvershootMs).filter(Number.isFinite)),
				};
			})
			.map((r) => ({
				...r,
				// A read comes every interval + round trip; at this scale the round trip weighs 1/scale more.
				delayBoundS: r.intervalS + r.periodOvershootMs / 1000 / scale,
			}));

		table(
			`Polling: ${n} tasks of ${MIN_TASK_S}-${MAX_TASK_S} s, ${repeats} run(s) each, real seconds (simulated at timeScale ${scale})`,
			[
				'poll interval',
				'delay median s',
				'p90 s',
				'max s',
				'max/interval',
				'download after s',
				'GETs/task',
				'GETs/batch',
				'GETs per interval',
				'period - interval ms',
			],
			results.map((r) => [
				r.setting,
				round(r.medianDelayS).toFixed(2),
				round(r.p90DelayS).toFixed(2),
				round(r.maxDelayS).toFixed(2),
				round(r.maxDelayIntervals).toFixed(2),
				round(r.medianDownloadDelayS).toFixed(2),
				round(r.getsPerTask, 1).toFixed(1),
				round(r.getsPerBatch, 0),
				`${round(r.getsPerInterval).toFixed(2)} (max ${round(r.maxGetsPerInterval).toFixed(2)})`,
				round(r.periodOvershootMs, 0),
			]),
		);
		const [dflt, base] = results;
		const withinPeriod = (r: (typeof results)[number]) => r.maxDelayS <= r.delayBoundS;
		note(
			`Delay = settle time (simulator clock) to the GET that first reported success; "download after" = to the output download request.`,
		);
		note(
			`Tasks and poll intervals both run at x${scale} and are scaled back; HTTP and timer latency are not scaled, so they count ${round(1 / scale, 0)}x here.`,
		);
		note(
			`"period - interval": how far apart reads start beyond one interval (real ms, not rescaled; timer slack, since the node spaces reads from the start of the previous one).`,
		);
		note(
			`Default vs ${BASELINE_S} s: median delay ${round(dflt.medianDelayS)} s vs ${round(base.medianDelayS)} s (${round(base.medianDelayS / dflt.medianDelayS, 1)}x shorter), ${round(dflt.getsPerTask, 1)} vs ${round(base.getsPerTask, 1)} GETs/task (${round(dflt.getsPerTask / base.getsPerTask, 1)}x more).`,
		);
		note(
			`Targets: delay <= one interval (max ${round(dflt.maxDelayIntervals)} and ${round(base.maxDelayIntervals)} intervals; <= interval + one round trip: ${withinPeriod(dflt) && withinPeriod(base) ? 'yes' : 'NO'}), <= 1 GET per interval (max ${round(dflt.maxGetsPerInterval)} and ${round(base.maxGetsPerInterval)}).`,
		);

		const getsOk = dflt.maxGetsPerInterval <= 1 && base.maxGetsPerInterval <= 1;
		const delayOk = dflt.maxDelayIntervals <= 1 && base.maxDelayIntervals <= 1;
		const delayVerdict = delayOk
			? 'met'
			: withinPeriod(dflt) && withinPeriod(base)
				? 'met within one round trip'
				: 'NOT met';
		const summary = [
			`polling (${MIN_TASK_S}-${MAX_TASK_S} s tasks, at x${scale}, real s): default ${DEFAULT_POLL_INTERVAL_S} s: delay median ${round(dflt.medianDelayS)} s / max ${round(dflt.maxDelayS)} s, ${round(dflt.getsPerTask, 1)} GETs/task; fixed ${BASELINE_S} s: delay median ${round(base.medianDelayS)} s / max ${round(base.maxDelayS)} s, ${round(base.getsPerTask, 1)} GETs/task; delay <= 1 interval: ${delayVerdict} (max ${round(dflt.maxDelayIntervals)} / ${round(base.maxDelayIntervals)} intervals), <= 1 GET/interval: ${getsOk ? 'met' : 'NOT met'} (max ${round(dflt.maxGetsPerInterval)} / ${round(base.maxGetsPerInterval)}); reads start every interval + ~${round(median([dflt.periodOvershootMs, base.periodOvershootMs]), 0)} ms`,
		];
		return {
			summary,
			data: {
				setup: {
					tasks: n,
					taskSeconds: [MIN_TASK_S, MAX_TASK_S],
					timeScale: scale,
					repeats,
					concurrency: n,
					defaultPollIntervalS: DEFAULT_POLL_INTERVAL_S,
					baselinePollIntervalS: BASELINE_S,
				},
				results,
				perTask: Object.fromEntries(
					[...all].map(([name, rounds]) => [
						name,
						rounds.map((r) =>
							r.map((t) => ({
								...t,
								taskS: round(t.taskS, 3),
								delayS: round(t.delayS, 3),
								downloadDelayS: round(t.downloadDelayS, 3),
								getsPerInterval: round(t.getsPerInterval, 3),
								periodOvershootMs: round(t.periodOvershootMs, 1),
							})),
						),
					]),
				),
			},
		};
	} finally {
		await h.stop();
		await sim.stop();
	}
}
