import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

export const model = 'gpt-image-2/text-to-image';

/** Text-to-image needs only the fields every generation shares (see common.descriptions.ts). */
export const description: INodeProperties[] = [];

export async function referenceImage(this: IExecuteFunctions): Promise<Record<string, unknown>> {
	return {};
}
