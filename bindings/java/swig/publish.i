/* publish module (civitas/publish.h): the open-data publishing job and the check of a
 * publication. Used by org.civitas.Publish, with the civ_ctx handle of org.civitas.Workspace.
 * Requests and results cross as JSON Strings. The progress callback is not bound (Java passes
 * none; C and Python have it). */

%civ_function(civ_publish_run)
%civ_function(civ_publish_verify)
%civ_function(civ_publish_verify_with)

%typemap(in, numinputs=0) civ_publish_progress_fn progress "$1 = NULL;"
%typemap(in, numinputs=0) void *user "$1 = NULL;"
%apply (const char *UTF8, size_t LEN) {
  (const char *request_json, size_t request_len),
  (const char *dir, size_t dir_len),
  (const char *key_document, size_t key_document_len)
};
%apply char **CIV_OUT_STRING { char **out };

%include "civitas/publish.h"

%clear (const char *request_json, size_t request_len), (const char *dir, size_t dir_len),
       (const char *key_document, size_t key_document_len);
%clear char **out;
%clear civ_publish_progress_fn progress;
%clear void *user;
