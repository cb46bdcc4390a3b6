/**
 * Callback cost: what one non-final Wait for Callback callback costs in CPU for the paused batch's
 * size, split into n8n's share (loading the waiting execution: the harness copies it per call as
 * n8n loads it) and the expression the node evaluates to read its paused items, on n8n 2.x's
 * default engine (`vm`, isolated-vm) and the legacy one, in the same process.
 *
 * Run: node -r ./scripts/ts-register.js bench/callback-cost.ts [--items 20,200,1000] [--calls 15]
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { Expression } from 'n8n-workflow';

import { HiApiApi } from '../credentials/HiApiApi.credentials';
import { createHarness, type RunResult } from '../test/harness';

/** The expressions compared: what the node evaluated on every callback, and cheaper reads. */
const READS: Record<string, (item: number) => string> = {
	'nothing (n8n share only)': () => '',
	'$input.all() (before)': () => '{{ $input.all() }}',
	'$input.all()[i]': (i) => `{{ $input.all()[${i}] }}`,
	'$input.all().map(taskId)': () =>
		'{{ $input.all().map((x) => x.json.error ? x.json.error.taskId : null) }}',
	'own item + task IDs (after)': (i) =>
		`{{ [$input.all()[${i}], $input.all().map((x) => x.json.error ? x.json.error.taskId : null)] }}`,
};

const base = {
	group: ['transform'],
	version: 1,
	description: 'bench',
	inputs: ['main'],
	outputs: ['main'],
} as unknown as INodeType['description'];

/** Pauses with a batch of pending items shaped like the node's; its webhook evaluates `?expr`. */
class Paused implements INodeType {
	description: INodeType['description'] = {
		...base,
		displayName: 'Paused',
		name: 'bench.paused',
		defaults: { name: 'Paused' },
		properties: [],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: '',
				restartWebhook: true,
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData().map((_, i) => ({
			json: {
				error: {
					message: `Timed out waiting for hiapi's callback after 600 s (task ID: tk-${i}): the task may still finish; fetch it with Get Task`,
					taskId: `tk-hiapi-01HZTQ8BX2N3GM3YFK4Z9D${String(i).padStart(5, '0')}`,
					status: 'timeout',
					model: 'gpt-image-2/text-to-image',
					echo: {
						prompt: `A watercolor fox number ${i}, soft light`,
						aspectRatio: '1:1',
						resolution: '1K',
					},
					keyHash: 'f'.repeat(64),
				},
			},
			pairedItem: { item: i },
		}));
		this.getExecuteData().data.main[0] = items;
		await this.putExecutionToWait(new Date(Date.now() + 600_000));
		return [items];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const expr = String((this.getQueryData() as IDataObject).expr ?? '');
		if (expr) this.evaluateExpression(expr, 0);
		return { webhookResponse: { received: true } };
	}
}

const arg = (name: string, fallback: string) => {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1] : fallback;
};

async function main() {
	const sizes = arg('items', '20,200,1000').split(',').map(Number);
	const calls = Number(arg('calls', '15'));
	await Expression.initExpressionEngine({
		engine: 'vm',
		poolSize: 1,
		maxCodeCacheSize: 1024,
		bridgeTimeout: 5000,
		bridgeMemoryLimit: 128,
	} as Parameters<typeof Expression.initExpressionEngine>[0]);
	// n8n acquires a warm isolate from its pool around each webhook call; the harness does not, so
	// every caller here is given the one bridge acquired up front (the pool's warm one).
	const evaluator = (
		Expression as unknown as {
			vmEvaluator: {
				acquire(caller: object): Promise<boolean>;
				bridgesByCaller: Map<object, unknown>;
				getBridge(caller: object): unknown;
			};
		}
	).vmEvaluator;
	const owner = {};
	await evaluator.acquire(owner);
	const shared = evaluator.bridgesByCaller.get(owner);
	const getBridge = evaluator.getBridge.bind(evaluator);
	evaluator.getBridge = (caller: object) => {
		if (!evaluator.bridgesByCaller.has(caller)) evaluator.bridgesByCaller.set(caller, shared);
		return getBridge(caller);
	};
	const h = createHarness({
		nodeTypes: { 'bench.paused': new Paused() },
		credentialTypes: [new HiApiApi()],
	});
	const rows: string[] = [];
	try {
		for (const size of sizes) {
			const paused: RunResult = await h.runNode({
				type: 'bench.paused',
				parameters: {},
				input: Array.from({ length: size }, () => ({ json: {} })),
				timeoutMs: 120_000,
			});
			if (paused.status !== 'waiting') throw new Error(`not waiting: ${paused.status}`);
			for (const engine of ['vm', 'legacy'] as const) {
				(Expression as unknown as { expressionEngine: string }).expressionEngine = engine;
				const perRead: Record<string, number> = {};
				for (const [name, expr] of Object.entries(READS)) {
					const cpu: number[] = [];
					for (let c = 0; c < calls + 2; c++) {
						const item = (c * 7919) % size;
						const before = process.cpuUsage();
						await h.callWebhook({
							type: 'bench.paused',
							parameters: {},
							waiting: paused,
							method: 'POST',
							query: { expr: expr(item) },
							rawBody: Buffer.from('{}'),
						});
						const used = process.cpuUsage(before);
						// The first two calls warm the engine and caches up.
						if (c >= 2) cpu.push((used.user + used.system) / 1000);
					}
					cpu.sort((a, b) => a - b);
					perRead[name] = cpu[Math.floor(cpu.length / 2)];
				}
				const n8nShare = perRead['nothing (n8n share only)'];
				const before = perRead['$input.all() (before)'] - n8nShare;
				for (const [name, ms] of Object.entries(perRead)) {
					const nodeShare = ms - n8nShare;
					rows.push(
						`| ${size} | ${engine} | ${name} | ${ms.toFixed(1)} | ${nodeShare.toFixed(1)} | ${name.startsWith('nothing') ? '' : (nodeShare / before).toFixed(2) + '×'} |`,
					);
				}
			}
		}
	} finally {
		await h.stop();
	}
	console.log(
		'| items | engine | read | CPU ms per callback (median) | node share ms (minus n8n share) | node share vs $input.all() |',
	);
	console.log('|---|---|---|---|---|---|');
	for (const row of rows) console.log(row);
	process.exit(0);
}

void main().catch((error) => {
	console.error(error);
	process.exit(1);
});
