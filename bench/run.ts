/**
 * Runs the benchmarks: all of them, or those named on the command line.
 *
 *   node -r ./scripts/ts-register.js bench/run.ts                 # all (a few minutes)
 *   node -r ./scripts/ts-register.js bench/run.ts throughput      # one
 *   BENCH_QUICK=1 node -r ./scripts/ts-register.js bench/run.ts   # smaller, under a minute
 *
 * Prints tables to stdout and writes bench/results/<name>.json. Never asserts a speed: the exit
 * code is 0 unless a benchmark crashed.
 */
import { QUICK, machine, machineLine, writeResult, type Bench } from './lib';

const BENCHES: Record<string, () => Bench> = {
	throughput: () => (require('./throughput') as { run: Bench }).run,
	polling: () => (require('./polling') as { run: Bench }).run,
	memory: () => (require('./memory') as { run: Bench }).run,
	overhead: () => (require('./overhead') as { run: Bench }).run,
	trigger: () => (require('./trigger') as { run: Bench }).run,
	video: () => (require('./video') as { run: Bench }).run,
};

async function main(): Promise<number> {
	const asked = process.argv.slice(2);
	const unknown = asked.filter((name) => !(name in BENCHES));
	if (unknown.length > 0) {
		process.stderr.write(
			`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}\n`,
		);
		return 2;
	}
	if (Number(process.versions.node.split('.')[0]) < 24) {
		process.stderr.write(
			`n8n 2.x needs Node >= 24 (this is ${process.version}): run \`source scripts/node24.sh\` first.\n`,
		);
		return 2;
	}
	const names = asked.length > 0 ? asked : Object.keys(BENCHES);
	process.stdout.write(
		`Benchmarks${QUICK ? ' (BENCH_QUICK=1: fewer items and repeats)' : ''}: ${names.join(', ')}\n`,
	);
	process.stdout.write(`Machine: ${machineLine()}\n`);
	process.stdout.write(
		'Times are wall-clock on a shared machine: compare the ratios measured within this run, not absolute figures across machines.\n',
	);

	const started = performance.now();
	const summary: string[] = [];
	const failed: string[] = [];
	for (const name of names) {
		process.stdout.write(`\n=== ${name} ===\n`);
		const t0 = performance.now();
		try {
			const result = await BENCHES[name]()();
			const durationS = (performance.now() - t0) / 1000;
			const file = writeResult(name, {
				name,
				quick: QUICK,
				date: new Date().toISOString(),
				machine: machine(),
				durationS: Number(durationS.toFixed(1)),
				summary: result.summary,
				...result.data,
			});
			process.stdout.write(
				`  (${durationS.toFixed(1)} s; ${file.slice(file.indexOf('bench/'))})\n`,
			);
			summary.push(...result.summary);
		} catch (error) {
			failed.push(name);
			process.stdout.write(
				`  CRASHED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
			);
		}
	}

	process.stdout.write(
		`\n=== summary (${((performance.now() - started) / 1000).toFixed(0)} s) ===\n`,
	);
	process.stdout.write(`Machine: ${machineLine()}\n`);
	for (const line of summary) process.stdout.write(`- ${line}\n`);
	if (failed.length > 0) process.stdout.write(`Crashed: ${failed.join(', ')}\n`);
	return failed.length > 0 ? 1 : 0;
}

main().then(
	// n8n-core and keep-alive sockets may hold the event loop open: leave once everything is written.
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(
			`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		process.exit(1);
	},
);
