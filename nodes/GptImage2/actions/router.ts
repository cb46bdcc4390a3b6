import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readCallbackUrl, submitWithCallback } from '../completion/callback';
import { submitAndPause } from '../completion/pause';
import { submitAndWait } from '../completion/poll';
import { readSettings } from '../completion/settings';
import { buildRequest, type GenerateOperation } from './generate';
import * as getTask from './getTask.operation';
import { inOrder, runItems, validateItems } from './items';

const completions = { poll: submitAndWait, callback: submitWithCallback };
type Completion = keyof typeof completions;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const itemCount = this.getInputData().length;
	const operation = this.getNodeParameter('operation', 0) as GenerateOperation | 'getTask';
	const settings = readSettings.call(this);

	if (operation === 'getTask') {
		const all = Array.from({ length: itemCount }, (_, i) => i);
		const results = await runItems.call(this, all, settings.concurrency, settings.ledger, (i) =>
			getTask.execute.call(this, i, settings),
		);
		return [inOrder(itemCount, results)];
	}

	const completion = this.getNodeParameter('completion', 0, 'poll') as Completion | 'resume';
	const { valid, invalid } = await validateItems.call(this, itemCount, async (i) => {
		await buildRequest.call(this, operation, i);
		if (completion === 'callback') readCallbackUrl.call(this, i);
	});
	if (completion === 'resume') return await submitAndPause.call(this, operation, valid, invalid, settings);
	const finish = completions[completion as Completion] ?? submitAndWait;
	// Requests are built again per item rather than kept from validation, so at most `concurrency`
	// inline reference images are held in memory at once.
	const results = await runItems.call(this, valid, settings.concurrency, settings.ledger, async (i) =>
		finish.call(this, await buildRequest.call(this, operation, i), i, settings),
	);
	return [inOrder(itemCount, invalid, results)];
}
