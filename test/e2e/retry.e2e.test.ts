/**
 * n8n's Retry of a Wait for Callback batch refused part-way (402 at item 3): the retried execution
 * takes up the tasks the failed one created instead of paying for them again. Real n8n, the packed
 * package, the simulator. Opt-in: HIAPI_E2E=1 (`npm run build` first).
 *
 * Run: HIAPI_E2E=1 npx jest test/e2e/retry.e2e.test.ts --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const e2e: any = require('./n8n.js');
const {
	startSimulator,
}: { startSimulator: (options?: object) => Promise<any> } = require('../sim');

const ENABLED = process.env.HIAPI_E2E === '1';
const VERSIONS: string[] = (
	process.env.HIAPI_E2E_N8N_VERSIONS ||
	process.env.HIAPI_E2E_N8N_VERSION ||
	e2e.DEFAULT_VERSIONS.join(',')
)
	.split(',')
	.map((v: string) => v.trim())
	.filter(Boolean);

const WAIT_ID = 'hiapiExWait00001';
const WAIT_PATH = 'hiapi-wait-for-callback';
const PROMPTS = ['retry 0', 'retry 1', 'retry 2', 'retry 3', 'retry 4'];

(ENABLED ? describe.each(VERSIONS) : describe.skip.each(VERSIONS))(
	"n8n %s: n8n's Retry of Wait for Callback",
	(VERSION: string) => {
		let sim: any;
		let n8n: any;
		let owner: any;
		let workDir: string;

		beforeAll(async () => {
			await e2e.ensureN8n(VERSION);
			sim = await startSimulator({
				port: await e2e.freePort(),
				durations: { queued: 100, handling: 1500, archiving: 100 },
				callback: { retryDelaysMs: [500, 1000, 2000] },
			});
			workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-retry-'));
			n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
			await n8n.installPackage();
			const vars = e2e.exampleVars(sim.baseUrl, n8n.url, 'unused-token');
			const dir = path.join(workDir, 'examples');
			const workflowsDir = path.join(dir, 'workflows');
			fs.mkdirSync(workflowsDir, { recursive: true });
			const cred = e2e.renderExample('hiapi-simulator.credentials.json', vars, dir);
			const wf = e2e.renderExample('wait-for-callback.json', vars, workflowsDir);
			// One submit at a time, so the fourth submit is item 3's.
			const node = wf.json.nodes.find((n: any) => n.name === 'GPT Image 2');
			node.parameters.options = { ...node.parameters.options, concurrency: 1 };
			fs.writeFileSync(wf.file, JSON.stringify(wf.json, null, '\t'));
			await n8n.importCredentials(cred.file);
			await n8n.importWorkflows(workflowsDir);
			await n8n.activate(WAIT_ID);
			await n8n.start();
			owner = await n8n.setupOwner();
		}, 20 * 60_000);

		afterAll(async () => {
			await n8n?.stop();
			await sim?.stop();
		});

		it(
			'item 3 refused (402); after a top-up, Retry creates no new task for items 0-2 and the batch finishes',
			async () => {
				let submits = 0;
				sim.inject({ route: 'submit', type: 'status', status: 402, match: () => ++submits === 4 });
				const r = await n8n.postWebhook(WAIT_PATH, { prompts: PROMPTS });
				expect(r.status).toBe(200);
				const [first] = await n8n.waitForExecutions(
					{ workflowId: WAIT_ID },
					{ finished: false, timeoutMs: 30_000, predicate: (rows: any[]) => rows.length >= 1 },
				);
				const failed = await n8n.waitForStatus(String(first.id), ['error', 'success', 'crashed'], {
					timeoutMs: 60_000,
				});
				expect(failed.status).toBe('error');
				const firstTasks = [...sim.tasks.values()].map((t: any) => t.id ?? t.taskId);
				expect(sim.counters.tasksCreated).toBe(3);

				// The user tops up and presses Retry (the editor's "Retry with original workflow").
				const retried = await owner.rest('POST', `/executions/${first.id}/retry`, {
					loadWorkflow: false,
				});
				// eslint-disable-next-line no-console
				console.log(`[retry ${VERSION}] retry answered ${JSON.stringify(retried).slice(0, 300)}`);
				const rows = await n8n.waitForExecutions(
					{ workflowId: WAIT_ID },
					{ finished: false, timeoutMs: 30_000, predicate: (all: any[]) => all.length >= 2 },
				);
				const second = rows.find((row: any) => String(row.id) !== String(first.id));
				const done = await n8n.waitForStatus(String(second.id), ['success', 'error', 'crashed'], {
					timeoutMs: 90_000,
				});
				const exec = n8n.execution(String(second.id));
				const items = e2e.nodeOutput(exec.data, 'GPT Image 2') ?? [];
				const report = {
					version: VERSION,
					retryStatus: done.status,
					retryOf: second.retryOf,
					tasksCreated: sim.counters.tasksCreated,
					submits: sim.counters.submits,
					replays: sim.counters.replays,
					items: items.length,
				};
				// eslint-disable-next-line no-console
				console.log(`[retry ${VERSION}] ${JSON.stringify(report)}`);
				expect(done.status).toBe('success');
				// Items 0-2: their first tasks, taken up again; 3 and 4: new.
				expect(sim.counters.tasksCreated).toBe(5);
				expect(items.map((i: any) => i.json.taskId).slice(0, 3)).toEqual(
					PROMPTS.slice(0, 3).map(
						(p) => [...sim.tasks.values()].find((t: any) => t.input.prompt === p).id,
					),
				);
				expect(firstTasks).toHaveLength(3);
				for (const item of items) {
					expect(item.json.status).toBe('success');
					expect(n8n.readBinary(item.binary.data).equals(sim.imageBytes(item.json.taskId))).toBe(
						true,
					);
				}
			},
			5 * 60_000,
		);
	},
);
