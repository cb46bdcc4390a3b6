// Lets plain `node` run this repo's TypeScript (demo, benchmarks, test harness) without a build
// step or another dependency: each .ts file is transpiled with the project's own TypeScript.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	sourceMap: false,
};

require.extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};

process.env.N8N_LOG_LEVEL ??= 'silent';
if (!process.env.N8N_USER_FOLDER) {
	const os = require('node:os');
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-n8n-'));
}

// Node tries .js, .json and .node before a registered .ts, so `import './GptImage2.node'` would load
// the codex file GptImage2.node.json instead of GptImage2.node.ts. Jest lists ts first; do the same
// for relative imports made from the repo's own .ts files (never inside node_modules).
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
	const from = parent && parent.filename;
	if (
		from &&
		from.endsWith('.ts') &&
		!from.includes(`${path.sep}node_modules${path.sep}`) &&
		(request.startsWith('./') || request.startsWith('../'))
	) {
		const candidate = path.resolve(path.dirname(from), `${request}.ts`);
		if (fs.existsSync(candidate)) return candidate;
	}
	return resolveFilename.call(this, request, parent, ...rest);
};
