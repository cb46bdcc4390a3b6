/**
 * The nodes in the n8n editor, as a user meets them: a real n8n 2.41.1 (its own instance, this
 * package packed and loaded as a community package, a credential against the hiapi simulator),
 * driven in headless Chromium (Debian's, installed with apt-get when missing and running as root)
 * through playwright-core, signed in with the owner's cookie. Opt-in: HIAPI_E2E=1.
 *
 *  - node panel: an empty new workflow, the search "hiapi", "gpt image", "image", "video" in the
 *    trigger panel ("What triggers this workflow?") and, after a Manual Trigger, in the action panel;
 *    the HiAPI entry's triggers and actions;
 *  - node panels: GPT Image 2 in each operation and completion mode, HiAPI in Run a Model / Get Task
 *    and each completion mode, HiAPI Trigger in each Authentication: no parameter issue shown, and
 *    exactly which options the Options collection's "Add Option" list offers;
 *  - the HiAPI node's model list (read from the simulator's catalogue) and the mapped fields of
 *    seedance-2.0, added from the panel as a user does;
 *  - the text-to-image example executed from the canvas: the images in GPT Image 2's output panel
 *    (Binary view, file names, the preview's bytes) and exactly the tasks the simulator created;
 *  - GPT Image 2 added as a tool of n8n's AI Agent from the agent's Tool "+": listed under Tools,
 *    connected to the agent, Completion offers only Wait for Result, no issue once the model
 *    defines the prompt;
 *  - with HIAPI_E2E_SCREENSHOTS=1 only: the HiAPI Trigger's panel as a user leaves it.
 *
 * Screenshots go to the test's temp folder; with HIAPI_E2E_SCREENSHOTS=1 also to docs/ (for the README).
 * Selectors are n8n's own data-test-id attributes (n8n-editor-ui 2.41.1).
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e/editor.e2e.test.ts --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const e2e: any = require('./n8n.js');
const {
	startSimulator,
}: { startSimulator: (options?: object) => Promise<any> } = require('../sim');

const ENABLED = process.env.HIAPI_E2E === '1';
/** The editor is tested on the newest 2.x only (the 1.x editor is another UI). */
const VERSION = '2.41.1';
const DOCS = path.join(e2e.REPO_ROOT, 'docs');
const WRITE_DOCS = process.env.HIAPI_E2E_SCREENSHOTS === '1';
const CRED = { id: 'hiapiEditor00001', name: 'HiAPI (simulator)' };

const GPT = 'n8n-nodes-hiapi.gptImage2';
const HIAPI = 'n8n-nodes-hiapi.hiApi';
const TRIGGER = 'n8n-nodes-hiapi.hiApiTrigger';

/** What the Options collection's "Add Option" list must offer, per node setup (names as shown). */
const GPT_POLL = [
	'Additional Input (JSON)',
	'Concurrency',
	'Download Output',
	'Idempotency Key',
	'Max Estimated Cost (USD)',
	'Max Output Size (MB)',
	'Output Binary Field',
	'Poll Interval (Seconds)',
	'Route',
	'Storage',
	'Timeout (Seconds)',
];
const GPT_CALLBACK = [
	'Additional Input (JSON)',
	'Concurrency',
	'Idempotency Key',
	'Max Estimated Cost (USD)',
	'Route',
	'Storage',
];
const GPT_RESUME = [
	'Additional Input (JSON)',
	'Concurrency',
	'Download Output',
	'Max Estimated Cost (USD)',
	'Max Output Size (MB)',
	'Output Binary Field',
	'Route',
	'Storage',
	'Timeout (Seconds)',
];
const withInline = (list: string[], name: string) =>
	[...list, name].sort((a, b) => a.localeCompare(b));
const HIAPI_POLL = withInline(
	GPT_POLL.filter((o) => !o.startsWith('Additional')),
	'Max Inline File Size (MB)',
);
const HIAPI_CALLBACK = withInline(
	GPT_CALLBACK.filter((o) => !o.startsWith('Additional')),
	'Max Inline File Size (MB)',
);
const HIAPI_RESUME = withInline(
	GPT_RESUME.filter((o) => !o.startsWith('Additional')),
	'Max Inline File Size (MB)',
);
const GET_TASK = ['Concurrency', 'Download Output', 'Max Output Size (MB)', 'Output Binary Field'];

interface Case {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	options: string[];
	/** Visible values of the panel that must be there (labels of chosen options). */
	shows?: string[];
}
const CALLBACK_URL = 'https://n8n.example.com/webhook/1b2c3d4e/hiapi';
const SEEDANCE_JSON = '{ "prompt": "A paper boat on a rainy street", "duration": 5 }';
const CASES: Case[] = [
	{
		name: 'GPT t2i poll',
		type: GPT,
		parameters: { prompt: 'A fox' },
		options: GPT_POLL,
		shows: ['Text to Image', 'Wait for Result'],
	},
	{
		name: 'GPT t2i callback',
		type: GPT,
		parameters: { prompt: 'A fox', completion: 'callback', callbackUrl: CALLBACK_URL },
		options: GPT_CALLBACK,
		shows: ['Submit Only (Callback)'],
	},
	{
		name: 'GPT t2i resume',
		type: GPT,
		parameters: { prompt: 'A fox', completion: 'resume' },
		options: GPT_RESUME,
		shows: ['Wait for Callback (No Polling)'],
	},
	{
		name: 'GPT i2i poll',
		type: GPT,
		parameters: {
			operation: 'imageToImage',
			prompt: 'Make it blue',
			imageUrl: 'https://example.com/fox.png',
		},
		options: withInline(GPT_POLL, 'Max Inline Image Size (MB)'),
		shows: ['Image to Image'],
	},
	{
		name: 'GPT i2i callback',
		type: GPT,
		parameters: {
			operation: 'imageToImage',
			prompt: 'Make it blue',
			imageUrl: 'https://example.com/fox.png',
			completion: 'callback',
			callbackUrl: CALLBACK_URL,
		},
		options: withInline(GPT_CALLBACK, 'Max Inline Image Size (MB)'),
	},
	{
		name: 'GPT i2i resume',
		type: GPT,
		parameters: {
			operation: 'imageToImage',
			prompt: 'Make it blue',
			imageSource: 'binary',
			completion: 'resume',
		},
		options: withInline(GPT_RESUME, 'Max Inline Image Size (MB)'),
	},
	{
		name: 'GPT get task',
		type: GPT,
		parameters: { operation: 'getTask', taskId: 'task_0123' },
		options: GET_TASK,
		shows: ['Get Task'],
	},
	{
		name: 'HiAPI run poll',
		type: HIAPI,
		parameters: {
			model: { __rl: true, mode: 'id', value: 'seedance-2.0' },
			inputMode: 'json',
			inputJson: SEEDANCE_JSON,
		},
		options: HIAPI_POLL,
		shows: ['Run a Model'],
	},
	{
		name: 'HiAPI run callback',
		type: HIAPI,
		parameters: {
			model: { __rl: true, mode: 'id', value: 'seedance-2.0' },
			inputMode: 'json',
			inputJson: SEEDANCE_JSON,
			completion: 'callback',
			callbackUrl: CALLBACK_URL,
		},
		options: HIAPI_CALLBACK,
	},
	{
		name: 'HiAPI run resume',
		type: HIAPI,
		parameters: {
			model: { __rl: true, mode: 'id', value: 'seedance-2.0' },
			inputMode: 'json',
			inputJson: SEEDANCE_JSON,
			completion: 'resume',
		},
		options: HIAPI_RESUME,
	},
	{
		name: 'HiAPI get task',
		type: HIAPI,
		parameters: { operation: 'getTask', taskId: 'task_0123' },
		options: GET_TASK,
		shows: ['Get Task'],
	},
	{
		name: 'Trigger signature',
		type: TRIGGER,
		parameters: {},
		// In the order the node declares them (the Add Option list is not sorted).
		options: ['Signature Tolerance (Seconds)', 'Max Output Size (MB)'],
		shows: ['HiAPI Signature'],
	},
	{
		name: 'Trigger token',
		type: TRIGGER,
		parameters: { authentication: 'token' },
		options: ['Max Output Size (MB)'],
		shows: ['Secret Token'],
	},
	{
		name: 'Trigger header',
		type: TRIGGER,
		parameters: { authentication: 'header' },
		options: ['Max Output Size (MB)'],
		shows: ['Header'],
	},
	{
		name: 'Trigger none',
		type: TRIGGER,
		parameters: { authentication: 'none' },
		options: ['Max Output Size (MB)'],
		shows: ['None (Not Recommended)'],
	},
];
/** A control: a node the user left without its prompt must show an issue, or the checks above prove nothing. */
const CONTROL = { name: 'GPT no prompt', type: GPT, parameters: { prompt: '' } };

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log(
		'test/e2e/editor.e2e.test.ts skipped: set HIAPI_E2E=1 to drive the n8n editor in Chromium',
	);
}

(ENABLED ? describe : describe.skip)(
	`n8n ${VERSION} editor: the nodes as a user meets them`,
	() => {
		let sim: any;
		let n8n: any;
		let owner: any;
		let workDir: string;
		let browser: any;
		let page: any;
		let failed = false;
		const shots: string[] = [];
		const timings: Record<string, number> = {};

		/** Runs a step; on failure adds the n8n log tail and a screenshot of the page. */
		async function step(name: string, fn: () => Promise<void>) {
			const started = Date.now();
			try {
				await fn();
			} catch (error) {
				failed = true;
				const e = error as Error;
				if (page) {
					const file = path.join(workDir, `failure-${name.replace(/\W+/g, '-')}.png`);
					await page.screenshot({ path: file }).catch(() => undefined);
					e.message += `\n(screenshot: ${file})`;
				}
				if (n8n) e.message += `\n--- n8n log (tail) ---\n${n8n.logTail(30)}`;
				throw e;
			} finally {
				timings[name] = Date.now() - started;
			}
		}

		async function shoot(file: string, target?: any) {
			const out = path.join(workDir, file);
			await (target ?? page).screenshot({ path: out });
			if (WRITE_DOCS) fs.copyFileSync(out, path.join(DOCS, file));
			shots.push(WRITE_DOCS ? `docs/${file}` : out);
		}

		const byId = (id: string) => `[data-test-id="${id}"]`;

		beforeAll(
			async () => {
				const started = Date.now();
				const chromiumPath = await e2e.ensureChromium();
				let playwright: any;
				try {
					playwright = require(require.resolve('playwright-core', { paths: [e2e.REPO_ROOT] }));
				} catch {
					throw new Error(
						'playwright-core cannot be required from this repository (it comes as a dev dependency of a dev tool: run npm ci)',
					);
				}
				workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-editor-'));
				sim = await startSimulator({ port: await e2e.freePort() });
				n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
				await n8n.installPackage();
				const credFile = path.join(workDir, 'credentials.json');
				fs.writeFileSync(
					credFile,
					JSON.stringify([
						{
							...CRED,
							type: 'hiApiApi',
							data: {
								apiKey: sim.apiKey,
								baseUrl: sim.baseUrl,
								catalogueUrl: `${sim.baseUrl}/docs/models.json`,
								pricingUrl: `${sim.baseUrl}/api/pricing`,
								modelSchemaUrl: `${sim.baseUrl}/api/models/content`,
								signingSecret: 'whsec_editor_test_3f9a',
								callbackToken: 'editor-test-callback-token-8d1e2f',
								callbackHeaderName: 'X-HiAPI-Token',
								callbackHeaderSecret: 'editor-test-header-secret-4b7c',
							},
						},
					]),
				);
				await n8n.importCredentials(credFile);
				await n8n.start();
				owner = await n8n.setupOwner();

				browser = await playwright.chromium.launch({
					executablePath: chromiumPath,
					args: [
						'--no-sandbox',
						'--disable-gpu',
						'--disable-dev-shm-usage',
						'--disable-background-networking',
						'--disable-component-update',
					],
				});
				const context = await browser.newContext({
					viewport: { width: 1440, height: 900 },
					deviceScaleFactor: 1,
					reducedMotion: 'reduce',
				});
				const [cookieName, ...rest] = owner.cookie.split('=');
				await context.addCookies([
					{ name: cookieName, value: rest.join('='), domain: '127.0.0.1', path: '/' },
				]);
				// Offline, as CI: the editor asks registry.npmjs.org about community packages, and more.
				await context.route(
					(url: URL) =>
						!/^(127\.0\.0\.1|localhost)$/.test(url.hostname) && url.protocol !== 'data:',
					(route: any) => route.abort(),
				);
				page = await context.newPage();
				page.on('dialog', (dialog: any) => dialog.accept().catch(() => undefined));
				page.setDefaultTimeout(60000);
				timings.setup = Date.now() - started;
			},
			20 * 60 * 1000,
		);

		afterAll(async () => {
			await browser?.close().catch(() => undefined);
			await n8n?.stop();
			await sim?.stop();
			// eslint-disable-next-line no-console
			console.log(
				`[editor e2e] timings (ms): ${JSON.stringify(timings)}\nscreenshots:\n  ${shots.join('\n  ')}`,
			);
			if (workDir && !failed && process.env.HIAPI_E2E_KEEP !== '1')
				fs.rmSync(workDir, { recursive: true, force: true });
			else if (workDir) console.log(`[editor e2e] kept ${workDir}`); // eslint-disable-line no-console
		}, 120000);

		/** Visible texts of the node panel's entries (names and category headers), in order. */
		async function panelEntries(): Promise<string[]> {
			return await page.$$eval(
				`${byId('node-creator')} ${byId('node-creator-item-name')}, ${byId('node-creator')} ${byId('node-creator-category-item')}`,
				(els: any[]) =>
					els
						.filter((el) => el.offsetParent !== null)
						.map((el) => el.textContent!.trim().replace(/\s+/g, ' ')),
			);
		}

		/**
		 * Types into the node panel's search and returns the entries once they satisfy `until` and have
		 * stayed the same for 600 ms (the list updates after the input; a stale list must not pass).
		 */
		async function search(query: string, until: (entries: string[]) => boolean): Promise<string[]> {
			const input = page.locator(`input${byId('node-creator-search-bar')}`);
			await input.fill('');
			await input.fill(query);
			let entries: string[] = [];
			let stableSince = Date.now();
			let last = '';
			const deadline = Date.now() + 20000;
			do {
				entries = await panelEntries();
				const now = JSON.stringify(entries);
				if (now !== last) {
					last = now;
					stableSince = Date.now();
				} else if (until(entries) && Date.now() - stableSince >= 600) return entries;
				await page.waitForTimeout(150);
			} while (Date.now() < deadline);
			return entries;
		}

		/** The visible description under an entry of the node panel. */
		async function descriptionOf(name: string): Promise<string> {
			const item = page
				.locator(
					`${byId('node-creator')} ${byId('node-creator-action-item')}, ${byId('node-creator')} ${byId('node-creator-node-item')}`,
				)
				.filter({
					has: page.locator(byId('node-creator-item-name'), { hasText: new RegExp(`^${name}$`) }),
				});
			return (
				(await item.first().locator(byId('node-creator-item-description')).textContent()) ?? ''
			).trim();
		}

		it(
			'finds the nodes in the node panel: triggers when the workflow is empty, actions after a trigger',
			async () => {
				await step('node panel', async () => {
					await page.goto(`${n8n.url}/workflow/new`);
					await page.locator(byId('canvas-add-button')).click();
					await page.locator(`input${byId('node-creator-search-bar')}`).waitFor();

					// An empty workflow opens "What triggers this workflow?". n8n merges HiAPI and HiAPI Trigger
					// into one app entry named "HiAPI" there, described by the trigger; every node stays searchable.
					const triggerView: Record<string, string[]> = {};
					for (const q of ['hiapi', 'gpt image', 'image', 'video']) {
						triggerView[q] = await search(
							q,
							(e) => e.includes('HiAPI') || e.includes('GPT Image 2'),
						);
					}
					expect(triggerView.hiapi).toEqual(['HiAPI', 'GPT Image 2']);
					expect(triggerView['gpt image']).toEqual(['GPT Image 2']);
					expect(triggerView.image).toEqual(expect.arrayContaining(['HiAPI', 'GPT Image 2']));
					expect(triggerView.video).toEqual(expect.arrayContaining(['HiAPI']));
					expect(triggerView.video).not.toContain('GPT Image 2');
					await search('hiapi', (e) => e.includes('HiAPI'));
					expect(await descriptionOf('HiAPI')).toMatch(
						/^Run any hiapi image, video or audio model, or start a workflow when a task finishes/,
					);
					await shoot('screenshot-node-search-trigger.png');

					// The app entry: the trigger's events under Triggers, the HiAPI node's operations under Actions.
					await page.locator(byId('node-creator-item-name'), { hasText: /^HiAPI$/ }).click();
					await page.locator(byId('node-creator-category-item'), { hasText: 'Triggers' }).waitFor();
					// The search results stay in the DOM under the app's panel: read from its first header on.
					const fromTriggers = (e: string[]) => e.slice(e.indexOf('Triggers (3)'));
					const app = fromTriggers(await panelEntries());
					expect(app).toEqual([
						'Triggers (3)',
						'On success and failure',
						'On success only',
						'On failure only',
						'Actions (2)',
					]);
					await page.locator(byId('node-creator-category-item'), { hasText: 'Actions' }).click();
					await page
						.locator(byId('node-creator-item-name'), { hasText: /^Run a model$/ })
						.waitFor();
					expect(fromTriggers(await panelEntries())).toEqual([
						'Triggers (3)',
						'On success and failure',
						'On success only',
						'On failure only',
						'Actions (2)',
						'Run a model',
						'Get a task and its files',
					]);

					// A user starts with a Manual Trigger; the next "+" opens the action panel ("What happens next?").
					await page.keyboard.press('Escape');
					await page.locator(byId('canvas-add-button')).click();
					// Searched, n8n names it "Manual Trigger" (the list's "Trigger manually" entry).
					await search('manual', (e) => e.includes('Manual Trigger'));
					await page
						.locator(byId('node-creator-item-name'), { hasText: /^Manual Trigger$/ })
						.first()
						.click();
					await page.locator(byId('canvas-node')).first().waitFor();
					await page.keyboard.press('Escape');
					await page.locator(byId('node-creator-plus-button')).click();
					const actionView: Record<string, string[]> = {};
					for (const q of ['hiapi', 'gpt image', 'image', 'video']) {
						actionView[q] = await search(
							q,
							(e) => e.includes('HiAPI') || e.includes('GPT Image 2'),
						);
					}
					expect(actionView.hiapi).toEqual(['HiAPI', 'GPT Image 2']);
					expect(actionView['gpt image']).toEqual(['GPT Image 2']);
					expect(actionView.image).toEqual(expect.arrayContaining(['HiAPI', 'GPT Image 2']));
					expect(actionView.video).toEqual(expect.arrayContaining(['HiAPI']));
					await search('hiapi', (e) => e.includes('HiAPI'));
					// n8n merges HiAPI and HiAPI Trigger into one entry here too; which description it shows is printed (a finding, not asserted).
					const actionViewDescription = await descriptionOf('HiAPI');
					// eslint-disable-next-line no-console
					console.log(
						`[editor e2e] action view, "HiAPI" entry described as: ${actionViewDescription}`,
					);
					// eslint-disable-next-line no-console
					console.log(
						`[editor e2e] node panel\n  trigger view: ${JSON.stringify(triggerView)}\n  action view: ${JSON.stringify(actionView)}`,
					);
					await shoot('screenshot-node-search.png');

					// GPT Image 2's actions, and adding it opens its panel ready to use.
					await page.locator(byId('node-creator-item-name'), { hasText: /^GPT Image 2$/ }).click();
					await page
						.locator(byId('node-creator-item-name'), { hasText: /^Generate an image from text$/ })
						.waitFor();
					const gptEntries = await panelEntries();
					expect(gptEntries.slice(gptEntries.indexOf('Actions (3)'))).toEqual([
						'Actions (3)',
						'Generate an image from text',
						'Edit an image with a prompt',
						'Get a task and its image',
					]);
					await page
						.locator(byId('node-creator-item-name'), { hasText: /^Generate an image from text$/ })
						.click();
					const ndv = page.locator(byId('ndv'));
					await ndv.locator(byId('parameter-input-prompt')).waitFor();
					await page.locator(byId('ndv')).locator(byId('parameter-input-aspectRatio')).click();
					await page.getByRole('option', { name: '16:9', exact: true }).click();
					await ndv
						.locator(`${byId('parameter-input-prompt')} textarea`)
						.fill('A watercolor fox in a misty forest, soft morning light');
					// The select's list fades out (a CSS transition reduced motion does not shorten): shoot once it is gone.
					await page
						.waitForFunction(
							() =>
								[
									...(globalThis as any).document.querySelectorAll(
										'.el-select__popper, .el-popper',
									),
								].every((el: any) => (globalThis as any).getComputedStyle(el).display === 'none'),
							undefined,
							{ timeout: 5000 },
						)
						.catch(() => undefined);
					await expect(visibleIssues()).resolves.toEqual([]);
					await shoot('screenshot-gpt-image-2.png');
					await page.keyboard.press('Escape');
				});
			},
			10 * 60 * 1000,
		);

		/** Texts of the parameter issues the open node panel shows. */
		async function visibleIssues(): Promise<string[]> {
			return await page.$$eval(`${byId('ndv')} ${byId('parameter-issues')}`, (els: any[]) =>
				els
					.filter((el) => el.offsetParent !== null)
					.map((el) =>
						(el.closest('[data-test-id="parameter-item"]')?.textContent ?? el.textContent ?? '')
							.trim()
							.replace(/\s+/g, ' ')
							.slice(0, 80),
					),
			);
		}

		/** First lines (labels) of the visible parameters of the open panel. */
		async function parameterLabels(): Promise<string[]> {
			return await page.$$eval(`${byId('ndv')} ${byId('parameter-item')}`, (els: any[]) =>
				els
					.filter((el) => el.offsetParent !== null)
					.map((el) =>
						String(el.innerText ?? '')
							.split('\n')[0]
							.trim(),
					),
			);
		}

		/**
		 * What the Options collection's "Add Option" button offers: the names of its list, or, when the
		 * collection has a single option (n8n then adds it at once, without a list), the option it added.
		 * `button` says whether the button is shown at all.
		 */
		async function offeredOptions(): Promise<{ button: boolean; options: string[] }> {
			const add = page.locator(`${byId('ndv')} ${byId('collection-parameter-add')}`);
			if ((await add.count()) === 0 || !(await add.first().isVisible()))
				return { button: false, options: [] };
			const before = await parameterLabels();
			await add.first().click();
			const list = page.locator(`${byId('collection-parameter-option')}:visible`);
			let after = before;
			for (let i = 0; i < 15; i++) {
				if ((await list.count()) > 0) break;
				after = await parameterLabels();
				if (after.length !== before.length) break;
				await page.waitForTimeout(200);
			}
			// The list stays open: closeNode() closes it, then the panel.
			if ((await list.count()) > 0)
				return {
					button: true,
					options: (await list.allTextContents()).map((t: string) => t.trim()),
				};
			const added = [...after];
			for (const b of before) added.splice(added.indexOf(b), 1);
			return { button: true, options: added };
		}

		async function openNode(name: string) {
			await page
				.locator(byId('canvas-node'))
				.filter({ hasText: new RegExp(`^${name}`) })
				.first()
				.dblclick();
			await page.locator(`${byId('ndv')} ${byId('node-parameters')}`).waitFor();
			// Parameters load asynchronously (credentials, display options): wait until the panel is still.
			let last = '';
			for (let i = 0; i < 30; i++) {
				const now = await page.locator(`${byId('ndv')} ${byId('node-parameters')}`).innerText();
				if (now === last && now.includes('Options')) break;
				last = now;
				await page.waitForTimeout(250);
			}
		}

		/**
		 * Closes the node's panel as a user does with a click on the dimmed canvas beside it (n8n 2.41's
		 * close button has no test id, and Escape does not close it while an input has the focus); the
		 * first click may only close an open dropdown.
		 */
		async function closeNode() {
			const ndv = page.locator(byId('ndv'));
			for (let i = 0; i < 4 && (await ndv.isVisible()); i++) {
				await page.mouse.click(8, 450);
				await ndv.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
				if (i >= 2) await page.keyboard.press('Escape');
			}
			await ndv.waitFor({ state: 'hidden' });
		}

		it(
			'opens every node in every mode without a parameter issue, with the options that apply',
			async () => {
				await step('node panels', async () => {
					const all = [...CASES, CONTROL];
					const nodes = all.map((c, i) => ({
						id: crypto.randomUUID(),
						name: c.name,
						type: c.type,
						typeVersion: 1,
						position: [(i % 4) * 260, Math.floor(i / 4) * 200],
						parameters: c.parameters,
						credentials: { hiApiApi: CRED },
						...(c.type === TRIGGER ? { webhookId: crypto.randomUUID() } : {}),
					}));
					const r = await owner.rest('POST', '/workflows', {
						name: 'Editor: every mode',
						nodes,
						connections: {},
						settings: {},
					});
					expect(r.status).toBe(200);
					await page.goto(`${n8n.url}/workflow/${r.json.data.id}`);
					await page
						.locator(byId('canvas-node'))
						.nth(all.length - 1)
						.waitFor();

					const seen: Record<string, { issues: string[]; options: string[]; button: boolean }> = {};
					for (const c of CASES) {
						await openNode(c.name);
						const params = page.locator(`${byId('ndv')} ${byId('node-parameters')}`);
						// Chosen options show as the value of the select's input, not as text.
						const text = [
							await params.innerText(),
							...(await params
								.locator('input')
								.evaluateAll((els: any[]) => els.map((el) => el.value))),
						].join('\n');
						for (const s of c.shows ?? [])
							expect({ node: c.name, shows: text.includes(s) ? s : `(missing) ${s}` }).toEqual({
								node: c.name,
								shows: s,
							});
						seen[c.name] = { issues: await visibleIssues(), ...(await offeredOptions()) };
						await closeNode();
					}
					await openNode(CONTROL.name);
					const controlIssues = await visibleIssues();
					await closeNode();
					// eslint-disable-next-line no-console
					console.log(
						`[editor e2e] node panels:\n${Object.entries(seen)
							.map(
								([k, v]) =>
									`  ${k}: issues ${JSON.stringify(v.issues)}, Add Option ${v.button ? 'shown' : 'hidden'}, offers ${JSON.stringify(v.options)}`,
							)
							.join('\n')}\n  ${CONTROL.name}: issues ${JSON.stringify(controlIssues)}`,
					);

					expect(controlIssues.join(' ')).toMatch(/Prompt/);
					for (const c of CASES) {
						expect({ node: c.name, issues: seen[c.name].issues }).toEqual({
							node: c.name,
							issues: [],
						});
						expect({ node: c.name, options: seen[c.name].options }).toEqual({
							node: c.name,
							options: c.options,
						});
						// No option to add, no button (the trigger under Secret Token, Header, None).
						expect({ node: c.name, addOptionShown: seen[c.name].button }).toEqual({
							node: c.name,
							addOptionShown: c.options.length > 0,
						});
					}
				});
			},
			10 * 60 * 1000,
		);

		it(
			"lists hiapi's models from the catalogue and maps seedance-2.0's inputs as fields",
			async () => {
				await step('model list', async () => {
					const r = await owner.rest('POST', '/workflows', {
						name: 'Text to video',
						nodes: [
							{
								id: crypto.randomUUID(),
								name: 'When clicking Execute workflow',
								type: 'n8n-nodes-base.manualTrigger',
								typeVersion: 1,
								position: [0, 0],
								parameters: {},
							},
							{
								id: crypto.randomUUID(),
								name: 'HiAPI',
								type: HIAPI,
								typeVersion: 1,
								position: [260, 0],
								parameters: {},
								credentials: { hiApiApi: CRED },
							},
						],
						connections: {
							'When clicking Execute workflow': {
								main: [[{ node: 'HiAPI', type: 'main', index: 0 }]],
							},
						},
						settings: {},
					});
					expect(r.status).toBe(200);
					await page.goto(`${n8n.url}/workflow/${r.json.data.id}`);
					await openNode('HiAPI');
					const ndv = page.locator(byId('ndv'));
					await ndv.locator(byId('rlc-input')).click();
					const items = page.locator(`${byId('rlc-item')}:visible`);
					await items.first().waitFor();
					const models = (await items.allTextContents()).map((t: string) => t.trim());
					// The simulator's catalogue without its text models (no task API), titles with their kind.
					expect(models).toEqual(
						expect.arrayContaining([
							'GPT Image 2 Text to Image (Image)',
							'Seedance 2.0 (Video)',
							'Qwen Audio 3.0 TTS Flash (Audio)',
						]),
					);
					expect(models.some((m: string) => /\(Text\)/.test(m))).toBe(false);
					await shoot('screenshot-hiapi-models.png');
					// Search narrows the list by capability, as the README says ("video").
					await page.keyboard.type('video');
					await page.waitForFunction(() =>
						(
							[
								...(globalThis as any).document.querySelectorAll('[data-test-id="rlc-item"]'),
							] as any[]
						)
							.filter((el: any) => (el as any).offsetParent !== null)
							.every((el: any) => /\(Video\)/.test(el.textContent ?? '')),
					);
					await page.locator(`${byId('rlc-item')}:visible`, { hasText: 'Seedance 2.0' }).click();

					// Map Fields: the required prompt at once, optional inputs under "Add input to send".
					const mapper = ndv.locator(byId('resource-mapper-container'));
					await mapper.getByText('Prompt', { exact: true }).waitFor();
					await mapper
						.locator('input, textarea')
						.first()
						.fill('A paper boat sails down a rainy street, cinematic');
					const addInput = mapper.locator(`${byId('add-fields-select')} button`);
					await addInput.click();
					const optional = page.locator('[role="menuitem"][data-reka-collection-item]:visible');
					await optional.first().waitFor();
					const optionalInputs = (await optional.allTextContents())
						.map((t: string) => t.trim())
						.filter(Boolean);
					expect(optionalInputs).toEqual(
						expect.arrayContaining(
							['Resolution', 'Duration', 'Aspect Ratio', 'Generate Audio'].map((x) =>
								expect.stringMatching(new RegExp(x.replace(' ', '.?'), 'i')),
							),
						),
					);
					await optional
						.filter({ hasText: /resolution/i })
						.first()
						.click();
					await mapper.getByText('Resolution').first().waitFor();
					await addInput.click();
					await optional
						.filter({ hasText: /duration/i })
						.first()
						.click();
					await mapper.getByText('Duration').first().waitFor();
					await expect(visibleIssues()).resolves.toEqual([]);
					// eslint-disable-next-line no-console
					console.log(
						`[editor e2e] models: ${JSON.stringify(models)}\n  seedance-2.0 optional inputs: ${JSON.stringify(optionalInputs)}`,
					);
					await shoot('screenshot-hiapi-seedance.png');
				});
			},
			10 * 60 * 1000,
		);
		/** A node of the canvas by its name (its text also holds the "2 items" label of its output edge once run). */
		const canvasNode = (name: string) =>
			page.locator(`${byId('canvas-node')}[data-node-name="${name}"]`);

		/** Waits until no CSS transition or animation runs (a chevron turning, a panel sliding), for a clean screenshot. */
		async function settled() {
			await page
				.waitForFunction(
					() =>
						(globalThis as any).document
							.getAnimations()
							.every((a: any) => a.playState !== 'running'),
					undefined,
					{ timeout: 5000 },
				)
				.catch(() => undefined);
		}

		it(
			'executes the text-to-image example from the canvas and shows its images in the output panel',
			async () => {
				await step('execute example', async () => {
					// The example as shipped, its placeholders filled as `bash run n8n` fills them; its credential
					// reference points at this instance's credential (same name, "HiAPI (simulator)").
					const vars = e2e.exampleVars(sim.baseUrl, n8n.url, 'editor-test-callback-token-8d1e2f');
					const { json: example } = e2e.renderExample('text-to-image.json', vars, workDir);
					const gptNode = example.nodes.find((n: any) => n.type === GPT);
					expect(gptNode.credentials.hiApiApi.name).toBe(CRED.name);
					gptNode.credentials = { hiApiApi: CRED };
					const body = { ...example };
					delete body.id;
					delete body.active;
					const r = await owner.rest('POST', '/workflows', body);
					expect(r.status).toBe(200);
					const prompts = [
						'A watercolor fox in a misty forest, soft morning light',
						'A lighthouse on a cliff at dusk, oil painting',
					];
					expect(gptNode.parameters.prompt).toBe('={{ $json.prompt }}');

					const tasksBefore = new Set(sim.tasks.keys());
					await page.goto(`${n8n.url}/workflow/${r.json.data.id}`);
					await canvasNode('GPT Image 2').waitFor();
					await page.locator(byId('execute-workflow-button')).click();
					await page.getByText('Workflow executed successfully').waitFor({ timeout: 120000 });
					await canvasNode('GPT Image 2').locator(byId('canvas-node-status-success')).waitFor();

					// Exactly one task per prompt, created by this run.
					const created = [...sim.tasks.entries()]
						.filter(([id]: [string, any]) => !tasksBefore.has(id))
						.map(([id, t]: [string, any]) => ({ id, model: t.model, prompt: t.input?.prompt }));
					expect(created.map(({ model, prompt }) => ({ model, prompt }))).toEqual(
						expect.arrayContaining(
							prompts.map((prompt) => ({ model: 'gpt-image-2/text-to-image', prompt })),
						),
					);
					expect(created).toHaveLength(2);
					const taskOf = (prompt: string) => created.find((t) => t.prompt === prompt)!.id;

					// The output panel opens on its Binary view: one image per item, in the prompts' order.
					await canvasNode('GPT Image 2').dblclick();
					const output = page.locator(`${byId('ndv')} ${byId('output-panel')}`);
					await output.locator(byId('ndv-binary-data_1')).waitFor();
					await expect(
						output.locator(byId('radio-button-binary')).getAttribute('aria-checked'),
					).resolves.toBe('true');
					const cards = (
						await output.locator('[data-test-id^="ndv-binary-data_"]').allInnerTexts()
					).map((t: string) => t.replace(/\s+/g, ' ').trim());
					// eslint-disable-next-line no-console
					console.log(`[editor e2e] output panel, binary view: ${JSON.stringify(cards)}`);
					expect(cards).toHaveLength(2);
					prompts.forEach((prompt, i) => {
						expect(cards[i]).toContain(`File Name: ${taskOf(prompt)}.png`);
						expect(cards[i]).toContain('Mime Type: image/png');
						expect(cards[i]).toMatch(/File Size: \d+(\.\d+)? kB/);
					});
					await expect(output.locator(byId('ndv-view-binary-data')).count()).resolves.toBe(2);
					await settled();
					await shoot('screenshot-output.png');

					// "View" shows the image: the bytes the editor loads are the simulator's.
					await output.locator(byId('ndv-view-binary-data')).first().click();
					const img = output.locator('img[src*="/rest/binary-data"]');
					await img.waitFor();
					await page.waitForFunction(
						(el: any) => el.complete && el.naturalWidth > 0,
						await img.elementHandle(),
					);
					const shown = await img.evaluate(async (el: any) => {
						const res = await fetch(el.src);
						const bytes = new Uint8Array(await res.arrayBuffer());
						let bin = '';
						for (const b of bytes) bin += String.fromCharCode(b);
						return { b64: btoa(bin), type: res.headers.get('content-type') };
					});
					expect(shown.type).toMatch(/^image\/png/);
					expect(
						crypto.createHash('sha256').update(Buffer.from(shown.b64, 'base64')).digest('hex'),
					).toBe(
						crypto
							.createHash('sha256')
							.update(sim.imageBytes(taskOf(prompts[0])))
							.digest('hex'),
					);
					await closeNode();
				});
			},
			10 * 60 * 1000,
		);

		it(
			"adds GPT Image 2 as a tool of n8n's AI Agent from the agent's Tool connector",
			async () => {
				await step('agent tool', async () => {
					await page.goto(`${n8n.url}/workflow/new`);
					await page.locator(byId('canvas-add-button')).click();
					expect(await search('AI Agent', (e) => e.includes('AI Agent'))).toContain('AI Agent');
					await page
						.locator(byId('node-creator-item-name'), { hasText: /^AI Agent$/ })
						.first()
						.click();
					// n8n adds a chat trigger with the agent and opens the agent's panel.
					await canvasNode('AI Agent').waitFor();
					await page.locator(byId('ndv')).waitFor();
					await closeNode();
					const nodeTypes = async () =>
						await page.$$eval(byId('canvas-node'), (els: any[]) =>
							els.map(
								(el) =>
									`${el.getAttribute('data-node-name')} (${el.getAttribute('data-node-type')})`,
							),
						);
					// eslint-disable-next-line no-console
					console.log(
						`[editor e2e] after adding the AI Agent: ${JSON.stringify(await nodeTypes())}`,
					);

					// The agent's Tool "+" opens the tools panel; GPT Image 2 is found there as "GPT Image 2 Tool".
					await canvasNode('AI Agent')
						.locator(
							`${byId('canvas-node-input-handle')}[data-connection-type="ai_tool"] ${byId('canvas-handle-plus')}`,
						)
						.click();
					// The panel slides in over n8n's "Other AI Nodes" view: wait until Tools is the only view shown.
					const headers = async () =>
						await page.$$eval(
							`${byId('node-creator')} ${byId('nodes-list-header')}`,
							(els: any[]) =>
								els.filter((el) => el.offsetParent !== null).map((el) => el.textContent.trim()),
						);
					await page.waitForFunction(() => {
						const shown = [
							...(globalThis as any).document.querySelectorAll(
								'[data-test-id="node-creator"] [data-test-id="nodes-list-header"]',
							),
						].filter((el: any) => el.offsetParent !== null);
						return shown.length === 1 && shown[0].textContent.trim() === 'Tools';
					});
					const found = await search('GPT Image 2', (e) => e.includes('GPT Image 2 Tool'));
					expect(found).toEqual(['GPT Image 2 Tool']);
					await expect(headers()).resolves.toEqual(['Tools']);
					await page
						.locator(byId('node-creator-item-name'), { hasText: /^GPT Image 2 Tool$/ })
						.click();

					// Added as the tool variant, connected to the agent, its panel open.
					const tool = canvasNode('GPT Image 2');
					await tool.waitFor();
					await expect(tool.getAttribute('data-node-type')).resolves.toBe(`${GPT}Tool`);
					await page
						.locator(
							`${byId('edge')}[data-source-node-name="GPT Image 2"][data-target-node-name="AI Agent"]`,
						)
						.waitFor();
					const ndv = page.locator(byId('ndv'));
					await ndv.locator(byId('parameter-input-prompt')).waitFor();

					// Completion: an agent waits for the tool's answer, so Wait for Result is the only choice.
					await ndv.locator(byId('parameter-input-completion')).click();
					const options = page.locator(
						'.el-select-dropdown__item:visible, [role="option"]:visible',
					);
					await options.first().waitFor();
					const completions = (await options.allInnerTexts()).map((t: string) =>
						t.split('\n')[0].trim(),
					);
					expect(completions).toEqual(['Wait for Result']);
					await page.keyboard.press('Escape');
					await closeNode();

					// Left without a prompt the node shows n8n's red warning (the control)...
					const issues = tool.locator(byId('node-issues'));
					await issues.waitFor();
					// ...and none once the model defines the prompt ("let the model define this parameter").
					await tool.dblclick();
					await ndv.locator(byId('parameter-input-prompt')).waitFor();
					await ndv.locator(byId('from-ai-override-button')).first().click();
					const promptItem = ndv
						.locator(byId('parameter-item'))
						.filter({ hasText: 'Defined automatically by the model' });
					await promptItem.waitFor();
					await expect(promptItem.innerText()).resolves.toMatch(/^Prompt/);
					await expect(visibleIssues()).resolves.toEqual([]);
					await closeNode();
					await issues.waitFor({ state: 'detached', timeout: 20000 });
					// eslint-disable-next-line no-console
					console.log(`[editor e2e] agent with its tool: ${JSON.stringify(await nodeTypes())}`);
					await settled();
					await shoot('screenshot-agent-tool.png');
				});
			},
			10 * 60 * 1000,
		);

		(WRITE_DOCS ? it : it.skip)(
			"shows the HiAPI Trigger's panel as a user leaves it (README screenshot)",
			async () => {
				await step('trigger panel', async () => {
					await page.goto(`${n8n.url}/workflow/new`);
					await page.locator(byId('canvas-add-button')).click();
					await search('hiapi', (e) => e.includes('HiAPI'));
					await page.locator(byId('node-creator-item-name'), { hasText: /^HiAPI$/ }).click();
					await page
						.locator(byId('node-creator-item-name'), { hasText: /^On success and failure$/ })
						.click();
					const ndv = page.locator(byId('ndv'));
					await ndv.locator(byId('parameter-input-authentication')).waitFor();
					// The URL to paste: Webhook URLs, Production URL.
					await ndv.getByText('Webhook URLs', { exact: true }).click();
					await ndv.locator(byId('radio-button-production')).click();
					await ndv.getByText(new RegExp(`^${n8n.url}/webhook/[0-9a-f-]{36}/hiapi$`)).waitFor();
					await expect(
						ndv.locator(`${byId('parameter-input-authentication')} input`).inputValue(),
					).resolves.toBe('HiAPI Signature');
					await expect(visibleIssues()).resolves.toEqual([]);
					await settled();
					await shoot('screenshot-trigger.png');
					await closeNode();
				});
			},
			10 * 60 * 1000,
		);
	},
);
