/**
 * Wait for Callback's log lines name the node that runs it (issue 23: shared code said "GPT Image 2"
 * for HiAPI runs too). Through the HiAPI node's real webhook(), with n8n's own logger watched.
 */
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { FAST, HIAPI, useSimulator } from '../support/env';

// The logger node contexts use is the one in n8n-core's own DI container (see test/harness/index.ts).
const coreDir = path.dirname(require.resolve('n8n-core'));
const fromCore = (id: string): unknown => require(require.resolve(id, { paths: [coreDir] }));
const { Container } = fromCore('@n8n/di') as { Container: { get(type: unknown): unknown } };
const { Logger } = fromCore('@n8n/backend-common') as { Logger: unknown };

describe('Wait for Callback: the words of its log', () => {
	const t = useSimulator({ ...FAST, callback: { retryDelaysMs: [], timeoutMs: 500 } } as never);
	const parameters: IDataObject = {
		model: { __rl: true, mode: 'id', value: 'seedance-2.0' },
		inputMode: 'json',
		inputJson: '{"prompt": "a paper boat"}',
		completion: 'resume',
		options: { timeout: 60 },
	};

	it('a refused callback for the HiAPI node is logged under that node, not "GPT Image 2"', async () => {
		const logger = Container.get(Logger) as { warn: (...args: unknown[]) => void };
		const warn = jest.spyOn(logger, 'warn');
		try {
			const paused = await t.h.runNode({ type: HIAPI, parameters });
			expect(paused.status).toBe('waiting');
			const result = await t.h.callWebhook({
				type: HIAPI,
				parameters,
				waiting: paused,
				method: 'POST',
				query: { item: '0', k: '0'.repeat(32) },
				rawBody: Buffer.from('{}'),
			});
			expect(result.statusCode).toBe(401);
			const lines = warn.mock.calls.map((call) => String(call[0]));
			const refused = lines.filter((line) => /rejected a callback/.test(line));
			expect(refused).toEqual([
				expect.stringMatching(/^HiAPI \(Wait for Callback\) rejected a callback: wrong item key$/),
			]);
			expect(lines.join('\n')).not.toMatch(/GPT Image 2/);
		} finally {
			warn.mockRestore();
		}
	});
});
