/**
 * Queue mode: one Wait for Callback batch of N items (default 1000) with 10 s tasks through a real
 * n8n queue-mode cluster (test/queue/cluster.js: Postgres + Redis, main, 2 workers with
 * --concurrency=10, 2 webhook processors behind a round-robin proxy that WEBHOOK_URL points at),
 * against the hiapi simulator (in this process: n8n runs in its own processes).
 *
 *   source scripts/node24.sh && npm run build
 *   node -r ./scripts/ts-register.js bench/queue.ts                          # n8n's defaults, 1000 items
 *   node -r ./scripts/ts-register.js bench/queue.ts --expression-engine legacy --pool-size 10
 *   node -r ./scripts/ts-register.js bench/queue.ts --compare                # both, one after the other
 *   options: --items N, --task-s S, --version 2.41.1, --webhook-url proxy|webhook1, --keep
 *
 * Prints figures and ratios (nothing is asserted) and writes bench/results/queue-<config>.json.
 * Exit code 0 unless the run crashed.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { machineLine, note, round, table, writeResult } from './lib';

const e2e: any = require('../test/e2e/n8n.js');
const { startCluster }: any = require('../test/queue/cluster.js');
const flows: any = require('../test/queue/workflows.js');
const { startSimulator }: { startSimulator: (o?: object) => Promise<any> } = require('../test/sim');

interface Config {
	label: string;
	expressionEngine?: string;
	poolSize?: number;
}

interface Args {
	items: number;
	taskS: number;
	version: string;
	webhookUrl: 'proxy' | 'webhook1';
	keep: boolean;
	configs: Config[];
}

function parseArgs(argv: string[]): Args {
	const value = (name: string) => {
		const i = argv.indexOf(name);
		return i >= 0 ? argv[i + 1] : undefined;
	};
	const expressionEngine = value('--expression-engine');
	const poolSize = value('--pool-size') ? Number(value('--pool-size')) : undefined;
	const custom: Config = {
		label:
			[expressionEngine && `engine-${expressionEngine}`, poolSize && `pool-${poolSize}`]
				.filter(Boolean)
				.join('-') || 'defaults',
		expressionEngine,
		poolSize,
	};
	return {
		items: Number(value('--items') ?? 1000),
		taskS: Number(value('--task-s') ?? 10),
		version: value('--version') ?? '2.41.1',
		webhookUrl: (value('--webhook-url') as Args['webhookUrl']) ?? 'proxy',
		keep: argv.includes('--keep'),
		configs: argv.includes('--compare')
			? [
					{ label: 'defaults' },
					{ label: 'engine-legacy-pool-10', expressionEngine: 'legacy', poolSize: 10 },
				]
			: [custom],
	};
}

const CALLBACK_TOKEN = 'bench-queue-callback-token-4c8e1a7f';
const log = (text: string) =>
	process.stdout.write(`  ${new Date().toISOString().slice(11, 19)} ${text}\n`);

interface Result {
	config: Config;
	items: number;
	status: string;
	error?: string;
	wallS: number;
	submitS: number;
	lastSettleToEndS: number;
	exact: number;
	missing: number;
	errorItems: number;
	resumes: number;
	workflowEnds: number;
	callbackAttemptsPerTask: number;
	callbacksFailed: number;
	callbackStatuses: Record<string, number>;
	callbacksGivenUp: number;
	getsPerTask: number;
	lists: number;
	statusReadsPerTask: number;
	downloads: number;
	maxBullActiveWhileWaiting: number;
	bullSamples: number;
	callsPerProcessor: Record<string, number>;
	rssMaxMiB: Record<string, number>;
	rssMaxWithRunnersMiB: Record<string, number>;
	clusterStartS: number;
}

async function runOnce(args: Args, config: Config): Promise<Result> {
	process.stdout.write(
		`\n=== ${config.label}: ${args.items} items, ${args.taskS} s tasks, n8n ${args.version}, N8N_EXPRESSION_ENGINE=${config.expressionEngine ?? '(default)'}, DB_POSTGRESDB_POOL_SIZE=${config.poolSize ?? '(default)'} ===\n`,
	);
	const sim = await startSimulator({ port: await e2e.freePort() });
	sim.setBehavior(flows.durationBehavior);
	const counter = await flows.startCounter();
	const workDir = mkdtempSync(join(tmpdir(), 'hiapi-bench-queue-'));
	let cluster: any;
	let ok = false;
	try {
		const t0 = Date.now();
		const files = flows.writeWorkflows(join(workDir, 'import'), {
			simUrl: sim.baseUrl,
			callbackToken: CALLBACK_TOKEN,
			counterUrl: counter.url,
			// Long enough that no item times out however slow the callbacks get.
			timeoutS: 3600,
		});
		cluster = await startCluster({
			version: args.version,
			workDir: join(workDir, 'cluster'),
			webhookUrl: args.webhookUrl,
			poolSize: config.poolSize,
			expressionEngine: config.expressionEngine,
			...files,
		});
		const clusterStartS = (Date.now() - t0) / 1000;
		log(`cluster ready in ${clusterStartS.toFixed(0)} s`);

		const rss = cluster.sampleRss(1000);
		const prompts: string[] = flows.prompts(
			args.items,
			`bench-${config.label}`,
			() => args.taskS * 1000,
		);
		const simT0 = sim.now();
		const started = Date.now();
		const id: string = await cluster.startExecution(flows.WF.wait, flows.PATHS.wait, { prompts });
		log(`execution ${id} started`);
		// Bull while the execution waits: count first, then the status; a sample counts only when the
		// execution was still waiting after it was taken.
		const bull: number[] = [];
		let submitS = NaN;
		let row: any;
		for (;;) {
			const counts = await cluster.bullCounts();
			[row] = await cluster.sql(`SELECT status FROM execution_entity WHERE id = ${Number(id)}`);
			if (row.status === 'waiting') {
				if (Number.isNaN(submitS)) {
					submitS = (Date.now() - started) / 1000;
					log(`waiting after ${submitS.toFixed(1)} s (${sim.counters.tasksCreated} tasks created)`);
				}
				bull.push(counts.active);
			} else if (cluster.FINAL.includes(row.status)) break;
			if (Date.now() - started > 60 * 60_000)
				throw new Error(`execution ${id} not finished after 1 h`);
			await e2e.sleep(1000);
		}
		const wallS = (Date.now() - started) / 1000;
		log(`execution ${id} ${row.status} after ${wallS.toFixed(1)} s`);
		const taskIds: string[] = flows.batchTaskIds(sim.tasks.values(), id);
		// Late callbacks (retries of ones answered too late) settle before the counts are read.
		let quietSince = Date.now();
		let last = sim.counters.callbacksSent;
		while (Date.now() - quietSince < 5000) {
			await e2e.sleep(500);
			if (sim.counters.callbacksSent !== last) {
				last = sim.counters.callbacksSent;
				quietSince = Date.now();
			}
		}
		const rssStats = rss.stop();

		const exec = await cluster.execution(id);
		const items: any[] = e2e.nodeOutput(exec.data, 'GPT Image 2') ?? [];
		const runError = e2e.runError(exec.data);
		const error = runError
			? `${runError.message ?? ''}${runError.description ? ` (${runError.description})` : ''}`.slice(
					0,
					300,
				)
			: undefined;
		if (error)
			log(`execution error: ${error} (last node: ${exec.data?.resultData?.lastNodeExecuted})`);
		const withBinary = items.filter((it) => it.binary?.data);
		const bytes: Buffer[] = await cluster.readBinaries(withBinary.map((it) => it.binary.data));
		let exact = 0;
		withBinary.forEach((it, i) => {
			const want = sim.outputDigest(it.json.taskId, 0);
			const got = createHash('sha256').update(bytes[i]).digest('hex');
			if (got === want.sha256 && bytes[i].length === want.size) exact++;
		});
		const named = new Set(items.map((it) => it.json.taskId));
		const ids = new Set(taskIds);
		const simRows = sim.log.filter((l: any) => l.t >= simT0);
		const gets = simRows.filter((l: any) => l.route === 'get' && ids.has(l.taskId)).length;
		const lists = simRows.filter((l: any) => l.route === 'list').length;
		const downloads = simRows.filter((l: any) => l.route === 'cdn' && ids.has(l.taskId)).length;
		const attempts = sim.callbackLog.filter((c: any) => ids.has(c.taskId));
		const statuses: Record<string, number> = {};
		for (const c of attempts) statuses[String(c.status)] = (statuses[String(c.status)] ?? 0) + 1;
		// A task whose every attempt failed: the simulator gave up on it.
		const givenUp = taskIds.filter(
			(t) =>
				!attempts.some(
					(c: any) => c.taskId === t && typeof c.status === 'number' && c.status < 300,
				),
		).length;
		const lastSettle = Math.max(...taskIds.map((t) => sim.tasks.get(t).settleAt));
		const endSim = simT0 + wallS * 1000;
		const nameOf = (url: string) =>
			(Object.values(cluster.procs) as any[]).find((p) => p.url === url)?.name ?? url;
		const mib = (kb: number) => round(kb / 1024, 0);
		// A failed run keeps its folder (n8n's logs) for a look.
		ok = row.status === 'success';
		return {
			config,
			items: args.items,
			status: row.status,
			error,
			wallS: round(wallS, 1),
			submitS: round(submitS, 1),
			lastSettleToEndS: round((endSim - lastSettle) / 1000, 1),
			exact,
			missing: taskIds.filter((t) => !named.has(t)).length,
			errorItems: items.filter((it) => it.json.error).length,
			resumes: counter.runs(id),
			workflowEnds: cluster.workflowEnds(id),
			callbackAttemptsPerTask: round(attempts.length / args.items, 2),
			callbacksFailed: attempts.filter(
				(c: any) => !(typeof c.status === 'number' && c.status < 300),
			).length,
			callbackStatuses: statuses,
			callbacksGivenUp: givenUp,
			getsPerTask: round(gets / args.items, 2),
			lists,
			statusReadsPerTask: round((gets + lists) / args.items, 2),
			downloads,
			maxBullActiveWhileWaiting: bull.length ? Math.max(...bull) : NaN,
			bullSamples: bull.length,
			callsPerProcessor: cluster.proxy
				? Object.fromEntries(
						Object.entries(cluster.proxy.counts).map(([u, n]) => [nameOf(u), n as number]),
					)
				: {},
			rssMaxMiB: Object.fromEntries(
				Object.entries(rssStats).map(([n, s]: [string, any]) => [n, mib(s.maxKb)]),
			),
			rssMaxWithRunnersMiB: Object.fromEntries(
				Object.entries(rssStats).map(([n, s]: [string, any]) => [n, mib(s.maxWithChildrenKb)]),
			),
			clusterStartS: round(clusterStartS, 0),
		};
	} finally {
		await cluster?.stop();
		await sim.stop();
		await counter.stop();
		if (ok && !args.keep) {
			cluster?.cleanup();
			rmSync(workDir, { recursive: true, force: true });
		} else log(`kept ${workDir}`);
	}
}

function printTable(results: Result[]) {
	const col = (f: (r: Result) => unknown) => results.map((r) => String(f(r)));
	const procs = [...new Set(results.flatMap((r) => Object.keys(r.rssMaxMiB)))];
	const rows: Array<[string, ...string[]]> = [
		['execution status', ...col((r) => r.status)],
		['  error', ...col((r) => r.error ?? '-')],
		['wall time, POST → finished (s)', ...col((r) => r.wallS)],
		['  POST → waiting (submits, s)', ...col((r) => r.submitS)],
		['  last task settled → finished (s)', ...col((r) => r.lastSettleToEndS)],
		['images exact / items', ...col((r) => `${r.exact} / ${r.items}`)],
		['task IDs missing from the output', ...col((r) => r.missing)],
		['error items', ...col((r) => r.errorItems)],
		['resumes (downstream runs)', ...col((r) => r.resumes)],
		['workflow ends (event logs)', ...col((r) => r.workflowEnds)],
		['callback attempts per task', ...col((r) => r.callbackAttemptsPerTask)],
		['  failed attempts', ...col((r) => r.callbacksFailed)],
		['  answers', ...col((r) => JSON.stringify(r.callbackStatuses))],
		['  tasks the simulator gave up on', ...col((r) => r.callbacksGivenUp)],
		['status reads per task (GET + list)', ...col((r) => r.statusReadsPerTask)],
		['  GET /v1/tasks/:id per task', ...col((r) => r.getsPerTask)],
		['  list calls', ...col((r) => r.lists)],
		['output downloads', ...col((r) => r.downloads)],
		['  downloads / items', ...col((r) => round(r.downloads / r.items, 2))],
		[
			'max Bull active jobs while waiting',
			...col((r) => `${r.maxBullActiveWhileWaiting} (${r.bullSamples} samples)`),
		],
		['callbacks per webhook processor', ...col((r) => JSON.stringify(r.callsPerProcessor))],
		...procs.map(
			(p) =>
				[
					`max RSS ${p} MiB (+ task runner)`,
					...col((r) => `${r.rssMaxMiB[p] ?? '-'} (${r.rssMaxWithRunnersMiB[p] ?? '-'})`),
				] as [string, ...string[]],
		),
		['cluster start (s)', ...col((r) => r.clusterStartS)],
	];
	if (results.length === 2) {
		const [a, b] = results;
		rows.push([
			`wall time ratio ${b.config.label} / ${a.config.label}`,
			'',
			`${round(b.wallS / a.wallS, 2)}×`,
		]);
	}
	table('Queue mode, Wait for Callback', ['', ...results.map((r) => r.config.label)], rows);
}

async function main(): Promise<number> {
	if (Number(process.versions.node.split('.')[0]) < 24) {
		process.stderr.write(
			`n8n 2.x needs Node >= 24 (this is ${process.version}): source scripts/node24.sh\n`,
		);
		return 2;
	}
	const args = parseArgs(process.argv.slice(2));
	process.stdout.write(`Queue-mode bench. Machine: ${machineLine()}\n`);
	const results: Result[] = [];
	for (const config of args.configs) {
		const r = await runOnce(args, config);
		results.push(r);
		const file = writeResult(`queue-${config.label}`, {
			name: 'queue',
			date: new Date().toISOString(),
			machine: machineLine(),
			args: { ...args, configs: undefined },
			result: r,
		});
		printTable([r]);
		note(`(${file.slice(file.indexOf('bench/'))})`);
	}
	if (results.length > 1) printTable(results);
	note(
		'Wall time runs from the POST that starts the batch to the execution finished; "last task settled → finished" is the resume: the last callback, its downloads and the rest of the workflow on a worker.',
	);
	note(
		'Resumes = calls of the HTTP Request node after GPT Image 2 for this execution: 1 means the rest of the workflow ran once. Downloads = CDN GETs of the batch (one set = items).',
	);
	note(
		'Bull active jobs are sampled every second while the execution is waiting (a sample counts only if it was still waiting after the count); RSS every second from /proc/<pid>/status (VmRSS).',
	);
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(
			`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		process.exit(1);
	},
);
