import type { IDataObject } from 'n8n-workflow';

import type { Harness } from '../harness';
import { GPT, useSimulator } from '../support/env';
import { makePng } from '../support/images';

describe('GPT Image 2: bad input is refused before anything is sent', () => {
	const t = useSimulator();

	const png = makePng(8, 8);
	const good = { json: { v: 'ok' }, binary: { data: { data: png, mimeType: 'image/png' } } };
	const t2i = { operation: 'textToImage', prompt: 'ok' };
	const i2i = {
		operation: 'imageToImage',
		prompt: 'ok',
		imageSource: 'binary',
		binaryPropertyName: 'data',
	};
	const V = '={{ $json.v }}';
	// Item 0 is valid in every case and item 1 is not: the error must name item 1 and nothing may be sent.
	type Case = [
		string,
		IDataObject,
		unknown,
		RegExp,
		RegExp | undefined,
		Parameters<Harness['runNode']>[0]['input']?,
	];
	const cases: Case[] = [
		['an empty prompt', { ...t2i, prompt: V }, '  ', /^Prompt: is empty \(item 1\)$/, undefined],
		[
			'a bad aspect ratio from an expression',
			{ ...t2i, aspectRatio: '={{ $json.v === "ok" ? "1:1" : "7:3" }}' },
			'bad',
			/^Aspect Ratio: '7:3' is not supported \(item 1\)$/,
			/1:1, 3:2/,
		],
		[
			'a bad resolution',
			{ ...t2i, resolution: '={{ $json.v === "ok" ? "1K" : "8K" }}' },
			'bad',
			/^Resolution: '8K' is not supported \(item 1\)$/,
			/1K, 2K, 4K/,
		],
		[
			'a non-http image URL',
			{
				...i2i,
				imageSource: 'url',
				imageUrls: [
					'https://a.example/w.png',
					'={{ $json.v === "ok" ? "https://a.example/x.png" : "ftp://host/a.png" }}',
				],
			},
			'bad',
			/^Image URLs \(entry 2\): 'ftp:\/\/host\/a.png' is not an http\(s\) address \(item 1\)$/,
			/https/,
		],
		[
			'a missing binary property',
			i2i,
			undefined,
			/^No binary property 'data' on item 1$/,
			/no binary data/,
			[good, { json: {} }],
		],
		[
			'a non-image file',
			i2i,
			undefined,
			/^The file in 'data' is not a PNG, JPEG or WebP image \(text\/plain\)$/,
			/PNG, JPEG and WebP/,
			[
				good,
				{ json: {}, binary: { data: { data: Buffer.from('hello'), mimeType: 'text/plain' } } },
			],
		],
		[
			'an oversize image',
			{ ...i2i, options: { maxInlineImageMb: 0.1 } },
			undefined,
			/is 0\.\d\d MB, over the 0\.10 MB limit/,
			/by URL/,
			[
				good,
				{ json: {}, binary: { data: { data: makePng(300, 300, true), mimeType: 'image/png' } } },
			],
		],
		[
			'invalid additional input JSON',
			{ ...t2i, options: { additionalInput: '={{ $json.v === "ok" ? "{}" : "{nope" }}' } },
			'bad',
			/^Additional Input: is not valid JSON \(item 1\)$/,
			/JSON object/,
		],
		[
			'additional input overriding a node field',
			{
				...t2i,
				options: { additionalInput: '={{ $json.v === "ok" ? "{}" : "{\\"prompt\\":1}" }}' },
			},
			'bad',
			/^Additional Input: sets 'prompt'/,
			/own field/,
		],
		[
			'a too long idempotency key',
			{ ...t2i, options: { idempotencyKey: V } },
			'k'.repeat(256),
			/^Idempotency Key: is 256 bytes long \(item 1\)$/,
			/255/,
		],
		[
			'a callback URL that is not http(s)',
			{
				...t2i,
				completion: 'callback',
				callbackUrl: '={{ $json.v === "ok" ? "https://cb.example/h" : "javascript:alert(1)" }}',
			},
			'bad',
			/^Callback URL: 'javascript:alert\(1\)' is not an http\(s\) address/,
			undefined,
		],
	];

	// Rows are padded to full length: jest passes a done callback to a test whose arity exceeds its row.
	it.each(cases.map((c) => [...c, ...Array(6 - c.length).fill(undefined)] as Case))(
		'%s',
		async (_name, parameters, badValue, message, description, input) => {
			const items = input ?? [
				good,
				{ json: { v: badValue as string }, binary: { data: { data: png, mimeType: 'image/png' } } },
			];
			const result = await t.h.runNode({ type: GPT, parameters, input: items });
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(message);
			if (description) expect(result.error?.description).toMatch(description);
			expect(result.error?.context?.itemIndex).toBe(1);
			expect(t.sim.counters.submits).toBe(0);
		},
	);

	it('with Continue On Fail, invalid items become error items and valid ones still run', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: { ...t2i, prompt: V, options: { pollInterval: 0.1 } },
			input: [{ json: { v: 'one' } }, { json: { v: '' } }, { json: { v: 'three' } }],
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[1].json).toEqual({
			error: { message: 'Prompt: is empty (item 1)', status: 'not submitted' },
		});
		expect(result.items[0].json.status).toBe('success');
		expect(result.items[2].json.prompt).toBe('three');
		expect(t.sim.counters.submits).toBe(2);
	});
});
