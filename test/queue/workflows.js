'use strict';
/**
 * The workflows the queue suite and bench/queue.ts run, derived from examples/wait-for-callback.json:
 * Webhook (POST {prompts}) → Prompts (Code, one item per prompt) → GPT Image 2 → Images Ready (No
 * Operation) → Count Run (HTTP Request, once per run, POST <counter>/ran/<execution id>), once with
 * Wait for Result and once with Wait for Callback. "Count Run" tells from outside n8n how many times
 * the part after GPT Image 2 ran for an execution (a second resume would call it again).
 *
 * Plain CommonJS, Node built-ins only.
 */

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const e2e = require('../e2e/n8n.js');

const WF = { poll: 'hiapiQueuePoll01', wait: 'hiapiQueueWait01' };
const PATHS = { poll: 'hiapi-queue-poll', wait: 'hiapi-queue-wait' };
const CREDENTIAL_ID = 'hiapiSimulator01';

/**
 * Renders the credential (examples/hiapi-simulator.credentials.json) and the two workflows into
 * `dir`. Returns {credentials: [file], workflows: [file], publish: [id]} for startCluster.
 */
function writeWorkflows(
	dir,
	{ simUrl, callbackToken, counterUrl, timeoutS = 600, pollInterval = 1, concurrency },
) {
	fs.mkdirSync(dir, { recursive: true });
	const vars = { SIM_URL: simUrl, N8N_URL: 'http://127.0.0.1', CALLBACK_TOKEN: callbackToken };
	const cred = e2e.renderExample('hiapi-simulator.credentials.json', vars, dir);
	fs.mkdirSync(path.join(dir, 'examples'), { recursive: true });
	const base = e2e.renderExample('wait-for-callback.json', vars, path.join(dir, 'examples')).json;
	const files = [];
	for (const kind of ['poll', 'wait']) {
		const wf = JSON.parse(JSON.stringify(base));
		wf.id = WF[kind];
		wf.name = `HiAPI queue: ${kind === 'poll' ? 'wait for result' : 'wait for callback'}`;
		const suffix = kind === 'poll' ? '71' : '72';
		for (const node of wf.nodes) node.id = node.id.replace(/...$/, suffix + node.id.slice(-1));
		const webhook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
		webhook.parameters.path = PATHS[kind];
		webhook.webhookId = `0c7e3f4a-9b21-4d6e-8f10-a2b3c4d5e${suffix}1`;
		const gpt = wf.nodes.find((n) => n.name === 'GPT Image 2');
		gpt.parameters.completion = kind === 'poll' ? 'poll' : 'resume';
		gpt.parameters.options = {
			timeout: timeoutS,
			...(kind === 'poll' ? { pollInterval } : {}),
			...(concurrency ? { concurrency } : {}),
		};
		wf.nodes.push({
			id: `5b0d7c1e-1a11-4c01-9a01-000000000${suffix}9`,
			name: 'Count Run',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [880, 0],
			executeOnce: true,
			parameters: {
				method: 'POST',
				url: `=${counterUrl}/ran/{{ $execution.id }}`,
				options: {},
			},
		});
		wf.connections['Images Ready'] = {
			main: [[{ node: 'Count Run', type: 'main', index: 0 }]],
		};
		const file = path.join(dir, `queue-${kind}.json`);
		fs.writeFileSync(file, JSON.stringify(wf, null, '\t'));
		files.push(file);
	}
	return { credentials: [cred.file], workflows: files, publish: [WF.poll, WF.wait] };
}

/** The HTTP server "Count Run" calls: counts POST /ran/<execution id>. */
async function startCounter() {
	const counts = new Map();
	const server = http.createServer((req, res) => {
		const m = /^\/ran\/(\w+)/.exec(req.url || '');
		if (m) counts.set(m[1], (counts.get(m[1]) || 0) + 1);
		req.resume();
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ counted: !!m }));
	});
	const port = await e2e.freePort();
	await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${port}`,
		counts,
		runs: (executionId) => counts.get(String(executionId)) || 0,
		stop: () =>
			new Promise((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}

/**
 * Prompts carrying each task's length: `[ms=1234]` makes the simulator's task take 1234 ms (see
 * durationBehavior). `msFor(i)` gives item i's length.
 */
function prompts(n, label, msFor) {
	return Array.from({ length: n }, (_, i) => `${label} ${i} [ms=${Math.round(msFor(i))}]`);
}

/** sim.setBehavior for `[ms=N]` prompts: 10 % queued, 80 % handling, 10 % archiving. */
function durationBehavior({ input }) {
	const m = /\[ms=(\d+(?:\.\d+)?)\]/.exec(String(input && input.prompt));
	if (!m) return undefined;
	const total = Number(m[1]);
	return { durations: { queued: total * 0.1, handling: total * 0.8, archiving: total * 0.1 } };
}

/** A Wait for Callback batch's task ids in item order, from their callback URLs (`/webhook-waiting/<id>?…&item=<i>`). */
function batchTaskIds(tasks, executionId) {
	const byItem = [];
	for (const task of tasks) {
		if (!task.callback) continue;
		const u = new URL(task.callback.url);
		if (u.pathname === `/webhook-waiting/${executionId}`)
			byItem[Number(u.searchParams.get('item'))] = task.id;
	}
	return byItem;
}

module.exports = {
	WF,
	PATHS,
	CREDENTIAL_ID,
	writeWorkflows,
	startCounter,
	prompts,
	durationBehavior,
	batchTaskIds,
};
