/**
 * Queue mode end to end: this package in a real n8n queue-mode cluster on 127.0.0.1 (Postgres +
 * Redis from Debian, one main, two workers, two webhook processors, callbacks through a round-robin
 * proxy so they alternate between the processors), against the hiapi simulator. See test/queue/README.md.
 *
 * Opt-in twice: HIAPI_E2E=1 (like test/e2e) AND HIAPI_QUEUE=1. n8n 2.41.1 by default; add 1.123.81
 * with HIAPI_E2E_N8N_VERSIONS=2.41.1,1.123.81.
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 HIAPI_QUEUE=1 npx jest test/queue --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const e2e: any = require('../e2e/n8n.js');
const { startCluster, startForwardProxy }: any = require('./cluster.js');
const flows: any = require('./workflows.js');
const { startSimulator }: { startSimulator: (o?: object) => Promise<any> } = require('../sim');

const ENABLED = process.env.HIAPI_E2E === '1' && process.env.HIAPI_QUEUE === '1';
const VERSIONS: string[] = (process.env.HIAPI_E2E_N8N_VERSIONS || '2.41.1')
	.split(',')
	.map((v) => v.trim())
	.filter(Boolean);
const CALLBACK_TOKEN = 'queue-callback-token-7d1e0b93c2a4f586';

type Item = { json: Record<string, any>; binary?: Record<string, any>; pairedItem?: unknown };

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log(
		'test/queue skipped: set HIAPI_E2E=1 HIAPI_QUEUE=1 to run it against a real n8n queue-mode cluster (Postgres + Redis + 5 n8n processes)',
	);
}

const report: Record<string, Record<string, unknown>> = {};
// eslint-disable-next-line no-console
const say = (...args: unknown[]) => console.log('[queue]', ...args);

(ENABLED ? describe.each(VERSIONS) : describe.skip.each(VERSIONS))(
	'n8n %s in queue mode',
	(VERSION: string) => {
		const v2 = Number(VERSION.split('.')[0]) >= 2;
		const figures: Record<string, unknown> = (report[VERSION] = {});
		let sim: any;
		let counter: any;
		let cluster: any;
		/** A forwarding proxy in front of the simulator's CDN: every download, with the process that made it. */
		let cdnProxy: any;
		const downloads: Array<{ t: number; taskId: string; proc?: string }> = [];
		let workDir: string;
		let failed = false;
		/** Every CDN download takes 0.5 s more while set (the webhook-processor kill test). */
		let slowCdn = false;

		async function withLogs(fn: () => Promise<void>) {
			try {
				await fn();
			} catch (error) {
				failed = true;
				const e = error as Error;
				e.message += `\n\n--- n8n logs (tails) ---\n${cluster?.logTails(25)}`;
				throw e;
			}
		}

		beforeAll(async () => {
			try {
				await setUp();
			} catch (error) {
				failed = true;
				throw error;
			}
		}, 15 * 60_000);

		async function setUp() {
			const t0 = Date.now();
			cdnProxy = await startForwardProxy({
				onRequest: ({ remotePort, url }: { remotePort: number; url: string }) => {
					const m = /\/tasks\/([^/]+)\//.exec(url);
					if (!m) return;
					downloads.push({
						t: Date.now(),
						taskId: m[1],
						proc: cluster?.processOfConnection(remotePort, cdnProxy.port),
					});
				},
			});
			sim = await startSimulator({
				port: await e2e.freePort(),
				cdnBaseUrl: `${cdnProxy.url}/cdn`,
			});
			cdnProxy.target = sim.baseUrl;
			sim.setBehavior(flows.durationBehavior);
			sim.inject({
				route: 'cdn',
				type: 'slow',
				count: Infinity,
				ms: 500,
				match: () => slowCdn,
			});
			counter = await flows.startCounter();
			workDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'hiapi-queue-e2e-'));
			const files = flows.writeWorkflows(path.join(workDir, 'import'), {
				simUrl: sim.baseUrl,
				callbackToken: CALLBACK_TOKEN,
				counterUrl: counter.url,
			});
			cluster = await startCluster({
				version: VERSION,
				workDir: path.join(workDir, 'cluster'),
				webhookUrl: 'proxy',
				// n8n's defaults unless asked (the pool of 2 is what most callbacks wait for).
				poolSize: Number(process.env.HIAPI_QUEUE_POOL_SIZE) || undefined,
				expressionEngine: process.env.HIAPI_QUEUE_EXPRESSION_ENGINE || undefined,
				...files,
			});
			figures.clusterStartS = Math.round((Date.now() - t0) / 1000);
			figures.clusterTimingsMs = cluster.timings;
			figures.poolSize = process.env.HIAPI_QUEUE_POOL_SIZE || "n8n's default";
			figures.expressionEngine = process.env.HIAPI_QUEUE_EXPRESSION_ENGINE || "n8n's default";
		}

		afterAll(async () => {
			await cluster?.stop();
			await sim?.stop();
			await counter?.stop();
			await cdnProxy?.stop();
			say(`n8n ${VERSION}:`, JSON.stringify(figures, null, 1));
			if (failed || process.env.HIAPI_E2E_KEEP === '1') say(`kept ${workDir}`);
			else if (workDir) {
				cluster?.cleanup();
				fs.rmSync(workDir, { recursive: true, force: true });
			}
		}, 120_000);

		/** Tasks the simulator created for these prompts, in prompt order. */
		const tasksFor = (prompts: string[]) => {
			const byPrompt = new Map<string, string>();
			for (const [id, t] of sim.tasks as Map<string, any>)
				if (prompts.includes(t.input.prompt)) byPrompt.set(t.input.prompt, id);
			return prompts.map((p) => byPrompt.get(p));
		};

		/** Every item a success with the simulator's exact image (sha256 and size), in the tasks' order. */
		async function expectExactImages(items: Item[], taskIds: string[]) {
			expect(items.map((it) => it.json.taskId)).toEqual(taskIds);
			expect(items.map((it) => it.json.status)).toEqual(taskIds.map(() => 'success'));
			const bytes: Buffer[] = await cluster.readBinaries(items.map((it) => it.binary?.data));
			let exact = 0;
			for (const [i, item] of items.entries()) {
				const want = sim.outputDigest(item.json.taskId, 0);
				const got = crypto.createHash('sha256').update(bytes[i]).digest('hex');
				if (got === want.sha256 && bytes[i].length === want.size) exact++;
			}
			expect(exact).toBe(taskIds.length);
			if (v2) {
				// 2.x: database mode, rows in binary_data, shared by every process through Postgres.
				for (const item of items) expect(String(item.binary!.data.id)).toMatch(/^database:/);
			}
			return exact;
		}

		/** Status reads at hiapi for a batch since sim time `since`: GETs of its tasks and list calls. */
		function reads(taskIds: string[], since: number) {
			const ids = new Set(taskIds);
			const rows = sim.log.filter((l: any) => l.t >= since);
			return {
				gets: rows.filter((l: any) => l.route === 'get' && ids.has(l.taskId)).length,
				lists: rows.filter((l: any) => l.route === 'list').length,
				downloads: rows.filter((l: any) => l.route === 'cdn' && ids.has(l.taskId)).length,
			};
		}

		/** How many of the tasks settled in the same whole second as the last one (hiapi's `completed`). */
		const inLastSecond = (taskIds: string[]) => {
			const completed = taskIds.map((t) => sim.task(t).completed as number);
			return completed.filter((c) => c === Math.max(...completed)).length;
		};

		/** Downloads of these tasks per process that made them. */
		const downloadsBy = (taskIds: string[]) => {
			const ids = new Set(taskIds);
			const by: Record<string, number> = {};
			for (const d of downloads)
				if (ids.has(d.taskId)) by[d.proc ?? '?'] = (by[d.proc ?? '?'] ?? 0) + 1;
			return by;
		};

		/**
		 * The callbacks of the task that settled last, as the proxy passed them on: processor, answer,
		 * ms. With the callbacks' answer times (median, max) of the whole batch.
		 */
		const lastTaskCallbacks = (executionId: string, taskIds: string[]) => {
			const last = taskIds.reduce((a, b) =>
				sim.tasks.get(b).settleAt > sim.tasks.get(a).settleAt ? b : a,
			);
			const item = taskIds.indexOf(last);
			const nameOf = (url: string) =>
				(Object.values(cluster.procs) as any[]).find((p) => p.url === url)?.name ?? url;
			const batch = cluster.proxy.answered.filter((a: any) =>
				a.url.startsWith(`/webhook-waiting/${executionId}`),
			);
			const ms = batch.map((a: any) => a.ms).sort((a: number, b: number) => a - b);
			return {
				lastTask: batch
					.filter((a: any) => new URL(a.url, 'http://x').searchParams.get('item') === String(item))
					.map((a: any) => `${nameOf(a.target)} ${a.status} ${a.ms} ms`),
				callbackMs: { median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1] },
			};
		};

		/** Fails with the execution's error (and GPT Image 2's) when it did not succeed. */
		async function expectSuccess(id: string, row: any) {
			if (row.status === 'success') return;
			let why = '';
			try {
				const exec = await cluster.execution(id);
				why = JSON.stringify({
					execution: e2e.runError(exec.data),
					gptImage2: e2e.runError(exec.data, 'GPT Image 2'),
					lastNode: exec.data?.resultData?.lastNodeExecuted,
				}).slice(0, 3000);
			} catch (e) {
				why = `(no execution data: ${(e as Error).message})`;
			}
			throw new Error(`execution ${id} ended ${row.status}, not success: ${why}`);
		}

		const attemptsFor = (taskIds: string[]) => {
			const ids = new Set(taskIds);
			const attempts = sim.callbackLog.filter((c: any) => ids.has(c.taskId));
			return {
				sent: attempts.length,
				acked: attempts.filter((c: any) => typeof c.status === 'number' && c.status < 300).length,
				statuses: attempts.reduce((acc: Record<string, number>, c: any) => {
					acc[String(c.status)] = (acc[String(c.status)] || 0) + 1;
					return acc;
				}, {}),
			};
		};

		test('Wait for Result, 20 items: run by a worker, 20 exact images (database binary mode on 2.x)', async () => {
			await withLogs(async () => {
				const started = Date.now();
				const prompts = flows.prompts(20, `poll-${VERSION}`, () => 2000);
				const id = await cluster.startExecution(flows.WF.poll, flows.PATHS.poll, { prompts });
				const row = await cluster.waitForStatus(id, cluster.FINAL, { timeoutMs: 120_000 });
				await expectSuccess(id, row);
				const exec = await cluster.execution(id);
				const items: Item[] = e2e.nodeOutput(exec.data, 'GPT Image 2');
				const taskIds = tasksFor(prompts) as string[];
				expect(taskIds.every(Boolean)).toBe(true);
				expect(items).toHaveLength(20);
				const exact = await expectExactImages(items, taskIds);
				expect(e2e.nodeOutput(exec.data, 'Images Ready')).toHaveLength(20);
				expect(counter.runs(id)).toBe(1);
				// The node ran on a worker: its task IDs are in a worker's log, in no other process's.
				const logs = cluster.logs();
				const ranOn = Object.keys(logs).filter((name) =>
					taskIds.some((t) => logs[name].includes(`hiapi task created: ${t}`)),
				);
				expect(ranOn).toHaveLength(1);
				expect(ranOn[0]).toMatch(/^worker/);
				figures.poll = {
					items: 20,
					exact,
					ranOn: ranOn[0],
					binaryIds: String(items[0].binary!.data.id ?? '(inline)').replace(
						/[0-9a-f-]{36}$/,
						'<uuid>',
					),
					seconds: (Date.now() - started) / 1000,
				};
			});
		}, 180_000);

		test('Wait for Callback, 50 items, callbacks alternating between the webhook processors: one resume, one set of downloads, 50 exact images, no worker held', async () => {
			await withLogs(async () => {
				const started = Date.now();
				const simT0 = sim.now();
				const proxyBefore = { ...cluster.proxy.counts };
				// Tasks of 3 to 6 s, in an order unrelated to the items.
				const prompts = flows.prompts(
					50,
					`wait-${VERSION}`,
					(i: number) => 3000 + ((i * 617) % 3000),
				);
				const id = await cluster.startExecution(flows.WF.wait, flows.PATHS.wait, { prompts });
				await cluster.waitForStatus(id, ['waiting', ...cluster.FINAL], {
					timeoutMs: 60_000,
					intervalMs: 100,
				});
				// Bull while the execution waits: count first, then the status; a sample counts only
				// when the execution was still waiting after it was taken.
				const bull: number[] = [];
				let row: any;
				for (;;) {
					const counts = await cluster.bullCounts();
					[row] = await cluster.sql(`SELECT status FROM execution_entity WHERE id = ${Number(id)}`);
					if (row.status !== 'waiting') break;
					bull.push(counts.active);
					await e2e.sleep(250);
				}
				row = await cluster.waitForStatus(id, cluster.FINAL, { timeoutMs: 180_000 });
				const taskIds = flows.batchTaskIds(sim.tasks.values(), id);
				// Let late callbacks and any second resume show.
				await sim
					.waitFor(
						(s: any) =>
							taskIds.every((t: string) => s.callbackLog.some((c: any) => c.taskId === t)),
						60_000,
					)
					.catch(() => undefined);
				await e2e.sleep(3000);
				const exec = await cluster.execution(id);
				const items: Item[] = e2e.nodeOutput(exec.data, 'GPT Image 2') ?? [];
				const r = reads(taskIds, simT0);
				const attempts = attemptsFor(taskIds);
				const proxy = Object.fromEntries(
					Object.entries(cluster.proxy.counts).map(([k, v]) => [
						(Object.values(cluster.procs) as any[]).find((p) => p.url === k)?.name,
						(v as number) - (proxyBefore[k] ?? 0),
					]),
				);
				// The figures first (also when the run failed), then the checks.
				figures.wait = {
					status: row.status,
					items: items.length,
					resumes: counter.runs(id),
					workflowEnds: cluster.workflowEnds(id),
					jobsEnqueued: cluster.jobsEnqueued(id),
					tasksSettledInLastSecond: inLastSecond(taskIds),
					downloads: r.downloads,
					downloadsBy: downloadsBy(taskIds),
					...lastTaskCallbacks(id, taskIds),
					statusReadsPerTask: (r.gets + r.lists) / 50,
					getsPerTask: r.gets / 50,
					lists: r.lists,
					callbackAttemptsPerTask: attempts.sent / 50,
					callbackStatuses: attempts.statuses,
					callsPerProcessor: proxy,
					bullActiveWhileWaiting: { samples: bull.length, max: Math.max(...bull) },
					seconds: (Date.now() - started) / 1000,
				};
				say(`wait, 50 items: ${JSON.stringify(figures.wait)}`);
				await expectSuccess(id, row);
				expect(taskIds).toHaveLength(50);
				expect(taskIds.every(Boolean)).toBe(true);
				expect(items).toHaveLength(50);
				(figures.wait as any).exact = await expectExactImages(items, taskIds);
				// Both processors took callbacks.
				expect(Object.values(proxy).every((n) => (n as number) > 0)).toBe(true);
				expect(bull.length).toBeGreaterThan(0);
				expect(Math.max(...bull)).toBe(0);
				// What the product must do: the rest of the workflow ran once, one set of downloads.
				expect(counter.runs(id)).toBe(1);
				expect(r.downloads).toBe(50);
			});
		}, 300_000);

		test('a webhook processor SIGKILLed while the resume downloads: no timeout item, every task ID reaches an output', async () => {
			await withLogs(async () => {
				const started = Date.now();
				const simT0 = sim.now();
				const prompts = flows.prompts(
					20,
					`kill-webhook-${VERSION}`,
					(i: number) => 2000 + ((i * 311) % 2000),
				);
				slowCdn = true;
				let killed: string | undefined;
				let id = '';
				try {
					id = await cluster.startExecution(flows.WF.wait, flows.PATHS.wait, { prompts });
					const taskIds = (): string[] => flows.batchTaskIds(sim.tasks.values(), id);
					// The first download of this batch: the process that made it is resuming.
					await sim.waitFor(() => {
						const ids = new Set(taskIds());
						return downloads.some((d) => ids.has(d.taskId) && d.proc);
					}, 120_000);
					const ids = new Set(taskIds());
					killed = downloads.find((d) => ids.has(d.taskId) && d.proc)!.proc!;
					const open = cluster.proxy
						.inflight()
						.filter((x: any) => x.url.startsWith(`/webhook-waiting/${id}`));
					expect(killed).toMatch(/^webhook/);
					await cluster.kill(killed);
					say(
						`killed ${killed} (SIGKILL) while it downloaded; ${open.length} callback(s) of the batch were open`,
					);
				} finally {
					// Downloads at full speed again once the kill is done.
					setTimeout(() => (slowCdn = false), 1000);
				}
				const row = await cluster.waitForStatus(id, cluster.FINAL, { timeoutMs: 180_000 });
				const taskIds = flows.batchTaskIds(sim.tasks.values(), id);
				const exec = await cluster.execution(id);
				const items: Item[] = e2e.nodeOutput(exec.data, 'GPT Image 2') ?? [];
				const attempts = attemptsFor(taskIds);
				const r = reads(taskIds, simT0);
				figures.killWebhook = {
					killed,
					status: row.status,
					items: items.length,
					timeoutItems: items.filter((it) => it.json.status === 'timeout').length,
					errorItems: items.filter((it) => it.json.error).length,
					resumes: counter.runs(id),
					workflowEnds: cluster.workflowEnds(id),
					tasksSettledInLastSecond: inLastSecond(taskIds),
					downloads: r.downloads,
					downloadsBy: downloadsBy(taskIds),
					...lastTaskCallbacks(id, taskIds),
					callbackStatuses: attempts.statuses,
					seconds: (Date.now() - started) / 1000,
				};
				say(`webhook processor killed: ${JSON.stringify(figures.killWebhook)}`);
				await expectSuccess(id, row);
				expect(items.filter((it) => it.json.status === 'timeout')).toEqual([]);
				expect(taskIds).toHaveLength(20);
				// Every task ID reaches an output, each with its exact image.
				await expectExactImages(items, taskIds);
				expect(counter.runs(id)).toBe(1);
			});
		}, 300_000);

		test("a worker SIGKILLed during Wait for Result: every created task ID is in n8n's log; what n8n does to the execution", async () => {
			await withLogs(async () => {
				const started = Date.now();
				const prompts = flows.prompts(10, `kill-worker-${VERSION}`, () => 15000);
				// The webhook processor killed above may be processor 1: start through the proxy.
				const id = await cluster.startExecution(
					flows.WF.poll,
					flows.PATHS.poll,
					{ prompts },
					{
						base: cluster.proxy.url,
					},
				);
				await sim.waitFor(
					(s: any) =>
						[...s.tasks.values()].filter((t: any) => prompts.includes(t.input.prompt)).length ===
						10,
					60_000,
				);
				const created = tasksFor(prompts) as string[];
				// Which worker runs it: the one whose log names its tasks.
				let victim: string | undefined;
				const until = Date.now() + 15_000;
				while (!victim && Date.now() < until) {
					const logs = cluster.logs();
					victim = Object.keys(logs).find(
						(n) =>
							n.startsWith('worker') &&
							created.some((t) => logs[n].includes(`hiapi task created: ${t}`)),
					);
					if (!victim) await e2e.sleep(200);
				}
				expect(victim).toBeDefined();
				await e2e.sleep(2000); // mid-poll
				const killedAt = Date.now();
				await cluster.kill(victim!);
				// Every task hiapi created (and will bill) is named in n8n's log, written before the crash.
				const victimLog = fs.readFileSync(cluster.procs[victim!].logFile, 'utf8');
				const logged = created.filter((t) => victimLog.includes(`hiapi task created: ${t}`));
				expect(logged).toEqual(created);
				// What n8n does next: 30 s with the worker gone, then the worker restarted (same folder, as an
				// orchestrator would restart it), watching the execution's status and Bull all along.
				const timeline: string[] = [];
				let row: any;
				let finalS: number | undefined;
				const watch = async (untilMs: number) => {
					for (;;) {
						[row] = await cluster.sql(
							`SELECT status FROM execution_entity WHERE id = ${Number(id)}`,
						);
						const b = await cluster.bullCounts();
						const entry = `${row.status} (Bull active ${b.active}, failed ${b.failed})`;
						if (!timeline.length || !timeline[timeline.length - 1].endsWith(entry))
							timeline.push(`${((Date.now() - killedAt) / 1000).toFixed(0)} s: ${entry}`);
						if (cluster.FINAL.includes(row.status)) {
							finalS ??= (Date.now() - killedAt) / 1000;
							return;
						}
						if (Date.now() > untilMs) return;
						await e2e.sleep(1000);
					}
				};
				await watch(killedAt + 30_000);
				let restartedS: number | undefined;
				if (!finalS) {
					const restarting = cluster.restart(victim!).then(() => {
						restartedS = (Date.now() - killedAt) / 1000;
						timeline.push(`${restartedS.toFixed(0)} s: ${victim} ready again`);
					});
					await watch(Date.now() + 180_000);
					await restarting;
				}
				let error: string | undefined;
				try {
					const exec = await cluster.execution(id);
					const err = exec.data?.resultData?.error;
					error = err
						? `${err.message ?? ''}${err.description ? ` (${err.description})` : ''}`
						: undefined;
				} catch (e) {
					error = `(no execution data: ${(e as Error).message})`;
				}
				const after = tasksFor(prompts).filter(Boolean).length;
				const all = [...sim.tasks.values()].filter((t: any) =>
					prompts.includes(t.input.prompt),
				).length;
				figures.killWorker = {
					victim,
					tasksCreated: created.length,
					taskIdsInLog: logged.length,
					workerRestartedAfterS: restartedS,
					timeline,
					finalStatus: row.status,
					finalAfterS: finalS,
					error,
					tasksAtHiapiAfter: all,
					seconds: (Date.now() - started) / 1000,
				};
				say(`worker killed: ${JSON.stringify(figures.killWorker)}`);
				// n8n did not run the job again: no second set of tasks at hiapi.
				expect(all).toBe(10);
				expect(after).toBe(10);
			});
		}, 420_000);
	},
);
