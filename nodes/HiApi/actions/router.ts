import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { categoryOf, listModels } from '../../shared/catalogue/forNode';
import type { ModelCategory } from '../../shared/catalogue/parse';
import { getTasks } from '../../shared/completion/getTask';
import { runTasks, type Completion } from '../../shared/completion/run';
import { readSettings, type SettingDefaults } from '../../shared/completion/settings';
import { buildModelRequest, modelIdOf } from './runModel';

/**
 * Polling and waiting that fit the model's kind, for options left at 0 ("automatic"): images and
 * audio take seconds to a few minutes, video several minutes, so it is read less often and waited
 * for longer.
 */
const BY_CATEGORY: Record<ModelCategory, Required<SettingDefaults>> = {
	image: { pollIntervalS: 2, timeoutS: 600 },
	audio: { pollIntervalS: 3, timeoutS: 600 },
	video: { pollIntervalS: 10, timeoutS: 1800 },
	text: { pollIntervalS: 2, timeoutS: 600 },
	other: { pollIntervalS: 5, timeoutS: 1800 },
};

/** HiAPI onto the shared machinery: the model and its input decide each item's request. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as 'runModel' | 'getTask';
	if (operation === 'getTask')
		return await getTasks.call(this, readSettings.call(this, BY_CATEGORY.other));

	// One model-list read per run (cached across runs for minutes); without it, models run as given.
	const { models } = await listModels.call(this);
	const settings = readSettings.call(this, BY_CATEGORY[categoryOf(models, safeModelId.call(this))]);
	const completion = this.getNodeParameter('completion', 0, 'poll') as Completion;
	return await runTasks.call(
		this,
		async (i) => await buildModelRequest.call(this, i, models),
		completion,
		settings,
	);
}

/** Item 0's model, for run-wide defaults; its own errors are reported when the item is built. */
function safeModelId(this: IExecuteFunctions): string | undefined {
	try {
		return modelIdOf.call(this, 0);
	} catch {
		return undefined;
	}
}
