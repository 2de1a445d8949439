/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal streaming JSON writer: objects, arrays, strings, numbers. */
#ifndef FL_JSON_H
#define FL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define FL_JSON_MAX_DEPTH 16

struct fl_json {
	FILE *f;
	int depth;
	bool need_comma[FL_JSON_MAX_DEPTH];
};

void fl_json_init(struct fl_json *j, FILE *f);
/* @key is NULL inside arrays and for the top-level value. */
void fl_json_object_begin(struct fl_json *j, const char *key);
void fl_json_object_end(struct fl_json *j);
void fl_json_array_begin(struct fl_json *j, const char *key);
void fl_json_array_end(struct fl_json *j);
void fl_json_string(struct fl_json *j, const char *key, const char *val);
void fl_json_u64(struct fl_json *j, const char *key, uint64_t val);
void fl_json_i64(struct fl_json *j, const char *key, int64_t val);
void fl_json_bool(struct fl_json *j, const char *key, bool val);
/* A number, or null when it is not finite (JSON has no NaN). */
void fl_json_double(struct fl_json *j, const char *key, double val);

#endif
