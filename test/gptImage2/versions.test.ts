import type { NodeSettings } from '../harness';
import { GPT, useSimulator } from '../support/env';
import { makePng } from '../support/images';

/**
 * A workflow saved with GPT Image 2 version 1 keeps its parameters and defaults (n8n stores only the
 * values that differ from them). Its one reference now goes where hiapi's current schema wants it:
 * a list of one in `input_urls`, since hiapi refuses `image` today.
 */
describe('GPT Image 2 v1: saved workflows still run', () => {
	const t = useSimulator();
	// The harness spreads node settings onto the node, as a saved workflow's node carries its version.
	const v1 = { typeVersion: 1 } as NodeSettings;
	const fast = { pollInterval: 0.1 };
	const sent = () => [...t.sim.tasks.values()].map((task) => task.input);

	it('text to image with v1 defaults sends 1:1 at 1K, as before', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: { prompt: 'a lighthouse', options: fast },
			settings: v1,
		});
		expect(result.status).toBe('success');
		expect(sent()).toEqual([{ prompt: 'a lighthouse', aspect_ratio: '1:1', resolution: '1K' }]);
		expect(result.items[0].json).toMatchObject({ aspectRatio: '1:1', resolution: '1K' });
		expect(result.items[0].json).not.toHaveProperty('background');
	});

	it('image to image by URL (as stored: operation and imageUrl) sends a list of one', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'imageToImage',
				prompt: 'watercolor',
				imageUrl: 'https://example.com/ref.jpg',
				options: fast,
			},
			settings: v1,
		});
		expect(result.status).toBe('success');
		expect(sent()).toEqual([
			{
				prompt: 'watercolor',
				aspect_ratio: '1:1',
				resolution: '1K',
				input_urls: ['https://example.com/ref.jpg'],
			},
		]);
	});

	it('image to image from its one binary property sends its data URL', async () => {
		const png = makePng(12, 9);
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'imageToImage', prompt: 'p', imageSource: 'binary', options: fast },
			input: [{ json: {}, binary: { data: { data: png, mimeType: 'image/png' } } }],
			settings: v1,
		});
		expect(result.status).toBe('success');
		expect(sent()[0].input_urls).toEqual([`data:image/png;base64,${png.toString('base64')}`]);
	});

	it('v1 keeps its own ratio list: 3:1 is not one of them', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: { prompt: 'p', aspectRatio: '3:1', options: fast },
			settings: v1,
		});
		expect(result.error?.message).toBe("Aspect Ratio: '3:1' is not supported (item 0)");
		expect(t.sim.counters.submits).toBe(0);
	});
});
