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
 *   char **CIV_OUT_STRING            Java String[1] holder; the C string is civ_free()d
 *   %civ_handle(civ_x)               civ_x* as a Java long; civ_x **CIV_OUT_HANDLE as long[1]
 * A null Java array becomes a NULL pointer (and length 0), which the C API rejects with
 * CIV_EINVAL where it is required. Lengths are the caller's (the hand-written layer's) duty.
 * Plain `const char *` / `char *` / `char [N]` (NUL-terminated text: return values, struct
 * members) map to String through UTF-8 as well.
 */

%{
#include <stdint.h>
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
