/**
 * The On Error × completion × outcome matrix, as workflows a user would build: Webhook → Code (one
 * item per prompt) → GPT Image 2 → "Succeeded" (and "Failed" on the error output). Each cell is one
 * execution whose items cover several outcomes, told apart by prompt words the simulators act on:
 * "ok" succeeds, FAILME fails at hiapi, NEVER never finishes (times out), REFUSEME is refused at
 * submit (no task), GONE succeeds with an output link that answers 404 (the download fails).
 */

export type Completion = 'poll' | 'callback' | 'resume';
export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface Cell {
	name: string;
	completion: Completion;
	onError: OnError;
	prompts: string[];
	/** GPT Image 2's Timeout option, only where a cell needs a timeout outcome. */
	timeoutS?: number;
	retryOnFail?: boolean;
	/** The workflow's own timeout: n8n cancels the execution after it. */
	executionTimeoutS?: number;
	/** What the user sees: the execution's status, and how many items land on each output. */
	expected: {
		status: 'success' | 'error' | 'canceled' | 'waiting';
		main: number;
		error: number;
		tasks: number;
	};
}

const ALL = ['ok', 'FAILME', 'NEVER', 'REFUSEME', 'GONE'];

export const CELLS: Cell[] = [
	// Wait for Result
	{
		name: 'poll-stop',
		completion: 'poll',
		onError: 'stopWorkflow',
		prompts: ['ok', 'FAILME', 'ok too'],
		expected: { status: 'error', main: 0, error: 0, tasks: 3 },
	},
	{
		name: 'poll-stop-retry',
		completion: 'poll',
		onError: 'stopWorkflow',
		prompts: ['ok', 'FAILME'],
		retryOnFail: true,
		expected: { status: 'error', main: 0, error: 0, tasks: 3 },
	},
	{
		name: 'poll-continue',
		completion: 'poll',
		onError: 'continueRegularOutput',
		prompts: ALL,
		timeoutS: 8,
		expected: { status: 'success', main: 5, error: 0, tasks: 4 },
	},
	{
		name: 'poll-erroroutput',
		completion: 'poll',
		onError: 'continueErrorOutput',
		prompts: ALL,
		timeoutS: 8,
		expected: { status: 'success', main: 1, error: 4, tasks: 4 },
	},
	// Cancelled by the workflow's timeout: whether n8n keeps what the node returns after a cancel is n8n's
	// choice (2.41.1 keeps the cancelled items), so only the status and the task IDs are checked.
	{
		name: 'poll-cancel',
		completion: 'poll',
		onError: 'continueErrorOutput',
		prompts: ['NEVER one', 'NEVER two'],
		executionTimeoutS: 4,
		expected: { status: 'canceled', main: 0, error: 2, tasks: 2 },
	},
	// Submit Only
	{
		name: 'callback-stop',
		completion: 'callback',
		onError: 'stopWorkflow',
		prompts: ['ok', 'REFUSEME', 'ok too'],
		expected: { status: 'error', main: 0, error: 0, tasks: 2 },
	},
	{
		name: 'callback-continue',
		completion: 'callback',
		onError: 'continueRegularOutput',
		prompts: ['ok', 'REFUSEME'],
		expected: { status: 'success', main: 2, error: 0, tasks: 1 },
	},
	{
		name: 'callback-erroroutput',
		completion: 'callback',
		onError: 'continueErrorOutput',
		prompts: ['ok', 'REFUSEME'],
		expected: { status: 'success', main: 1, error: 1, tasks: 1 },
	},
	// Wait for Callback: failures after the pause come out as error items whatever On Error says (n8n
	// cannot fail a node as it resumes); a refused submit still stops the run before the pause.
	{
		name: 'resume-stop',
		completion: 'resume',
		onError: 'stopWorkflow',
		prompts: ['ok', 'FAILME', 'GONE'],
		expected: { status: 'success', main: 3, error: 0, tasks: 3 },
	},
	{
		name: 'resume-stop-refused',
		completion: 'resume',
		onError: 'stopWorkflow',
		prompts: ['ok', 'REFUSEME'],
		expected: { status: 'error', main: 0, error: 0, tasks: 1 },
	},
	{
		name: 'resume-continue',
		completion: 'resume',
		onError: 'continueRegularOutput',
		prompts: ['ok', 'FAILME', 'GONE', 'REFUSEME'],
		expected: { status: 'success', main: 4, error: 0, tasks: 3 },
	},
	{
		name: 'resume-erroroutput',
		completion: 'resume',
		onError: 'continueErrorOutput',
		prompts: ['ok', 'FAILME', 'GONE', 'REFUSEME'],
		expected: { status: 'success', main: 1, error: 3, tasks: 3 },
	},
	// The deadline: n8n's wait tracker resumes it (up to ~70 s late) and no node code runs.
	{
		name: 'resume-deadline-erroroutput',
		completion: 'resume',
		onError: 'continueErrorOutput',
		prompts: ['ok', 'NEVER'],
		timeoutS: 5,
		expected: { status: 'success', main: 0, error: 2, tasks: 2 },
	},
];

/** Not part of the matrix: a Wait for Result run that n8n is killed in the middle of, then retried. */
export const CRASH_CELL: Cell = {
	name: 'crash',
	completion: 'poll',
	onError: 'stopWorkflow',
	prompts: ['SLOW one', 'SLOW two'],
	expected: { status: 'success', main: 2, error: 0, tasks: 2 },
};

/** Every prompt of a cell carries the cell's name, so its tasks can be found in the simulator's record. */
export function taggedPrompts(cell: Cell): string[] {
	return cell.prompts.map((p) => `${p} [${cell.name}]`);
}

export function cellPath(cell: Cell): string {
	return `hiapi-matrix-${cell.name}`;
}

export function cellWorkflowId(index: number): string {
	return `hiapiMatrix${String(index).padStart(5, '0')}`;
}

const hex = (n: number, width = 12) => n.toString(16).padStart(width, '0');

export interface MatrixContext {
	credential: { id: string; name: string };
	/** Where Submit Only cells send hiapi's callbacks. */
	callbackUrl: string;
}

export function cellWorkflow(cell: Cell, index: number, ctx: MatrixContext): object {
	const id = (n: number) => `7d1e2f3a-4b5c-4d6e-8f70-${hex(index * 16 + n)}`;
	const options: Record<string, unknown> = {};
	if (cell.timeoutS) options.timeout = cell.timeoutS;
	const gpt: Record<string, unknown> = {
		id: id(3),
		name: 'GPT Image 2',
		type: 'n8n-nodes-hiapi.gptImage2',
		typeVersion: 1,
		position: [440, 0],
		parameters: {
			operation: 'textToImage',
			prompt: '={{ $json.prompt }}',
			completion: cell.completion,
			...(cell.completion === 'callback' ? { callbackUrl: ctx.callbackUrl } : {}),
			options,
		},
		credentials: { hiApiApi: ctx.credential },
		...(cell.onError === 'stopWorkflow' ? {} : { onError: cell.onError }),
		...(cell.retryOnFail ? { retryOnFail: true, maxTries: 2, waitBetweenTries: 1000 } : {}),
	};
	const nodes: object[] = [
		{
			id: id(1),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `3e4f5a6b-7c8d-4e9f-a0b1-${hex(index)}`,
			parameters: {
				httpMethod: 'POST',
				path: cellPath(cell),
				responseMode: 'onReceived',
				options: {},
			},
		},
		{
			id: id(2),
			name: 'Prompts',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				jsCode: 'return $input.first().json.body.prompts.map((prompt) => ({ json: { prompt } }));',
			},
		},
		gpt,
		{
			id: id(4),
			name: 'Succeeded',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [660, -100],
			parameters: {},
		},
		{
			id: id(5),
			name: 'Failed',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [660, 100],
			parameters: {},
		},
	];
	const outputs = [[{ node: 'Succeeded', type: 'main', index: 0 }]];
	if (cell.onError === 'continueErrorOutput')
		outputs.push([{ node: 'Failed', type: 'main', index: 0 }]);
	return {
		id: cellWorkflowId(index),
		name: `HiAPI e2e matrix: ${cell.name}`,
		nodes,
		connections: {
			Webhook: { main: [[{ node: 'Prompts', type: 'main', index: 0 }]] },
			Prompts: { main: [[{ node: 'GPT Image 2', type: 'main', index: 0 }]] },
			'GPT Image 2': { main: outputs },
		},
		settings: {
			executionOrder: 'v1',
			...(cell.executionTimeoutS ? { executionTimeout: cell.executionTimeoutS } : {}),
		},
		pinData: {},
		active: false,
	};
}

/** The simulator behavior for the matrix's prompt words (others: the simulator's defaults). */
export function matrixBehavior(input: { prompt: string }): object | undefined {
	if (input.prompt.startsWith('NEVER')) return { never: true };
	// Long enough to kill n8n while the node polls it.
	if (input.prompt.startsWith('SLOW'))
		return { durations: { queued: 200, handling: 12000, archiving: 200 } };
	if (input.prompt.startsWith('GONE')) {
		// Succeeds, but its output link points at an image the CDN does not have: the download fails.
		return {
			mapTask: (task: { output?: Array<{ url: string }> }) =>
				task.output
					? {
							...task,
							output: task.output.map((o) => ({
								...o,
								url: o.url.replace(/\/\d+\.png$/, '/7.png'),
							})),
						}
					: task,
		};
	}
	return undefined;
}

type Item = { json: Record<string, any>; pairedItem?: unknown };

/** The task ID an output item names: a result's `taskId`, an error item's `error.taskId`. */
export function itemTaskId(item: Item): string | undefined {
	return item.json.taskId ?? item.json.error?.taskId;
}
