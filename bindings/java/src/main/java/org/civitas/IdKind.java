package org.civitas;

import org.civitas.internal.civ_id_kind;

/**
 * Identifier kinds, as the C API's {@code civ_id_kind} (the same numbers and names). Taken by
 * {@link Ids} and {@link Crypto#identityKey}; returned by {@link IdResult#getKind()}.
 */
public enum IdKind {
  /** "uscc": Unified Social Credit Code (统一社会信用代码), 18 characters, GB 32100. */
  USCC(civ_id_kind.CIV_ID_USCC, "uscc"),
  /** "orgcode": organisation code (组织机构代码), 8 characters and a check character, GB 11714. */
  ORGCODE(civ_id_kind.CIV_ID_ORGCODE, "orgcode"),
  /** "ric": resident identity card number (居民身份证号码), 18 characters or legacy 15, GB 11643. */
  RIC(civ_id_kind.CIV_ID_RIC, "ric"),
  /** "gb2260": administrative division code (行政区划代码), 6 digits. */
  GB2260(civ_id_kind.CIV_ID_GB2260, "gb2260");

  private final int code;
  private final String cName;

  IdKind(int code, String cName) {
    this.code = code;
    this.cName = cName;
  }

  /** The C value ({@code CIV_ID_USCC} = 1, …). */
  public int code() {
    return code;
  }

  /** The C API's stable name: "uscc", "orgcode", "ric", "gb2260". */
  public String cName() {
    return cName;
  }

  /**
   * The kind of a C API name, case-insensitively, including the alias "division" for
   * {@link #GB2260}.
   *
   * @throws InvalidArgumentException for null or an unknown name
   */
  public static IdKind fromName(String name) {
    Errors.requireArg(name, "kind");
    for (IdKind k : values()) {
      if (k.cName.equalsIgnoreCase(name)) {
        return k;
      }
    }
    if ("division".equalsIgnoreCase(name)) {
      return GB2260;
    }
    return fromCode(Ids.kind(name)); // the C library's own lookup: its message for unknown names
  }

  /**
   * The kind of a C value.
   *
   * @throws InvalidArgumentException for an unknown value
   */
  public static IdKind fromCode(int code) {
    for (IdKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new InvalidArgumentException("unknown identifier kind " + code);
  }
}
