import { checkInput } from '../../nodes/shared/catalogue/check';
import { parseCatalogue } from '../../nodes/shared/catalogue/parse';

describe('the model catalogue, read defensively', () => {
	const raw = {
		models: [
			{
				id: 'seedance-2.0',
				title: 'Seedance 2.0',
				category: 'video',
				capability: 'text-to-video',
				input: [
					{ name: 'prompt', type: 'string', required: true },
					{ name: 'resolution', type: 'string', enum: ['480p', '720p', '1080p'], default: '720p' },
					{ name: 'duration', type: 'integer', minimum: 3, maximum: 12 },
					{ name: 'reference', type: 'video_url' },
					{ name: 'seeds', type: 'array', items: { type: 'integer' } },
					{ name: 'mystery', type: 'hologram' },
					{ type: 'string' },
				],
			},
			{ title: 'no id: skipped' },
			'not an object',
			{ id: 'seedance-2.0', title: 'a duplicate id: skipped' },
			{ id: 'odd', category: 'sculpture', input: 'not a list' },
		],
	};

	it('skips malformed entries, treats unknown types as text, keeps what it can', () => {
		const models = parseCatalogue(raw);
		expect(models.map((m) => m.id)).toEqual(['seedance-2.0', 'odd']);
		const [video, odd] = models;
		expect(video).toMatchObject({
			title: 'Seedance 2.0',
			category: 'video',
			capability: 'text-to-video',
		});
		expect(video.fields.map((f) => [f.name, f.kind])).toEqual([
			['prompt', 'string'],
			['resolution', 'string'],
			['duration', 'integer'],
			['reference', 'video'],
			['seeds', 'array'],
			['mystery', 'string'],
		]);
		expect(video.fields[1]).toMatchObject({
			enum: ['480p', '720p', '1080p'],
			default: '720p',
			required: false,
		});
		expect(video.fields[4].items).toBe('integer');
		expect(odd).toMatchObject({ category: 'other', fields: [] });
	});

	it('anything that is not a catalogue gives no models, never an exception', () => {
		for (const body of [undefined, null, 'not json', '{"models": 3}', 42, { data: [] }, '<html>']) {
			expect(parseCatalogue(body)).toEqual([]);
		}
		expect(parseCatalogue(JSON.stringify(raw)).map((m) => m.id)).toEqual(['seedance-2.0', 'odd']);
	});

	it('local checks name the field and what is valid', () => {
		const [video] = parseCatalogue(raw);
		const check = (input: Record<string, unknown>) => checkInput(video, input);
		expect(check({ prompt: 'a', resolution: '720p', duration: 5 })).toBeUndefined();
		expect(check({ resolution: '720p' })).toEqual({
			field: 'prompt',
			problem: 'is required',
			valid: 'Give text.',
		});
		expect(check({ prompt: 'a', resolution: '4k' })).toEqual({
			field: 'resolution',
			problem: "'4k' is not supported",
			valid: 'Use one of: 480p, 720p, 1080p.',
		});
		expect(check({ prompt: 'a', duration: 2.5 })?.problem).toBe('2.5 is not a whole number');
		expect(check({ prompt: 'a', duration: 30 })).toEqual({
			field: 'duration',
			problem: '30 is out of range',
			valid: 'Give a whole number from 3 to 12.',
		});
		expect(check({ prompt: 'a', size: '1K' })).toMatchObject({
			field: 'size',
			problem: "is not an input of the model 'seedance-2.0'",
		});
		expect(check({ prompt: 'a', reference: 'data:image/png;base64,AAAA' })?.problem).toBe(
			'is an image file, not a video file',
		);
		expect(check({ prompt: 'a', reference: 'ftp://x/y.mp4' })?.problem).toMatch(
			/not an http\(s\) link/,
		);
		expect(check({ prompt: 'a', seeds: [1, 'two'] })?.problem).toBe(
			"has an entry 'two' is not a whole number",
		);
	});
});
