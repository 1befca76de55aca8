/* SWIG interface of the Java binding: org.civitas.internal.CivitasNative over the C ABI.
 *
 * The generated classes are an implementation detail; the public API is the hand-written
 * package org.civitas (bindings/java/src/main/java). Everything is ignored by default and
 * each module's file (swig/<module>.i) allow-lists the functions, structs and constants the
 * hand-written classes use, with the macros below (the %ignore "" / %unignore pattern of
 * OR-tools and Mizux/cmake-swig).
 *
 * Adding a module: write swig/<module>.i (allow-list + %apply of the typemaps in
 * swig/typemaps.i + %include "civitas/<module>.h"), and add one %include line at the end.
 */
%module(jniclassname="CivitasNativeJNI") CivitasNative

%include "swig/typemaps.i"

%{
/* The JNI library links the C ABI statically and uses its experimental functions too (the
 * division-table loader of org.civitas.Ids). */
#define CIV_EXPERIMENTAL 1
#include "civitas/civitas.h"
%}

/* Load the JNI library (from java.library.path or from the jar) before any native call. */
%pragma(java) jniclasscode=%{
  static {
    org.civitas.NativeLoader.load();
  }
%}
/* The generated classes are internal: keep their constructors out of sight. */
%pragma(java) moduleclassmodifiers="public final class"
%pragma(java) modulecode=%{
  private CivitasNative() {}
%}

/* C enums as int constants (the C API passes int everywhere), inlined as compile-time
 * constants. #define constants with a U suffix are not valid Java literals: allow-list
 * them with %civ_unsigned_constant, which reads them from C when the class loads. */
%include "enumtypeunsafe.swg"
%javaconst(1);

/* ---- the allow-list ------------------------------------------------------------------- */

%ignore "";
/* Members, constructors and destructors of allow-listed structs, and the items of
 * allow-listed enums, come with their type. */
%rename("%s", %$ismember) "";
%rename("%s", %$isconstructor) "";
%rename("%s", %$isdestructor) "";
%rename("%s", %$isenumitem) "";

%define %civ_function(NAME) %rename("%s") NAME; %enddef
%define %civ_struct(NAME) %rename("%s") NAME; %enddef
%define %civ_enum(NAME) %rename("%s") NAME; %enddef
%define %civ_constant(NAME) %rename("%s") NAME; %enddef
%define %civ_unsigned_constant(NAME) %rename("%s") NAME; %javaconst(0) NAME; %enddef

/* The C headers are parsed with the export and attribute macros empty, experimental
 * declarations included. */
#define CIV_API
#define CIV_NODISCARD
#define CIV_EXPERIMENTAL

/* ---- common: version, errors, memory (civitas.h) -------------------------------------- */

%civ_function(civ_version)
%civ_function(civ_version_number)
%civ_function(civ_error_last)
%civ_function(civ_error_name)
%civ_function(civ_error_clear)
%civ_struct(civ_error)
%civ_enum(civ_error_code)
%civ_constant(CIV_VERSION_STRING)
%civ_constant(CIV_VERSION_MAJOR)
%civ_constant(CIV_VERSION_MINOR)
%civ_constant(CIV_VERSION_PATCH)
%civ_constant(CIV_ABI_VERSION)
/* civ_error is owned by the library (thread-local): read-only, never constructed in Java. */
%immutable civ_error::code;
%immutable civ_error::message;
%nodefaultctor civ_error;
%nodefaultdtor civ_error;

%include "civitas/civitas.h"

/* ---- modules (one line each) ---------------------------------------------------------- */

%include "swig/ids.i"
%include "swig/schema.i"
%include "swig/workspace.i"
%include "swig/crypto.i"
%include "swig/package.i"
%include "swig/catalog.i"
%include "swig/audit.i"
%include "swig/recovery.i"
%include "swig/classify.i"
%include "swig/deid_run.i"
%include "swig/deid_risk.i"
%include "swig/deid_dp.i"
%include "swig/policy.i"
%include "swig/publish.i"
