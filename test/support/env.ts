import { HiApiApi } from '../../credentials/HiApiApi.credentials';
import { GptImage2 } from '../../nodes/GptImage2/GptImage2.node';
import { HiApi } from '../../nodes/HiApi/HiApi.node';
import { HiApiTrigger } from '../../nodes/HiApiTrigger/HiApiTrigger.node';
import { createHarness, type Harness, type HarnessOptions } from '../harness';
import { TransportProbe } from './probe';

// The simulator is plain JavaScript (it needs node:http and timers, which n8n's lint bans in .ts);
// its JSDoc types come through allowJs in tsconfig.test.json.
import { startSimulator } from '../sim';

export type Simulator = Awaited<ReturnType<typeof startSimulator>>;
export type SimOptions = Parameters<typeof startSimulator>[0];

export const GPT = 'n8n-nodes-hiapi.gptImage2';
export const TRIGGER = 'n8n-nodes-hiapi.hiApiTrigger';
export const HIAPI = 'n8n-nodes-hiapi.hiApi';
export const PROBE = 'test.transportProbe';

export { startSimulator };

/** Fast lifecycle for tests: a task settles in about 150 ms. */
export const FAST = { durations: { queued: 30, handling: 90, archiving: 30 } };

export function harnessFor(
	sim: Simulator,
	credential: Record<string, string> = {},
	binaryMode: HarnessOptions['binaryMode'] = 'default',
): Harness {
	return createHarness({
		nodeTypes: {
			[GPT]: new GptImage2(),
			[HIAPI]: new HiApi(),
			[TRIGGER]: new HiApiTrigger(),
			[PROBE]: new TransportProbe(),
		},
		credentialTypes: [new HiApiApi()],
		credentials: {
			hiApiApi: {
				apiKey: sim.apiKey,
				baseUrl: sim.baseUrl,
				catalogueUrl: `${sim.baseUrl}/docs/models.json`,
				pricingUrl: `${sim.baseUrl}/api/pricing`,
				modelSchemaUrl: `${sim.baseUrl}/api/models/content`,
				...credential,
			},
		},
		binaryMode,
	});
}

/**
 * The usual test setup: one simulator and one harness per file, the simulator's state cleared
 * before each test. `reconfigure` restarts the simulator on the same port with other options for
 * one test; the next test gets the file's options back.
 */
export function useSimulator(options: SimOptions = FAST, credential: Record<string, string> = {}) {
	let changed = false;
	const t = {
		sim: undefined as unknown as Simulator,
		h: undefined as unknown as Harness,
		async reconfigure(extra: SimOptions) {
			changed = true;
			await restart({ ...options, ...extra });
		},
	};
	const restart = async (next: SimOptions) => {
		const port = t.sim.port;
		await t.sim.stop();
		t.sim = await startSimulator({ ...next, port });
	};
	beforeAll(async () => {
		t.sim = await startSimulator(options);
		t.h = harnessFor(t.sim, credential);
	});
	afterAll(async () => {
		await t.h.stop();
		await t.sim.stop();
	});
	beforeEach(() => t.sim.reset());
	afterEach(async () => {
		if (!changed) return;
		changed = false;
		await restart(options);
	});
	return t;
}
