/* Typemaps shared by every module of the Java binding (included once, from civitas.i).
 *
 * Text crosses JNI as real UTF-8 in byte[] (decoded and encoded by
 * org.civitas.internal.Utf8), never through NewStringUTF/GetStringUTFChars, whose
 * "modified UTF-8" mangles characters outside the BMP and NULs, and which abort the JVM on
 * malformed input. Arrays are pinned (Get<T>ArrayElements), never copied element by
 * element, so a batch call costs one JNI transition.
 *
 * Names a module's .i file %applies (see swig/ids.i for examples):
 *   (const char *UTF8, size_t LEN)   Java String   -> UTF-8 bytes + length (no NUL needed)
 *   (const char *BYTES, size_t LEN)  Java byte[]   -> pointer + length
 *   const char *BYTES                Java byte[]   -> pointer (length given elsewhere)
 *   T *CIV_IN        (T = uint8_t, uint32_t, int32_t, uint64_t, int64_t)  Java array, read
 *   T *CIV_OUT       (same T)                                            Java array, written
 *   T *CIV_OUTVAL    (T = int, unsigned, size_t, uint32_t, uint64_t)  one-element holder array
 *   char *CIV_OUTCHAR                Java char[1] holder for one ASCII character
 *   char *CIV_OUTBUF                 Java byte[] the C function fills (NUL-terminated text)
 *   (T *CIV_OUTBUF, size_t CIV_CAP)  (T = char, uint8_t)  Java byte[] the C function fills; its
 *                                    length is the capacity (CIV_EBUFFER when too small)
 *   (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT)
 *                                    Java String[] -> an array of UTF-8 (pointer, length) strings
 *   char **CIV_OUT_STRING            Java String[1] holder; the C string is civ_free()d
 *   %civ_handle(civ_x)               civ_x* as a Java long; civ_x **CIV_OUT_HANDLE as long[1]
 * A null Java array becomes a NULL pointer (and length 0), which the C API rejects with
 * CIV_EINVAL where it is required. Lengths are the caller's (the hand-written layer's) duty.
 * Plain `const char *` / `char *` / `char [N]` (NUL-terminated text: return values, struct
 * members) map to String through UTF-8 as well.
 */

%{
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Copies n bytes into a new Java byte[]; NULL (with an exception pending) on failure. */
SWIGUNUSED static jbyteArray civ_jni_bytes(JNIEnv *jenv, const char *p, size_t n) {
  jbyteArray a;
  if (n > 0x7fffffff) {
    jclass c = (*jenv)->FindClass(jenv, "java/lang/OutOfMemoryError");
    if (c) (*jenv)->ThrowNew(jenv, c, "civitas: string too large for a Java array");
    return NULL;
  }
  a = (*jenv)->NewByteArray(jenv, (jsize)n);
  if (a && n) (*jenv)->SetByteArrayRegion(jenv, a, 0, (jsize)n, (const jbyte *)p);
  return a;
}

/* Length of a NUL-terminated string stored in a char[cap] (no strnlen in C99). */
SWIGUNUSED static size_t civ_jni_strnlen(const char *p, size_t cap) {
  size_t n = 0;
  while (n < cap && p[n]) ++n;
  return n;
}
%}

/* ---- NUL-terminated text <-> String (UTF-8) ------------------------------------------- */

%typemap(jni) char *, const char *, char [ANY], char [] "jbyteArray"
%typemap(jtype) char *, const char *, char [ANY], char [] "byte[]"
%typemap(jstype) char *, const char *, char [ANY], char [] "String"
%typemap(javain) char *, const char *, char [ANY], char [] "org.civitas.internal.Utf8.cstring($javainput)"
%typemap(javaout) char *, const char *, char [ANY], char [] {
    return org.civitas.internal.Utf8.decode($jnicall);
  }
%typemap(in, noblock=1) char *, const char *, char [ANY], char [] {
  $1 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null;
  }
}
%typemap(freearg, noblock=1) char *, const char *, char [ANY], char [] {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, JNI_ABORT);
}
%typemap(argout) char *, const char *, char [ANY], char [] ""
%typemap(out, noblock=1) char *, const char * {
  if ($1) $result = civ_jni_bytes(jenv, (const char *)$1, strlen((const char *)$1));
}
%typemap(out, noblock=1) char [ANY] {
  $result = civ_jni_bytes(jenv, (const char *)$1, civ_jni_strnlen((const char *)$1, $1_dim0));
}

/* ---- (pointer, length) inputs --------------------------------------------------------- */

/* String -> UTF-8 bytes (no terminator; the C API takes a length). */
%typemap(jni) (const char *UTF8, size_t LEN) "jbyteArray"
%typemap(jtype) (const char *UTF8, size_t LEN) "byte[]"
%typemap(jstype) (const char *UTF8, size_t LEN) "String"
%typemap(javain) (const char *UTF8, size_t LEN) "org.civitas.internal.Utf8.encode($javainput)"
%typemap(in, noblock=1) (const char *UTF8, size_t LEN) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $2 = ($2_ltype)JCALL1(GetArrayLength, jenv, $input);
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null;
  }
}
%typemap(freearg, noblock=1) (const char *UTF8, size_t LEN) {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, JNI_ABORT);
}
%typemap(argout) (const char *UTF8, size_t LEN) ""

/* byte[] -> pointer + length. */
%typemap(jni) (const char *BYTES, size_t LEN) "jbyteArray"
%typemap(jtype) (const char *BYTES, size_t LEN) "byte[]"
%typemap(jstype) (const char *BYTES, size_t LEN) "byte[]"
%typemap(javain) (const char *BYTES, size_t LEN) "$javainput"
%typemap(in) (const char *BYTES, size_t LEN) = (const char *UTF8, size_t LEN);
%typemap(freearg) (const char *BYTES, size_t LEN) = (const char *UTF8, size_t LEN);
%typemap(argout) (const char *BYTES, size_t LEN) ""

/* byte[] -> pointer (the length travels in another argument, e.g. column offsets). */
%typemap(jni) const char *BYTES "jbyteArray"
%typemap(jtype) const char *BYTES "byte[]"
%typemap(jstype) const char *BYTES "byte[]"
%typemap(javain) const char *BYTES "$javainput"
%typemap(javaout) const char *BYTES { return $jnicall; }
%typemap(in, noblock=1) const char *BYTES {
  $1 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null;
  }
}
%typemap(freearg, noblock=1) const char *BYTES {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, JNI_ABORT);
}
%typemap(argout) const char *BYTES ""

/* ---- pinned primitive arrays ---------------------------------------------------------- */

/* CTYPE must have the size of JTYPE's element. MODE: JNI_ABORT for inputs, 0 to copy back. */
%define %civ_array(CTYPE, NAME, JNITYPE, JAVATYPE, JELEM, JFN, MODE)
%typemap(jni) CTYPE *NAME "JNITYPE"
%typemap(jtype) CTYPE *NAME "JAVATYPE"
%typemap(jstype) CTYPE *NAME "JAVATYPE"
%typemap(javain) CTYPE *NAME "$javainput"
%typemap(in, noblock=1) CTYPE *NAME {
  $1 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(Get##JFN##ArrayElements, jenv, $input, 0);
    if (!$1) return $null;
  }
}
%typemap(freearg, noblock=1) CTYPE *NAME {
  if ($1) JCALL3(Release##JFN##ArrayElements, jenv, $input, (JELEM *)$1, MODE);
}
%typemap(argout) CTYPE *NAME ""
%enddef

%civ_array(uint8_t, CIV_IN, jbyteArray, byte[], jbyte, Byte, JNI_ABORT)
%civ_array(uint8_t, CIV_OUT, jbyteArray, byte[], jbyte, Byte, 0)
%civ_array(uint32_t, CIV_IN, jintArray, int[], jint, Int, JNI_ABORT)
%civ_array(uint32_t, CIV_OUT, jintArray, int[], jint, Int, 0)
%civ_array(int32_t, CIV_IN, jintArray, int[], jint, Int, JNI_ABORT)
%civ_array(int32_t, CIV_OUT, jintArray, int[], jint, Int, 0)
%civ_array(uint64_t, CIV_IN, jlongArray, long[], jlong, Long, JNI_ABORT)
%civ_array(uint64_t, CIV_OUT, jlongArray, long[], jlong, Long, 0)
%civ_array(int64_t, CIV_IN, jlongArray, long[], jlong, Long, JNI_ABORT)
%civ_array(int64_t, CIV_OUT, jlongArray, long[], jlong, Long, 0)
%apply uint8_t *CIV_IN { const uint8_t *CIV_IN };
%apply uint32_t *CIV_IN { const uint32_t *CIV_IN };
%apply int32_t *CIV_IN { const int32_t *CIV_IN };
%apply uint64_t *CIV_IN { const uint64_t *CIV_IN };
%apply int64_t *CIV_IN { const int64_t *CIV_IN };

/* ---- one-value out-parameters: Java holder arrays of length >= 1 (or null) ------------- */

%define %civ_outval(CTYPE, JNITYPE, JAVATYPE, JELEM, JFN)
%typemap(jni) CTYPE *CIV_OUTVAL "JNITYPE"
%typemap(jtype) CTYPE *CIV_OUTVAL "JAVATYPE"
%typemap(jstype) CTYPE *CIV_OUTVAL "JAVATYPE"
%typemap(javain) CTYPE *CIV_OUTVAL "$javainput"
%typemap(in, noblock=1) CTYPE *CIV_OUTVAL (CTYPE temp = 0) {
  $1 = 0;
  if ($input) {
    if (JCALL1(GetArrayLength, jenv, $input) < 1) {
      SWIG_JavaThrowException(jenv, SWIG_JavaIndexOutOfBoundsException, "holder array must have length >= 1");
      return $null;
    }
    $1 = &temp;
  }
}
%typemap(argout, noblock=1) CTYPE *CIV_OUTVAL {
  if ($1) {
    JELEM v = (JELEM)temp$argnum;
    JCALL4(Set##JFN##ArrayRegion, jenv, $input, 0, 1, &v);
  }
}
%typemap(freearg) CTYPE *CIV_OUTVAL ""
%enddef

%civ_outval(int, jintArray, int[], jint, Int)
%civ_outval(unsigned, jlongArray, long[], jlong, Long)
%civ_outval(uint32_t, jlongArray, long[], jlong, Long)
%civ_outval(size_t, jlongArray, long[], jlong, Long)
%civ_outval(uint64_t, jlongArray, long[], jlong, Long)

/* One ASCII character written by C (e.g. a check character): Java char[1]. */
%typemap(jni) char *CIV_OUTCHAR "jcharArray"
%typemap(jtype) char *CIV_OUTCHAR "char[]"
%typemap(jstype) char *CIV_OUTCHAR "char[]"
%typemap(javain) char *CIV_OUTCHAR "$javainput"
%typemap(in, noblock=1) char *CIV_OUTCHAR (char temp = 0) {
  $1 = 0;
  if ($input) {
    if (JCALL1(GetArrayLength, jenv, $input) < 1) {
      SWIG_JavaThrowException(jenv, SWIG_JavaIndexOutOfBoundsException, "holder array must have length >= 1");
      return $null;
    }
    $1 = &temp;
  }
}
%typemap(argout, noblock=1) char *CIV_OUTCHAR {
  if ($1) {
    jchar v = (jchar)(unsigned char)temp$argnum;
    JCALL4(SetCharArrayRegion, jenv, $input, 0, 1, &v);
  }
}
%typemap(freearg) char *CIV_OUTCHAR ""

/* A caller-provided text buffer the C function fills: Java byte[] (size it as the C API
 * documents; the hand-written layer decodes up to the NUL with Utf8.decodeCString). */
%typemap(jni) char *CIV_OUTBUF "jbyteArray"
%typemap(jtype) char *CIV_OUTBUF "byte[]"
%typemap(jstype) char *CIV_OUTBUF "byte[]"
%typemap(javain) char *CIV_OUTBUF "$javainput"
%typemap(in, noblock=1) char *CIV_OUTBUF {
  $1 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null;
  }
}
%typemap(freearg, noblock=1) char *CIV_OUTBUF {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, 0);
}
%typemap(argout) char *CIV_OUTBUF ""

/* A caller's buffer and its capacity: the whole Java byte[], copied back after the call. */
%define %civ_outbuf_cap(CTYPE)
%typemap(jni) (CTYPE *CIV_OUTBUF, size_t CIV_CAP) "jbyteArray"
%typemap(jtype) (CTYPE *CIV_OUTBUF, size_t CIV_CAP) "byte[]"
%typemap(jstype) (CTYPE *CIV_OUTBUF, size_t CIV_CAP) "byte[]"
%typemap(javain) (CTYPE *CIV_OUTBUF, size_t CIV_CAP) "$javainput"
%typemap(in, noblock=1) (CTYPE *CIV_OUTBUF, size_t CIV_CAP) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $2 = (size_t)JCALL1(GetArrayLength, jenv, $input);
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null;
  }
}
%typemap(freearg, noblock=1) (CTYPE *CIV_OUTBUF, size_t CIV_CAP) {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, 0);
}
%typemap(argout) (CTYPE *CIV_OUTBUF, size_t CIV_CAP) ""
%enddef
%civ_outbuf_cap(char)
%civ_outbuf_cap(uint8_t)

/* String[] -> an array of (pointer, length) UTF-8 strings and its count. The strings are
 * encoded on the Java side (org.civitas.internal.Utf8) and pinned here; a null element is
 * NULL with length 0. */
%typemap(jni) (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT) "jobjectArray"
%typemap(jtype) (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT) "byte[][]"
%typemap(jstype) (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT) "String[]"
%typemap(javain) (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT)
  "($javainput == null ? null : java.util.Arrays.stream($javainput).map(org.civitas.internal.Utf8::encode).toArray(byte[][]::new))"
%typemap(in, noblock=1) (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT)
    (const char **tptrs = 0, size_t *tlens = 0, jbyteArray *tarrs = 0, jsize tn = 0) {
  $1 = 0;
  $2 = 0;
  $3 = 0;
  if ($input) {
    jsize i;
    tn = JCALL1(GetArrayLength, jenv, $input);
    tptrs = (const char **)calloc((size_t)tn + 1, sizeof *tptrs);
    tlens = (size_t *)calloc((size_t)tn + 1, sizeof *tlens);
    tarrs = (jbyteArray *)calloc((size_t)tn + 1, sizeof *tarrs);
    if (!tptrs || !tlens || !tarrs) {
      free((void *)tptrs);
      free(tlens);
      free(tarrs);
      SWIG_JavaThrowException(jenv, SWIG_JavaOutOfMemoryError, "civitas: out of memory");
      return $null;
    }
    for (i = 0; i < tn; ++i) {
      tarrs[i] = (jbyteArray)JCALL2(GetObjectArrayElement, jenv, $input, i);
      if (tarrs[i]) {
        tlens[i] = (size_t)JCALL1(GetArrayLength, jenv, tarrs[i]);
        tptrs[i] = (const char *)JCALL2(GetByteArrayElements, jenv, tarrs[i], 0);
        if (!tptrs[i]) { /* an exception is pending: undo and return */
          jsize j;
          for (j = 0; j < i; ++j)
            if (tptrs[j]) JCALL3(ReleaseByteArrayElements, jenv, tarrs[j], (jbyte *)tptrs[j], JNI_ABORT);
          free((void *)tptrs);
          free(tlens);
          free(tarrs);
          return $null;
        }
      }
    }
    $1 = ($1_ltype)tptrs;
    $2 = ($2_ltype)tlens;
    $3 = (size_t)tn;
  }
}
%typemap(freearg, noblock=1) (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT) {
  if (tarrs$argnum) {
    jsize i;
    for (i = 0; i < tn$argnum; ++i)
      if (tptrs$argnum[i]) JCALL3(ReleaseByteArrayElements, jenv, tarrs$argnum[i], (jbyte *)tptrs$argnum[i], JNI_ABORT);
  }
  free((void *)tptrs$argnum);
  free(tlens$argnum);
  free(tarrs$argnum);
}
%typemap(argout) (const char *const *CIV_UTF8_ARRAY, const size_t *CIV_LENS, size_t CIV_COUNT) ""

/* A string the library allocates (freed here with civ_free): Java String[1] holder. */
%typemap(jni) char **CIV_OUT_STRING "jobjectArray"
%typemap(jtype) char **CIV_OUT_STRING "byte[][]"
%typemap(jstype) char **CIV_OUT_STRING "String[]"
%typemap(javain, pre="    byte[][] temp$javainput = $javainput == null ? null : new byte[1][];",
         post="      if ($javainput != null) $javainput[0] = org.civitas.internal.Utf8.decode(temp$javainput[0]);")
    char **CIV_OUT_STRING "temp$javainput"
%typemap(in, noblock=1) char **CIV_OUT_STRING (char *temp = 0) {
  $1 = $input ? &temp : 0;
}
%typemap(argout, noblock=1) char **CIV_OUT_STRING {
  if ($1 && temp$argnum) {
    jbyteArray b = civ_jni_bytes(jenv, temp$argnum, strlen(temp$argnum));
    if (b) {
      JCALL3(SetObjectArrayElement, jenv, $input, 0, b);
      JCALL1(DeleteLocalRef, jenv, b);
    }
  }
}
%typemap(freearg, noblock=1) char **CIV_OUT_STRING {
  if ($1 && temp$argnum) civ_free(temp$argnum);
}

/* ---- opaque handles ------------------------------------------------------------------- */

/* %civ_handle(civ_x): civ_x* crosses as a Java long (held by an org.civitas.NativeHandle),
 * and `civ_x **CIV_OUT_HANDLE` (a constructor's out-parameter) as a long[1] holder. */
%define %civ_handle(TYPE)
%typemap(jni) TYPE *, const TYPE * "jlong"
%typemap(jtype) TYPE *, const TYPE * "long"
%typemap(jstype) TYPE *, const TYPE * "long"
%typemap(javain) TYPE *, const TYPE * "$javainput"
%typemap(javaout) TYPE *, const TYPE * { return $jnicall; }
%typemap(in) TYPE *, const TYPE * %{ $1 = ($1_ltype)(intptr_t)$input; %}
%typemap(out) TYPE *, const TYPE * %{ $result = (jlong)(intptr_t)$1; %}
%typemap(jni) TYPE **CIV_OUT_HANDLE "jlongArray"
%typemap(jtype) TYPE **CIV_OUT_HANDLE "long[]"
%typemap(jstype) TYPE **CIV_OUT_HANDLE "long[]"
%typemap(javain) TYPE **CIV_OUT_HANDLE "$javainput"
%typemap(in, noblock=1) TYPE **CIV_OUT_HANDLE (TYPE *temp = 0) {
  $1 = 0;
  if ($input) {
    if (JCALL1(GetArrayLength, jenv, $input) < 1) {
      SWIG_JavaThrowException(jenv, SWIG_JavaIndexOutOfBoundsException, "holder array must have length >= 1");
      return $null;
    }
    $1 = &temp;
  }
}
%typemap(argout, noblock=1) TYPE **CIV_OUT_HANDLE {
  if ($1) {
    jlong v = (jlong)(intptr_t)temp$argnum;
    JCALL4(SetLongArrayRegion, jenv, $input, 0, 1, &v);
  }
}
%typemap(freearg) TYPE **CIV_OUT_HANDLE ""
%enddef

/* ==== workspace and crypto (swig/workspace.i, swig/crypto.i) ============================
 *
 * Secrets: a secret from Java never goes through Get<T>ArrayElements (which may hand C a JVM
 * copy that is freed unwiped). It is copied with Get<T>ArrayRegion straight into memory from
 * sodium_malloc (locked, guarded) and sodium_free()d (wiped) after the call; the C API then
 * copies it into its own locked memory.
 *   (const char *SECRET, size_t LEN)      Java byte[] -> locked copy + length (raw keys)
 *   (const char *PASSPHRASE, size_t LEN)  Java char[] -> locked UTF-8 + length (an unpaired
 *                                         surrogate is an InvalidArgumentException)
 * Library-allocated outputs: copied into new Java arrays, then wiped and civ_free()d (they
 * may hold plaintext; wiping a ciphertext costs one memset).
 *   (T **CIV_OUT_BYTES, size_t *CIV_OUT_LEN)   (T = uint8_t, char)  Java byte[][] holder,
 *                                         length >= 1: holder[0] = the bytes
 *   (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT)
 *                                         Java byte[][] of count values: value i of an Arrow
 *                                         column (count + 1 offsets) into element i
 * Inputs:
 *   (const uint8_t *BYTES, size_t LEN)    Java byte[] -> pointer + length
 *   uint8_t CIV_OUT_FIXED[ANY], const uint8_t CIV_IN_FIXED[ANY]   Java byte[] of at least
 *                                         the C array's size (else IndexOutOfBoundsException)
 * Handle: civ_ctx (%civ_handle), shared by every module that takes a workspace.
 */

%{
#include <sodium.h>
#include <stdio.h>

#define CIV_EXPERIMENTAL 1 /* the JNI library uses experimental functions too (civitas.i) */
#include "civitas/civitas.h"

/* Throws a Java exception of class cls (a name like "java/lang/OutOfMemoryError"). */
SWIGUNUSED static void civ_jni_throw(JNIEnv *jenv, const char *cls, const char *msg) {
  jclass c = (*jenv)->FindClass(jenv, cls);
  if (c) (*jenv)->ThrowNew(jenv, c, msg);
}

/* n bytes of locked, guarded memory (sodium_malloc); NULL with an exception pending. */
SWIGUNUSED static void *civ_jni_secret_alloc(JNIEnv *jenv, size_t n) {
  void *p = NULL;
  if (sodium_init() >= 0) p = sodium_malloc(n);
  if (!p) civ_jni_throw(jenv, "java/lang/OutOfMemoryError", "civitas: cannot allocate locked memory for a secret");
  return p;
}

/* UTF-16 -> UTF-8 (out has room for 3 bytes per unit). Returns the index of an unpaired
 * surrogate, or -1 when all is well. */
SWIGUNUSED static long civ_jni_utf16_to_utf8(const jchar *in, size_t n, unsigned char *out, size_t *out_len) {
  size_t i, o = 0;
  for (i = 0; i < n; ++i) {
    unsigned long c = in[i];
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c > 0xdbff || i + 1 >= n || in[i + 1] < 0xdc00 || in[i + 1] > 0xdfff) return (long)i;
      c = 0x10000 + ((c - 0xd800) << 10) + (in[i + 1] - 0xdc00);
      ++i;
    }
    if (c < 0x80) {
      out[o++] = (unsigned char)c;
    } else if (c < 0x800) {
      out[o++] = (unsigned char)(0xc0 | (c >> 6));
      out[o++] = (unsigned char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      out[o++] = (unsigned char)(0xe0 | (c >> 12));
      out[o++] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
      out[o++] = (unsigned char)(0x80 | (c & 0x3f));
    } else {
      out[o++] = (unsigned char)(0xf0 | (c >> 18));
      out[o++] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
      out[o++] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
      out[o++] = (unsigned char)(0x80 | (c & 0x3f));
    }
  }
  *out_len = o;
  return -1;
}

/* A passphrase char[] as UTF-8 in locked memory; NULL (exception pending) on failure. */
SWIGUNUSED static char *civ_jni_passphrase(JNIEnv *jenv, jcharArray a, size_t *out_len) {
  jsize n = (*jenv)->GetArrayLength(jenv, a);
  jchar *u;
  unsigned char *p;
  long bad;
  char msg[96];
  *out_len = 0;
  u = (jchar *)civ_jni_secret_alloc(jenv, (size_t)n * sizeof(jchar) + 1);
  if (!u) return NULL;
  p = (unsigned char *)civ_jni_secret_alloc(jenv, (size_t)n * 3 + 1);
  if (!p) {
    sodium_free(u);
    return NULL;
  }
  (*jenv)->GetCharArrayRegion(jenv, a, 0, n, u);
  bad = civ_jni_utf16_to_utf8(u, (size_t)n, p, out_len);
  sodium_free(u);
  if (bad >= 0) {
    sodium_free(p);
    snprintf(msg, sizeof msg, "passphrase: unpaired UTF-16 surrogate at index %ld", bad);
    civ_jni_throw(jenv, "org/civitas/InvalidArgumentException", msg);
    return NULL;
  }
  return (char *)p;
}

/* Wipes and releases a library-allocated output of n bytes. */
SWIGUNUSED static void civ_jni_wipe_free(void *p, size_t n) {
  if (p) {
    sodium_memzero(p, n);
    civ_free(p);
  }
}

/* Stores a new byte[] with the n bytes at p into holder[i]; 0 (exception pending) on failure. */
SWIGUNUSED static int civ_jni_store(JNIEnv *jenv, jobjectArray holder, jsize i, const void *p, size_t n) {
  jbyteArray b = civ_jni_bytes(jenv, (const char *)p, n);
  if (!b) return 0;
  (*jenv)->SetObjectArrayElement(jenv, holder, i, b);
  (*jenv)->DeleteLocalRef(jenv, b);
  return !(*jenv)->ExceptionCheck(jenv);
}
%}

%civ_handle(civ_ctx)

%typemap(jni) (const char *SECRET, size_t LEN) "jbyteArray"
%typemap(jtype) (const char *SECRET, size_t LEN) "byte[]"
%typemap(jstype) (const char *SECRET, size_t LEN) "byte[]"
%typemap(javain) (const char *SECRET, size_t LEN) "$javainput"
%typemap(in, noblock=1) (const char *SECRET, size_t LEN) {
  $1 = 0;
  $2 = 0;
  if ($input && JCALL1(GetArrayLength, jenv, $input) > 0) {
    $2 = (size_t)JCALL1(GetArrayLength, jenv, $input);
    $1 = ($1_ltype)civ_jni_secret_alloc(jenv, $2);
    if (!$1) return $null;
    JCALL4(GetByteArrayRegion, jenv, $input, 0, (jsize)$2, (jbyte *)$1);
  }
}
%typemap(freearg, noblock=1) (const char *SECRET, size_t LEN) {
  if ($1) sodium_free((void *)$1);
}
%typemap(argout) (const char *SECRET, size_t LEN) ""

%typemap(jni) (const char *PASSPHRASE, size_t LEN) "jcharArray"
%typemap(jtype) (const char *PASSPHRASE, size_t LEN) "char[]"
%typemap(jstype) (const char *PASSPHRASE, size_t LEN) "char[]"
%typemap(javain) (const char *PASSPHRASE, size_t LEN) "$javainput"
%typemap(in, noblock=1) (const char *PASSPHRASE, size_t LEN) {
  $1 = 0;
  $2 = 0;
  if ($input && JCALL1(GetArrayLength, jenv, $input) > 0) {
    $1 = ($1_ltype)civ_jni_passphrase(jenv, $input, &$2);
    if (!$1) return $null;
  }
}
%typemap(freearg) (const char *PASSPHRASE, size_t LEN) = (const char *SECRET, size_t LEN);
%typemap(argout) (const char *PASSPHRASE, size_t LEN) ""

/* byte[] -> const uint8_t * + length (as (const char *BYTES, size_t LEN)). */
%typemap(jni) (const uint8_t *BYTES, size_t LEN) "jbyteArray"
%typemap(jtype) (const uint8_t *BYTES, size_t LEN) "byte[]"
%typemap(jstype) (const uint8_t *BYTES, size_t LEN) "byte[]"
%typemap(javain) (const uint8_t *BYTES, size_t LEN) "$javainput"
%typemap(in) (const uint8_t *BYTES, size_t LEN) = (const char *UTF8, size_t LEN);
%typemap(freearg) (const uint8_t *BYTES, size_t LEN) = (const char *UTF8, size_t LEN);
%typemap(argout) (const uint8_t *BYTES, size_t LEN) ""

%define %civ_out_bytes(CTYPE)
%typemap(jni) (CTYPE **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) "jobjectArray"
%typemap(jtype) (CTYPE **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) "byte[][]"
%typemap(jstype) (CTYPE **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) "byte[][]"
%typemap(javain) (CTYPE **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) "$javainput"
%typemap(in, noblock=1) (CTYPE **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) (CTYPE *tbuf = 0, size_t tlen = 0) {
  if (!$input || JCALL1(GetArrayLength, jenv, $input) < 1) {
    SWIG_JavaThrowException(jenv, SWIG_JavaIndexOutOfBoundsException, "holder array must have length >= 1");
    return $null;
  }
  $1 = &tbuf;
  $2 = &tlen;
}
%typemap(argout, noblock=1) (CTYPE **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) {
  if (tbuf$argnum) civ_jni_store(jenv, $input, 0, tbuf$argnum, tlen$argnum);
}
%typemap(freearg, noblock=1) (CTYPE **CIV_OUT_BYTES, size_t *CIV_OUT_LEN) {
  civ_jni_wipe_free(tbuf$argnum, tlen$argnum);
}
%enddef
%civ_out_bytes(uint8_t)
%civ_out_bytes(char)

%typemap(jni) (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT) "jobjectArray"
%typemap(jtype) (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT) "byte[][]"
%typemap(jstype) (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT) "byte[][]"
%typemap(javain) (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT) "$javainput"
%typemap(in, noblock=1) (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT)
    (uint8_t *tdata = 0, uint64_t *toffs = 0) {
  if (!$input) {
    SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, "output column array is null");
    return $null;
  }
  $1 = &tdata;
  $2 = &toffs;
  $3 = (size_t)JCALL1(GetArrayLength, jenv, $input);
}
%typemap(argout, noblock=1) (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT) {
  if (tdata$argnum && toffs$argnum) {
    size_t i;
    for (i = 0; i < $3; ++i) {
      uint64_t b = toffs$argnum[i], e = toffs$argnum[i + 1];
      if (!civ_jni_store(jenv, $input, (jsize)i, tdata$argnum + b, (size_t)(e - b))) break;
    }
  }
}
%typemap(freearg, noblock=1) (uint8_t **CIV_OUT_COLUMN, uint64_t **CIV_OUT_OFFSETS, size_t CIV_OUT_COUNT) {
  if (toffs$argnum) civ_jni_wipe_free(tdata$argnum, (size_t)toffs$argnum[$3]);
  else civ_free(tdata$argnum);
  civ_free(toffs$argnum);
}

%define %civ_fixed(QUAL, NAME, MODE)
%typemap(jni) QUAL uint8_t NAME[ANY] "jbyteArray"
%typemap(jtype) QUAL uint8_t NAME[ANY] "byte[]"
%typemap(jstype) QUAL uint8_t NAME[ANY] "byte[]"
%typemap(javain) QUAL uint8_t NAME[ANY] "$javainput"
%typemap(in, noblock=1) QUAL uint8_t NAME[ANY] {
  $1 = 0;
  if ($input) {
    if (JCALL1(GetArrayLength, jenv, $input) < $1_dim0) {
      SWIG_JavaThrowException(jenv, SWIG_JavaIndexOutOfBoundsException, "array must have length >= $1_dim0");
      return $null;
    }
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null;
  }
}
%typemap(freearg, noblock=1) QUAL uint8_t NAME[ANY] {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, MODE);
}
%typemap(argout) QUAL uint8_t NAME[ANY] ""
%enddef
%civ_fixed(, CIV_OUT_FIXED, 0)
%civ_fixed(const, CIV_IN_FIXED, JNI_ABORT)
/* ==== end of workspace and crypto ======================================================= */
