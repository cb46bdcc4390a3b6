/**
 * What n8n itself says about the package's nodes before it runs them: an execution (and the
 * editor's publish button) refuses a node with parameter issues, e.g. a required parameter left
 * empty. A webhook node answers its caller first and fails after, so an issue there loses the
 * callback silently. Checked with n8n-workflow's own NodeHelpers, for every operation and mode
 * with default parameters, and for every node of every example workflow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type NodeParameterValue,
} from 'n8n-workflow';

import { GptImage2 } from '../../nodes/GptImage2/GptImage2.node';
import { HiApi } from '../../nodes/HiApi/HiApi.node';
import { HiApiTrigger } from '../../nodes/HiApiTrigger/HiApiTrigger.node';

const PACKAGE = 'n8n-nodes-hiapi';
const nodeTypes: Record<string, INodeType> = {
	[`${PACKAGE}.gptImage2`]: new GptImage2(),
	[`${PACKAGE}.hiApi`]: new HiApi(),
	[`${PACKAGE}.hiApiTrigger`]: new HiApiTrigger(),
};

/**
 * The fields the README tells a user to fill in, per node type. Everything else must work at
 * its default: with only these set, n8n must report nothing.
 */
const USER_FILLS: Record<string, INodeParameters> = {
	[`${PACKAGE}.gptImage2`]: {
		prompt: 'A red kite over green hills, watercolor',
		imageUrl: 'https://example.com/reference.png',
		callbackUrl: 'https://n8n.example.com/webhook/6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7/hiapi',
		taskId: 'tk-hiapi-01HZTQ8BX2N3GM3YFK4Z9D7VQR',
	},
	[`${PACKAGE}.hiApiTrigger`]: {},
	[`${PACKAGE}.hiApi`]: {
		model: { __rl: true, mode: 'list', value: 'seedance-2.0' },
		inputFields: {
			mappingMode: 'defineBelow',
			value: { prompt: 'A paper boat on a pond' },
			matchingColumns: [],
			schema: [],
		},
		inputJson: '{"prompt": "A paper boat on a pond"}',
		callbackUrl: 'https://n8n.example.com/webhook/6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7/hiapi',
		taskId: 'tk-hiapi-01HZTQ8BX2N3GM3YFK4Z9D7VQR',
	},
};

/** Top-level options/boolean parameters that decide what else is shown: the node's operations and modes. */
function modeParameters(properties: INodeProperties[]): Map<string, NodeParameterValue[]> {
	const deciding = new Set<string>();
	const collect = (list: INodeProperties[]) => {
		for (const property of list) {
			for (const rule of [property.displayOptions?.show, property.displayOptions?.hide]) {
				for (const key of Object.keys(rule ?? {})) {
					if (!key.startsWith('@')) deciding.add(key.replace(/^\//, ''));
				}
			}
			const nested = property.options?.filter(
				(o): o is INodeProperties => 'displayName' in o && 'type' in o,
			);
			if (nested) collect(nested);
		}
	};
	collect(properties);
	const modes = new Map<string, NodeParameterValue[]>();
	for (const property of properties) {
		if (!deciding.has(property.name)) continue;
		const values =
			property.type === 'boolean'
				? [true, false]
				: property.type === 'options'
					? (property.options ?? []).map((o) =>
							'value' in o ? (o.value as NodeParameterValue) : undefined,
						)
					: [];
		// The same name may be declared twice (e.g. one variant for AI tools): take every value once.
		const known = modes.get(property.name) ?? [];
		modes.set(property.name, [...new Set([...known, ...values.filter((v) => v !== undefined)])]);
	}
	return modes;
}

function combinations(modes: Map<string, NodeParameterValue[]>): INodeParameters[] {
	let result: INodeParameters[] = [{}];
	for (const [name, values] of modes) {
		result = result.flatMap((partial) => values.map((value) => ({ ...partial, [name]: value })));
	}
	return result;
}

function nodeOf(type: string, parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	const description = nodeTypes[type].description;
	const node: INode = {
		id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
		name: description.defaults.name ?? description.displayName,
		type,
		typeVersion: Array.isArray(description.version)
			? Math.max(...description.version)
			: description.version,
		position: [0, 0],
		parameters: {},
		...extra,
	};
	// What the editor does when a node is added or loaded: every shown parameter gets its default.
	node.parameters =
		NodeHelpers.getNodeParameters(
			description.properties,
			parameters,
			true,
			false,
			node,
			description,
		) ?? {};
	return node;
}

/** n8n's issues for the node, as the messages the editor and the execution show. */
function issuesOf(node: INode): string[] {
	const description = nodeTypes[node.type].description;
	const issues = NodeHelpers.getNodeParametersIssues(description.properties, node, description);
	return issues ? NodeHelpers.nodeIssuesToString(issues, node) : [];
}

const cases = Object.keys(nodeTypes).flatMap((type) =>
	combinations(modeParameters(nodeTypes[type].description.properties)).map(
		(mode) => [type.replace(`${PACKAGE}.`, ''), JSON.stringify(mode), type, mode] as const,
	),
);

describe('n8n reports no parameter issues', () => {
	/** The modes each node offers, written out here (not read from the table under test). */
	const MODES: Record<string, Record<string, string[]>> = {
		hiApiTrigger: { authentication: ['signature', 'token', 'header', 'none'] },
		gptImage2: {
			operation: ['textToImage', 'imageToImage', 'getTask'],
			completion: ['poll', 'callback', 'resume'],
		},
		hiApi: { operation: ['runModel', 'getTask'], completion: ['poll', 'callback', 'resume'] },
	};

	it('covers each node in each of its modes', () => {
		const missing: string[] = [];
		for (const [node, parameters] of Object.entries(MODES)) {
			for (const [parameter, values] of Object.entries(parameters)) {
				for (const value of values) {
					const covered = cases.some(
						([name, mode]) => name === node && JSON.parse(mode)[parameter] === value,
					);
					if (!covered) missing.push(`${node} ${parameter}=${value}`);
				}
			}
		}
		expect(missing).toEqual([]);
		// And every combination of two modes of a node, e.g. Image to Image with Wait for Callback.
		for (const [node, parameters] of Object.entries(MODES)) {
			const [first, second] = Object.keys(parameters);
			if (!second) continue;
			for (const a of parameters[first])
				for (const b of parameters[second])
					expect({
						node,
						a,
						b,
						covered: cases.some(([name, mode]) => {
							const parsed = JSON.parse(mode);
							return name === node && parsed[first] === a && parsed[second] === b;
						}),
					}).toEqual({ node, a, b, covered: true });
		}
	});

	it.each(cases)(
		'%s %s, defaults plus the fields the README says to fill',
		(_name, _label, type, mode) => {
			const node = nodeOf(type, { ...USER_FILLS[type], ...mode });
			expect(issuesOf(node)).toEqual([]);
		},
	);

	it.each(cases)(
		'%s %s, pure defaults: only the fields a user must fill are reported',
		(_name, _label, type, mode) => {
			const node = nodeOf(type, mode);
			const description = nodeTypes[type].description;
			const issues = NodeHelpers.getNodeParametersIssues(description.properties, node, description);
			const flagged = Object.keys(issues?.parameters ?? {});
			// A parameter of a mode that is not selected, or one the README does not mention, must never be required.
			expect(flagged.filter((name) => !(name in USER_FILLS[type]))).toEqual([]);
		},
	);

	const examplesDir = path.join(__dirname, '..', '..', 'examples');
	const workflows = fs
		.readdirSync(examplesDir)
		.filter((f) => f.endsWith('.json') && !f.includes('credentials'))
		.map(
			(f) =>
				[
					f,
					JSON.parse(fs.readFileSync(path.join(examplesDir, f), 'utf8')) as { nodes: INode[] },
				] as const,
		);

	it('finds the example workflows: every one the examples README names, and no other', () => {
		const named = [
			...new Set(
				fs
					.readFileSync(path.join(examplesDir, 'README.md'), 'utf8')
					.match(/[a-z0-9-]+\.json/g)
					?.filter((f) => fs.existsSync(path.join(examplesDir, f)) && !f.includes('credentials')),
			),
		].sort();
		expect(named.length).toBeGreaterThanOrEqual(2);
		expect(workflows.map(([f]) => f).sort()).toEqual(named);
	});

	// Only this package's node types can be checked here: n8n-nodes-base is not a dependency of the
	// package. Its nodes in the examples are checked by a real n8n in test/e2e (they run there).
	it.each(workflows)('example %s as shipped', (_file, workflow) => {
		const ours = workflow.nodes.filter((n) => n.type in nodeTypes);
		expect(ours.length).toBeGreaterThan(0);
		for (const stored of ours) {
			const node = nodeOf(stored.type, stored.parameters, { name: stored.name, id: stored.id });
			expect({ node: stored.name, issues: issuesOf(node) }).toEqual({
				node: stored.name,
				issues: [],
			});
		}
	});
});
