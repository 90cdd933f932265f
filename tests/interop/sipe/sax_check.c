/*
 * sax_check: does a SAX1 handler marked XML_SAX2_MAGIC get its callbacks?
 *
 * pidgin-sipe's XML parser (src/core/sipe-xml.c) hands xmlSAXUserParseMemory a
 * handler with only SAX1 element callbacks (startElement/endElement) and
 * initialized = XML_SAX2_MAGIC.  With Debian 12's libxml2 2.9.14 those callbacks
 * are never called, so every XML body SIPE receives fails to parse.
 * tests/interop/sipe/sax_shim.c (LD_PRELOAD) works around that; this program is
 * how tests/interop/test_sipe_driver.py proves the shim is needed and works.
 *
 *   sax_check raw            parse <a b="c"/> with such a handler of our own
 *   sax_check sipe [LIBSIPE] parse it with SIPE's own sipe_xml_parse (dlopen)
 *
 * Prints one line and exits 0 when the parse saw element "a" with b="c":
 *   PARSE-OK <how>       or      PARSE-FAILED <why>   (exit 1)
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

static const char DOC[] = "<a b=\"c\"/>";

struct seen {
	int starts;
	int errors;
	char name[32];
	char attr_b[32];
};

static void on_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
	struct seen *s = ctx;
	s->starts++;
	snprintf(s->name, sizeof s->name, "%s", (const char *)name);
	for (; attrs && attrs[0]; attrs += 2)
		if (strcmp((const char *)attrs[0], "b") == 0)
			snprintf(s->attr_b, sizeof s->attr_b, "%s",
				 attrs[1] ? (const char *)attrs[1] : "");
}

static void on_end(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
}

static void on_error(void *ctx, const char *msg, ...)
{
	struct seen *s = ctx;
	(void)msg;
	s->errors++;
}

static void on_serror(void *ctx, xmlErrorPtr err)
{
	struct seen *s = ctx;
	if (err && err->level >= XML_ERR_ERROR)
		s->errors++;
}

static int check_raw(void)
{
	/* The shape of SIPE's handler: SAX1 element callbacks, the SAX2 magic, no
	 * startElementNs/endElementNs, a structured error callback. */
	xmlSAXHandler h;
	struct seen s;
	int rc;

	memset(&h, 0, sizeof h);
	memset(&s, 0, sizeof s);
	h.startElement = on_start;
	h.endElement = on_end;
	h.error = on_error;
	h.serror = on_serror;
	h.initialized = XML_SAX2_MAGIC;

	rc = xmlSAXUserParseMemory(&h, &s, DOC, (int)strlen(DOC));
	if (rc == 0 && s.errors == 0 && s.starts == 1 &&
	    strcmp(s.name, "a") == 0 && strcmp(s.attr_b, "c") == 0) {
		printf("PARSE-OK raw: startElement(a, b=c)\n");
		return 0;
	}
	printf("PARSE-FAILED raw: rc=%d starts=%d errors=%d name='%s' b='%s'\n",
	       rc, s.starts, s.errors, s.name, s.attr_b);
	return 1;
}

static int check_sipe(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_GLOBAL);
	void *(*parse)(const char *, size_t);
	const char *(*name)(const void *);
	const char *(*attribute)(const void *, const char *);
	void (*release)(void *);
	void *node;
	int ok;

	if (!h) {
		printf("PARSE-FAILED sipe: dlopen %s: %s\n", lib, dlerror());
		return 1;
	}
	*(void **)&parse = dlsym(h, "sipe_xml_parse");
	*(void **)&name = dlsym(h, "sipe_xml_name");
	*(void **)&attribute = dlsym(h, "sipe_xml_attribute");
	*(void **)&release = dlsym(h, "sipe_xml_free");
	if (!parse || !name || !attribute || !release) {
		printf("PARSE-FAILED sipe: %s lacks sipe_xml_parse/name/attribute/free\n", lib);
		return 1;
	}
	node = parse(DOC, strlen(DOC));
	if (!node) {
		printf("PARSE-FAILED sipe: sipe_xml_parse returned NULL\n");
		return 1;
	}
	ok = name(node) && strcmp(name(node), "a") == 0 &&
	     attribute(node, "b") && strcmp(attribute(node, "b"), "c") == 0;
	if (ok)
		printf("PARSE-OK sipe: sipe_xml_parse gave <a b=\"c\">\n");
	else
		printf("PARSE-FAILED sipe: root '%s', b='%s'\n",
		       name(node) ? name(node) : "(null)",
		       attribute(node, "b") ? attribute(node, "b") : "(null)");
	release(node);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc >= 2 && strcmp(argv[1], "raw") == 0)
		rc = check_raw();
	else if (argc >= 2 && strcmp(argv[1], "sipe") == 0)
		rc = check_sipe(argc >= 3 ? argv[2] : "/usr/lib/purple-2/libsipe.so");
	else {
		fprintf(stderr, "usage: %s raw | sipe [LIBSIPE.so]\n", argv[0]);
		return 2;
	}
	fflush(stdout);
	return rc;
}
