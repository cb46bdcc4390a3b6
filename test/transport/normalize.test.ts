import { normalizeTask, unixSeconds } from '../../nodes/shared/transport/tasks';

describe('reading task objects defensively', () => {
	it('accepts expireAt as a number, a numeric string or a date string', () => {
		expect(unixSeconds(1777887199)).toBe(1777887199);
		expect(unixSeconds('1777887199')).toBe(1777887199);
		expect(unixSeconds('2026-05-04T10:13:19Z')).toBe(1777889599);
		expect(unixSeconds('never')).toBe(0);
		expect(unixSeconds(undefined)).toBe(0);
	});

	it('skips malformed outputs and keeps unknown statuses as still running', () => {
		const task = normalizeTask({
			taskId: 'tk-1',
			status: 'rendering',
			output: [
				null,
				'x',
				{ type: 'image' },
				{ url: '' },
				{ url: 'https://cdn/x.png', expireAt: '1777887199' },
			],
		});
		expect(task).toEqual({
			taskId: 'tk-1',
			model: '',
			status: 'rendering',
			created: 0,
			completed: 0,
			// No type given: none guessed here (the download labels it by its Content-Type).
			output: [{ url: 'https://cdn/x.png', type: '', expireAt: 1777887199 }],
		});
	});

	it('gives a failed task without details a generic error, and refuses objects without taskId', () => {
		expect(normalizeTask({ taskId: 'tk-2', status: 'fail' })?.error).toEqual({
			code: 'TASK_FAILED',
			message: '',
		});
		expect(normalizeTask({ status: 'success' })).toBeUndefined();
		expect(normalizeTask('tk-3')).toBeUndefined();
		expect(normalizeTask({ taskId: 'tk-4' })?.status).toBe('unknown');
	});

	it.each([
		['failed', 'fail'],
		['error', 'fail'],
		['cancelled', 'fail'],
		['canceled', 'fail'],
		['FAILED', 'fail'],
		['fail', 'fail'],
		['succeeded', 'success'],
		['completed', 'success'],
		['Success', 'success'],
		['queued', 'queued'],
		['handling', 'handling'],
		['rendering', 'rendering'],
	])('status %s is read as %s', (raw, status) => {
		const task = normalizeTask({ taskId: 'tk-s', status: raw })!;
		expect(task.status).toBe(status);
		// A failed task always carries an error to show, whatever hiapi called its status.
		if (status === 'fail') expect(task.error).toEqual({ code: 'TASK_FAILED', message: '' });
		else expect(task.error).toBeUndefined();
	});
});
