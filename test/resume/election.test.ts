import {
	CONFIRM_GAP_MS,
	elect,
	outranks,
	type ElectionClock,
	type OthersRead,
} from '../../nodes/shared/completion/waitForCallback/election';
import type { Task } from '../../nodes/shared/types';

/**
 * The election without real time: a virtual world where hiapi's clock is the world's, n8n's clock
 * is off by a skew, tasks settle at chosen times and each callback is handled as its own
 * concurrent call (no state shared between calls, as between webhook processes). Reads take a
 * round trip of virtual time; a non-2xx answer is delivered again 0.5 s later.
 */
class World {
	t = 0;
	private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
	private seq = 0;

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) =>
			this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve }),
		);
	}

	async run(limitMs: number): Promise<void> {
		while (this.timers.length > 0) {
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers.shift()!;
			if (next.at > limitMs) throw new Error(`still busy at ${limitMs} ms of virtual time`);
			this.t = next.at;
			next.resolve();
			// One macrotask turn drains every promise chain the timer set going.
			await new Promise((r) => setImmediate(r));
		}
	}
}

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

interface BatchCase {
	tasks: number;
	/** Gap between consecutive settles, ms: [min, max]. */
	gapMs: [number, number];
	/** n8n's clock minus hiapi's, ms. */
	skewMs: number;
	seed: number;
}

interface Outcome {
	resumes: number;
	attempts: number;
	resumedAt?: number;
	lastSettleAt: number;
	non2xx: number;
}

async function runBatch(c: BatchCase): Promise<Outcome> {
	const world = new World();
	const rnd = random(c.seed);
	// hiapi's epoch at world time 0: an arbitrary fraction of a second.
	const epochMs = 1_800_000_000_000 + Math.floor(rnd() * 1000);
	let at = 200 + rnd() * 500;
	const tasks = Array.from({ length: c.tasks }, (_, i) => {
		if (i > 0) at += c.gapMs[0] + rnd() * (c.gapMs[1] - c.gapMs[0]);
		// IDs in no relation to settle order.
		const taskId = `tk-${Math.floor(rnd() * 1e9)
			.toString(36)
			.padStart(6, '0')}-${i}`;
		return { taskId, settleAt: at };
	});
	const view = (i: number): Task => {
		const t = tasks[i];
		const settled = t.settleAt <= world.t;
		return {
			taskId: t.taskId,
			model: 'm',
			status: settled ? 'success' : 'handling',
			created: 0,
			completed: settled ? Math.floor((epochMs + t.settleAt) / 1000) : 0,
			output: settled ? [{ url: 'u', type: 'image', expireAt: 0 }] : [],
		};
	};
	const roundTrip = () => world.sleep(20 + rnd() * 80);
	const clock: ElectionClock = {
		now: () => world.t + c.skewMs,
		sleep: async (ms) => await world.sleep(ms),
	};
	const outcome: Outcome = {
		resumes: 0,
		attempts: 0,
		lastSettleAt: at,
		non2xx: 0,
	};

	const handle = async (i: number): Promise<void> => {
		outcome.attempts++;
		const own = view(i);
		const verdict = await elect(own, {
			clock,
			async readOthers(): Promise<OthersRead> {
				await roundTrip();
				const others = tasks.map((_, j) => j).filter((j) => j !== i);
				const seen = others.map(view);
				const later = seen.find((task) => task.status === 'success' && outranks(task, own));
				if (later) return { tasks: new Map(), outrankedBy: later.taskId };
				const running = seen.find((task) => task.status !== 'success');
				const settled = new Map(
					seen.filter((task) => task.status === 'success').map((task) => [task.taskId, task]),
				);
				return running ? { tasks: settled, waitingOn: running.taskId } : { tasks: settled };
			},
			async readTask(taskId) {
				await roundTrip();
				return view(tasks.findIndex((t) => t.taskId === taskId));
			},
		});
		if (verdict.resume) {
			outcome.resumes++;
			outcome.resumedAt ??= world.t;
		} else if ('retry' in verdict) {
			outcome.non2xx++;
			await world.sleep(500);
			await handle(i);
		}
	};
	const calls = tasks.map(async (task, i) => {
		// hiapi posts the callback a few ms to a few hundred ms after the task settled.
		await world.sleep(task.settleAt + 5 + rnd() * 300);
		await handle(i);
	});
	await world.run(600_000);
	await Promise.all(calls);
	return outcome;
}

describe('the election (virtual clock)', () => {
	const sizes = [1, 2, 3, 5, 8, 20, 60];
	const patterns: Array<{ name: string; gapMs: [number, number] }> = [
		{ name: 'settling 0.5–1 s apart', gapMs: [500, 1000] },
		{ name: 'settling 0–3 s apart', gapMs: [0, 3000] },
		{ name: 'settling within milliseconds', gapMs: [0, 30] },
		{ name: 'settling 0.9–1.1 s apart', gapMs: [900, 1100] },
	];
	const skews = [-5000, -2000, 0, 2000, 5000];

	it.each(patterns)(
		'$name: resumes exactly once, never stalls, ≤ 1.1 attempts per task, at any size and clock skew ±5 s',
		async ({ gapMs }) => {
			let attempts = 0;
			let tasks = 0;
			let runs = 0;
			let non2xx = 0;
			let worst = 0;
			let seed = 1;
			for (const size of sizes)
				for (const skewMs of skews)
					for (let rep = 0; rep < 4; rep++) {
						const c = { tasks: size, gapMs, skewMs, seed: seed++ };
						const o = await runBatch(c);
						const where = JSON.stringify({ ...c, ...o });
						expect({ where, resumes: o.resumes }).toEqual({ where, resumes: 1 });
						// Finished within about a second and a half of the last task settling.
						expect(o.resumedAt! - o.lastSettleAt).toBeLessThan(2 * CONFIRM_GAP_MS);
						attempts += o.attempts;
						tasks += size;
						runs++;
						non2xx += o.non2xx;
						worst = Math.max(worst, Math.round(o.resumedAt! - o.lastSettleAt));
					}
			// eslint-disable-next-line no-console
			console.log(
				`[election] ${gapMs.join('-')} ms gaps: ${runs} batches, ${tasks} tasks, ${(attempts / tasks).toFixed(3)} attempts per task, ${non2xx} non-2xx, worst resume ${worst} ms after the last settle`,
			);
			expect(attempts / tasks).toBeLessThanOrEqual(1.1);
		},
	);

	it('without completion times any settled view resumes, and a running task is not waited on', async () => {
		const world = new World();
		const clock: ElectionClock = { now: () => world.t, sleep: async (ms) => await world.sleep(ms) };
		const own: Task = {
			taskId: 'a',
			model: 'm',
			status: 'success',
			created: 0,
			completed: 0,
			output: [],
		};
		let slept = false;
		const deps = {
			clock: {
				...clock,
				sleep: async (ms: number) => {
					slept = true;
					await world.sleep(ms);
				},
			},
			readOthers: async () => ({ tasks: new Map(), waitingOn: 'b' }),
			readTask: async (taskId: string): Promise<Task> => ({ ...own, taskId, status: 'handling' }),
		};
		const verdict = elect(own, deps);
		await world.run(10_000);
		expect(await verdict).toEqual({ resume: false, waitingFor: 'b' });
		expect(slept).toBe(false);
	});
});
