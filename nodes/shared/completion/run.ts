import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Estimate } from '../catalogue/pricing';
import { forAgent, isAgentTool } from './agent';
import { checkBudget } from './budget';
import { readCallbackUrl, submitWithCallback } from './submitOnly/callback';
import { inOrder, runItems, validateItems } from './items';
import { submitAndPause } from './waitForCallback/pause';
import { submitAndWait } from './waitForResult/poll';
import { withRunOptions, type BuildRequest } from './request';
import type { RunSettings } from './settings';

export type Completion = 'poll' | 'callback' | 'resume';

const finishers = { poll: submitAndWait, callback: submitWithCallback };

/**
 * Submits every item's task and finishes in the chosen way: waiting for the result, handing the
 * result to a callback URL, or pausing the execution until hiapi calls back. Every item is built and
 * checked before the first task is paid for, and the run refused when its estimated cost is over the
 * Max Estimated Cost option.
 */
export async function runTasks(
	this: IExecuteFunctions,
	buildItem: BuildRequest,
	completion: Completion,
	settings: RunSettings,
): Promise<INodeExecutionData[][]> {
	const itemCount = this.getInputData().length;
	const build: BuildRequest = async (i) => withRunOptions.call(this, await buildItem(i), i);
	const estimates = new Map<number, Estimate | undefined>();
	const { valid, invalid } = await validateItems.call(this, itemCount, async (i) => {
		estimates.set(i, (await build(i)).estimate);
		if (completion === 'callback') readCallbackUrl.call(this, i);
	});
	checkBudget.call(this, valid, estimates);
	if (completion === 'resume')
		return await submitAndPause.call(this, build, valid, invalid, settings);
	const finish = finishers[completion] ?? submitAndWait;
	// Requests are built again per item rather than kept from validation, so at most `concurrency`
	// inline reference files are held in memory at once.
	const results = await runItems.call(
		this,
		valid,
		settings.concurrency,
		settings.ledger,
		async (i) => finish.call(this, await build(i), i, settings),
	);
	const items = inOrder(itemCount, invalid, results);
	return [isAgentTool.call(this) ? items.map(forAgent) : items];
}
