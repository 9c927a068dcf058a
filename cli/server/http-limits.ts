/**
 * Longest URL path parameter fastify accepts (its default, 100, answers 414 beyond). Rule namespaces
 * and group names may be 255 characters, which percent-encoded as UTF-8 take up to ~2,300; a group
 * name of 101 characters used to reach the in-process admin API as a 414 and come back as a 503.
 */
export const MAX_PARAM_LENGTH = 4096;
