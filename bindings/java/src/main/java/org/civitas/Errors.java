package org.civitas;

import org.civitas.internal.CivitasNative;
import org.civitas.internal.civ_error;
import org.civitas.internal.civ_error_code;

/**
 * Turns C ABI return codes into exceptions: the one place where that happens. Every call
 * into org.civitas.internal.CivitasNative that returns an int goes through {@link #check}.
 */
final class Errors {
  private Errors() {}

  /**
   * Returns rc when it is not an error (CIV_OK or a non-negative count); otherwise throws the
   * CivitasException subclass for rc with the calling thread's message from civ_error_last().
   * Call it immediately after the native call, on the same thread.
   */
  static int check(int rc) {
    if (rc >= civ_error_code.CIV_OK) {
      return rc;
    }
    civ_error last = CivitasNative.civ_error_last();
    String message = last != null && last.getCode() == rc ? last.getMessage() : null;
    if (message == null || message.isEmpty()) {
      message = CivitasNative.civ_error_name(rc);
    }
    throw create(rc, message);
  }

  /**
   * As {@link #check} for the package calls that can refuse for records: an
   * InvalidDataException then carries the validation report (civ_package_last_report).
   */
  static int checkPackage(int rc) {
    if (rc != civ_error_code.CIV_EINVALIDDATA) {
      return check(rc);
    }
    civ_error last = CivitasNative.civ_error_last();
    String message = last != null && last.getCode() == rc ? last.getMessage() : null;
    if (message == null || message.isEmpty()) {
      message = CivitasNative.civ_error_name(rc);
    }
    String[] report = new String[1];
    String r = CivitasNative.civ_package_last_report(report) == civ_error_code.CIV_OK ? report[0] : null;
    throw new InvalidDataException(message, r);
  }

  /** The exception for a code; codes added to the C ABI later map to CivitasException. */
  static CivitasException create(int code, String message) {
    switch (code) {
      case civ_error_code.CIV_EINVAL:
        return new InvalidArgumentException(message);
      case civ_error_code.CIV_ENOMEM:
        return new CivitasOutOfMemoryException(message);
      case civ_error_code.CIV_EINTERNAL:
        return new InternalException(message);
      case civ_error_code.CIV_EIO:
        return new CivitasIOException(message);
      case civ_error_code.CIV_ENOTFOUND:
        return new NotFoundException(message);
      case civ_error_code.CIV_EPARSE:
        return new ParseException(message);
      case civ_error_code.CIV_EINTEGRITY:
        return new IntegrityException(message);
      case civ_error_code.CIV_EKEY:
        return new WrongKeyException(message);
      case civ_error_code.CIV_EVERSION:
        return new UnsupportedVersionException(message);
      case civ_error_code.CIV_EEXISTS:
        return new AlreadyExistsException(message);
      case civ_error_code.CIV_EBUSY:
        return new BusyException(message);
      case civ_error_code.CIV_EDENIED:
        return new DeniedException(message);
      case civ_error_code.CIV_ESIGNATURE:
        return new BadSignatureException(message);
      case civ_error_code.CIV_EREPLAY:
        return new ReplayException(message);
      case civ_error_code.CIV_EUNKNOWNKEY:
        return new UnknownKeyException(message);
      case civ_error_code.CIV_ENOTRECIPIENT:
        return new NotRecipientException(message);
      case civ_error_code.CIV_ETRUNCATED:
        return new TruncatedException(message);
      case civ_error_code.CIV_ESCHEMA:
        return new SchemaMismatchException(message);
      case civ_error_code.CIV_EBUFFER:
        return new BufferTooSmallException(message);
      case civ_error_code.CIV_EINVALIDDATA:
        return new InvalidDataException(message);
      default:
        return new CivitasException(code, message);
    }
  }

  /** Throws InvalidArgumentException (as the C API does for NULL) when value is null. */
  static <T> T requireArg(T value, String name) {
    if (value == null) {
      throw new InvalidArgumentException(name + " must not be null");
    }
    return value;
  }
}
