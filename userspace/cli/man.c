// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab help --man': the command table as roff, the COMMANDS and EXIT
 * STATUS sections of forklab(8) (man/Makefile), so help and man page agree.
 */
#define _GNU_SOURCE	/* memmem */
#include <string.h>
#include "commands.h"

/* Text as roff: backslashes escaped, a leading '.' or '\'' not a request. */
static void fl_man_text(FILE *f, const char *s, size_t len)
{
	if (len && (*s == '.' || *s == '\''))
		fputs("\\&", f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-')
			fputs("\\-", f);	/* options stay ASCII minus when copied */
		else
			fputc(s[i], f);
	}
	fputc('\n', f);
}

/*
 * A help text as man(7): its paragraphs filled; an option list ("  --opt ARG
 * <spaces> what it does", continued further in) as tagged paragraphs; other
 * indented lines (examples) kept as they are.
 */
static void fl_man_body(FILE *f, const char *text)
{
	enum { FL_PARA, FL_OPTION, FL_VERBATIM } state = FL_PARA;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		size_t lead = strspn(text, " ");
		const char *gap = memmem(text + lead, len - lead, "  ", 2);

		if (lead > 2 && state == FL_OPTION) {
			fl_man_text(f, text + lead, len - lead);
		} else if (lead == 2 && gap) {
			if (state == FL_VERBATIM)
				fputs(".fi\n", f);
			fputs(".TP\n", f);
			fl_man_text(f, text + lead, gap - text - lead);
			gap += strspn(gap, " ");
			fl_man_text(f, gap, text + len - gap);
			state = FL_OPTION;
		} else if (lead) {
			if (state != FL_VERBATIM)
				fputs(state == FL_OPTION ? ".PP\n.nf\n" : ".nf\n", f);
			fl_man_text(f, text, len);
			state = FL_VERBATIM;
		} else {
			if (state != FL_PARA)
				fputs(state == FL_OPTION ? ".PP\n" : ".fi\n", f);
			fl_man_text(f, text, len);
			state = FL_PARA;
		}
		text += len + (nl != NULL);
	}
	if (state == FL_VERBATIM)
		fputs(".fi\n", f);
}

void fl_man_commands(FILE *f, const struct fl_command *cmds, size_t n, const char *exit_codes)
{
	fputs(".SH COMMANDS\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs(".SS \"", f);
		fputs(cmds[i].name, f);
		if (*cmds[i].args) {
			fputc(' ', f);
			fputs(cmds[i].args, f);
		}
		fputs("\"\n", f);
		fl_man_text(f, cmds[i].summary, strlen(cmds[i].summary));
		fputs(cmds[i].needs_root ? "(changes: root).\n.PP\n" : ".PP\n", f);
		fl_man_body(f, cmds[i].help);
	}
	fputs(".SH \"EXIT STATUS\"\n", f);
	/* the help's line begins "exit status: " */
	exit_codes = strchr(exit_codes, ':') + 2;
	fl_man_body(f, exit_codes);
}
