import { createServer, type IncomingHttpHeaders } from 'http';
import type { AddressInfo } from 'net';

export interface Captured {
	headers: Record<string, string>;
	query: Record<string, string>;
	rawBody: Buffer;
}

export type Handler = (req: Captured) => Promise<{ status: number; body: unknown }>;

function flat(headers: IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers))
		if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
	return out;
}

/** A real HTTP endpoint for the simulator's callbacks: records each request and answers with `handler` (200 by default). */
export async function startReceiver(handler?: Handler) {
	const requests: Captured[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const url = new URL(req.url ?? '/', 'http://x');
			const captured = {
				headers: flat(req.headers),
				query: Object.fromEntries(url.searchParams),
				rawBody: Buffer.concat(chunks),
			};
			requests.push(captured);
			try {
				const answer = handler ? await handler(captured) : { status: 200, body: { ok: true } };
				res
					.writeHead(answer.status, { 'content-type': 'application/json' })
					.end(JSON.stringify(answer.body ?? {}));
			} catch (error) {
				res.writeHead(500).end(String(error));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
