const { src, dest, task } = require('gulp');

// n8n loads node and credential icons from dist/ next to the compiled files, keeping their folders.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist')),
);
