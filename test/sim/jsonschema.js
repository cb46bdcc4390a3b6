'use strict';

// A small JSON Schema (2020-12) validator for the keywords hiapi's schemas use: type, enum,
// const, required, properties, additionalProperties (false or a schema), minimum/maximum
// (and the exclusive ones), minLength/maxLength, pattern, format (uri), items, minItems/maxItems,
// allOf, if/then/else. Other keywords are ignored, as JSON Schema says of unknown ones. The first
// violation found is reported, with the instance path, in the words the simulator's 400s use.

class SchemaError extends Error {}

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** @param {unknown} v */
const show = (v) =>
	typeof v === 'string' && v.length > 60
		? `${JSON.stringify(v.slice(0, 60))}...`
		: JSON.stringify(v);

/** @type {Record<string, string>} */
const A_TYPE = {
	string: 'a string',
	integer: 'an integer',
	number: 'a number',
	boolean: 'a boolean (true or false)',
	array: 'an array',
	object: 'an object',
	null: 'null',
};

/** @param {unknown} v @param {string} t */
function hasType(v, t) {
	switch (t) {
		case 'string':
			return typeof v === 'string';
		case 'integer':
			return typeof v === 'number' && Number.isInteger(v);
		case 'number':
			return typeof v === 'number' && Number.isFinite(v);
		case 'boolean':
			return typeof v === 'boolean';
		case 'array':
			return Array.isArray(v);
		case 'object':
			return isObject(v);
		case 'null':
			return v === null;
		default:
			return true;
	}
}

/** Structural equality for enum/const (JSON values only). @param {unknown} a @param {unknown} b */
function same(a, b) {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * @typedef {object} Context
 * @property {string} model named in "is required for model" messages
 * @property {(value: string, path: string) => string | undefined} [uri] checks a `format: uri`
 *   string; returns an error message, or undefined when it is fine
 * @property {string} [when] condition text appended to errors found inside a `then`/`else`
 */

/**
 * @param {unknown} v the instance
 * @param {Record<string, any> | boolean} schema
 * @param {string} path e.g. `input.inputs[0].text`
 * @param {Context} ctx
 */
function check(v, schema, path, ctx) {
	if (schema === true || schema === undefined) return;
	const fail = (/** @type {string} */ msg) => {
		throw new SchemaError(ctx.when ? `${msg} (${ctx.when})` : msg);
	};
	if (schema === false) fail(`${path} is not allowed`);
	const s = /** @type {Record<string, any>} */ (schema);

	if (s.type !== undefined) {
		const types = Array.isArray(s.type) ? s.type : [s.type];
		if (!types.some((t) => hasType(v, t))) {
			fail(`${path} must be ${types.map((t) => A_TYPE[t] ?? t).join(' or ')}; got ${show(v)}`);
		}
	}
	if (s.const !== undefined && !same(v, s.const)) {
		fail(`${path} must be ${show(s.const)}; got ${show(v)}`);
	}
	if (Array.isArray(s.enum) && !s.enum.some((/** @type {unknown} */ e) => same(e, v))) {
		fail(`${path} must be one of ${s.enum.join(', ')}; got ${show(v)}`);
	}
	if (typeof v === 'number') {
		const lo = s.minimum;
		const hi = s.maximum;
		if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) {
			const range =
				lo !== undefined && hi !== undefined
					? `from ${lo} to ${hi}`
					: lo !== undefined
						? `>= ${lo}`
						: `<= ${hi}`;
			fail(`${path} must be ${range}; got ${v}`);
		}
		if (s.exclusiveMinimum !== undefined && !(v > s.exclusiveMinimum)) {
			fail(`${path} must be > ${s.exclusiveMinimum}; got ${v}`);
		}
		if (s.exclusiveMaximum !== undefined && !(v < s.exclusiveMaximum)) {
			fail(`${path} must be < ${s.exclusiveMaximum}; got ${v}`);
		}
	}
	if (typeof v === 'string') {
		// Length in code points, as JSON Schema counts it.
		const len = [...v].length;
		if (s.minLength !== undefined && len < s.minLength) {
			fail(
				s.minLength === 1
					? `${path} must be a non-empty string`
					: `${path} must be at least ${s.minLength} characters long; got ${len}`,
			);
		}
		if (s.maxLength !== undefined && len > s.maxLength) {
			fail(`${path} must be at most ${s.maxLength} characters long; got ${len}`);
		}
		if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) {
			fail(`${path} must match ${s.pattern}; got ${show(v)}`);
		}
		if (s.format === 'uri') {
			const problem = ctx.uri ? ctx.uri(v, path) : plainUri(v, path);
			if (problem) fail(problem);
		}
	}
	if (Array.isArray(v)) {
		if (s.minItems !== undefined && v.length < s.minItems) {
			fail(`${path} must have at least ${s.minItems} item(s); got ${v.length}`);
		}
		if (s.maxItems !== undefined && v.length > s.maxItems) {
			fail(`${path} must have at most ${s.maxItems} item(s); got ${v.length}`);
		}
		if (s.items !== undefined) v.forEach((x, i) => check(x, s.items, `${path}[${i}]`, ctx));
	}
	if (isObject(v)) {
		const props = isObject(s.properties) ? s.properties : {};
		if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
			const extra = Object.keys(v).filter((k) => !(k in props));
			if (s.additionalProperties === false && extra.length) {
				// hiapi's wording, which clients match on: names every unknown key.
				fail(
					`${path}: additional properties not allowed: ${extra.map((k) => `'${k}'`).join(', ')}`,
				);
			}
			for (const k of extra) check(v[k], s.additionalProperties, `${path}.${k}`, ctx);
		}
		for (const k of Array.isArray(s.required) ? s.required : []) {
			if (v[k] === undefined) fail(`${path}.${k} is required for model '${ctx.model}'`);
		}
		for (const [k, sub] of Object.entries(props)) {
			if (v[k] !== undefined) check(v[k], sub, `${path}.${k}`, ctx);
		}
	}
	for (const sub of Array.isArray(s.allOf) ? s.allOf : []) check(v, sub, path, ctx);
	if (s.if !== undefined && (s.then !== undefined || s.else !== undefined)) {
		const holds = valid(v, s.if, path, ctx);
		const branch = holds ? s.then : s.else;
		if (branch !== undefined) {
			const why = `${holds ? 'when' : 'since'} ${conditionText(v, s.if, path)}`;
			check(v, branch, path, { ...ctx, when: ctx.when ? `${ctx.when}; ${why}` : why });
		}
	}
}

/** Whether v satisfies schema, without reporting. */
function valid(
	/** @type {unknown} */ v,
	/** @type {any} */ schema,
	/** @type {string} */ path,
	/** @type {Context} */ ctx,
) {
	try {
		check(v, schema, path, { ...ctx, when: undefined });
		return true;
	} catch (err) {
		if (err instanceof SchemaError) return false;
		throw err;
	}
}

/** `input.resolution is "2K"`: the fields an `if` looks at, with the values they have. */
function conditionText(
	/** @type {unknown} */ v,
	/** @type {any} */ cond,
	/** @type {string} */ path,
) {
	const obj = isObject(v) ? v : {};
	const keys = [
		...new Set([
			...Object.keys(isObject(cond?.properties) ? cond.properties : {}),
			...(Array.isArray(cond?.required) ? cond.required : []),
		]),
	];
	const parts = keys.map((k) => {
		const x = obj[k];
		if (x === undefined) return `${path}.${k} is not given`;
		return typeof x === 'object' ? `${path}.${k} is given` : `${path}.${k} is ${show(x)}`;
	});
	return parts.join(' and ') || 'that condition holds';
}

/** A `format: uri` string when the caller has no media rules: an absolute URL with a scheme. */
function plainUri(/** @type {string} */ v, /** @type {string} */ path) {
	return /^[a-z][a-z0-9+.-]*:\S+$/i.test(v) ? undefined : `${path} must be a URL; got ${show(v)}`;
}

/**
 * Validates v against schema.
 * @param {unknown} v @param {Record<string, any>} schema @param {string} path @param {Context} ctx
 * @returns {string | undefined} the first violation, or undefined when v is valid
 */
function validate(v, schema, path, ctx) {
	try {
		check(v, schema, path, ctx);
		return undefined;
	} catch (err) {
		if (err instanceof SchemaError) return err.message;
		throw err;
	}
}

/**
 * v with the schema's top-level defaults filled in (a copy; nested objects in arrays too).
 * @param {unknown} v @param {Record<string, any>} schema
 */
function withDefaults(v, schema) {
	if (Array.isArray(v) && isObject(schema?.items))
		return v.map((x) => withDefaults(x, schema.items));
	if (!isObject(v) || !isObject(schema?.properties)) return v;
	/** @type {Record<string, unknown>} */
	const out = {};
	for (const [k, sub] of Object.entries(schema.properties)) {
		if (v[k] !== undefined) out[k] = withDefaults(v[k], sub);
		else if (isObject(sub) && sub.default !== undefined) out[k] = structuredClone(sub.default);
	}
	for (const k of Object.keys(v)) if (!(k in out)) out[k] = v[k];
	return out;
}

module.exports = { validate, withDefaults, isObject };
