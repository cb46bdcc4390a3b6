// n8n's verification scanner, offline: its CLI only scans packages already published to npm, so
// the tarball `npm pack` would publish is unpacked and given to the scanner's own analyzePackage().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const work = mkdtempSync(join(tmpdir(), 'hiapi-scan-'));
try {
	const [{ filename }] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8' }),
	);
	execFileSync('tar', ['-xzf', join(work, filename), '-C', work]);
	const result = await analyzePackage(join(work, 'package'));
	if (!result.passed) {
		console.error(`n8n community package scan failed: ${result.message}\n${result.details ?? ''}`);
		process.exitCode = 1;
	} else {
		console.log(`n8n community package scan passed (${filename})`);
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
