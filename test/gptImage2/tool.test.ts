import type { IExecuteFunctions } from 'n8n-workflow';

import { HiApiApi } from '../../credentials/HiApiApi.credentials';
import { GptImage2 } from '../../nodes/GptImage2/GptImage2.node';
import { TOOL_TIMEOUT_S } from '../../nodes/shared/completion/descriptions';
import { readSettings } from '../../nodes/shared/completion/settings';
import { createHarness, type Harness } from '../harness';
import { FAST, startSimulator, type Simulator } from '../support/env';

/** n8n runs a node an AI agent uses as its tool under the type it made for tools: "<type>Tool". */
const TOOL = 'n8n-nodes-hiapi.gptImage2Tool';

describe('GPT Image 2 as an AI agent tool', () => {
	let sim: Simulator;
	let h: Harness;
	beforeAll(async () => {
		sim = await startSimulator(FAST);
		h = createHarness({
			nodeTypes: { [TOOL]: new GptImage2() },
			credentialTypes: [new HiApiApi()],
			credentials: { hiApiApi: { apiKey: sim.apiKey, baseUrl: sim.baseUrl } },
		});
	});
	afterAll(async () => {
		await h.stop();
		await sim.stop();
	});

	it('the item tells the agent which file the workflow keeps and until when the link works', async () => {
		const result = await h.runNode({
			type: TOOL,
			parameters: { operation: 'textToImage', prompt: 'a lighthouse' },
		});
		expect(result.status).toBe('success');
		const [item] = result.items;
		const taskId = String(item.json.taskId);
		expect(item.json.files).toEqual([
			{
				field: 'data',
				fileName: `${taskId}.png`,
				mimeType: 'image/png',
				fileSize: expect.anything(),
			},
		]);
		expect(item.json.linkNote).toBe(
			`The url is temporary: it works until ${String(item.json.expireAt)}. The file itself is kept in the workflow as ${taskId}.png.`,
		);
		// The binary still reaches the next node, exactly.
		expect((await result.binaryBuffer(item, 'data')).equals(sim.imageBytes(taskId))).toBe(true);
	});

	it('Wait for Callback is refused before anything is paid: an agent needs the result in its call', async () => {
		const result = await h.runNode({
			type: TOOL,
			parameters: { operation: 'textToImage', prompt: 'a lighthouse', completion: 'resume' },
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Wait for Callback is not available when the node runs as an AI tool',
		);
	});

	it('waits 3 minutes by default as a tool, the usual 10 without, and what the user set either way', () => {
		const settingsOf = (type: string, timeout?: number) =>
			readSettings.call({
				getNode: () => ({ id: 'n1', type }),
				getNodeParameter: (name: string, _i: number, fallback: unknown) =>
					name === 'options.timeout' && timeout !== undefined ? timeout : fallback,
				getWorkflowDataProxy: () => ({ $runIndex: 0, $execution: {} }),
				getExecutionId: () => '1',
				getWorkflow: () => ({ id: 'w' }),
			} as unknown as IExecuteFunctions);
		expect(settingsOf(TOOL).timeoutMs).toBe(TOOL_TIMEOUT_S * 1000);
		expect(settingsOf('n8n-nodes-hiapi.gptImage2').timeoutMs).toBe(600_000);
		expect(settingsOf(TOOL, 900).timeoutMs).toBe(900_000);
	});
});
