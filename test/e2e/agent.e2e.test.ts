/**
 * GPT Image 2 as a tool of a real n8n AI Agent (n8n 2.41.1): Manual Trigger → AI Agent, with
 * n8n's OpenAI Chat Model node pointed at a local stand-in of an OpenAI-compatible chat API
 * (test/support/openai-stub.ts: a tool call of the first tool offered, then a text answer), and
 * GPT Image 2's tool variant (`n8n-nodes-hiapi.gptImage2Tool`) against the hiapi simulator.
 * Asserts what the model was offered, that the tool ran once and created one task, and what the
 * agent received back and answered. Opt-in: HIAPI_E2E=1.
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e/agent.e2e.test.ts --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startOpenAiStub, type ChatTool, type OpenAiStub } from '../support/openai-stub';

const e2e: any = require('./n8n.js');
const {
	startSimulator,
}: { startSimulator: (options?: object) => Promise<any> } = require('../sim');

const ENABLED = process.env.HIAPI_E2E === '1';
const VERSION = '2.41.1';
const PROMPT = 'A red fox curled up in fresh snow, watercolor';
const WORKFLOW_ID = 'hiapiE2eAgent001';

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log(
		'test/e2e/agent.e2e.test.ts skipped: set HIAPI_E2E=1 to run GPT Image 2 as an AI Agent tool in a real n8n',
	);
}

(ENABLED ? describe : describe.skip)(`n8n ${VERSION}: GPT Image 2 as an AI Agent's tool`, () => {
	let workDir: string;
	let sim: any;
	let stub: OpenAiStub;
	let n8n: any;
	let failed = false;
	const offeredTools: ChatTool[] = [];

	beforeAll(
		async () => {
			workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-agent-'));
			sim = await startSimulator({ port: await e2e.freePort(), timeScale: 0.3 });
			stub = await startOpenAiStub({
				toolArguments: (tool) => {
					offeredTools.push(tool);
					// Every string the tool asks for ($fromAI) gets the prompt.
					const props = (tool.function.parameters?.properties ?? {}) as Record<
						string,
						{ type?: string }
					>;
					return Object.fromEntries(
						Object.entries(props).map(([k, v]) => [
							k,
							v.type === 'string' || !v.type ? PROMPT : v.type === 'number' ? 1 : true,
						]),
					);
				},
				finalText: (result) => `Here is your image. Tool said: ${result}`,
			});
			n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
			await n8n.installPackage();
			const credFile = path.join(workDir, 'credentials.json');
			fs.writeFileSync(
				credFile,
				JSON.stringify([
					{
						id: 'hiapiAgentCred01',
						name: 'HiAPI (simulator)',
						type: 'hiApiApi',
						data: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
					},
					{
						id: 'openAiStubCred01',
						name: 'OpenAI (local stub)',
						type: 'openAiApi',
						data: { apiKey: 'sk-stub-not-a-key', url: `${stub.url}/v1` },
					},
				]),
			);
			await n8n.importCredentials(credFile);
			const node = (
				name: string,
				type: string,
				typeVersion: number,
				position: [number, number],
				parameters: object,
				credentials?: object,
			) => ({
				id: crypto.randomUUID(),
				name,
				type,
				typeVersion,
				position,
				parameters,
				...(credentials ? { credentials } : {}),
			});
			const workflow = {
				id: WORKFLOW_ID,
				name: 'Agent draws with GPT Image 2',
				active: false,
				settings: { executionOrder: 'v1' },
				nodes: [
					node('When clicking Execute workflow', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {}),
					node('AI Agent', '@n8n/n8n-nodes-langchain.agent', 3.1, [240, 0], {
						promptType: 'define',
						text: `Draw this: ${PROMPT}`,
						hasOutputParser: false,
						options: {},
					}),
					node(
						'OpenAI Chat Model',
						'@n8n/n8n-nodes-langchain.lmChatOpenAi',
						1.2,
						[160, 220],
						{ model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, options: {} },
						{ openAiApi: { id: 'openAiStubCred01', name: 'OpenAI (local stub)' } },
					),
					node(
						'GPT Image 2',
						'n8n-nodes-hiapi.gptImage2Tool',
						1,
						[400, 220],
						{
							operation: 'textToImage',
							prompt: "={{ $fromAI('prompt', 'What the image shows', 'string') }}",
							aspectRatio: '1:1',
							resolution: '1K',
							options: {},
						},
						{ hiApiApi: { id: 'hiapiAgentCred01', name: 'HiAPI (simulator)' } },
					),
				],
				connections: {
					'When clicking Execute workflow': {
						main: [[{ node: 'AI Agent', type: 'main', index: 0 }]],
					},
					'OpenAI Chat Model': {
						ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
					},
					'GPT Image 2': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
				},
			};
			const wfFile = path.join(workDir, 'agent.json');
			fs.writeFileSync(wfFile, JSON.stringify(workflow));
			await n8n.importWorkflow(wfFile);
		},
		15 * 60 * 1000,
	);

	afterAll(async () => {
		await n8n?.stop();
		await stub?.stop();
		await sim?.stop();
		if (workDir && !failed && process.env.HIAPI_E2E_KEEP !== '1')
			fs.rmSync(workDir, { recursive: true, force: true });
		else if (workDir) console.log(`[agent e2e] kept ${workDir}`); // eslint-disable-line no-console
	}, 120000);

	it(
		'the agent calls GPT Image 2, one task is created, and the agent gets its result',
		async () => {
			const started = Date.now();
			try {
				const r = await n8n.execute(WORKFLOW_ID);
				const ms = Date.now() - started;
				const runData = r.run?.data?.resultData?.runData ?? {};
				const summary = {
					status: r.run?.status,
					error: r.run?.data?.resultData?.error?.message,
					nodes: Object.keys(runData),
					chatRequests: stub.requests.length,
					tasks: [...sim.tasks.entries()].map(([id, t]: [string, any]) => ({
						id,
						model: t.model,
						prompt: t.input?.prompt,
					})),
				};
				// eslint-disable-next-line no-console
				console.log(`[agent e2e] run in ${ms} ms: ${JSON.stringify(summary, null, 1)}`);
				expect(r.run?.status).toBe('success');

				// What the model was offered: GPT Image 2 as a function with a string `prompt` from $fromAI.
				expect(offeredTools).toHaveLength(1);
				const tool = offeredTools[0];
				// eslint-disable-next-line no-console
				console.log(`[agent e2e] the tool as the model was offered it: ${JSON.stringify(tool)}`);
				expect(tool.function.name).toMatch(/GPT_Image_2/i);
				expect((tool.function.parameters as any)?.properties?.prompt?.type).toBe('string');

				// The tool ran once and created exactly one task, with the model's prompt.
				expect(runData['GPT Image 2']).toHaveLength(1);
				const tasks = [...sim.tasks.entries()].map(([id, t]: [string, any]) => ({ ...t, id }));
				expect(tasks).toHaveLength(1);
				expect(tasks[0].model).toBe('gpt-image-2/text-to-image');
				expect(tasks[0].input.prompt).toBe(PROMPT);

				// What the agent received: the second chat request carries the tool's result (the finished task).
				expect(stub.requests).toHaveLength(2);
				const toolMessage = stub.requests[1].body.messages.find((m: any) => m.role === 'tool');
				const content =
					typeof toolMessage.content === 'string'
						? toolMessage.content
						: JSON.stringify(toolMessage.content);
				// eslint-disable-next-line no-console
				console.log(
					`[agent e2e] the tool's result as the model received it (${content.length} chars): ${content.slice(0, 1500)}`,
				);
				expect(content).toContain(tasks[0].id);
				expect(content).toMatch(/success/);
				expect(content).toMatch(/https?:\/\/127\.0\.0\.1:\d+\/cdn\/tasks\//);
				// It sees json only: the file the workflow keeps, and until when the link works.
				expect(content).toContain(`"fileName":"${tasks[0].id}.png"`);
				expect(content).toMatch(/"linkNote":"The url is temporary: it works until \d{4}-/);

				// And the agent's answer is the model's final text.
				const agentOut = runData['AI Agent'][0].data.main[0][0].json.output;
				expect(agentOut).toMatch(/^Here is your image\. Tool said: /);
				expect(agentOut).toContain(tasks[0].id);
			} catch (error) {
				failed = true;
				const e = error as Error;
				e.message += `\n--- n8n CLI log (tail) ---\n${n8n.cliLogTail(60)}`;
				throw e;
			}
		},
		10 * 60 * 1000,
	);
});
