'use strict';

// The hiapi simulator in its own process, so the benchmarks measure the client side alone: its CPU
// time, its memory and its event loop are not shared with the server answering it (the real hiapi
// is on another machine; here it is at least on another core).
//
// Started by bench/lib.ts (startSimProcess) with fork(); the simulator options come as JSON in
// argv[2]. Extra option `durationFromPrompt: true`: a prompt containing `[ms=1234]` makes that task
// take 1234 ms (before timeScale), split 10 % queued, 80 % handling, 10 % archiving.
//
// IPC: the parent sends {id, cmd} and gets {id, result} or {id, error}:
//   counters | reset | now | tasks (id, createdAt, settleAt, prompt; sim ms) | log (sim.log rows)

const { startSimulator } = require('../test/sim');

async function main() {
	const { durationFromPrompt, ...options } = JSON.parse(process.argv[2] || '{}');
	const sim = await startSimulator(options);
	const behave = () => {
		if (!durationFromPrompt) return;
		sim.setBehavior(({ input }) => {
			const m = /\[ms=(\d+(?:\.\d+)?)\]/.exec(String(input.prompt));
			if (!m) return undefined;
			const total = Number(m[1]);
			return { durations: { queued: total * 0.1, handling: total * 0.8, archiving: total * 0.1 } };
		});
	};
	behave();

	const commands = {
		counters: () => sim.counters,
		now: () => sim.now(),
		reset: () => {
			sim.reset();
			behave();
			return true;
		},
		tasks: () =>
			[...sim.tasks.values()].map((t) => ({
				id: t.id,
				createdAt: t.createdAt,
				settleAt: t.settleAt,
				prompt: t.input.prompt,
			})),
		log: () => sim.log.map(({ t, method, route, status, taskId }) => ({ t, method, route, status, taskId })),
	};

	process.on('message', (msg) => {
		const { id, cmd } = msg || {};
		try {
			if (!Object.hasOwn(commands, cmd)) throw new Error(`unknown command ${cmd}`);
			process.send({ id, result: commands[cmd]() });
		} catch (err) {
			process.send({ id, error: String(err && err.message) });
		}
	});
	// The parent going away (normally or not) ends the simulator.
	process.on('disconnect', () => {
		sim.stop().finally(() => process.exit(0));
	});
	process.send({ ready: true, baseUrl: sim.baseUrl, apiKey: sim.apiKey });
}

main().catch((err) => {
	console.error(`bench simulator failed: ${err && err.stack}`);
	process.exit(1);
});
