import type { IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import type { SchemaProblem } from '../../shared/catalogue/jsonSchema';
import type { JsonSchema } from '../../shared/catalogue/schema';
import { invalidField } from '../../shared/validate';
import { GPT_IMAGE_2 } from './facts';

/** Where and how many references the model takes, as its schema (or, without one, today's facts) says. */
export interface ReferenceSlot {
	field: string;
	/** A list of URLs (`input_urls`), or one URL string (the older `image`). */
	list: boolean;
	max: number;
	/** Read from a served schema, rather than assumed from the facts table. */
	fromSchema: boolean;
}

/** The node's own name for each input field it sets, so a schema's complaint names what to change. */
const NODE_FIELDS: Record<string, string> = {
	prompt: 'Prompt',
	aspect_ratio: 'Aspect Ratio',
	resolution: 'Resolution',
	background: 'Background',
	input_urls: 'Image URLs / Input Binary Fields',
	image: 'Image URLs / Input Binary Fields',
};

/** A reference field in a served schema: GPT Image 2's names first, else any list of URLs (other routes). */
export function referenceSlot(schema: JsonSchema | undefined): ReferenceSlot {
	const properties = schema?.properties ?? {};
	const named = [GPT_IMAGE_2.referenceField, GPT_IMAGE_2.legacyReferenceField].find(
		(field) => properties[field] !== undefined,
	);
	const field =
		named ??
		Object.keys(properties).find(
			(key) => properties[key].type === 'array' && properties[key].items?.format === 'uri',
		);
	if (field !== undefined) {
		const spec = properties[field];
		const list = spec.type === 'array' || (spec.type === undefined && field !== 'image');
		return {
			field,
			list,
			max: list ? (spec.maxItems ?? GPT_IMAGE_2.maxReferences) : 1,
			fromSchema: true,
		};
	}
	return {
		field: GPT_IMAGE_2.referenceField,
		list: true,
		max: GPT_IMAGE_2.maxReferences,
		fromSchema: false,
	};
}

/** The schema's complaint as a field error: the node's field names (hiapi's in brackets), item, what is valid. */
export function schemaProblem(
	this: IExecuteFunctions,
	itemIndex: number,
	problem: SchemaProblem,
): NodeOperationError {
	// A field the node does not set can only have come from Additional Input.
	const named = [
		...new Set(problem.fields.map((field) => NODE_FIELDS[field] ?? 'Additional Input')),
	];
	const fields = `${named.join(' and ')} (${problem.fields.join(', ')})`;
	return invalidField.call(this, itemIndex, fields, problem.problem, problem.valid);
}

/** More references than the field takes are refused before anything is sent. */
export function checkReferenceCount(
	this: IExecuteFunctions,
	itemIndex: number,
	count: number,
	slot: ReferenceSlot,
): void {
	if (count <= slot.max) return;
	throw invalidField.call(
		this,
		itemIndex,
		'Image URLs / Input Binary Fields',
		`${count} reference images, over the limit of ${slot.max} for hiapi's '${slot.field}'`,
		`GPT Image 2 takes at most ${slot.max} reference image${slot.max === 1 ? '' : 's'} per task here: remove ${count - slot.max}.`,
	);
}

/**
 * hiapi's rules between ratio, resolution and background (hiapi's clients, 0.4.1): used when no
 * schema is readable, so a combination hiapi refuses fails here, naming the fields, before any task.
 */
export function checkCombination(
	this: IExecuteFunctions,
	itemIndex: number,
	aspectRatio: string,
	resolution: string,
	background: string | undefined,
): void {
	const unavailable = GPT_IMAGE_2.unavailableRatios[resolution] ?? [];
	if (unavailable.includes(aspectRatio)) {
		const allowed = GPT_IMAGE_2.aspectRatios.filter((ratio) => !unavailable.includes(ratio));
		throw invalidField.call(
			this,
			itemIndex,
			'Aspect Ratio and Resolution',
			`'${aspectRatio}' is not available at ${resolution}`,
			`At ${resolution} use one of: ${allowed.join(', ')}; or choose ${aspectRatio === 'auto' ? '1K' : 'another resolution'}.`,
		);
	}
	const backgroundAt: readonly string[] = GPT_IMAGE_2.backgroundResolutions;
	if (background !== undefined && !backgroundAt.includes(resolution)) {
		throw invalidField.call(
			this,
			itemIndex,
			'Background and Resolution',
			`background '${background}' is taken at ${backgroundAt.join(', ')} only, not at ${resolution}`,
			`Set Background to Auto (not sent), or Resolution to ${backgroundAt.join(', ')}.`,
		);
	}
}
