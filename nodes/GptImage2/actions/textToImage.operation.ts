export const model = 'gpt-image-2/text-to-image';

// Text to image has no fields of its own: it uses only those every generation shares
// (common.descriptions.ts), and sends no reference image.
