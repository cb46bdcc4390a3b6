import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { getTasks } from '../../shared/completion/getTask';
import { runTasks, type Completion } from '../../shared/completion/run';
import { readSettings } from '../../shared/completion/settings';
import { buildRequest, type GenerateOperation } from './generate';

/** GPT Image 2 onto the shared machinery: its operations only decide how an item's request is built. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as GenerateOperation | 'getTask';
	const settings = readSettings.call(this);
	if (operation === 'getTask') return await getTasks.call(this, settings);
	const completion = this.getNodeParameter('completion', 0, 'poll') as Completion;
	return await runTasks.call(
		this,
		async (i) => await buildRequest.call(this, operation, i),
		completion,
		settings,
	);
}
