/*
 * sipe_driver: a headless libpurple front end that signs pidgin-sipe (the
 * Lync/OCS protocol plugin, "prpl-sipe") in to a server and lets a test drive
 * it through stdin/stdout.  Built and started by tests/interop/sipe_client.py.
 *
 *   sipe_driver --userdir DIR --user alice@parley.test --password PW
 *               --server 127.0.0.1:5061 [--login 'PARLEY\alice']
 *               [--transport tls|tcp|auto] [--auth ntlm|tls-dsk|krb5|auto]
 *               [--useragent UA] [--ca CA.pem] [--strict-cert]
 *               [--plugindir DIR] [--debug]
 *
 * SIPE account settings used (pidgin-sipe src/purple/purple-plugin-common.c):
 *   username        "<user@domain>[,<login>]"  (the login is SIPE's user split)
 *   "server"        "host[:port]"
 *   "transport"     "auto" | "tls" | "tcp"
 *   "authentication" "auto" | "ntlm" | "krb5" | "tls-dsk"
 *   "useragent"     free text (optional)
 *
 * Events on stdout, one line each, flushed (newlines inside values become
 * spaces):
 *   READY                          libpurple is up, the account is connecting
 *   PROMPT <title> | <primary> -> <answer>   a request libpurple made (the TLS
 *                                  certificate prompt among them) and the answer
 *   NOTIFY <title> | <primary> | <secondary> a notification (error dialogs)
 *   SIGNED-IN
 *   CONNECTION-ERROR <reason> (purple error <n>)   e.g. "Incompatible authentication
 *                                  scheme chosen (purple error 3)": the server did
 *                                  not offer the chosen scheme (NTLM) in its 401
 *   SIGNED-OFF                     the connection is gone (after sign-off, and also
 *                                  after a CONNECTION-ERROR)
 *   IM <from> <text>               received IM, markup stripped
 *   IM-ERROR <who> <text>          an error written to an IM conversation
 *   TYPING <from>
 *   BUDDY <name> <status-id> [message]  a buddy's status or status message
 *                                  changed; also every buddy after sign-in, after
 *                                  BUDDY-ADDED and for the `list` command. The
 *                                  message is SIPE's "message" attribute: the
 *                                  buddy's note (personal note or OOF note), after
 *                                  SIPE's activity text when it has one ("Busy -
 *                                  In the lab", or "In a meeting - ..."), markup
 *                                  stripped; empty when there is none. Status ids
 *                                  are SIPE's: available, busy, do-not-disturb,
 *                                  away, be-right-back, offline, ...
 *   BUDDY-ADDED <name> <group>     a buddy was added to the list (by the server's
 *                                  contact list or by the `add` command)
 *   BUDDY-REMOVED <name>
 *   AUTHORIZE <who>                someone asked to see our presence: allowed
 *   BLOCKED <name> yes|no          answer to `blocked`: whether libpurple's deny
 *                                  list (which SIPE keeps in step with the
 *                                  server's container 32000) has <name>
 *   LIST-END                       end of the `list` answer
 *   CHAT-JOINED <chat-id> <name>   a chat window opened (libpurple "chat-joined"):
 *                                  SIPE opens it on the conference's first NOTIFY;
 *                                  <name> is SIPE's title, "Chat #<n>"
 *   CHAT-USER-JOINED <chat-id> <user>  a user entered the chat roster ("chat-buddy-
 *                                  joined"), ourselves and those already there included
 *   CHAT-USER-OP <chat-id> <user>  the user became an operator (SIPE: a presenter
 *                                  with a connected chat endpoint)
 *   CHAT-USER-LEFT <chat-id> <user>    a user left the roster ("chat-buddy-left");
 *                                  when SIPE closes a conference it clears the
 *                                  whole roster, ourselves included
 *   CHAT-MSG <chat-id> <sender> <text> a chat message ("received-chat-msg"), markup
 *                                  stripped; SIPE shows our own messages at once, so
 *                                  each chat-send is followed by a CHAT-MSG from
 *                                  ourselves (a second one would be an MCU echo)
 *   CHAT-TOPIC <chat-id> <topic>   the topic (the conference subject) changed;
 *                                  SIPE sets it again with every conference NOTIFY,
 *                                  reported only when it differs from the last one
 *   CHAT-SYSTEM <chat-id> <text>   a system line in the chat: SIPE's lock notices
 *                                  ("This conference is locked. ...", "This conference
 *                                  is no longer locked. ..."), "You have been
 *                                  disconnected from this conference.", libpurple's
 *                                  "<user> entered the room." / "... left the room."
 *   CHAT-ERROR <chat-id> <text>    an error line in the chat (e.g. an undelivered
 *                                  message)
 *   CHAT-LEFT <chat-id> left|disconnected|closed   once per chat: `chat-leave`
 *                                  (left); SIPE's "You have been disconnected" without
 *                                  a chat-leave (disconnected: the IM MCU sent BYE,
 *                                  e.g. we were removed; the chat id stays valid, with
 *                                  an empty roster, until chat-leave); libpurple's
 *                                  "chat-left" otherwise (closed)
 *   CHAT-USERS <chat-id> <user>[(op)] ...  answer to `chat-users`
 *   OK <command> ...               a command was handed to SIPE; it comes before
 *                                  any event the command causes
 *   ERROR <command> <why>          a command could not be run
 *   FATAL <why>                    the driver cannot work at all (exit code 2)
 *
 * Commands on stdin, one per line:
 *   im <to> <text>       typing <to>        add <buddy> <group>
 *   remove <buddy>       list               status <id> [message]
 *   block <who>          unblock <who>      blocked <who>
 *   chat-new <buddy>     chat-invite <chat-id> <buddy>
 *   chat-send <chat-id> <text>               chat-leave <chat-id>
 *   chat-lock <chat-id>  chat-unlock <chat-id>  chat-users <chat-id>
 *   chat-remove <chat-id> <buddy>            chat-leader <chat-id> <buddy>
 *   quit                 (sign off cleanly, exit 0; so does EOF and SIGTERM)
 * `block` puts <who> on the account's deny list (purple_privacy_deny), which
 * pidgin-sipe (OCS 2007+ mode) turns into a SERVICE request with a
 * setContainerMembers body adding the user to container 32000 (Blocked);
 * `unblock` takes <who> off it again (purple_privacy_allow), and SIPE sends a
 * setContainerMembers removing the user from container 32000, so the user's
 * access level falls back to the default. Both answer `OK block <who>` /
 * `OK unblock <who>`, or `ERROR block <who> is already blocked` / `ERROR
 * unblock <who> is not blocked` when there is nothing to change (SIPE would
 * send nothing).
 * Chats (multiparty IM; OCS 2007+ servers: conferences, see
 * docs/research/issue7-conferencing-sipe.md). <chat-id> is libpurple's chat id
 * (purple_conv_chat_get_id), a number; an unknown one gives `ERROR <command>
 * <chat-id> no such chat`. The commands act as a Pidgin user would:
 *   chat-new <buddy>     the buddy menu's "New chat" (SIPE_BUDDY_MENU_NEW_CHAT,
 *                        from prpl_info->blist_node_menu, its callback called as
 *                        Pidgin calls it; a buddy not on the list gets a transient
 *                        PurpleBuddy). With OCS 2007+ SIPE sends SERVICE
 *                        addConference to the provisioned focusFactoryUri (the
 *                        Request-URI is "(null)" when none was provisioned); the
 *                        chat opens (CHAT-JOINED) on the conference's first NOTIFY
 *                        and <buddy> gets the conference invitation after that.
 *   chat-invite <chat-id> <buddy>   /invite in the chat (serv_chat_invite): an
 *                        INVITE with an application/ms-conf-invite+xml body to
 *                        the buddy's address (SIPE's buddy menu hides "Invite to"
 *                        while the conference is locked; /invite does not)
 *   chat-send <chat-id> <text>      typing into the chat (purple_conv_chat_send):
 *                        a MESSAGE in the IM MCU dialog
 *   chat-leave <chat-id>            closing the chat window
 *                        (purple_conversation_destroy): SIPE unsubscribes (Expires:
 *                        0) and sends BYE to the focus and the IM MCU
 *   chat-lock / chat-unlock <chat-id>  the chat menu's "Lock" / "Unlock" (the
 *                        protocol's blist_node_menu for a transient PurpleChat, as
 *                        Pidgin's conversation menu does): INFO in the focus
 *                        dialog with modifyConferenceLock. SIPE offers them only
 *                        to an operator, "Lock" only when unlocked and "Unlock"
 *                        only when locked (as the last NOTIFY said): otherwise
 *                        ERROR, listing the entries SIPE did offer
 *   chat-remove <chat-id> <buddy>   the buddy menu's "Remove from '<chat title>'"
 *                        (SIPE_BUDDY_MENU_REMOVE_FROM_CHAT): INFO in the focus
 *                        dialog with deleteUser. Offered only for a buddy in this
 *                        conference's roster while we are an operator
 *   chat-leader <chat-id> <buddy>   the buddy menu's "Make leader of '<chat
 *                        title>'": INFO with modifyUserRoles (presenter); offered
 *                        for a member who is not an operator while we are one
 *   chat-users <chat-id>  prints CHAT-USERS with the current roster
 * Names without a "sip:" prefix get one.  Status ids: available, busy,
 * dnd (SIPE's do-not-disturb), away, brb (be-right-back), offline (SIPE's
 * "appear offline", i.e. invisible: the account stays signed in), or any other
 * SIPE status id verbatim; the message is the personal note SIPE publishes
 * (category "note", containers 200/300/400) with the state, and an empty one
 * clears it. `status` first tells SIPE the user is active (the protocol's
 * set_idle(0)), so SIPE publishes the change at once (a SERVICE with an
 * msrtc-category-publish+xml body) instead of after its 1-2 s idle-detection
 * delay: time from `OK status` to a watcher's BUDDY line is the server's.
 *
 * --debug sends libpurple/SIPE debug output to stderr; with the environment
 * variable PURPLE_UNSAFE_DEBUG=1 SIPE also logs every SIP message it sends and
 * receives.
 *
 * pidgin-sipe 1.25 with Debian 12's libxml2 needs tests/interop/sipe/sax_shim.so
 * in LD_PRELOAD, or it cannot parse any XML body.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include <purple.h>

#define UI_ID "parley-sipe-driver"
#define PRPL_ID "prpl-sipe"

/* ------------------------------------------------------------------ options */

static gchar *opt_userdir;
static gchar *opt_user;
static gchar *opt_login;
static gchar *opt_password;
static gchar *opt_server;
static gchar *opt_transport = "tls";
static gchar *opt_auth = "ntlm";
static gchar *opt_useragent;
static gchar *opt_ca;
static gchar **opt_plugindirs;
static gboolean opt_strict_cert;
static gboolean opt_debug;

static GOptionEntry option_entries[] = {
	{ "userdir", 0, 0, G_OPTION_ARG_FILENAME, &opt_userdir,
	  "private libpurple user directory (required)", "DIR" },
	{ "user", 0, 0, G_OPTION_ARG_STRING, &opt_user,
	  "SIP address, user@domain (required)", "USER@DOMAIN" },
	{ "login", 0, 0, G_OPTION_ARG_STRING, &opt_login,
	  "separate login name, e.g. DOMAIN\\user", "LOGIN" },
	{ "password", 0, 0, G_OPTION_ARG_STRING, &opt_password, "password", "PW" },
	{ "server", 0, 0, G_OPTION_ARG_STRING, &opt_server,
	  "server, host[:port] (empty: SIPE's auto-discovery)", "HOST:PORT" },
	{ "transport", 0, 0, G_OPTION_ARG_STRING, &opt_transport,
	  "tls (default), tcp or auto", "T" },
	{ "auth", 0, 0, G_OPTION_ARG_STRING, &opt_auth,
	  "ntlm (default), tls-dsk, krb5 or auto", "A" },
	{ "authentication", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_auth,
	  "same as --auth", "A" },
	{ "useragent", 0, 0, G_OPTION_ARG_STRING, &opt_useragent,
	  "User-Agent SIPE sends (default: its own)", "UA" },
	{ "ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca,
	  "trust this CA certificate (PEM) for the server's TLS certificate", "PEM" },
	{ "cert", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &opt_ca,
	  "same as --ca", "PEM" },
	{ "strict-cert", 0, 0, G_OPTION_ARG_NONE, &opt_strict_cert,
	  "reject certificate prompts instead of accepting them", NULL },
	{ "plugindir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_plugindirs,
	  "extra libpurple plugin directory (repeatable)", "DIR" },
	{ "debug", 0, 0, G_OPTION_ARG_NONE, &opt_debug,
	  "libpurple and SIPE debug output on stderr", NULL },
	{ NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* ------------------------------------------------------------------ state */

static GMainLoop *main_loop;
static PurpleAccount *account;
static gboolean quitting;
static int exit_code;
static int signal_handle;   /* address used as the handle of our signal callbacks */

/* ------------------------------------------------------------------ output */

/* One event line on stdout: line breaks inside become spaces, trailing blanks go. */
static void emit(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void emit(const char *fmt, ...)
{
	va_list ap;
	gchar *line, *p;

	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	for (p = line; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	g_strchomp(line);
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	g_free(line);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Plain text of an HTML-ish message (the caller frees it). */
static gchar *plain_text(const char *html)
{
	gchar *stripped = purple_markup_strip_html(nz(html));
	gchar *text = purple_unescape_html(stripped);

	g_free(stripped);
	return text ? text : g_strdup("");
}

static gchar *sip_uri(const char *name)
{
	if (g_str_has_prefix(name, "sip:"))
		return g_strdup(name);
	return g_strconcat("sip:", name, NULL);
}

/* ------------------------------------------------------------------ event loop */

typedef struct {
	PurpleInputFunction func;
	gpointer data;
	int fd;
} InputWatch;

static gboolean input_dispatch(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	InputWatch *w = data;
	PurpleInputCondition pc = 0;

	(void)ch;
	if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_PRI))
		pc |= PURPLE_INPUT_READ;
	if (cond & (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL))
		pc |= PURPLE_INPUT_WRITE;
	w->func(w->data, w->fd, pc);
	return TRUE;
}

static guint loop_input_add(int fd, PurpleInputCondition cond,
			    PurpleInputFunction func, gpointer data)
{
	InputWatch *w = g_new0(InputWatch, 1);
	GIOCondition gc = 0;
	GIOChannel *ch;
	guint id;

	w->func = func;
	w->data = data;
	w->fd = fd;
	if (cond & PURPLE_INPUT_READ)
		gc |= G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_PRI;
	if (cond & PURPLE_INPUT_WRITE)
		gc |= G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
	ch = g_io_channel_unix_new(fd);
	id = g_io_add_watch_full(ch, G_PRIORITY_DEFAULT, gc, input_dispatch, w, g_free);
	g_io_channel_unref(ch);
	return id;
}

static gboolean loop_source_remove(guint id)
{
	return g_source_remove(id);
}

static PurpleEventLoopUiOps loop_ops = {
	.timeout_add = g_timeout_add,
	.timeout_remove = loop_source_remove,
	.input_add = loop_input_add,
	.input_remove = loop_source_remove,
	.input_get_error = NULL,
	.timeout_add_seconds = g_timeout_add_seconds,
};

/* ------------------------------------------------------------------ debug */

static gboolean debug_wanted(PurpleDebugLevel level, const char *category)
{
	(void)level;
	(void)category;
	return opt_debug || purple_debug_is_unsafe();
}

static void debug_print(PurpleDebugLevel level, const char *category, const char *text)
{
	static const char *const names[] = { "all", "misc", "info", "warning", "error", "fatal" };
	const char *name = (level >= 0 && level < (int)G_N_ELEMENTS(names)) ? names[level] : "?";
	gint64 now = g_get_real_time();

	if (!debug_wanted(level, category))
		return;
	fprintf(stderr, "%02d:%02d:%02d.%03d %s %s: %s%s",
		(int)((now / 3600000000LL) % 24), (int)((now / 60000000) % 60),
		(int)((now / 1000000) % 60), (int)((now / 1000) % 1000),
		name, nz(category), nz(text),
		(text && *text && text[strlen(text) - 1] == '\n') ? "" : "\n");
	fflush(stderr);
}

/* libpurple's own console output (purple_debug_set_enabled) goes to stdout,
   which is the event channel here: debug output only goes through these ops,
   and purple_debug_set_verbose() tells SIPE that debugging is wanted. */
static PurpleDebugUiOps debug_ops = {
	.print = debug_print,
	.is_enabled = debug_wanted,
};

/* ------------------------------------------------------------------ requests */

/* A request libpurple made; it is answered from an idle callback, after
   purple_request_* has registered our handle, then closed. */
typedef struct {
	PurpleRequestType type;
	GCallback cb;
	void *user_data;
	int action;                 /* for actions: the chosen index */
	PurpleRequestFields *fields;
	gboolean closed;            /* libpurple closed it before we answered */
	gboolean answering;
} PendingRequest;

static GList *pending_requests;

static gboolean answer_request(gpointer data)
{
	PendingRequest *r = data;

	if (!r->closed && r->cb) {
		r->answering = TRUE;
		switch (r->type) {
		case PURPLE_REQUEST_ACTION:
			((PurpleRequestActionCb)r->cb)(r->user_data, r->action);
			break;
		case PURPLE_REQUEST_FIELDS:
			((PurpleRequestFieldsCb)r->cb)(r->user_data, r->fields);
			break;
		case PURPLE_REQUEST_INPUT:
			((PurpleRequestInputCb)r->cb)(r->user_data, NULL);
			break;
		default:
			break;
		}
		r->answering = FALSE;
	}
	if (!r->closed)
		purple_request_close(r->type, r);  /* calls close_request: marks it closed */
	pending_requests = g_list_remove(pending_requests, r);
	g_free(r);
	return FALSE;
}

static PendingRequest *queue_answer(PurpleRequestType type, GCallback cb, void *user_data)
{
	PendingRequest *r = g_new0(PendingRequest, 1);

	r->type = type;
	r->cb = cb;
	r->user_data = user_data;
	pending_requests = g_list_prepend(pending_requests, r);
	g_idle_add(answer_request, r);
	return r;
}

static void request_close(PurpleRequestType type, void *ui_handle)
{
	PendingRequest *r = ui_handle;

	(void)type;
	if (g_list_find(pending_requests, r))
		r->closed = TRUE;
}

/* Labels look like "_Accept": compare without mnemonics, case-insensitively. */
static gboolean label_is(const char *label, const char *word)
{
	gchar *clean = purple_strreplace(nz(label), "_", "");
	gboolean same = g_ascii_strcasecmp(clean, word) == 0;

	g_free(clean);
	return same;
}

static void *request_action_common(const char *title, const char *primary,
				   const char *secondary, int default_action,
				   void *user_data, size_t count, va_list actions)
{
	static const char *const accept_words[] = { "Accept", "OK", "Yes", "Allow", "Authorize" };
	static const char *const reject_words[] = { "Reject", "Cancel", "No", "Deny" };
	const char *const *wanted = opt_strict_cert && g_strcmp0(title, "SSL Certificate Verification") == 0
		? reject_words : accept_words;
	size_t nwanted = wanted == reject_words ? G_N_ELEMENTS(reject_words) : G_N_ELEMENTS(accept_words);
	const char **labels = g_new0(const char *, count + 1);
	GCallback *cbs = g_new0(GCallback, count + 1);
	int chosen = -1;
	size_t i, w;
	PendingRequest *r;

	for (i = 0; i < count; i++) {
		labels[i] = va_arg(actions, const char *);
		cbs[i] = va_arg(actions, GCallback);
	}
	for (w = 0; w < nwanted && chosen < 0; w++)
		for (i = 0; i < count && chosen < 0; i++)
			if (label_is(labels[i], wanted[w]))
				chosen = (int)i;
	if (chosen < 0)
		chosen = (default_action >= 0 && (size_t)default_action < count) ? default_action : 0;

	emit("PROMPT %s | %s | %s -> %s", nz(title), nz(primary), nz(secondary),
	     count ? nz(labels[chosen]) : "(no choices)");
	r = queue_answer(PURPLE_REQUEST_ACTION, count ? cbs[chosen] : NULL, user_data);
	r->action = chosen;
	g_free(labels);
	g_free(cbs);
	return r;
}

static void *request_action(const char *title, const char *primary, const char *secondary,
			    int default_action, PurpleAccount *acct, const char *who,
			    PurpleConversation *conv, void *user_data,
			    size_t count, va_list actions)
{
	(void)acct;
	(void)who;
	(void)conv;
	return request_action_common(title, primary, secondary, default_action,
				     user_data, count, actions);
}

static void *request_action_with_icon(const char *title, const char *primary,
				      const char *secondary, int default_action,
				      PurpleAccount *acct, const char *who,
				      PurpleConversation *conv, gconstpointer icon_data,
				      gsize icon_size, void *user_data,
				      size_t count, va_list actions)
{
	(void)acct;
	(void)who;
	(void)conv;
	(void)icon_data;
	(void)icon_size;
	return request_action_common(title, primary, secondary, default_action,
				     user_data, count, actions);
}

/* Forms (e.g. SIPE's password prompt) and text input are cancelled. */
static void *request_fields(const char *title, const char *primary, const char *secondary,
			    PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
			    const char *cancel_text, GCallback cancel_cb, PurpleAccount *acct,
			    const char *who, PurpleConversation *conv, void *user_data)
{
	PendingRequest *r;

	(void)ok_text;
	(void)ok_cb;
	(void)acct;
	(void)who;
	(void)conv;
	emit("PROMPT %s | %s | %s -> %s", nz(title), nz(primary), nz(secondary),
	     nz(cancel_text));
	r = queue_answer(PURPLE_REQUEST_FIELDS, cancel_cb, user_data);
	r->fields = fields;
	return r;
}

static void *request_input(const char *title, const char *primary, const char *secondary,
			   const char *default_value, gboolean multiline, gboolean masked,
			   gchar *hint, const char *ok_text, GCallback ok_cb,
			   const char *cancel_text, GCallback cancel_cb, PurpleAccount *acct,
			   const char *who, PurpleConversation *conv, void *user_data)
{
	(void)default_value;
	(void)multiline;
	(void)masked;
	(void)hint;
	(void)ok_text;
	(void)ok_cb;
	(void)acct;
	(void)who;
	(void)conv;
	emit("PROMPT %s | %s | %s -> %s", nz(title), nz(primary), nz(secondary),
	     nz(cancel_text));
	return queue_answer(PURPLE_REQUEST_INPUT, cancel_cb, user_data);
}

static PurpleRequestUiOps request_ops = {
	.request_input = request_input,
	.request_action = request_action,
	.request_fields = request_fields,
	.close_request = request_close,
	.request_action_with_icon = request_action_with_icon,
};

/* ------------------------------------------------------------------ notify */

static void *notify_message(PurpleNotifyMsgType type, const char *title,
			    const char *primary, const char *secondary)
{
	(void)type;
	emit("NOTIFY %s | %s | %s", nz(title), nz(primary), nz(secondary));
	return NULL;   /* no window: libpurple runs any close callback right away */
}

static void *notify_formatted(const char *title, const char *primary,
			      const char *secondary, const char *text)
{
	gchar *plain = plain_text(text);

	emit("NOTIFY %s | %s | %s | %s", nz(title), nz(primary), nz(secondary), plain);
	g_free(plain);
	return NULL;
}

static PurpleNotifyUiOps notify_ops = {
	.notify_message = notify_message,
	.notify_formatted = notify_formatted,
};

/* ------------------------------------------------------------------ accounts */

/* Someone asks to see our presence: allow it, so presence tests can proceed. */
static void *request_authorize(PurpleAccount *acct, const char *remote_user, const char *id,
			       const char *alias, const char *message, gboolean on_list,
			       PurpleAccountRequestAuthorizationCb authorize_cb,
			       PurpleAccountRequestAuthorizationCb deny_cb, void *user_data)
{
	(void)acct;
	(void)id;
	(void)alias;
	(void)message;
	(void)on_list;
	(void)deny_cb;
	emit("AUTHORIZE %s", nz(remote_user));
	if (authorize_cb)
		authorize_cb(user_data);
	return NULL;
}

static PurpleAccountUiOps account_ops = {
	.request_authorize = request_authorize,
};

/* ------------------------------------------------------------------ chats */

/* Conversation data keys of the driver's own (SIPE keeps its session under "sipe"). */
#define CHAT_LEFT_KEY "parley-driver-left"        /* CHAT-LEFT was reported */
#define CHAT_LEAVING_KEY "parley-driver-leaving"  /* `chat-leave` closes it */
#define CHAT_TOPIC_KEY "parley-driver-topic"      /* last CHAT-TOPIC (g_strdup) */
#define SIPE_CHAT_SESSION_KEY "sipe"              /* purple-chat.c SIPE_PURPLE_KEY_CHAT_SESSION */
#define SIPE_DISCONNECTED_TEXT "You have been disconnected from this conference"

static gboolean is_our_chat(PurpleConversation *conv)
{
	return conv && account && purple_conversation_get_account(conv) == account
	       && purple_conversation_get_type(conv) == PURPLE_CONV_TYPE_CHAT;
}

static int chat_id_of(PurpleConversation *conv)
{
	return purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv));
}

/* CHAT-LEFT once per conversation (until it is joined again). */
static void report_chat_left(PurpleConversation *conv, const char *how)
{
	if (purple_conversation_get_data(conv, CHAT_LEFT_KEY))
		return;
	purple_conversation_set_data(conv, CHAT_LEFT_KEY, GINT_TO_POINTER(1));
	if (purple_conversation_get_data(conv, CHAT_LEAVING_KEY))
		how = "left";
	emit("CHAT-LEFT %d %s", chat_id_of(conv), how);
}

/* System and error lines SIPE or libpurple write into a chat window. */
static void write_chat_line(PurpleConversation *conv, const char *message,
			    PurpleMessageFlags flags)
{
	gchar *text;

	if (!(flags & (PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_ERROR)))
		return;   /* chat messages: reported from "received-chat-msg" */
	text = plain_text(message);
	emit("%s %d %s", (flags & PURPLE_MESSAGE_ERROR) ? "CHAT-ERROR" : "CHAT-SYSTEM",
	     chat_id_of(conv), text);
	/* sipe_conf_immcu_closed: the IM MCU's BYE (removed, conference ended)
	   or our own leave; SIPE only clears the roster, the window stays */
	if (strstr(text, SIPE_DISCONNECTED_TEXT))
		report_chat_left(conv, "disconnected");
	g_free(text);
}

static void on_chat_joined(PurpleConversation *conv, void *data)
{
	(void)data;
	if (!is_our_chat(conv))
		return;
	purple_conversation_set_data(conv, CHAT_LEFT_KEY, NULL);
	purple_conversation_set_data(conv, CHAT_LEAVING_KEY, NULL);
	emit("CHAT-JOINED %d %s", chat_id_of(conv), nz(purple_conversation_get_name(conv)));
}

static void on_chat_left(PurpleConversation *conv, void *data)
{
	(void)data;
	if (is_our_chat(conv))
		report_chat_left(conv, "closed");
}

static void on_chat_buddy_joined(PurpleConversation *conv, const char *name,
				 PurpleConvChatBuddyFlags flags, gboolean new_arrival,
				 void *data)
{
	(void)new_arrival;
	(void)data;
	if (!is_our_chat(conv))
		return;
	emit("CHAT-USER-JOINED %d %s", chat_id_of(conv), nz(name));
	if (flags & PURPLE_CBFLAGS_OP)
		emit("CHAT-USER-OP %d %s", chat_id_of(conv), nz(name));
}

static void on_chat_buddy_left(PurpleConversation *conv, const char *name,
			       const char *reason, void *data)
{
	(void)reason;
	(void)data;
	if (is_our_chat(conv))
		emit("CHAT-USER-LEFT %d %s", chat_id_of(conv), nz(name));
}

static void on_chat_buddy_flags(PurpleConversation *conv, const char *name,
				PurpleConvChatBuddyFlags oldflags,
				PurpleConvChatBuddyFlags newflags, void *data)
{
	(void)data;
	if (is_our_chat(conv) && (newflags & PURPLE_CBFLAGS_OP) && !(oldflags & PURPLE_CBFLAGS_OP))
		emit("CHAT-USER-OP %d %s", chat_id_of(conv), nz(name));
}

static void on_received_chat_msg(PurpleAccount *acct, char *sender, char *message,
				 PurpleConversation *conv, PurpleMessageFlags flags,
				 void *data)
{
	gchar *text;

	(void)flags;
	(void)data;
	if (acct != account || !is_our_chat(conv))
		return;
	text = plain_text(message);
	emit("CHAT-MSG %d %s %s", chat_id_of(conv), nz(sender), text);
	g_free(text);
}

static void on_chat_topic_changed(PurpleConversation *conv, const char *who,
				  const char *topic, void *data)
{
	gchar *text;

	(void)who;
	(void)data;
	if (!is_our_chat(conv))
		return;
	/* SIPE sets the subject again with every conference NOTIFY: report changes */
	text = plain_text(topic);
	if (g_strcmp0(purple_conversation_get_data(conv, CHAT_TOPIC_KEY), text) != 0) {
		emit("CHAT-TOPIC %d %s", chat_id_of(conv), text);
		g_free(purple_conversation_get_data(conv, CHAT_TOPIC_KEY));
		purple_conversation_set_data(conv, CHAT_TOPIC_KEY, text);
	} else {
		g_free(text);
	}
}

static void on_deleting_conversation(PurpleConversation *conv, void *data)
{
	(void)data;
	if (is_our_chat(conv)) {
		g_free(purple_conversation_get_data(conv, CHAT_TOPIC_KEY));
		purple_conversation_set_data(conv, CHAT_TOPIC_KEY, NULL);
	}
}

/* ------------------------------------------------------------------ conversations */

static void write_conv(PurpleConversation *conv, const char *name, const char *alias,
		       const char *message, PurpleMessageFlags flags, time_t mtime)
{
	(void)alias;
	(void)mtime;
	if (is_our_chat(conv)) {
		write_chat_line(conv, message, flags);
		return;
	}
	if (flags & PURPLE_MESSAGE_ERROR) {
		gchar *text = plain_text(message);
		emit("IM-ERROR %s %s", name ? name : purple_conversation_get_name(conv), text);
		g_free(text);
	}
}

static PurpleConversationUiOps conversation_ops = {
	.write_conv = write_conv,
};

/* ------------------------------------------------------------------ buddies */

/* name -> "<status-id> <message>" last reported, so that a change libpurple
   signals twice (status signal and list update) is reported once */
static GHashTable *last_reported;

/* BUDDY line for one buddy: always when `force`, else only if its status id
   or message differs from what was last reported for it. */
static void report_buddy(PurpleBuddy *buddy, gboolean force)
{
	PurplePresence *presence = purple_buddy_get_presence(buddy);
	PurpleStatus *status = presence ? purple_presence_get_active_status(presence) : NULL;
	const char *message = status ? purple_status_get_attr_string(status, "message") : NULL;
	gchar *text = plain_text(message);
	const char *name = purple_buddy_get_name(buddy);
	gchar *line = g_strdup_printf("%s %s", status ? purple_status_get_id(status) : "unknown",
				      text);
	const char *last = g_hash_table_lookup(last_reported, name);

	if (force || g_strcmp0(last, line) != 0) {
		emit("BUDDY %s %s", name, line);
		g_hash_table_replace(last_reported, g_strdup(name), line);
	} else {
		g_free(line);
	}
	g_free(text);
}

static void report_all_buddies(void)
{
	GSList *buddies = purple_find_buddies(account, NULL), *l;

	for (l = buddies; l; l = l->next)
		report_buddy(l->data, TRUE);
	g_slist_free(buddies);
}

static void on_buddy_status_changed(PurpleBuddy *buddy, PurpleStatus *old_status,
				    PurpleStatus *new_status, void *data)
{
	(void)old_status;
	(void)new_status;
	(void)data;
	if (purple_buddy_get_account(buddy) == account)
		report_buddy(buddy, FALSE);
}

/* libpurple signals "buddy-status-changed" only when the active status
   changes; a new note under the same status (SIPE updates the "message"
   attribute) only reaches the list's UI update: report that too. */
static void blist_update(PurpleBuddyList *list, PurpleBlistNode *node)
{
	(void)list;
	if (account && node && PURPLE_BLIST_NODE_IS_BUDDY(node)
	    && purple_buddy_get_account((PurpleBuddy *)node) == account)
		report_buddy((PurpleBuddy *)node, FALSE);
}

static PurpleBlistUiOps blist_ops = {
	.update = blist_update,
};

static void on_buddy_added(PurpleBuddy *buddy, void *data)
{
	PurpleGroup *group = purple_buddy_get_group(buddy);

	(void)data;
	if (purple_buddy_get_account(buddy) != account)
		return;
	emit("BUDDY-ADDED %s %s", purple_buddy_get_name(buddy),
	     group ? purple_group_get_name(group) : "");
	report_buddy(buddy, TRUE);
}

static void on_buddy_removed(PurpleBuddy *buddy, void *data)
{
	(void)data;
	if (purple_buddy_get_account(buddy) == account) {
		emit("BUDDY-REMOVED %s", purple_buddy_get_name(buddy));
		g_hash_table_remove(last_reported, purple_buddy_get_name(buddy));
	}
}

/* ------------------------------------------------------------------ connection */

static void on_signed_on(PurpleConnection *gc, void *data)
{
	(void)data;
	if (purple_connection_get_account(gc) != account)
		return;
	emit("SIGNED-IN");
	report_all_buddies();
}

static void on_signed_off(PurpleConnection *gc, void *data)
{
	(void)data;
	if (purple_connection_get_account(gc) == account)
		emit("SIGNED-OFF");
}

static void on_connection_error(PurpleConnection *gc, PurpleConnectionError err,
				const char *desc, void *data)
{
	(void)data;
	if (purple_connection_get_account(gc) == account)
		emit("CONNECTION-ERROR %s (purple error %d)", nz(desc), (int)err);
}

static void on_received_im(PurpleAccount *acct, char *sender, char *message,
			   PurpleConversation *conv, PurpleMessageFlags flags, void *data)
{
	gchar *text;

	(void)conv;
	(void)flags;
	(void)data;
	if (acct != account)
		return;
	text = plain_text(message);
	emit("IM %s %s", nz(sender), text);
	g_free(text);
}

static void on_buddy_typing(PurpleAccount *acct, const char *name, void *data)
{
	(void)data;
	if (acct == account)
		emit("TYPING %s", nz(name));
}

/* ------------------------------------------------------------------ commands */

static PurpleConnection *connection_or_error(const char *cmd)
{
	PurpleConnection *gc = purple_account_get_connection(account);

	if (!gc || purple_connection_get_state(gc) != PURPLE_CONNECTED) {
		emit("ERROR %s not signed in", cmd);
		return NULL;
	}
	return gc;
}

static void cmd_im(const char *to_arg, const char *text)
{
	gchar *to, *escaped;
	PurpleConversation *conv;

	if (!connection_or_error("im"))
		return;
	to = sip_uri(to_arg);
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, to, account);
	if (!conv)
		conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account, to);
	escaped = g_markup_escape_text(text, -1);
	purple_conv_im_send(PURPLE_CONV_IM(conv), escaped);
	emit("OK im %s", to);
	g_free(escaped);
	g_free(to);
}

static void cmd_typing(const char *to_arg)
{
	PurpleConnection *gc = connection_or_error("typing");
	gchar *to;

	if (!gc)
		return;
	to = sip_uri(to_arg);
	serv_send_typing(gc, to, PURPLE_TYPING);
	emit("OK typing %s", to);
	g_free(to);
}

static void cmd_add(const char *name_arg, const char *group_name)
{
	gchar *name;
	PurpleGroup *group;
	PurpleBuddy *buddy;

	if (!connection_or_error("add"))
		return;
	name = sip_uri(name_arg);
	group = purple_find_group(group_name);
	if (!group) {
		group = purple_group_new(group_name);
		purple_blist_add_group(group, NULL);
	}
	buddy = purple_find_buddy_in_group(account, name, group);
	if (buddy) {
		emit("ERROR add %s is already in %s", name, group_name);
	} else {
		buddy = purple_buddy_new(account, name, NULL);
		purple_blist_add_buddy(buddy, NULL, group, NULL);
		purple_account_add_buddy(account, buddy);
		emit("OK add %s %s", name, group_name);
	}
	g_free(name);
}

static void cmd_remove(const char *name_arg)
{
	gchar *name;
	GSList *buddies, *l;

	if (!connection_or_error("remove"))
		return;
	name = sip_uri(name_arg);
	buddies = purple_find_buddies(account, name);
	if (!buddies)
		emit("ERROR remove %s is not on the list", name);
	for (l = buddies; l; l = l->next) {
		PurpleBuddy *buddy = l->data;
		purple_account_remove_buddy(account, buddy, purple_buddy_get_group(buddy));
		purple_blist_remove_buddy(buddy);
	}
	if (buddies)
		emit("OK remove %s", name);
	g_slist_free(buddies);
	g_free(name);
}

static void cmd_status(const char *id_arg, const char *message)
{
	static const char *const aliases[][2] = {
		{ "dnd", "do-not-disturb" },
		{ "brb", "be-right-back" },
		{ "offline", "invisible" },   /* SIPE's "Appear Offline" */
		{ "appear-offline", "invisible" },
	};
	const char *id = id_arg;
	PurpleConnection *gc = connection_or_error("status");
	PurplePluginProtocolInfo *prpl_info;
	size_t i;

	if (!gc)
		return;
	for (i = 0; i < G_N_ELEMENTS(aliases); i++)
		if (g_ascii_strcasecmp(id_arg, aliases[i][0]) == 0)
			id = aliases[i][1];
	if (!purple_account_get_status_type(account, id)) {
		emit("ERROR status unknown status id %s", id);
		return;
	}
	/* pidgin-sipe defers a status change by one to two seconds (a one-second
	   g_timeout_add_seconds) to tell a user's change from an idle-away, unless
	   the protocol's set_idle(0) just said the user is active, as libpurple
	   does when a user comes back. Say so, so that SIPE publishes at once. */
	prpl_info = PURPLE_PLUGIN_PROTOCOL_INFO(purple_connection_get_prpl(gc));
	if (prpl_info && prpl_info->set_idle)
		prpl_info->set_idle(gc, 0);
	if (message && *message)
		purple_account_set_status(account, id, TRUE, "message", message, NULL);
	else
		purple_account_set_status(account, id, TRUE, NULL);
	emit("OK status %s %s", id, nz(message));
}

/* block/unblock: libpurple's privacy list; SIPE's add_deny / rem_deny send
   the setContainerMembers SERVICE (container 32000). */
static void cmd_block(const char *who_arg, gboolean block)
{
	const char *cmd = block ? "block" : "unblock";
	gchar *who;
	gboolean allowed;

	if (!connection_or_error(cmd))
		return;
	who = sip_uri(who_arg);
	allowed = purple_privacy_check(account, who);
	if (block && !allowed) {
		emit("ERROR block %s is already blocked", who);
	} else if (!block && allowed) {
		emit("ERROR unblock %s is not blocked", who);
	} else {
		if (block)
			purple_privacy_deny(account, who, FALSE, TRUE);
		else
			purple_privacy_allow(account, who, FALSE, TRUE);
		if (purple_privacy_check(account, who) == block)
			emit("ERROR %s %s libpurple's privacy list did not change", cmd, who);
		else
			emit("OK %s %s", cmd, who);
	}
	g_free(who);
}

static void cmd_blocked(const char *who_arg)
{
	gchar *who = sip_uri(who_arg);

	emit("BLOCKED %s %s", who, purple_privacy_check(account, who) ? "no" : "yes");
	g_free(who);
}

/* --- chat commands: they act as a Pidgin user would, through the protocol's
   chat functions (serv_chat_*) or the menus SIPE builds for a buddy or a chat
   (prpl_info->blist_node_menu, the entries' callbacks called as Pidgin does). */

typedef void (*NodeMenuCallback)(PurpleBlistNode *node, gpointer data);

/* The conversation of chat <id_arg>, or NULL after an ERROR line. */
static PurpleConversation *chat_or_error(const char *cmd, const char *id_arg)
{
	PurpleConnection *gc = connection_or_error(cmd);
	PurpleConversation *conv;
	char *end = NULL;
	long id;

	if (!gc)
		return NULL;
	errno = 0;
	id = strtol(id_arg, &end, 10);
	if (errno || end == id_arg || *end || id < 0 || id > G_MAXINT) {
		emit("ERROR %s %s is not a chat id", cmd, id_arg);
		return NULL;
	}
	conv = purple_find_chat(gc, (int)id);
	if (!is_our_chat(conv)) {
		emit("ERROR %s %s no such chat", cmd, id_arg);
		return NULL;
	}
	return conv;
}

static PurplePluginProtocolInfo *sipe_prpl_info(void)
{
	PurpleConnection *gc = purple_account_get_connection(account);
	PurplePlugin *prpl = gc ? purple_connection_get_prpl(gc) : NULL;

	return prpl ? PURPLE_PLUGIN_PROTOCOL_INFO(prpl) : NULL;
}

static GList *node_menu(PurpleBlistNode *node)
{
	PurplePluginProtocolInfo *prpl_info = sipe_prpl_info();

	return prpl_info && prpl_info->blist_node_menu ? prpl_info->blist_node_menu(node) : NULL;
}

static void menu_free(GList *menu)
{
	GList *l;

	for (l = menu; l; l = l->next) {
		PurpleMenuAction *act = l->data;
		menu_free(act->children);
		act->children = NULL;
		purple_menu_action_free(act);
	}
	g_list_free(menu);
}

/* "label, label, ..." of a menu's top level, for an ERROR line. */
static gchar *menu_labels(GList *menu)
{
	GString *s = g_string_new(NULL);
	GList *l;

	for (l = menu; l; l = l->next) {
		PurpleMenuAction *act = l->data;
		if (!act->label)
			continue;
		if (s->len)
			g_string_append(s, ", ");
		g_string_append(s, act->label);
	}
	if (!s->len)
		g_string_append(s, "(empty)");
	return g_string_free(s, FALSE);
}

/* The top-level entry whose label is `label` (or starts with it when
   `prefix`) and, if `data` is not NULL, whose callback data is `data`. */
static PurpleMenuAction *menu_find(GList *menu, const char *label, gboolean prefix,
				   gconstpointer data)
{
	GList *l;

	for (l = menu; l; l = l->next) {
		PurpleMenuAction *act = l->data;
		if (!act->label || !act->callback)
			continue;
		if (prefix ? !g_str_has_prefix(act->label, label) : strcmp(act->label, label) != 0)
			continue;
		if (data && act->data != data)
			continue;
		return act;
	}
	return NULL;
}

/* The buddy whose menu we open: the list's, or a transient one (as Pidgin
   has for a chat participant who is not on the list). */
static PurpleBuddy *menu_buddy(const char *name, gboolean *transient)
{
	PurpleBuddy *buddy = purple_find_buddy(account, name);

	*transient = buddy == NULL;
	return buddy ? buddy : purple_buddy_new(account, name, NULL);
}

/* `chat-new`, `chat-remove`, `chat-leader`: an entry of <who>'s buddy menu. */
static void run_buddy_menu(const char *cmd, const char *ok_args, const char *who,
			   const char *label, gboolean prefix, gconstpointer data,
			   const char *why_missing)
{
	gboolean transient;
	PurpleBuddy *buddy = menu_buddy(who, &transient);
	GList *menu = node_menu((PurpleBlistNode *)buddy);
	PurpleMenuAction *act = menu_find(menu, label, prefix, data);

	if (!act) {
		gchar *labels = menu_labels(menu);
		emit("ERROR %s %s SIPE's menu for %s has no \"%s%s\" entry%s (it has: %s)",
		     cmd, ok_args, who, label, prefix ? "...'" : "", nz(why_missing), labels);
		g_free(labels);
	} else {
		emit("OK %s %s", cmd, ok_args);
		((NodeMenuCallback)act->callback)((PurpleBlistNode *)buddy, act->data);
	}
	menu_free(menu);
	if (transient)
		purple_buddy_destroy(buddy);
}

/* `chat-lock`, `chat-unlock`: an entry of the chat's menu, which Pidgin gets
   for a chat that is not on the buddy list by making a transient PurpleChat
   from the protocol's chat_info_defaults (SIPE puts the conversation in it). */
static void run_chat_menu(const char *cmd, const char *id_arg, const char *label,
			  const char *why_missing)
{
	PurpleConversation *conv = chat_or_error(cmd, id_arg);
	PurplePluginProtocolInfo *prpl_info;
	GHashTable *components;
	PurpleChat *chat;
	GList *menu;
	PurpleMenuAction *act;

	if (!conv)
		return;
	prpl_info = sipe_prpl_info();
	if (!prpl_info || !prpl_info->chat_info_defaults || !prpl_info->blist_node_menu) {
		emit("ERROR %s %s the protocol has no chat menu", cmd, id_arg);
		return;
	}
	components = prpl_info->chat_info_defaults(purple_account_get_connection(account),
						   purple_conversation_get_name(conv));
	chat = purple_chat_new(account, NULL, components);
	menu = node_menu((PurpleBlistNode *)chat);
	act = menu_find(menu, label, FALSE, conv);
	if (!act) {
		gchar *labels = menu_labels(menu);
		emit("ERROR %s %s SIPE's chat menu has no \"%s\" entry%s (it has: %s)",
		     cmd, id_arg, label, why_missing, labels);
		g_free(labels);
	} else {
		emit("OK %s %s", cmd, id_arg);
		((NodeMenuCallback)act->callback)((PurpleBlistNode *)chat, act->data);
	}
	menu_free(menu);
	purple_chat_destroy(chat);   /* frees the components too */
}

static void cmd_chat_new(const char *who_arg)
{
	gchar *who;

	if (!connection_or_error("chat-new"))
		return;
	who = sip_uri(who_arg);
	run_buddy_menu("chat-new", who, who, "New chat", FALSE, NULL, "");
	g_free(who);
}

/* "Remove from '<title>'" / "Make leader of '<title>'": SIPE offers them for
   a buddy in the chat only when we are an operator of that conference. */
static void cmd_chat_buddy_entry(const char *cmd, const char *id_arg, const char *who_arg,
				 const char *label)
{
	PurpleConversation *conv = chat_or_error(cmd, id_arg);
	gpointer session;
	gchar *who, *args;

	if (!conv)
		return;
	session = purple_conversation_get_data(conv, SIPE_CHAT_SESSION_KEY);
	if (!session) {
		emit("ERROR %s %s SIPE has no session for this chat", cmd, id_arg);
		return;
	}
	who = sip_uri(who_arg);
	args = g_strdup_printf("%s %s", id_arg, who);
	run_buddy_menu(cmd, args, who, label, TRUE, session,
		       " for this chat: SIPE offers it only for a conference member "
		       "while we are an operator (presenter)");
	g_free(args);
	g_free(who);
}

static void cmd_chat_invite(const char *id_arg, const char *who_arg)
{
	PurpleConversation *conv = chat_or_error("chat-invite", id_arg);
	gchar *who;

	if (!conv)
		return;
	who = sip_uri(who_arg);
	emit("OK chat-invite %s %s", id_arg, who);
	serv_chat_invite(purple_conversation_get_gc(conv), chat_id_of(conv), NULL, who);
	g_free(who);
}

static void cmd_chat_send(const char *id_arg, const char *text)
{
	PurpleConversation *conv = chat_or_error("chat-send", id_arg);
	gchar *escaped;

	if (!conv)
		return;
	escaped = g_markup_escape_text(text, -1);
	emit("OK chat-send %s", id_arg);
	/* SIPE shows our own message at once: a CHAT-MSG from ourselves follows */
	purple_conv_chat_send(PURPLE_CONV_CHAT(conv), escaped);
	g_free(escaped);
}

static void cmd_chat_leave(const char *id_arg)
{
	PurpleConversation *conv = chat_or_error("chat-leave", id_arg);

	if (!conv)
		return;
	emit("OK chat-leave %s", id_arg);
	/* closing the window: libpurple calls the protocol's chat_leave, then
	   serv_got_chat_left ("chat-left") */
	purple_conversation_set_data(conv, CHAT_LEAVING_KEY, GINT_TO_POINTER(1));
	purple_conversation_destroy(conv);
}

static void cmd_chat_users(const char *id_arg)
{
	PurpleConversation *conv = chat_or_error("chat-users", id_arg);
	GString *line;
	GList *l;

	if (!conv)
		return;
	line = g_string_new(NULL);
	g_string_printf(line, "CHAT-USERS %d", chat_id_of(conv));
	for (l = purple_conv_chat_get_users(PURPLE_CONV_CHAT(conv)); l; l = l->next) {
		PurpleConvChatBuddy *cb = l->data;
		g_string_append_printf(line, " %s%s", nz(purple_conv_chat_cb_get_name(cb)),
				       (cb->flags & PURPLE_CBFLAGS_OP) ? "(op)" : "");
	}
	emit("%s", line->str);
	g_string_free(line, TRUE);
}

static gboolean finish_quit(gpointer data)
{
	(void)data;
	g_main_loop_quit(main_loop);
	return FALSE;
}

/* Signs off (SIPE unregisters) and leaves the main loop shortly afterwards. */
static void start_quit(int code)
{
	if (quitting)
		return;
	quitting = TRUE;
	exit_code = code;
	if (account && purple_account_get_enabled(account, UI_ID))
		purple_account_set_enabled(account, UI_ID, FALSE);  /* disconnects */
	g_timeout_add(500, finish_quit, NULL);
}

static void run_command(char *line)
{
	gchar **w;
	const char *cmd;

	g_strstrip(line);
	if (!*line)
		return;
	w = g_strsplit_set(line, " \t", 3);
	cmd = w[0];
	if (g_str_equal(cmd, "quit")) {
		start_quit(0);
	} else if (g_str_equal(cmd, "im") && w[1] && w[2]) {
		cmd_im(w[1], w[2]);
	} else if (g_str_equal(cmd, "typing") && w[1]) {
		cmd_typing(w[1]);
	} else if (g_str_equal(cmd, "add") && w[1] && w[2]) {
		cmd_add(w[1], g_strstrip(w[2]));
	} else if (g_str_equal(cmd, "remove") && w[1]) {
		cmd_remove(w[1]);
	} else if (g_str_equal(cmd, "status") && w[1]) {
		cmd_status(w[1], w[2]);
	} else if (g_str_equal(cmd, "block") && w[1]) {
		cmd_block(g_strstrip(w[1]), TRUE);
	} else if (g_str_equal(cmd, "unblock") && w[1]) {
		cmd_block(g_strstrip(w[1]), FALSE);
	} else if (g_str_equal(cmd, "blocked") && w[1] && account) {
		cmd_blocked(g_strstrip(w[1]));
	} else if (g_str_equal(cmd, "chat-new") && w[1]) {
		cmd_chat_new(g_strstrip(w[1]));
	} else if (g_str_equal(cmd, "chat-invite") && w[1] && w[2]) {
		cmd_chat_invite(w[1], g_strstrip(w[2]));
	} else if (g_str_equal(cmd, "chat-send") && w[1] && w[2]) {
		cmd_chat_send(w[1], w[2]);
	} else if (g_str_equal(cmd, "chat-leave") && w[1] && !w[2]) {
		cmd_chat_leave(w[1]);
	} else if (g_str_equal(cmd, "chat-lock") && w[1] && !w[2]) {
		run_chat_menu("chat-lock", w[1], "Lock",
			      " (SIPE offers Lock only to an operator of an unlocked conference)");
	} else if (g_str_equal(cmd, "chat-unlock") && w[1] && !w[2]) {
		run_chat_menu("chat-unlock", w[1], "Unlock",
			      " (SIPE offers Unlock only to an operator of a locked conference)");
	} else if (g_str_equal(cmd, "chat-remove") && w[1] && w[2]) {
		cmd_chat_buddy_entry("chat-remove", w[1], g_strstrip(w[2]), "Remove from '");
	} else if (g_str_equal(cmd, "chat-leader") && w[1] && w[2]) {
		cmd_chat_buddy_entry("chat-leader", w[1], g_strstrip(w[2]), "Make leader of '");
	} else if (g_str_equal(cmd, "chat-users") && w[1] && !w[2]) {
		cmd_chat_users(w[1]);
	} else if (g_str_equal(cmd, "list")) {
		report_all_buddies();
		emit("LIST-END");
	} else {
		emit("ERROR %s unknown command or missing arguments", cmd);
	}
	g_strfreev(w);
}

static gboolean on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	(void)data;
	for (;;) {
		gchar *line = NULL;
		GError *error = NULL;
		GIOStatus st = g_io_channel_read_line(ch, &line, NULL, NULL, &error);

		if (st == G_IO_STATUS_NORMAL) {
			run_command(line);
			g_free(line);
			continue;
		}
		g_free(line);
		if (st == G_IO_STATUS_AGAIN && !(cond & (G_IO_HUP | G_IO_ERR)))
			return TRUE;
		if (error) {
			fprintf(stderr, "sipe_driver: stdin: %s\n", error->message);
			g_error_free(error);
		}
		/* EOF, hang-up or error: as `quit` */
		start_quit(0);
		return FALSE;
	}
}

static gboolean on_unix_signal(gpointer data)
{
	(void)data;
	start_quit(0);
	return TRUE;
}

/* ------------------------------------------------------------------ setup */

static void ui_init(void)
{
	purple_request_set_ui_ops(&request_ops);
	purple_notify_set_ui_ops(&notify_ops);
	purple_accounts_set_ui_ops(&account_ops);
	purple_conversations_set_ui_ops(&conversation_ops);
	purple_blist_set_ui_ops(&blist_ops);
}

static void debug_ui_init(void)
{
	purple_debug_set_ui_ops(&debug_ops);
}

static PurpleCoreUiOps core_ops = {
	.debug_ui_init = debug_ui_init,
	.ui_init = ui_init,
};

static void connect_signals(void)
{
	purple_signal_connect(purple_connections_get_handle(), "signed-on", &signal_handle,
			      PURPLE_CALLBACK(on_signed_on), NULL);
	purple_signal_connect(purple_connections_get_handle(), "signed-off", &signal_handle,
			      PURPLE_CALLBACK(on_signed_off), NULL);
	purple_signal_connect(purple_connections_get_handle(), "connection-error", &signal_handle,
			      PURPLE_CALLBACK(on_connection_error), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "received-im-msg", &signal_handle,
			      PURPLE_CALLBACK(on_received_im), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "buddy-typing", &signal_handle,
			      PURPLE_CALLBACK(on_buddy_typing), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "chat-joined", &signal_handle,
			      PURPLE_CALLBACK(on_chat_joined), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "chat-left", &signal_handle,
			      PURPLE_CALLBACK(on_chat_left), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "chat-buddy-joined", &signal_handle,
			      PURPLE_CALLBACK(on_chat_buddy_joined), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "chat-buddy-left", &signal_handle,
			      PURPLE_CALLBACK(on_chat_buddy_left), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "chat-buddy-flags", &signal_handle,
			      PURPLE_CALLBACK(on_chat_buddy_flags), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "received-chat-msg", &signal_handle,
			      PURPLE_CALLBACK(on_received_chat_msg), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "chat-topic-changed", &signal_handle,
			      PURPLE_CALLBACK(on_chat_topic_changed), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "deleting-conversation", &signal_handle,
			      PURPLE_CALLBACK(on_deleting_conversation), NULL);
	purple_signal_connect(purple_blist_get_handle(), "buddy-status-changed", &signal_handle,
			      PURPLE_CALLBACK(on_buddy_status_changed), NULL);
	purple_signal_connect(purple_blist_get_handle(), "buddy-added", &signal_handle,
			      PURPLE_CALLBACK(on_buddy_added), NULL);
	purple_signal_connect(purple_blist_get_handle(), "buddy-removed", &signal_handle,
			      PURPLE_CALLBACK(on_buddy_removed), NULL);
}

/* --ca: put the CA into libpurple's (in-memory) X.509 CA pool. */
static gboolean trust_ca(const char *path)
{
	PurpleCertificateScheme *x509;
	PurpleCertificatePool *pool;
	GSList *crts, *l;
	int stored = 0;

	if (!purple_ssl_is_supported()) {   /* also loads the SSL plugin, i.e. the scheme */
		emit("FATAL libpurple has no SSL support");
		return FALSE;
	}
	x509 = purple_certificate_find_scheme("x509");
	pool = purple_certificate_find_pool("x509", "ca");
	if (!x509 || !pool) {
		emit("FATAL libpurple has no x509 certificate scheme or CA pool");
		return FALSE;
	}
	crts = purple_certificates_import(x509, path);
	for (l = crts; l; l = l->next) {
		PurpleCertificate *crt = l->data;
		gchar *id = purple_certificate_get_unique_id(crt);
		if (purple_certificate_pool_store(pool, id, crt))
			stored++;
		g_free(id);
		purple_certificate_destroy(crt);
	}
	g_slist_free(crts);
	if (!stored) {
		emit("FATAL no certificate could be loaded from --ca %s", path);
		return FALSE;
	}
	return TRUE;
}

static void add_plugin_dir(const char *dir)
{
	if (dir && *dir && g_file_test(dir, G_FILE_TEST_IS_DIR))
		purple_plugins_add_search_path(dir);
}

int main(int argc, char **argv)
{
	GOptionContext *ctx;
	GError *error = NULL;
	GIOChannel *in;
	PurpleSavedStatus *saved;
	gchar *username, *plugindir;
	gchar **d;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);


	ctx = g_option_context_new("- drive pidgin-sipe headless (see the source for the protocol)");
	g_option_context_add_main_entries(ctx, option_entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "sipe_driver: %s\n", error->message);
		return 2;
	}
	g_option_context_free(ctx);
	if (!opt_userdir || !opt_user) {
		fprintf(stderr, "sipe_driver: --userdir and --user are required (see --help)\n");
		return 2;
	}

	g_mkdir_with_parents(opt_userdir, 0700);
	purple_util_set_user_dir(opt_userdir);
	purple_debug_set_enabled(FALSE);            /* it would print to stdout */
	purple_debug_set_verbose(opt_debug);        /* makes SIPE log its debug messages */
	purple_core_set_ui_ops(&core_ops);
	purple_eventloop_set_ui_ops(&loop_ops);

	/* SIPE's Debian package installs to /usr/lib/purple-2, libpurple's own
	   plugins (SSL among them) live in its multiarch plugin dir. */
	for (d = opt_plugindirs; d && *d; d++)
		add_plugin_dir(*d);
	add_plugin_dir("/usr/lib/purple-2");
	plugindir = g_build_filename(purple_user_dir(), "plugins", NULL);
	add_plugin_dir(plugindir);
	g_free(plugindir);

	main_loop = g_main_loop_new(NULL, FALSE);
	last_reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	if (!purple_core_init(UI_ID)) {
		emit("FATAL libpurple initialisation failed");
		return 2;
	}
	/* SIPE draws its Call-IDs and tags from rand(), seeded with the time alone
	 * during libpurple's start-up: two drivers started in the same second would
	 * send the same REGISTER Call-ID and CSeq, and the second would look like a
	 * replay of the first (RFC 3261 10.3). Two real machines would not. */
	srand((unsigned)time(NULL) ^ ((unsigned)getpid() << 16));
	purple_set_blist(purple_blist_new());
	purple_blist_load();
	purple_prefs_set_string("/purple/away/idle_reporting", "none");
	purple_prefs_set_bool("/purple/away/away_when_idle", FALSE);
	purple_prefs_set_bool("/purple/logging/log_ims", FALSE);
	purple_prefs_set_bool("/purple/logging/log_chats", FALSE);
	purple_prefs_set_bool("/purple/logging/log_system", FALSE);

	if (!purple_find_prpl(PRPL_ID)) {
		emit("FATAL protocol plugin %s not found (is pidgin-sipe installed?)", PRPL_ID);
		purple_core_quit();
		return 2;
	}
	if (opt_ca && !trust_ca(opt_ca)) {
		purple_core_quit();
		return 2;
	}

	connect_signals();

	/* SIPE's user split: "<sip address>,<login>" */
	username = opt_login && *opt_login ? g_strconcat(opt_user, ",", opt_login, NULL)
	                                   : g_strdup(opt_user);
	account = purple_account_new(username, PRPL_ID);
	g_free(username);
	purple_account_set_password(account, opt_password ? opt_password : "");
	purple_account_set_remember_password(account, FALSE);
	purple_account_set_string(account, "server", opt_server ? opt_server : "");
	purple_account_set_string(account, "transport", opt_transport);
	purple_account_set_string(account, "authentication", opt_auth);
	if (opt_useragent)
		purple_account_set_string(account, "useragent", opt_useragent);
	purple_account_set_bool(account, "dont-publish", TRUE);   /* no calendar */
	purple_accounts_add(account);

	in = g_io_channel_unix_new(STDIN_FILENO);
	g_io_channel_set_flags(in, G_IO_FLAG_NONBLOCK, NULL);
	g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
	g_unix_signal_add(SIGTERM, on_unix_signal, NULL);
	g_unix_signal_add(SIGINT, on_unix_signal, NULL);

	emit("READY");
	purple_account_set_enabled(account, UI_ID, TRUE);
	saved = purple_savedstatus_new(NULL, PURPLE_STATUS_AVAILABLE);
	purple_savedstatus_activate(saved);

	g_main_loop_run(main_loop);

	purple_signals_disconnect_by_handle(&signal_handle);
	purple_core_quit();
	g_io_channel_unref(in);
	g_main_loop_unref(main_loop);
	g_hash_table_destroy(last_reported);
	return exit_code;
}
