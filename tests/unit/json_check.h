/* SPDX-License-Identifier: GPL-2.0 */
/* A strict JSON syntax checker for the CLI's --json output (RFC 8259 subset). */
#ifndef JSON_CHECK_H
#define JSON_CHECK_H
#include <stdbool.h>
/* True if @s is exactly one JSON value followed by optional whitespace. */
bool json_valid(const char *s);
#endif
