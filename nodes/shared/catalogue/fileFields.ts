/**
 * Which inputs of a model take files, and which kinds, from its JSON Schema. hiapi names reference
 * fields per model (`input_urls`, `image_urls`, `first_frame_url`, `reference_audio_urls`…) and
 * types them as URI strings or lists of them: only the schema tells where a file can go.
 */
import type { JsonSchema } from './schema';

export type FileKind = 'image' | 'video' | 'audio';

function types(schema: JsonSchema | undefined): string[] {
	if (!schema?.type) return [];
	return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** A field named for a link or a medium ("image_urls", "first_frame_url", "voice"). */
const LINK_NAME = /(^|_)(url|urls|uri|uris|image|images|video|videos|audio|audios|frame)($|_)/i;

function takesLink(name: string, schema: JsonSchema | undefined): boolean {
	if (!schema || !types(schema).includes('string') || schema.enum || schema.const !== undefined)
		return false;
	return schema.format === 'uri' || LINK_NAME.test(name);
}

/**
 * Whether a field takes files, and how many: `one` (a URI string) or `list` (an array of them);
 * undefined for any other field.
 */
export function fileSlot(name: string, schema: JsonSchema): 'one' | 'list' | undefined {
	if (types(schema).includes('array'))
		return takesLink(name, schema.items ?? { type: 'string' }) ? 'list' : undefined;
	return takesLink(name, schema) ? 'one' : undefined;
}

/** Whether a schema property takes URLs (one or a list): the Files option may fill it. */
export function takesFiles(schema: JsonSchema, name = ''): boolean {
	return fileSlot(name, schema) !== undefined;
}

const KIND_WORDS: Array<[FileKind, RegExp]> = [
	['video', /video|clip|movie/i],
	['audio', /audio|voice|sound|music|song|speech|mp3|wav/i],
	['image', /image|img|photo|picture|frame|jpe?g|png|webp/i],
];

/**
 * The kinds of file a field takes, from its name first, then its title and description ("One to
 * sixteen reference images. JPEG, PNG, or WebP."); every kind when none of them says.
 */
export function fileKinds(name: string, schema: JsonSchema): FileKind[] {
	for (const text of [name, schema.title ?? '', schema.items?.title ?? '']) {
		const found = KIND_WORDS.filter(([, words]) => words.test(text)).map(([kind]) => kind);
		if (found.length > 0) return found;
	}
	const description = `${schema.description ?? ''} ${schema.items?.description ?? ''}`;
	const found = KIND_WORDS.filter(([, words]) => words.test(description)).map(([kind]) => kind);
	return found.length > 0 ? found : ['image', 'video', 'audio'];
}
