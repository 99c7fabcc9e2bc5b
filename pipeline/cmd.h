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

#endif
