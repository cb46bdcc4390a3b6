const { src, dest, task } = require('gulp');

// n8n loads node and credential icons from dist/ next to the compiled files, keeping their folders.
// index.js goes along so the package's "main" points inside dist/, the only folder it ships.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}', 'index.js'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist')),
);
