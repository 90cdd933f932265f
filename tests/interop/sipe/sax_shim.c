/*
 * sax_shim: LD_PRELOAD work-around that lets pidgin-sipe parse XML with
 * Debian 12's libxml2 (2.9.14).
 *
 * SIPE's parser (src/core/sipe-xml.c) passes xmlSAXUserParseMemory a handler
 * whose element callbacks are the SAX1 ones (startElement/endElement) while its
 * `initialized` field says XML_SAX2_MAGIC.  libxml2 2.9.14 then installs its
 * SAX2 namespace-aware element handling and never calls the SAX1 callbacks, so
 * the parse "succeeds" with no elements and SIPE treats every XML body as
 * broken.  Marking a copy of the handler as a plain SAX1 handler
 * (initialized = 1) makes libxml2 call startElement/endElement/characters
 * again; the structured-error callback (serror) is then not used, the plain
 * error callback is.
 *
 * Only handlers of exactly that shape are changed (SAX2 magic, a SAX1
 * startElement, no startElementNs/endElementNs); anything else goes to the
 * real function untouched.  Build (tests/interop/sipe_client.py does this):
 *   gcc -shared -fPIC -o sax_shim.so sax_shim.c $(pkg-config --cflags libxml-2.0) -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>

typedef int (*parse_memory_fn)(xmlSAXHandlerPtr, void *, const char *, int);

int xmlSAXUserParseMemory(xmlSAXHandlerPtr sax, void *user_data,
			  const char *buffer, int size)
{
	static parse_memory_fn real;
	xmlSAXHandler copy;

	if (!real) {
		*(void **)&real = dlsym(RTLD_NEXT, "xmlSAXUserParseMemory");
		if (!real) {
			fprintf(stderr, "sax_shim: xmlSAXUserParseMemory not found: %s\n",
				dlerror());
			abort();
		}
	}
	if (sax && sax->initialized == XML_SAX2_MAGIC && sax->startElement &&
	    !sax->startElementNs && !sax->endElementNs) {
		copy = *sax;
		copy.initialized = 1;
		return real(&copy, user_data, buffer, size);
	}
	return real(sax, user_data, buffer, size);
}
