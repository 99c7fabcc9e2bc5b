/*
 * cmd.h - the sohoa subcommands. These are the only functions that print:
 * results on stdout, diagnostics and progress on stderr.
 */
#ifndef SOHOA_CMD_H
#define SOHOA_CMD_H

/* Exit codes (documented in --help) */
#define EXIT_ALL_DONE 0
#define EXIT_SOME_FAILED 1
#define EXIT_USAGE 2
#define EXIT_FATAL 3

struct cmd_ctx {
    const char *data_dir;
};

int cmd_run(struct cmd_ctx *c, int argc, char **argv);
int cmd_search(struct cmd_ctx *c, int argc, char **argv);
int cmd_status(struct cmd_ctx *c, int argc, char **argv);
int cmd_text(struct cmd_ctx *c, int argc, char **argv);
int cmd_review(struct cmd_ctx *c, int argc, char **argv);
int cmd_show(struct cmd_ctx *c, int argc, char **argv);
int cmd_set(struct cmd_ctx *c, int argc, char **argv);
int cmd_extract(struct cmd_ctx *c, int argc, char **argv);
int cmd_check(struct cmd_ctx *c, int argc, char **argv);

/* shared by the commands */
struct db;
struct strbuf;
struct db *cmd_open_db(struct cmd_ctx *c, int readonly);
int cmd_parse_int(const char *s, int lo, int hi, int *out);
/* append the documents with fields to check to out (JSON array items, or
 * printed lines); returns how many, or -1 on a database error */
int cmd_review_documents(struct db *db, int json, int limit, struct strbuf *out);

#endif
