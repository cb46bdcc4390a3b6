import { fileKinds, fileSlot } from '../../nodes/shared/catalogue/fileFields';
import { readSchema } from '../../nodes/shared/catalogue/schema';
import { mapperFieldsFromSchema } from '../../nodes/HiApi/methods/resourceMapping';

/** A video model's schema in hiapi's shape (values ours): the kinds of field the mapper must show. */
const schema = readSchema({
	type: 'object',
	additionalProperties: false,
	required: ['model', 'prompt', 'reference_image_urls'],
	properties: {
		model: { type: 'string', enum: ['demo-video'] },
		prompt: { type: 'string', title: 'Prompt', description: 'What happens', maxLength: 2000 },
		resolution: { type: 'string', title: 'Resolution', enum: ['480p', '720p'], default: '720p' },
		duration: { type: 'integer', minimum: 4, maximum: 15, default: 5 },
		strength: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
		generate_audio: { type: 'boolean', default: false },
		first_frame_url: { type: 'string', format: 'uri', title: 'First Frame' },
		reference_image_urls: {
			type: 'array',
			items: { type: 'string', format: 'uri' },
			minItems: 1,
			maxItems: 9,
		},
		reference_video_urls: { type: 'array', items: { type: 'string' }, maxItems: 3 },
		tags: { type: 'array', items: { type: 'string' } },
		quality: { type: 'string', title: '画质', enum: ['low', 'high'] },
		loop: { type: 'boolean', enum: [true, false], default: true },
		extra: { type: 'object' },
	},
})!;

describe('JSON Schema → n8n field mapper', () => {
	const fields = mapperFieldsFromSchema(schema);
	const byId = Object.fromEntries(fields.map((f) => [f.id, f]));

	it('one field per property, in order, never the one-value model', () => {
		expect(fields.map((f) => f.id)).toEqual([
			'prompt',
			'resolution',
			'duration',
			'strength',
			'generate_audio',
			'first_frame_url',
			'reference_image_urls',
			'reference_video_urls',
			'tags',
			'quality',
			'loop',
			'extra',
		]);
	});

	it('title as label, enums as options with the default, required shown, optional offered', () => {
		expect(byId.prompt).toMatchObject({
			displayName: 'Prompt',
			type: 'string',
			required: true,
			removed: false,
		});
		expect(byId.resolution).toMatchObject({
			displayName: 'Resolution',
			type: 'options',
			options: [
				{ name: '480p', value: '480p' },
				{ name: '720p', value: '720p' },
			],
			defaultValue: '720p',
			required: false,
			removed: true,
		});
		expect(byId.loop).toMatchObject({
			type: 'options',
			options: [
				{ name: 'true', value: 'true' },
				{ name: 'false', value: 'false' },
			],
			defaultValue: 'true',
		});
		// A title the English editor cannot show is replaced by the field's name in words.
		expect(byId.quality.displayName).toBe('Quality');
	});

	it('ranges and list sizes in the label, numbers and booleans typed', () => {
		expect(byId.duration).toMatchObject({
			displayName: 'Duration (4–15)',
			type: 'number',
			defaultValue: 5,
		});
		expect(byId.strength.displayName).toBe('Strength (0–1)');
		expect(byId.generate_audio).toMatchObject({ type: 'boolean', defaultValue: false });
		expect(byId.extra.type).toBe('object');
		expect(byId.tags).toMatchObject({ displayName: 'Tags (list)', type: 'array' });
	});

	it('URL inputs and URL lists: labelled, never forced (Files may fill them)', () => {
		expect(byId.first_frame_url).toMatchObject({
			displayName: 'First Frame (URL)',
			type: 'string',
		});
		expect(byId.reference_image_urls).toMatchObject({
			displayName: 'Reference image urls (list of URLs, 1–9)',
			type: 'array',
			required: false,
			removed: false,
		});
		expect(byId.first_frame_url.removed).toBe(true);
	});
});

describe('which inputs take files, and which kinds', () => {
	const p = schema.properties!;
	it('a URI string takes one, a list of URIs (or *_urls texts) takes a list, others none', () => {
		expect(fileSlot('first_frame_url', p.first_frame_url)).toBe('one');
		expect(fileSlot('reference_image_urls', p.reference_image_urls)).toBe('list');
		expect(fileSlot('reference_video_urls', p.reference_video_urls)).toBe('list');
		expect(fileSlot('tags', p.tags)).toBeUndefined();
		expect(fileSlot('prompt', p.prompt)).toBeUndefined();
		expect(fileSlot('resolution', p.resolution)).toBeUndefined();
	});

	it('kinds from the name, else the title or description, else any', () => {
		expect(fileKinds('reference_video_urls', p.reference_video_urls)).toEqual(['video']);
		expect(fileKinds('first_frame_url', p.first_frame_url)).toEqual(['image']);
		expect(
			fileKinds('input_urls', {
				type: 'array',
				description: 'One to sixteen references. JPEG, PNG or WebP.',
			}),
		).toEqual(['image']);
		expect(fileKinds('input_urls', { type: 'array' })).toEqual(['image', 'video', 'audio']);
	});
});
