/**
 * One header's value as text. Node's HTTP layers give a repeated header as an array and a
 * missing one as undefined; every reader here wants the first value, trimmed, or ''.
 */
export function headerText(value: unknown): string {
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' || typeof first === 'number' ? String(first).trim() : '';
}
