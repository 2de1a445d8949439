// SPDX-License-Identifier: GPL-2.0
/* A minimal streaming JSON writer; output is one line per document. */
#include <inttypes.h>
#include <math.h>
#include "json.h"

void fl_json_init(struct fl_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void fl_json_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void fl_json_key(struct fl_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		fl_json_quoted(j->f, key);
		fputc(':', j->f);
	}
}

static void fl_json_open(struct fl_json *j, const char *key, char c)
{
	fl_json_key(j, key);
	fputc(c, j->f);
	if (j->depth < FL_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void fl_json_close(struct fl_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void fl_json_object_begin(struct fl_json *j, const char *key) { fl_json_open(j, key, '{'); }
void fl_json_object_end(struct fl_json *j) { fl_json_close(j, '}'); }
void fl_json_array_begin(struct fl_json *j, const char *key) { fl_json_open(j, key, '['); }
void fl_json_array_end(struct fl_json *j) { fl_json_close(j, ']'); }

void fl_json_string(struct fl_json *j, const char *key, const char *val)
{
	fl_json_key(j, key);
	fl_json_quoted(j->f, val);
}

void fl_json_u64(struct fl_json *j, const char *key, uint64_t val)
{
	fl_json_key(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void fl_json_i64(struct fl_json *j, const char *key, int64_t val)
{
	fl_json_key(j, key);
	fprintf(j->f, "%" PRId64, val);
}

void fl_json_bool(struct fl_json *j, const char *key, bool val)
{
	fl_json_key(j, key);
	fputs(val ? "true" : "false", j->f);
}

void fl_json_double(struct fl_json *j, const char *key, double val)
{
	fl_json_key(j, key);
	if (isfinite(val))
		fprintf(j->f, "%.10g", val);
	else
		fputs("null", j->f);
}
