export type MediaKind = 'image' | 'video' | 'audio';
export const MEDIA_KINDS_ALL: readonly MediaKind[] = ['image', 'video', 'audio'];

/** A file's real type from its first bytes. */
export interface Sniffed {
	mime: string;
	kind: MediaKind;
	/** What the file is, in words its owner knows, when hiapi does not take that format. */
	unsupported?: string;
}

/** The formats hiapi takes, per kind, as a user names them. */
export const TAKEN: Record<MediaKind, string> = {
	image: 'PNG, JPEG, WebP or GIF',
	video: 'MP4, MOV or WebM',
	audio: 'WAV, MP3, M4A, OGG or FLAC',
};

/** How many leading bytes sniffing needs: the ftyp box of an ISO-BMFF file lists its brands there. */
export const SNIFF_BYTES = 64;

const ascii = (b: Buffer, from: number, to: number) =>
	b.length >= to ? b.toString('ascii', from, to) : '';

/**
 * The brands of an ISO-BMFF file (MP4, MOV, M4A, HEIC, AVIF, 3GP all share the container): the
 * major brand at offset 8, then, after the minor version, the compatible brands up to the box's end.
 */
function isoBrands(b: Buffer): { major: string; all: string[] } | undefined {
	if (ascii(b, 4, 8) !== 'ftyp') return undefined;
	const major = ascii(b, 8, 12);
	const end = Math.min(b.readUInt32BE(0), b.length);
	const all = [major];
	for (let at = 16; at + 4 <= end; at += 4) all.push(ascii(b, at, at + 4));
	return { major, all };
}

const HEIC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs'];
const AVIF_BRANDS = ['avif', 'avis'];
const HEIF_BRANDS = ['mif1', 'msf1', 'mif2'];
const MP4_BRANDS = [
	'isom',
	'iso2',
	'iso3',
	'iso4',
	'iso5',
	'iso6',
	'iso8',
	'iso9',
	'mp41',
	'mp42',
	'mp71',
	'avc1',
	'dash',
	'M4V ',
	'M4VH',
	'M4VP',
	'mmp4',
	'MSNV',
	'NDAS',
	'XAVC',
	'f4v ',
];

/** Tells the formats of the ISO-BMFF family apart by brand: the major brand decides, compatible ones break ties. */
function sniffIso(brands: { major: string; all: string[] }): Sniffed | undefined {
	const { major, all } = brands;
	const has = (list: string[]) => all.some((brand) => list.includes(brand));
	if (AVIF_BRANDS.includes(major) || (HEIF_BRANDS.includes(major) && has(AVIF_BRANDS)))
		return { mime: 'image/avif', kind: 'image', unsupported: 'an AVIF image' };
	if (HEIC_BRANDS.includes(major) || HEIF_BRANDS.includes(major))
		return { mime: 'image/heic', kind: 'image', unsupported: 'a HEIC/HEIF photo' };
	if (/^3g[p2]/.test(major))
		return { mime: 'video/3gpp', kind: 'video', unsupported: 'a 3GP video' };
	if (/^M4[ABP] $/.test(major)) return { mime: 'audio/mp4', kind: 'audio' };
	if (major === 'qt  ') return { mime: 'video/quicktime', kind: 'video' };
	if (MP4_BRANDS.includes(major) || has(MP4_BRANDS)) return { mime: 'video/mp4', kind: 'video' };
	return undefined;
}

/**
 * An MPEG audio frame header: 11 sync bits, then the version and the layer. Layer bits 00 are
 * reserved in MPEG audio and mean AAC in an ADTS stream, which shares the sync word.
 */
function sniffFrameSync(b: Buffer): Sniffed | undefined {
	if (b.length < 2 || b[0] !== 0xff || (b[1] & 0xe0) !== 0xe0) return undefined;
	if ((b[1] & 0x06) === 0) {
		return (b[1] & 0xf0) === 0xf0
			? { mime: 'audio/aac', kind: 'audio', unsupported: 'AAC audio in an ADTS stream (.aac)' }
			: undefined;
	}
	return { mime: 'audio/mpeg', kind: 'audio' };
}

const SIGNATURES: Array<(b: Buffer) => Sniffed | undefined> = [
	(b) =>
		b.length > 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a
			? { mime: 'image/png', kind: 'image' }
			: undefined,
	(b) =>
		b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff
			? { mime: 'image/jpeg', kind: 'image' }
			: undefined,
	(b) =>
		ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP'
			? { mime: 'image/webp', kind: 'image' }
			: undefined,
	(b) => (/^GIF8[79]a$/.test(ascii(b, 0, 6)) ? { mime: 'image/gif', kind: 'image' } : undefined),
	(b) =>
		ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE'
			? { mime: 'audio/wav', kind: 'audio' }
			: undefined,
	(b) => {
		const brands = isoBrands(b);
		return brands ? sniffIso(brands) : undefined;
	},
	(b) =>
		b.length > 4 && b.readUInt32BE(0) === 0x1a45dfa3
			? { mime: 'video/webm', kind: 'video' }
			: undefined,
	(b) => (ascii(b, 0, 3) === 'ID3' ? { mime: 'audio/mpeg', kind: 'audio' } : undefined),
	sniffFrameSync,
	(b) => (ascii(b, 0, 4) === 'OggS' ? { mime: 'audio/ogg', kind: 'audio' } : undefined),
	(b) => (ascii(b, 0, 4) === 'fLaC' ? { mime: 'audio/flac', kind: 'audio' } : undefined),
];

/** The real type of a file from its first bytes: a declared MIME type or file name can lie. */
export function sniffMedia(bytes: Buffer): Sniffed | undefined {
	for (const test of SIGNATURES) {
		const found = test(bytes);
		if (found) return found;
	}
	return undefined;
}
