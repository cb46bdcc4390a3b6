/**
 * A local stand-in for an OpenAI-compatible Chat Completions API (node:http, 127.0.0.1), for
 * driving n8n's AI Agent with its OpenAI Chat Model node pointed here (credential `url` =
 * `${stub.url}/v1`). It answers the first request of a conversation with a call of the first tool
 * the request offers, with the arguments `toolArguments(tool)` gives, and a request that already
 * carries the tool's result with `finalText(toolResult)`. Every request is recorded.
 * Streaming requests (`stream: true`) get the same answers as server-sent events.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, unknown> };
}
export interface StubRequest {
	path: string;
	body: any;
}
export interface OpenAiStubOptions {
	/** Arguments of the tool call, from the tool the request offers. */
	toolArguments?: (tool: ChatTool) => Record<string, unknown>;
	/** The assistant's final answer, from the tool message's content. */
	finalText?: (toolResult: string) => string;
}
export interface OpenAiStub {
	url: string;
	requests: StubRequest[];
	stop(): Promise<void>;
}

export async function startOpenAiStub(options: OpenAiStubOptions = {}): Promise<OpenAiStub> {
	const toolArguments = options.toolArguments ?? (() => ({}));
	const finalText = options.finalText ?? ((r: string) => `Done: ${r.slice(0, 200)}`);
	const requests: StubRequest[] = [];
	let counter = 0;

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			let body: any = {};
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
			} catch {
				body = { unparsed: Buffer.concat(chunks).toString('utf8') };
			}
			requests.push({ path: req.url ?? '', body });
			const path = (req.url ?? '').split('?')[0];
			if (req.method === 'GET' && path.endsWith('/models')) {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						object: 'list',
						data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'stub' }],
					}),
				);
				return;
			}
			if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						error: {
							message: `the stub serves POST /v1/chat/completions only, not ${req.method} ${path}`,
							type: 'invalid_request_error',
						},
					}),
				);
				return;
			}
			const messages: any[] = Array.isArray(body.messages) ? body.messages : [];
			const toolMessage = [...messages].reverse().find((m) => m.role === 'tool');
			const tools: ChatTool[] = Array.isArray(body.tools) ? body.tools : [];
			const id = `chatcmpl-stub-${++counter}`;
			const created = Math.floor(Date.now() / 1000);
			let message: any;
			let finishReason: string;
			if (!toolMessage && tools.length > 0) {
				const tool = tools[0];
				message = {
					role: 'assistant',
					content: null,
					tool_calls: [
						{
							id: `call_stub_${counter}`,
							type: 'function',
							function: {
								name: tool.function.name,
								arguments: JSON.stringify(toolArguments(tool)),
							},
						},
					],
				};
				finishReason = 'tool_calls';
			} else {
				const result =
					typeof toolMessage?.content === 'string'
						? toolMessage.content
						: JSON.stringify(toolMessage?.content ?? '');
				message = { role: 'assistant', content: finalText(result) };
				finishReason = 'stop';
			}
			const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
			if (body.stream) {
				res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
				const delta = message.tool_calls
					? {
							role: 'assistant',
							tool_calls: message.tool_calls.map((t: any, index: number) => ({ index, ...t })),
						}
					: { role: 'assistant', content: message.content };
				const chunk = (d: object, finish: string | null) => ({
					id,
					object: 'chat.completion.chunk',
					created,
					model: body.model ?? 'gpt-4o-mini',
					choices: [{ index: 0, delta: d, finish_reason: finish }],
				});
				res.write(`data: ${JSON.stringify(chunk(delta, null))}\n\n`);
				res.write(`data: ${JSON.stringify({ ...chunk({}, finishReason), usage })}\n\n`);
				res.end('data: [DONE]\n\n');
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					id,
					object: 'chat.completion',
					created,
					model: body.model ?? 'gpt-4o-mini',
					choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
					usage,
				}),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		async stop() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}
