import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Estimate } from '../catalogue/pricing';

function usd(value: number): string {
	return `$${value >= 1 ? value.toFixed(2) : String(Number(value.toFixed(4)))}`;
}

function itemList(indexes: number[]): string {
	const shown = indexes.slice(0, 5).join(', ');
	return indexes.length > 5 ? `${shown} and ${indexes.length - 5} more` : shown;
}

/**
 * The Max Estimated Cost option: the whole run is refused before its first task is submitted when
 * the items' estimates add up to more, or when an item has no estimate to add (hiapi's price list
 * gives none): a limit that cannot be checked is not a limit. Read once per run, from the first item.
 */
export function checkBudget(
	this: IExecuteFunctions,
	itemIndexes: number[],
	estimates: Map<number, Estimate | undefined>,
): void {
	const max = Number(this.getNodeParameter('options.maxEstimatedCostUsd', 0, 0));
	if (!Number.isFinite(max) || max <= 0 || itemIndexes.length === 0) return;
	const unpriced = itemIndexes.filter((i) => estimates.get(i) === undefined);
	if (unpriced.length > 0) {
		throw new NodeOperationError(
			this.getNode(),
			`Max Estimated Cost is set, but hiapi's price list gives no price for item ${itemList(unpriced)}: nothing was submitted`,
			{
				itemIndex: unpriced[0],
				description:
					"The run's cost cannot be checked against the limit. hiapi's public price list (the credential's Pricing URL) may be unreachable, or it does not price this model, route or input. Remove Max Estimated Cost to run without an estimate.",
			},
		);
	}
	const total = itemIndexes.reduce((sum, i) => sum + estimates.get(i)!.usd, 0);
	if (total <= max + 1e-9) return;
	const byRule = new Map<string, { usd: number; items: number[] }>();
	for (const i of itemIndexes) {
		const estimate = estimates.get(i)!;
		const key = `${estimate.usd}\n${estimate.rule}`;
		const group = byRule.get(key) ?? { usd: estimate.usd, items: [] };
		group.items.push(i);
		byRule.set(key, group);
	}
	const groups = [...byRule.values()];
	const prices = groups.map((g) => g.usd);
	const low = Math.min(...prices);
	const high = Math.max(...prices);
	const each = low === high ? `${usd(low)} each` : `${usd(low)} to ${usd(high)} per item`;
	const rules = [...byRule.entries()]
		.slice(0, 3)
		.map(
			([key, group]) =>
				`${groups.length > 1 ? `item ${itemList(group.items)}: ` : ''}${key.split('\n')[1]}`,
		)
		.join('; ');
	throw new NodeOperationError(
		this.getNode(),
		`Estimated cost ${usd(total)} for ${itemIndexes.length} item${itemIndexes.length === 1 ? '' : 's'} (${each}) is over the Max Estimated Cost of ${usd(max)}: nothing was submitted`,
		{
			description: `Prices from hiapi's public price list, before any account discount: ${rules}${groups.length > 3 ? '; …' : ''}. Raise Max Estimated Cost, or run fewer or cheaper items.`,
		},
	);
}
